// The fitted transform: the preprocessing graph with every analyzer replaced by a reference to its
// computed value, as versioned JSON, and the one function that applies it to raw rows in JS (the same
// code for materialising transformed examples, serving and evaluation, so they cannot skew).
import type { AnalyzerDef, AnalyzerRef, Expr, ScalarAnalyzerKind, TransformGraph, Value } from './tft/expr.js'
import { analyzerKey, analyzersOf, isLiteralList } from './tft/expr.js'
import { hashBucket } from './tft/hash.js'

/** The `format` field of a fitted transform. */
export const FITTED_TRANSFORM_FORMAT = 'sluice.fitted_transform'
/** The version of the fitted transform JSON this code writes and reads. */
export const FITTED_TRANSFORM_VERSION = 1

/** The computed value of one analyzer. */
export type FittedAnalyzer =
  | { readonly kind: ScalarAnalyzerKind; readonly value: number | null }
  | { readonly kind: 'quantiles'; readonly numBuckets: number; readonly boundaries: readonly number[] }
  | { readonly kind: 'vocabulary'; readonly tokens: readonly string[]; readonly frequencies: readonly number[] }

/** Analyzer values by {@link analyzerKey} of their definition: what `analyzeGraph` returns. */
export type AnalyzerValues = ReadonlyMap<string, FittedAnalyzer>

/** A fitted transform (JSON-serialisable). */
export interface FittedTransform {
  readonly format: typeof FITTED_TRANSFORM_FORMAT
  readonly version: typeof FITTED_TRANSFORM_VERSION
  /** The raw features the transform reads. */
  readonly inputs: readonly string[]
  /** The output features, in order. */
  readonly outputs: Readonly<Record<string, Expr<AnalyzerRef>>>
  /** Analyzer values by id (`{kind}_{n}`). */
  readonly analyzers: Readonly<Record<string, FittedAnalyzer>>
}

/** An error in building, reading or applying a fitted transform. */
export class TransformError extends Error {
  override readonly name = 'TransformError'
}

/**
 * Freezes a traced graph with its analyzer values: each analyzer definition becomes `{ id }`, its
 * value goes to `analyzers[id]`. Throws when a value is missing.
 */
export function fitTransform(graph: TransformGraph, values: AnalyzerValues): FittedTransform {
  const ids = new Map<string, string>()
  const analyzers: Record<string, FittedAnalyzer> = {}
  const ref = (a: AnalyzerDef): AnalyzerRef => {
    const key = analyzerKey(a)
    let id = ids.get(key)
    if (id === undefined) {
      const value = values.get(key)
      if (!value) throw new TransformError(`No value was computed for the ${a.kind} analyzer ${key}.`)
      if (value.kind !== a.kind) throw new TransformError(`The value computed for ${key} is a ${value.kind}, not a ${a.kind}.`)
      id = `${a.kind}_${ids.size}`
      ids.set(key, id)
      analyzers[id] = value
    }
    return { id }
  }
  const freeze = (e: Expr): Expr<AnalyzerRef> => {
    switch (e.op) {
      case 'input':
      case 'const':
        return e
      case 'binary':
        return { ...e, a: freeze(e.a), b: freeze(e.b) }
      case 'where':
        return { ...e, cond: freeze(e.cond), then: freeze(e.then), else: freeze(e.else) }
      case 'analyzer':
        return { op: 'analyzer', analyzer: ref(e.analyzer) }
      case 'applyVocabulary':
        return { ...e, x: freeze(e.x), vocabulary: isLiteralList(e.vocabulary) ? e.vocabulary : ref(e.vocabulary) }
      case 'applyBuckets':
        return { ...e, x: freeze(e.x), boundaries: isLiteralList(e.boundaries) ? e.boundaries : ref(e.boundaries) }
      default:
        return { ...e, x: freeze(e.x) }
    }
  }
  const outputs: Record<string, Expr<AnalyzerRef>> = {}
  for (const [name, e] of Object.entries(graph.outputs)) outputs[name] = freeze(e)
  return { format: FITTED_TRANSFORM_FORMAT, version: FITTED_TRANSFORM_VERSION, inputs: [...graph.inputs], outputs, analyzers }
}

/** Every analyzer of a graph (nested analyzer inputs included), once each, in discovery order. */
export function collectAnalyzers(graph: TransformGraph): Map<string, AnalyzerDef> {
  const found = new Map<string, AnalyzerDef>()
  const visit = (e: Expr): void => {
    for (const a of analyzersOf(e)) {
      const key = analyzerKey(a)
      if (found.has(key)) continue
      visit(a.input)
      found.set(key, a)
    }
  }
  for (const e of Object.values(graph.outputs)) visit(e)
  return found
}

/**
 * The fitted transform as JSON text. JSON has no NaN or Infinity: such numbers (a `fillMissing(x, NaN)`
 * constant, an analyzer over NaN values) are written as `{"$number": "NaN" | "Infinity" | "-Infinity"}`.
 */
export function serializeFittedTransform(fitted: FittedTransform): string {
  return `${JSON.stringify(fitted, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value), 2)}\n`
}

const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY }

function reviveNumber(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value)
    const n = (value as { $number?: unknown }).$number
    if (keys.length === 1 && typeof n === 'string' && n in NON_FINITE) return NON_FINITE[n]
  }
  return value
}

/**
 * Reads a fitted transform from JSON text written by {@link serializeFittedTransform} (or an already
 * parsed value), checking its format, version and references.
 */
export function parseFittedTransform(json: string | unknown): FittedTransform {
  const value: unknown = typeof json === 'string' ? JSON.parse(json, reviveNumber) : json
  if (typeof value !== 'object' || value === null) throw new TransformError('A fitted transform must be a JSON object.')
  const v = value as Partial<FittedTransform>
  if (v.format !== FITTED_TRANSFORM_FORMAT) throw new TransformError(`Not a fitted transform: format is ${JSON.stringify(v.format)}, expected "${FITTED_TRANSFORM_FORMAT}".`)
  if (v.version !== FITTED_TRANSFORM_VERSION) throw new TransformError(`Fitted transform version ${String(v.version)} is not supported (this code reads version ${FITTED_TRANSFORM_VERSION}).`)
  if (!Array.isArray(v.inputs) || typeof v.outputs !== 'object' || v.outputs === null || typeof v.analyzers !== 'object' || v.analyzers === null) {
    throw new TransformError('A fitted transform needs "inputs", "outputs" and "analyzers".')
  }
  const fitted = v as FittedTransform
  compileFitted(fitted) // validates every node and analyzer reference
  return fitted
}

/**
 * A raw row: an object of feature name to value (any object type, interfaces included). `undefined`
 * and `null` mean missing; bigints are converted to numbers.
 */
export type RawRow = object
/** A transformed row: output name to value (`null` where missing). */
export type TransformedRow = Record<string, Value>

type Evaluator = (row: RawRow) => Value

/**
 * Applies a fitted transform to raw rows in memory. Returns one object per row with the transform's
 * outputs, in output order. Missing values propagate (null) except through `fillMissing`.
 */
export function applyTransform(fitted: FittedTransform, rows: Iterable<RawRow>): TransformedRow[] {
  const outputs = compileFitted(fitted)
  const result: TransformedRow[] = []
  for (const row of rows) {
    const out: TransformedRow = {}
    for (const [name, evaluate] of outputs) out[name] = evaluate(row)
    result.push(out)
  }
  return result
}

function compileFitted(fitted: FittedTransform): [string, Evaluator][] {
  const analyzer = (ref: AnalyzerRef): FittedAnalyzer => {
    const found = typeof ref === 'object' && ref !== null ? fitted.analyzers[ref.id] : undefined
    if (!found) throw new TransformError(`The fitted transform refers to analyzer ${JSON.stringify(ref)}, which it does not hold.`)
    return found
  }
  const compile = (e: Expr<AnalyzerRef>): Evaluator => {
    switch (e.op) {
      case 'input': {
        const name = e.name
        return (row) => normalise((row as Record<string, unknown>)[name])
      }
      case 'const': {
        const value = e.value
        return () => value
      }
      case 'binary':
        return binaryEvaluator(e.fn, compile(e.a), compile(e.b))
      case 'not': {
        const x = compile(e.x)
        return (row) => {
          const b = toBoolean(x(row))
          return b === null ? null : !b
        }
      }
      case 'sqrt': {
        const x = compile(e.x)
        return (row) => {
          const n = toNumber(x(row))
          return n === null ? null : Math.sqrt(n)
        }
      }
      case 'cast': {
        const x = compile(e.x)
        switch (e.to) {
          case 'float':
            return (row) => toNumber(x(row))
          case 'int':
            return (row) => {
              const n = toNumber(x(row))
              return n === null || !Number.isFinite(n) ? null : Math.trunc(n)
            }
          case 'string':
            return (row) => {
              const v = x(row)
              return v === null ? null : stringKey(v)
            }
          case 'bool':
            return (row) => toBoolean(x(row))
          default:
            throw new TransformError(`Unknown cast target ${JSON.stringify(e.to)}.`)
        }
      }
      case 'fillMissing': {
        const x = compile(e.x)
        const value = e.value
        return (row) => {
          const v = x(row)
          return v === null || (typeof v === 'number' && Number.isNaN(v)) ? value : v
        }
      }
      case 'where': {
        const cond = compile(e.cond)
        const then = compile(e.then)
        const otherwise = compile(e.else)
        return (row) => (toBoolean(cond(row)) === true ? then(row) : otherwise(row))
      }
      case 'analyzer': {
        const a = analyzer(e.analyzer)
        if (a.kind === 'quantiles' || a.kind === 'vocabulary') throw new TransformError(`A ${a.kind} analyzer is used as a scalar.`)
        const value = a.value
        return () => value
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
        const index = new Map<string, number>()
        tokens.forEach((t, i) => {
          if (!index.has(t)) index.set(t, i)
        })
        const { numOovBuckets, defaultValue } = e
        const size = tokens.length
        return (row) => {
          const v = x(row)
          if (v === null) return null
          const key = stringKey(v)
          const i = index.get(key)
          if (i !== undefined) return i
          return numOovBuckets > 0 ? size + hashBucket(key, numOovBuckets) : defaultValue
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
        return (row) => {
          const n = toNumber(x(row))
          return n === null ? null : bucketOf(n, boundaries)
        }
      }
      case 'hashStrings': {
        const x = compile(e.x)
        const buckets = e.hashBuckets
        return (row) => {
          const v = x(row)
          return v === null ? null : hashBucket(stringKey(v), buckets)
        }
      }
      default:
        throw new TransformError(`Unknown operation ${JSON.stringify((e as { op?: unknown }).op)} in the fitted transform.`)
    }
  }
  return Object.entries(fitted.outputs).map(([name, e]) => [name, compile(e)])
}

/** The bucket of `x`: the number of boundaries `<= x`; NaN goes to the last bucket. */
export function bucketOf(x: number, boundaries: readonly number[]): number {
  if (Number.isNaN(x)) return boundaries.length
  let lo = 0
  let hi = boundaries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (boundaries[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

function binaryEvaluator(fn: string, a: Evaluator, b: Evaluator): Evaluator {
  const numeric = (f: (x: number, y: number) => Value): Evaluator => (row) => {
    const x = toNumber(a(row))
    const y = toNumber(b(row))
    return x === null || y === null ? null : f(x, y)
  }
  const compare = (f: (order: number) => boolean): Evaluator => (row) => {
    const x = a(row)
    const y = b(row)
    if (x === null || y === null) return null
    if (typeof x === 'string' && typeof y === 'string') return f(x < y ? -1 : x > y ? 1 : 0)
    const nx = toNumber(x)
    const ny = toNumber(y)
    if (nx === null || ny === null) return null
    if (Number.isNaN(nx) || Number.isNaN(ny)) return false
    return f(nx < ny ? -1 : nx > ny ? 1 : 0)
  }
  switch (fn) {
    case 'add':
      return numeric((x, y) => x + y)
    case 'sub':
      return numeric((x, y) => x - y)
    case 'mul':
      return numeric((x, y) => x * y)
    case 'div':
      return numeric((x, y) => (y === 0 ? null : x / y))
    case 'gt':
      return compare((o) => o > 0)
    case 'ge':
      return compare((o) => o >= 0)
    case 'lt':
      return compare((o) => o < 0)
    case 'le':
      return compare((o) => o <= 0)
    case 'eq':
      return compare((o) => o === 0)
    case 'and':
      return (row) => {
        const x = toBoolean(a(row))
        const y = toBoolean(b(row))
        if (x === false || y === false) return false
        return x === null || y === null ? null : true
      }
    case 'or':
      return (row) => {
        const x = toBoolean(a(row))
        const y = toBoolean(b(row))
        if (x === true || y === true) return true
        return x === null || y === null ? null : false
      }
    default:
      throw new TransformError(`Unknown binary operation ${JSON.stringify(fn)}.`)
  }
}

function normalise(v: unknown): Value {
  if (v === undefined || v === null) return null
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v
  throw new TransformError(`Unsupported raw value ${String(v)} (${typeof v}): the transform reads scalar features only.`)
}

/** A value as a number: booleans 1/0, numeric strings parsed, anything else missing. */
export function toNumber(v: Value): number | null {
  if (v === null) return null
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  const trimmed = v.trim()
  if (trimmed === '') return null
  const n = Number(trimmed)
  return Number.isNaN(n) && trimmed.toLowerCase() !== 'nan' ? null : n
}

/** A value as a boolean: numbers non-zero, strings true/t/1 and false/f/0, anything else missing. */
export function toBoolean(v: Value): boolean | null {
  if (v === null) return null
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return Number.isNaN(v) ? null : v !== 0
  const s = v.trim().toLowerCase()
  if (s === 'true' || s === 't' || s === '1') return true
  if (s === 'false' || s === 'f' || s === '0') return false
  return null
}

/**
 * The vocabulary and hash key of a value: strings as they are, integral numbers without a decimal
 * point (`3`, as for an INT64 feature), other numbers in JS's shortest form, booleans `true`/`false`.
 */
export function stringKey(v: Exclude<Value, null>): string {
  return String(v)
}
