// The engine that applies a fitted transform: each node of the graph is compiled once into a
// function that computes a whole chunk of rows (a column), with numbers in Float64Arrays. Per-row
// closures cost a call, a boxed double and a type test per node and row; over a column the loops are
// tight and allocate once per chunk. Every path — materialising examples, `applyTransform`,
// `readTransformOutput(…).transformRows`, serving — runs this code, so their values cannot differ.
//
// Semantics, per element, are those documented on the `tft` functions: missing (null) propagates
// except through fillMissing, isMissing and where's condition; see `toNumber`, `toBoolean` and
// `stringKey` for how values convert.
import { ColumnArena, UNPOOLED } from './column-arena.js'
import { TransformError } from './errors.js'
import type { FittedAnalyzer, FittedTransform } from './fitted-transform.js'
import { bucketOf, stringKey, toBoolean, toNumber } from './values.js'
import type { AnalyzerRef, BinaryOp, Expr, Value } from './tft/expr.js'
import { childrenOf, isLiteralList } from './tft/expr.js'
import { hashBucket } from './tft/hash.js'

/**
 * A column of `n` values:
 * - `c`: one value for every row (a constant or analyzer result);
 * - `n`: numbers, `m[i] === 1` where missing (`m` null when none is);
 * - `b`: booleans as 0/1, same missing mask;
 * - `a`: any values (strings, or a mix), null where missing.
 */
export type Col =
  | { readonly t: 'c'; readonly v: Value }
  | { readonly t: 'n'; readonly v: Float64Array; readonly m: Uint8Array | null }
  | { readonly t: 'b'; readonly v: Uint8Array; readonly m: Uint8Array | null }
  | { readonly t: 'a'; readonly v: readonly Value[] }

/** Computes one node over the current chunk of `n` rows. */
type Node = (n: number) => Col

/** A fitted transform compiled to column functions. */
export interface ColumnProgram {
  /** The raw features read, in order: the fitted transform's inputs, then any other name an output reads. */
  readonly inputs: readonly string[]
  /** The outputs, in order. */
  readonly outputs: readonly string[]
  /**
   * The outputs of a chunk of `n` rows whose inputs are `columns` (one per input, in order). Their
   * arrays are reused by the next call: read or copy them before running another chunk.
   */
  run(columns: readonly Col[], n: number): Col[]
}

/** The value of row `i` of a column. */
export function valueAt(col: Col, i: number): Value {
  switch (col.t) {
    case 'c':
      return col.v
    case 'n':
      return col.m !== null && col.m[i] === 1 ? null : col.v[i]!
    case 'b':
      return col.m !== null && col.m[i] === 1 ? null : col.v[i] === 1
    case 'a':
      return col.v[i] ?? null
  }
}

/**
 * The column of normalised values: numbers (and missing) as a typed `n` column — the form DuckDB's
 * DOUBLE vectors arrive in, so rows given as objects take the same code paths as materialisation —
 * anything else as an `a` column.
 */
export function columnOf(values: readonly Value[], n: number, arena: ColumnArena = UNPOOLED): Col {
  const v = arena.f64(n)
  let m: Uint8Array | null = null
  for (let i = 0; i < n; i++) {
    const value = values[i] ?? null
    if (typeof value === 'number') v[i] = value
    else if (value === null) (m ??= arena.u8(n))[i] = 1
    else return { t: 'a', v: values }
  }
  return { t: 'n', v, m }
}

/** A column of `n` numbers (missing where not a number), as `toNumber` converts each value. */
function numbers(col: Col, n: number, arena: ColumnArena): { v: Float64Array; m: Uint8Array | null } {
  if (col.t === 'n') return col
  const v = arena.f64(n)
  if (col.t === 'b') {
    for (let i = 0; i < n; i++) v[i] = col.v[i]!
    return { v, m: col.m }
  }
  if (col.t === 'c') {
    const x = toNumber(col.v)
    if (x === null) return { v, m: arena.u8(n).fill(1) }
    return { v: v.fill(x), m: null }
  }
  let m: Uint8Array | null = null
  for (let i = 0; i < n; i++) {
    const x = toNumber(col.v[i] ?? null)
    if (x === null) (m ??= arena.u8(n))[i] = 1
    else v[i] = x
  }
  return { v, m }
}

/** A column of `n` booleans as 0/1 (missing where not a boolean), as `toBoolean` converts each value. */
function booleans(col: Col, n: number, arena: ColumnArena): { v: Uint8Array; m: Uint8Array | null } {
  if (col.t === 'b') return col
  const v = arena.u8(n)
  let m: Uint8Array | null = null
  if (col.t === 'n') {
    for (let i = 0; i < n; i++) {
      const x = col.v[i]!
      if ((col.m !== null && col.m[i] === 1) || Number.isNaN(x)) (m ??= arena.u8(n))[i] = 1
      else v[i] = x !== 0 ? 1 : 0
    }
    return { v, m }
  }
  if (col.t === 'c') {
    const b = toBoolean(col.v)
    return b === null ? { v, m: arena.u8(n).fill(1) } : { v: v.fill(b ? 1 : 0), m: null }
  }
  for (let i = 0; i < n; i++) {
    const b = toBoolean(col.v[i] ?? null)
    if (b === null) (m ??= arena.u8(n))[i] = 1
    else v[i] = b ? 1 : 0
  }
  return { v, m }
}

/** Whether a column holds only numbers or booleans (so comparisons are numeric). */
function numeric(col: Col): boolean {
  return col.t === 'n' || col.t === 'b' || (col.t === 'c' && (col.v === null || typeof col.v === 'number' || typeof col.v === 'boolean'))
}

function orMasks(a: Uint8Array | null, b: Uint8Array | null, n: number, arena: ColumnArena): Uint8Array | null {
  if (a === null) return b
  if (b === null) return a
  const m = arena.u8(n)
  for (let i = 0; i < n; i++) m[i] = a[i]! | b[i]!
  return m
}

/** One comparison, for values of any type: as `applyTransform` compares two values. */
export function compareValues(x: Value, y: Value, fn: BinaryOp): boolean | null {
  if (x === null || y === null) return null
  let order: number
  if (typeof x === 'string' && typeof y === 'string') order = x < y ? -1 : x > y ? 1 : 0
  else {
    const nx = toNumber(x)
    const ny = toNumber(y)
    if (nx === null || ny === null) return null
    if (Number.isNaN(nx) || Number.isNaN(ny)) return false
    order = nx < ny ? -1 : nx > ny ? 1 : 0
  }
  return fn === 'gt' ? order > 0 : fn === 'ge' ? order >= 0 : fn === 'lt' ? order < 0 : fn === 'le' ? order <= 0 : order === 0
}

function keyIndex(keys: readonly string[]): Map<string, number> {
  const index = new Map<string, number>()
  keys.forEach((k, i) => {
    if (!index.has(k)) index.set(k, i)
  })
  return index
}

/** The index of a value's token in `index`, or undefined; missing values are handled by the caller. */
function lookup(index: ReadonlyMap<string, number>, v: Exclude<Value, null>): number | undefined {
  return index.get(typeof v === 'string' ? v : stringKey(v))
}

/** Compiles a fitted transform (checking every node and analyzer reference) into column functions. */
export function compileColumns(fitted: FittedTransform): ColumnProgram {
  const inputs = [...fitted.inputs]
  const position = new Map(inputs.map((name, k) => [name, k]))
  let chunk: readonly Col[] = []
  const arena = new ColumnArena()
  const analyzer = (ref: AnalyzerRef): FittedAnalyzer => {
    const found = typeof ref === 'object' && ref !== null ? fitted.analyzers[ref.id] : undefined
    if (!found) throw new TransformError(`The fitted transform refers to analyzer ${JSON.stringify(ref)}, which it does not hold.`)
    return found
  }
  // Subtrees that read no input (constants and analyzer values: `where(var > 0, …)`, `sqrt(var)`)
  // are computed once, here.
  const readsRow = (e: Expr<AnalyzerRef>): boolean => e.op === 'input' || childrenOf(e).some(readsRow)
  const compile = (e: Expr<AnalyzerRef>): Node => {
    const node = compileNode(e)
    if (readsRow(e)) return node
    const constant: Col = { t: 'c', v: valueAt(node(1), 0) }
    return () => constant
  }
  const compileNode = (e: Expr<AnalyzerRef>): Node => {
    switch (e.op) {
      case 'input': {
        let k = position.get(e.name)
        if (k === undefined) {
          k = inputs.push(e.name) - 1
          position.set(e.name, k)
        }
        const index = k
        return () => chunk[index]!
      }
      case 'const': {
        const col: Col = { t: 'c', v: e.value }
        return () => col
      }
      case 'binary':
        return binaryNode(e.fn, compile(e.a), compile(e.b), arena)
      case 'not': {
        const x = compile(e.x)
        return (n) => {
          const b = booleans(x(n), n, arena)
          const v = arena.u8(n)
          for (let i = 0; i < n; i++) v[i] = b.v[i]! ^ 1
          return { t: 'b', v, m: b.m }
        }
      }
      case 'sqrt':
      case 'sigmoid': {
        const x = compile(e.x)
        const sigmoid = e.op === 'sigmoid'
        return (n) => {
          const a = numbers(x(n), n, arena)
          const v = arena.f64(n)
          if (sigmoid) for (let i = 0; i < n; i++) v[i] = 1 / (1 + Math.exp(-a.v[i]!))
          else for (let i = 0; i < n; i++) v[i] = Math.sqrt(a.v[i]!)
          return { t: 'n', v, m: a.m }
        }
      }
      case 'isMissing': {
        const x = compile(e.x)
        return (n) => {
          const col = x(n)
          const v = arena.u8(n)
          if (col.t === 'n') for (let i = 0; i < n; i++) v[i] = (col.m !== null && col.m[i] === 1) || Number.isNaN(col.v[i]!) ? 1 : 0
          else if (col.t === 'b') for (let i = 0; i < n; i++) v[i] = col.m !== null && col.m[i] === 1 ? 1 : 0
          else
            for (let i = 0; i < n; i++) {
              const value = valueAt(col, i)
              v[i] = value === null || (typeof value === 'number' && Number.isNaN(value)) ? 1 : 0
            }
          return { t: 'b', v, m: null }
        }
      }
      case 'cast': {
        const x = compile(e.x)
        switch (e.to) {
          case 'float':
            return (n) => ({ t: 'n', ...numbers(x(n), n, arena) })
          case 'int':
            return (n) => {
              const a = numbers(x(n), n, arena)
              const v = arena.f64(n)
              // A copy: the input's mask may belong to another column.
              let m = a.m === null ? null : arena.copy(a.m)
              for (let i = 0; i < n; i++) {
                const value = a.v[i]!
                if (Number.isFinite(value)) v[i] = Math.trunc(value)
                else (m ??= arena.u8(n))[i] = 1
              }
              return { t: 'n', v, m }
            }
          case 'string':
            return (n) => {
              const col = x(n)
              const v = new Array<Value>(n)
              for (let i = 0; i < n; i++) {
                const value = valueAt(col, i)
                v[i] = value === null ? null : stringKey(value)
              }
              return { t: 'a', v }
            }
          case 'bool':
            return (n) => ({ t: 'b', ...booleans(x(n), n, arena) })
          default:
            throw new TransformError(`Unknown cast target ${JSON.stringify(e.to)}.`)
        }
      }
      case 'fillMissing': {
        const x = compile(e.x)
        const fill = e.value
        return (n) => {
          const col = x(n)
          if (col.t === 'n' && typeof fill === 'number') {
            const v = arena.f64(n)
            for (let i = 0; i < n; i++) {
              const value = col.v[i]!
              v[i] = (col.m !== null && col.m[i] === 1) || Number.isNaN(value) ? fill : value
            }
            return { t: 'n', v, m: null }
          }
          if (col.t === 'b' && typeof fill === 'boolean') {
            const v = arena.copy(col.v)
            if (col.m !== null) for (let i = 0; i < n; i++) if (col.m[i] === 1) v[i] = fill ? 1 : 0
            return { t: 'b', v, m: null }
          }
          const v = new Array<Value>(n)
          for (let i = 0; i < n; i++) {
            const value = valueAt(col, i)
            v[i] = value === null || (typeof value === 'number' && Number.isNaN(value)) ? fill : value
          }
          return { t: 'a', v }
        }
      }
      case 'where': {
        const cond = compile(e.cond)
        const then = compile(e.then)
        const otherwise = compile(e.else)
        return (n) => {
          const c = cond(n)
          if (c.t === 'c') return toBoolean(c.v) === true ? then(n) : otherwise(n)
          const b = booleans(c, n, arena)
          const yes = then(n)
          const no = otherwise(n)
          const pick = (i: number) => b.v[i] === 1 && (b.m === null || b.m[i] !== 1)
          if (numeric(yes) && numeric(no) && yes.t !== 'b' && no.t !== 'b' && !(yes.t === 'c' && typeof yes.v === 'boolean') && !(no.t === 'c' && typeof no.v === 'boolean')) {
            const a1 = numbers(yes, n, arena)
            const a0 = numbers(no, n, arena)
            const v = arena.f64(n)
            let m: Uint8Array | null = null
            for (let i = 0; i < n; i++) {
              const source = pick(i) ? a1 : a0
              if (source.m !== null && source.m[i] === 1) (m ??= arena.u8(n))[i] = 1
              else v[i] = source.v[i]!
            }
            return { t: 'n', v, m }
          }
          const v = new Array<Value>(n)
          for (let i = 0; i < n; i++) v[i] = valueAt(pick(i) ? yes : no, i)
          return { t: 'a', v }
        }
      }
      case 'analyzer': {
        const a = analyzer(e.analyzer)
        if (!('value' in a)) throw new TransformError(`A ${a.kind} analyzer is used as a scalar.`)
        const col: Col = { t: 'c', v: a.value }
        return () => col
      }
      case 'perKey': {
        const a = analyzer(e.analyzer)
        if (a.kind !== 'perKey') throw new TransformError(`A per-key lookup refers to a ${a.kind} analyzer.`)
        const values = a[e.statistic]
        if (!Array.isArray(values)) throw new TransformError(`The per-key analyzer ${e.analyzer.id} has no "${String(e.statistic)}" statistic.`)
        const index = keyIndex(a.keys)
        const key = compile(e.key)
        return (n) => {
          const k = key(n)
          const v = arena.f64(n)
          let m: Uint8Array | null = null
          for (let i = 0; i < n; i++) {
            const kv = valueAt(k, i)
            const j = kv === null ? undefined : lookup(index, kv)
            // TFT's per-key lookups give 0 for a key value missing from the key vocabulary.
            const value = kv === null ? null : j === undefined ? 0 : (values[j] ?? null)
            if (value === null) (m ??= arena.u8(n))[i] = 1
            else v[i] = value
          }
          return { t: 'n', v, m }
        }
      }
      case 'applyBucketsPerKey': {
        const a = analyzer(e.boundaries)
        if (a.kind !== 'quantilesPerKey') throw new TransformError(`bucketizePerKey refers to a ${a.kind} analyzer.`)
        const index = keyIndex(a.keys)
        const last = a.numBuckets - 1
        const x = compile(e.x)
        const key = compile(e.key)
        return (n) => {
          const xs = numbers(x(n), n, arena)
          const k = key(n)
          const v = arena.f64(n)
          let m: Uint8Array | null = null
          for (let i = 0; i < n; i++) {
            const kv = valueAt(k, i)
            if ((xs.m !== null && xs.m[i] === 1) || kv === null) {
              ;(m ??= arena.u8(n))[i] = 1
              continue
            }
            const j = lookup(index, kv)
            const value = xs.v[i]!
            // TFT clips to numBuckets - 1, so NaN (which sorts last) lands there too.
            v[i] = j === undefined ? -1 : Number.isNaN(value) ? last : Math.min(last, bucketOf(value, a.boundaries[j]!))
          }
          return { t: 'n', v, m }
        }
      }
      case 'applyVocabulary': {
        const x = compile(e.x)
        let tokens: readonly string[]
        if (isLiteralList(e.vocabulary)) tokens = e.vocabulary
        else {
          const a = analyzer(e.vocabulary)
          if (a.kind !== 'vocabulary') throw new TransformError(`applyVocabulary refers to a ${a.kind} analyzer.`)
          tokens = a.tokens
        }
        const index = keyIndex(tokens)
        const { numOovBuckets, defaultValue } = e
        const size = tokens.length
        return (n) => {
          const col = x(n)
          const v = arena.f64(n)
          let m: Uint8Array | null = null
          for (let i = 0; i < n; i++) {
            const value = valueAt(col, i)
            if (value === null) {
              ;(m ??= arena.u8(n))[i] = 1
              continue
            }
            const key = typeof value === 'string' ? value : stringKey(value)
            const j = index.get(key)
            v[i] = j !== undefined ? j : numOovBuckets > 0 ? size + hashBucket(key, numOovBuckets) : defaultValue
          }
          return { t: 'n', v, m }
        }
      }
      case 'applyBuckets': {
        const x = compile(e.x)
        let boundaries: readonly number[]
        if (isLiteralList(e.boundaries)) boundaries = e.boundaries
        else {
          const a = analyzer(e.boundaries)
          if (a.kind !== 'quantiles') throw new TransformError(`applyBuckets refers to a ${a.kind} analyzer.`)
          boundaries = a.boundaries
        }
        return (n) => {
          const a = numbers(x(n), n, arena)
          const v = arena.f64(n)
          for (let i = 0; i < n; i++) v[i] = bucketOf(a.v[i]!, boundaries)
          return { t: 'n', v, m: a.m }
        }
      }
      case 'hashStrings': {
        const x = compile(e.x)
        const buckets = e.hashBuckets
        return (n) => {
          const col = x(n)
          const v = arena.f64(n)
          let m: Uint8Array | null = null
          for (let i = 0; i < n; i++) {
            const value = valueAt(col, i)
            if (value === null) (m ??= arena.u8(n))[i] = 1
            else v[i] = hashBucket(stringKey(value), buckets)
          }
          return { t: 'n', v, m }
        }
      }
      default:
        throw new TransformError(`Unknown operation ${JSON.stringify((e as { op?: unknown }).op)} in the fitted transform.`)
    }
  }
  const names = Object.keys(fitted.outputs)
  const nodes = names.map((name) => compile(fitted.outputs[name]!))
  return {
    inputs,
    outputs: names,
    run(columns, n) {
      if (columns.length !== inputs.length) throw new TransformError(`Expected ${inputs.length} input column(s) (${inputs.join(', ')}), got ${columns.length}.`)
      chunk = columns
      arena.reset()
      try {
        return nodes.map((node) => node(n))
      } finally {
        chunk = []
      }
    },
  }
}

function binaryNode(fn: BinaryOp, a: Node, b: Node, arena: ColumnArena): Node {
  switch (fn) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return (n) => {
        const x = numbers(a(n), n, arena)
        const y = numbers(b(n), n, arena)
        const v = arena.f64(n)
        const xv = x.v
        const yv = y.v
        if (fn === 'add') for (let i = 0; i < n; i++) v[i] = xv[i]! + yv[i]!
        else if (fn === 'sub') for (let i = 0; i < n; i++) v[i] = xv[i]! - yv[i]!
        else if (fn === 'mul') for (let i = 0; i < n; i++) v[i] = xv[i]! * yv[i]!
        else {
          // Division by zero gives a missing value: a mask of its own (the operands' may be shared).
          let zero: Uint8Array | null = null
          for (let i = 0; i < n; i++) {
            if (yv[i] === 0) (zero ??= arena.u8(n))[i] = 1
            else v[i] = xv[i]! / yv[i]!
          }
          return { t: 'n', v, m: orMasks(orMasks(x.m, y.m, n, arena), zero, n, arena) }
        }
        return { t: 'n', v, m: orMasks(x.m, y.m, n, arena) }
      }
    case 'and':
    case 'or':
      return (n) => {
        const x = booleans(a(n), n, arena)
        const y = booleans(b(n), n, arena)
        const v = arena.u8(n)
        let m: Uint8Array | null = null
        const and = fn === 'and'
        for (let i = 0; i < n; i++) {
          const xm = x.m !== null && x.m[i] === 1
          const ym = y.m !== null && y.m[i] === 1
          const xv = x.v[i]!
          const yv = y.v[i]!
          // Three-valued logic: false and missing is false, true or missing is true.
          if (and ? (!xm && xv === 0) || (!ym && yv === 0) : (!xm && xv === 1) || (!ym && yv === 1)) v[i] = and ? 0 : 1
          else if (xm || ym) (m ??= arena.u8(n))[i] = 1
          else v[i] = and ? 1 : 0
        }
        return { t: 'b', v, m }
      }
    default:
      return (n) => {
        const x = a(n)
        const y = b(n)
        const v = arena.u8(n)
        let m: Uint8Array | null = null
        if (numeric(x) && numeric(y)) {
          const xs = numbers(x, n, arena)
          const ys = numbers(y, n, arena)
          for (let i = 0; i < n; i++) {
            if ((xs.m !== null && xs.m[i] === 1) || (ys.m !== null && ys.m[i] === 1)) {
              ;(m ??= arena.u8(n))[i] = 1
              continue
            }
            const p = xs.v[i]!
            const q = ys.v[i]!
            // A comparison with NaN is false (every ordering test below is).
            v[i] = (fn === 'gt' ? p > q : fn === 'ge' ? p >= q : fn === 'lt' ? p < q : fn === 'le' ? p <= q : p === q) ? 1 : 0
          }
          return { t: 'b', v, m }
        }
        for (let i = 0; i < n; i++) {
          const r = compareValues(valueAt(x, i), valueAt(y, i), fn)
          if (r === null) (m ??= arena.u8(n))[i] = 1
          else v[i] = r ? 1 : 0
        }
        return { t: 'b', v, m }
      }
  }
}
