// The row-at-a-time closure engine Sluice used before the columnar one (src/evaluate.ts), kept as an
// independent oracle: a differential test checks that both give the same value for every operation,
// on every kind of value, missing and NaN included.
import { TransformError, stringKey, toBoolean, toNumber } from '@sluice/component-transform'
import type { FittedAnalyzer, FittedTransform, RawRow, TransformedRow, Value } from '@sluice/component-transform'
import type { AnalyzerRef, Expr } from '@sluice/component-transform'
import { hashBucket } from '@sluice/component-transform'
import { childrenOf, isLiteralList } from '../src/tft/expr.js'

/** The outputs of raw rows, one row and one closure call per node at a time. */
export function referenceApply(fitted: FittedTransform, rows: Iterable<RawRow>): TransformedRow[] {
  const { inputs, current, outputs } = compileFitted(fitted)
  const result: TransformedRow[] = []
  for (const row of rows) {
    for (let k = 0; k < inputs.length; k++) current[k] = normalise((row as Record<string, unknown>)[inputs[k]!], inputs[k]!)
    const out: TransformedRow = {}
    for (const [name, evaluate] of outputs) out[name] = evaluate()
    result.push(out)
  }
  return result
}

/**
 * One compiled node. It takes no argument: the row's (normalised) input values are in the compiled
 * transform's `current` array, set once per row, which is cheaper than a keyed read per reference.
 */
type Evaluator = () => Value

interface CompiledGraph {
  /** The raw features read: the fitted transform's inputs, then any other name an output reads. */
  readonly inputs: string[]
  /** The normalised input values of the row being evaluated, by position in `inputs`. */
  readonly current: Value[]
  readonly outputs: [string, Evaluator][]
}

function compileFitted(fitted: FittedTransform): CompiledGraph {
  const inputs = [...fitted.inputs]
  const position = new Map(inputs.map((name, k) => [name, k]))
  const current: Value[] = inputs.map(() => null)
  const analyzer = (ref: AnalyzerRef): FittedAnalyzer => {
    const found = typeof ref === 'object' && ref !== null ? fitted.analyzers[ref.id] : undefined
    if (!found) throw new TransformError(`The fitted transform refers to analyzer ${JSON.stringify(ref)}, which it does not hold.`)
    return found
  }
  // Subtrees that read no input (analyzer values and constants: `where(var > 0, …)`, `sqrt(var)`) are
  // evaluated once here, so a row evaluates only what depends on it.
  const readsRow = (e: Expr<AnalyzerRef>): boolean => e.op === 'input' || childrenOf(e).some(readsRow)
  const compile = (e: Expr<AnalyzerRef>): Evaluator => {
    const evaluate = compileNode(e)
    if (readsRow(e)) return evaluate
    const value = evaluate()
    const constant: Evaluator = () => value
    constants.set(constant, value)
    return constant
  }
  const compileNode = (e: Expr<AnalyzerRef>): Evaluator => {
    switch (e.op) {
      case 'input': {
        let k = position.get(e.name)
        if (k === undefined) {
          k = inputs.push(e.name) - 1
          position.set(e.name, k)
          current.push(null)
        }
        const index = k
        return () => current[index]!
      }
      case 'const': {
        const value = e.value
        return () => value
      }
      case 'binary':
        return binaryEvaluator(e.fn, compile(e.a), compile(e.b))
      case 'not': {
        const x = compile(e.x)
        return () => {
          const b = toBoolean(x())
          return b === null ? null : !b
        }
      }
      case 'sqrt': {
        const x = compile(e.x)
        return () => {
          const n = toNumber(x())
          return n === null ? null : Math.sqrt(n)
        }
      }
      case 'isMissing': {
        const x = compile(e.x)
        return () => {
          const v = x()
          return v === null || (typeof v === 'number' && Number.isNaN(v))
        }
      }
      case 'sigmoid': {
        const x = compile(e.x)
        return () => {
          const n = toNumber(x())
          return n === null ? null : 1 / (1 + Math.exp(-n))
        }
      }
      case 'perKey': {
        const a = analyzer(e.analyzer)
        if (a.kind !== 'perKey') throw new TransformError(`A per-key lookup refers to a ${a.kind} analyzer.`)
        const values = a[e.statistic]
        if (!Array.isArray(values)) throw new TransformError(`The per-key analyzer ${e.analyzer.id} has no "${String(e.statistic)}" statistic.`)
        const index = keyIndex(a.keys)
        const key = compile(e.key)
        return () => {
          const k = key()
          if (k === null) return null
          const i = index.get(stringKey(k))
          // TFT's per-key lookups give 0 for a key missing from the key vocabulary.
          return i === undefined ? 0 : (values[i] ?? null)
        }
      }
      case 'applyBucketsPerKey': {
        const a = analyzer(e.boundaries)
        if (a.kind !== 'quantilesPerKey') throw new TransformError(`bucketizePerKey refers to a ${a.kind} analyzer.`)
        const index = keyIndex(a.keys)
        const last = a.numBuckets - 1
        const x = compile(e.x)
        const key = compile(e.key)
        return () => {
          const n = toNumber(x())
          const k = key()
          if (n === null || k === null) return null
          const i = index.get(stringKey(k))
          if (i === undefined) return -1
          // TFT clips to numBuckets - 1, so NaN (which sorts last) lands there too.
          return Number.isNaN(n) ? last : Math.min(last, bucketOfLocal(n, a.boundaries[i]!))
        }
      }
      case 'cast': {
        const x = compile(e.x)
        switch (e.to) {
          case 'float':
            return () => toNumber(x())
          case 'int':
            return () => {
              const n = toNumber(x())
              return n === null || !Number.isFinite(n) ? null : Math.trunc(n)
            }
          case 'string':
            return () => {
              const v = x()
              return v === null ? null : stringKey(v)
            }
          case 'bool':
            return () => toBoolean(x())
          default:
            throw new TransformError(`Unknown cast target ${JSON.stringify(e.to)}.`)
        }
      }
      case 'fillMissing': {
        const x = compile(e.x)
        const value = e.value
        return () => {
          const v = x()
          return v === null || (typeof v === 'number' && Number.isNaN(v)) ? value : v
        }
      }
      case 'where': {
        const cond = compile(e.cond)
        const then = compile(e.then)
        const otherwise = compile(e.else)
        if (constants.has(cond)) return toBoolean(constants.get(cond)!) === true ? then : otherwise
        return () => (toBoolean(cond()) === true ? then() : otherwise())
      }
      case 'analyzer': {
        const a = analyzer(e.analyzer)
        if (!('value' in a)) throw new TransformError(`A ${a.kind} analyzer is used as a scalar.`)
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
        return () => {
          const v = x()
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
        return () => {
          const n = toNumber(x())
          return n === null ? null : bucketOfLocal(n, boundaries)
        }
      }
      case 'hashStrings': {
        const x = compile(e.x)
        const buckets = e.hashBuckets
        return () => {
          const v = x()
          return v === null ? null : hashBucket(stringKey(v), buckets)
        }
      }
      default:
        throw new TransformError(`Unknown operation ${JSON.stringify((e as { op?: unknown }).op)} in the fitted transform.`)
    }
  }
  const outputs = Object.entries(fitted.outputs).map(([name, e]): [string, Evaluator] => [name, compile(e)])
  return { inputs, current, outputs }
}

/** The bucket of `x`: the number of boundaries `<= x`; NaN goes to the last bucket. */
function bucketOfLocal(x: number, boundaries: readonly number[]): number {
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

/** The value of every evaluator compiled from a constant subtree. */
const constants = new WeakMap<Evaluator, Value>()

function binaryEvaluator(fn: string, a: Evaluator, b: Evaluator): Evaluator {
  const numeric = (f: (x: number, y: number) => Value): Evaluator => {
    if (constants.has(b) && (fn === 'add' || fn === 'sub' || fn === 'mul' || fn === 'div')) {
      // x ∘ constant, the shape of every scaler: one closure per operation so each stays monomorphic.
      const y = toNumber(constants.get(b)!)
      if (y === null) return () => null
      switch (fn) {
        case 'add':
          return () => {
            const x = toNumber(a())
            return x === null ? null : x + y
          }
        case 'sub':
          return () => {
            const x = toNumber(a())
            return x === null ? null : x - y
          }
        case 'mul':
          return () => {
            const x = toNumber(a())
            return x === null ? null : x * y
          }
        default:
          if (y === 0) return () => null
          return () => {
            const x = toNumber(a())
            return x === null ? null : x / y
          }
      }
    }
    return () => {
      const x = toNumber(a())
      const y = toNumber(b())
      return x === null || y === null ? null : f(x, y)
    }
  }
  const compare = (f: (order: number) => boolean): Evaluator => () => {
    const x = a()
    const y = b()
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
      return () => {
        const x = toBoolean(a())
        const y = toBoolean(b())
        if (x === false || y === false) return false
        return x === null || y === null ? null : true
      }
    case 'or':
      return () => {
        const x = toBoolean(a())
        const y = toBoolean(b())
        if (x === true || y === true) return true
        return x === null || y === null ? null : false
      }
    default:
      throw new TransformError(`Unknown binary operation ${JSON.stringify(fn)}.`)
  }
}

function keyIndex(keys: readonly string[]): Map<string, number> {
  const index = new Map<string, number>()
  keys.forEach((k, i) => {
    if (!index.has(k)) index.set(k, i)
  })
  return index
}

function normalise(v: unknown, feature: string): Value {
  if (v === undefined || v === null) return null
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v
  throw new TransformError(
    `Feature "${feature}": unsupported raw value ${Array.isArray(v) ? `[${v.slice(0, 5).map(String).join(', ')}${v.length > 5 ? ', …' : ''}]` : String(v)} (${Array.isArray(v) ? 'a list' : typeof v}); the transform reads scalar numbers, strings and booleans.`,
    { code: 'SLUICE_TRANSFORM_APPLY_FAILED', fix: Array.isArray(v) ? 'List (multivalent) features are not supported by Transform: give the feature one value per example.' : 'Convert the value to a number or a string first.' },
  )
}

