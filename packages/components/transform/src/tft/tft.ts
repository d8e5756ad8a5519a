// The `tft` object a preprocessing function receives. Every call builds graph nodes; nothing is
// computed until the graph is analysed (src/analyze.ts) and applied (src/fitted-transform.ts).
import type { AnalyzerDef, BinaryOp, CastType, Expr, TransformGraph, Value } from './expr.js'

/** A column handle: a node of the preprocessing graph. */
export class Column {
  constructor(readonly expr: Expr) {}
}

/** The result of `tft.vocabulary`: usable by `tft.applyVocabulary`. */
export class Vocabulary {
  constructor(readonly analyzer: AnalyzerDef & { kind: 'vocabulary' }) {}
}

/** The result of `tft.quantiles`: bucket boundaries usable by `tft.applyBuckets`. */
export class Boundaries {
  constructor(readonly analyzer: AnalyzerDef & { kind: 'quantiles' }) {}
}

/** A column or a literal operand. */
export type Operand = Column | number | string | boolean | null

/** Options of `tft.vocabulary`. */
export interface VocabularyOptions {
  /** Keep the `topK` most frequent tokens. @default all */
  topK?: number
  /** Keep tokens seen at least this many times. @default 0 */
  frequencyThreshold?: number
}

/** Options of `tft.computeAndApplyVocabulary` and `tft.applyVocabulary`. */
export interface ApplyVocabularyOptions {
  /** Out-of-vocabulary tokens hash into `[vocabSize, vocabSize + numOovBuckets)`. @default 0 */
  numOovBuckets?: number
  /** The index of out-of-vocabulary tokens when `numOovBuckets` is 0. @default -1 */
  defaultValue?: number
}

/** The raw inputs a preprocessing function reads, by feature name. */
export type TransformInputs<K extends string = string> = { readonly [P in K]: Column }

/** A preprocessing function: raw input columns in, named output columns out. */
export type PreprocessingFn<K extends string = string> = (inputs: TransformInputs<K>, tft: Tft) => Record<string, Column>

function expr(x: Operand): Expr {
  return x instanceof Column ? x.expr : { op: 'const', value: x }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}.`)
  return value
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}.`)
  return value
}

const binary = (fn: BinaryOp) => (a: Operand, b: Operand): Column => new Column({ op: 'binary', fn, a: expr(a), b: expr(b) })
const scalar = (kind: 'mean' | 'var' | 'min' | 'max' | 'sum' | 'size') => (x: Column): Column =>
  new Column({ op: 'analyzer', analyzer: { kind, input: x.expr } })

function vocabulary(x: Column, options: VocabularyOptions = {}): Vocabulary {
  return new Vocabulary({
    kind: 'vocabulary',
    input: x.expr,
    topK: options.topK === undefined ? null : positiveInteger('topK', options.topK),
    frequencyThreshold: nonNegativeInteger('frequencyThreshold', options.frequencyThreshold ?? 0),
  })
}

function quantiles(x: Column, numBuckets: number): Boundaries {
  return new Boundaries({ kind: 'quantiles', input: x.expr, numBuckets: positiveInteger('numBuckets', numBuckets) })
}

function applyVocabulary(x: Column, vocab: Vocabulary | readonly string[], options: ApplyVocabularyOptions = {}): Column {
  return new Column({
    op: 'applyVocabulary',
    x: x.expr,
    vocabulary: vocab instanceof Vocabulary ? vocab.analyzer : [...vocab],
    numOovBuckets: nonNegativeInteger('numOovBuckets', options.numOovBuckets ?? 0),
    defaultValue: options.defaultValue ?? -1,
  })
}

function applyBuckets(x: Column, boundaries: Boundaries | readonly number[]): Column {
  if (!(boundaries instanceof Boundaries)) {
    for (let i = 1; i < boundaries.length; i++) {
      if (!(boundaries[i - 1]! <= boundaries[i]!)) throw new RangeError('applyBuckets: boundaries must be sorted ascending.')
    }
  }
  return new Column({ op: 'applyBuckets', x: x.expr, boundaries: boundaries instanceof Boundaries ? boundaries.analyzer : [...boundaries] })
}

function scaleByMinMax(x: Column, outputMin = 0, outputMax = 1): Column {
  if (!(outputMin < outputMax)) throw new RangeError(`scaleByMinMax: outputMin (${outputMin}) must be below outputMax (${outputMax}).`)
  const min = tft.min(x)
  const max = tft.max(x)
  // TFT: when min == max (a single distinct value) the result is the middle of the output range.
  const unit = tft.where(tft.lt(min, max), tft.div(tft.sub(x, min), tft.sub(max, min)), 0.5)
  return tft.add(tft.mul(unit, outputMax - outputMin), outputMin)
}

/**
 * The `tft` namespace: analyzers, mappers and column operators. Missing values (`null`) propagate
 * through every operator and mapper except `fillMissing`; analyzers skip them.
 */
export const tft = {
  // Analyzers: full-pass over the analysed split; each result is a constant of the fitted transform.
  /** The mean of the non-missing values. */
  mean: scalar('mean'),
  /** The population variance (TFT's biased variance). */
  var: scalar('var'),
  min: scalar('min'),
  max: scalar('max'),
  sum: scalar('sum'),
  /** The number of non-missing values. */
  size: scalar('size'),
  /**
   * `numBuckets - 1` bucket boundaries: the exact quantiles `i / numBuckets` (DuckDB `quantile_disc`,
   * so each boundary is a value of the data), duplicates removed.
   */
  quantiles,
  /**
   * The distinct values as strings, most frequent first, ties by value descending (TFT's order); empty
   * values and values containing a newline are dropped, then `frequencyThreshold` and `topK` apply.
   */
  vocabulary,

  // Mappers.
  /** `(x - mean) / stddev` with the population variance; `x - mean` when the variance is 0 (as TFT). */
  scaleToZScore(x: Column): Column {
    const mean = tft.mean(x)
    const variance = tft.var(x)
    const centred = tft.sub(x, mean)
    return tft.where(tft.gt(variance, 0), tft.div(centred, tft.sqrt(variance)), centred)
  },
  /** Scales to `[0, 1]` by the analysed min and max; 0.5 when min == max. */
  scaleTo01(x: Column): Column {
    return scaleByMinMax(x, 0, 1)
  },
  /** Scales to `[outputMin, outputMax]` by the analysed min and max; the middle of the range when min == max. */
  scaleByMinMax,
  /** `vocabulary` then `applyVocabulary`. */
  computeAndApplyVocabulary(x: Column, options: VocabularyOptions & ApplyVocabularyOptions = {}): Column {
    const { numOovBuckets, defaultValue, ...vocabOptions } = options
    return applyVocabulary(x, vocabulary(x, vocabOptions), { ...(numOovBuckets !== undefined ? { numOovBuckets } : {}), ...(defaultValue !== undefined ? { defaultValue } : {}) })
  },
  /**
   * The index of the value (as a string) in the vocabulary; out-of-vocabulary values hash into
   * `[size, size + numOovBuckets)` (see `hashStrings`) or, without OOV buckets, get `defaultValue`.
   */
  applyVocabulary,
  /** `applyBuckets(x, quantiles(x, numBuckets))`: a bucket index in `[0, numBuckets)`. */
  bucketize(x: Column, numBuckets: number): Column {
    return applyBuckets(x, quantiles(x, numBuckets))
  },
  /**
   * The number of boundaries `<= x` (TF's `BucketizeWithInputBoundaries`): `x < b[0]` → 0,
   * `x >= b[last]` → `boundaries.length`. NaN goes to the last bucket.
   */
  applyBuckets,
  /** `fnv1a32(utf8(String(x))) % hashBuckets` — FNV-1a, not TF's FarmHash, so buckets differ from TFT's. */
  hashStrings(x: Column, hashBuckets: number): Column {
    return new Column({ op: 'hashStrings', x: x.expr, hashBuckets: positiveInteger('hashBuckets', hashBuckets) })
  },
  /** `x`, or `value` where `x` is missing (null or NaN). */
  fillMissing(x: Column, value: Value): Column {
    return new Column({ op: 'fillMissing', x: x.expr, value })
  },

  // Operators.
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  /** Floating-point division. */
  div: binary('div'),
  gt: binary('gt'),
  ge: binary('ge'),
  lt: binary('lt'),
  le: binary('le'),
  eq: binary('eq'),
  and: binary('and'),
  or: binary('or'),
  not(x: Operand): Column {
    return new Column({ op: 'not', x: expr(x) })
  },
  sqrt(x: Operand): Column {
    return new Column({ op: 'sqrt', x: expr(x) })
  },
  cast(x: Operand, to: CastType): Column {
    return new Column({ op: 'cast', x: expr(x), to })
  },
  /** `then` where `cond` is true, `otherwise` where it is false or missing. */
  where(cond: Operand, then: Operand, otherwise: Operand): Column {
    return new Column({ op: 'where', cond: expr(cond), then: expr(then), else: expr(otherwise) })
  },
  /** A constant column. */
  constant(value: Value): Column {
    return new Column({ op: 'const', value })
  },
}

/** The type of the `tft` namespace. */
export type Tft = typeof tft

/**
 * Runs a preprocessing function on input handles and returns its graph. With `inputNames`, reading
 * another input throws; without, any input name may be read.
 */
export function traceTransform(fn: PreprocessingFn, inputNames?: readonly string[]): TransformGraph {
  const known = inputNames ? new Set(inputNames) : undefined
  const used = new Set<string>()
  const inputs = new Proxy({} as TransformInputs, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined
      if (known && !known.has(name)) throw new Error(`The preprocessing function reads input "${name}", which the examples do not have (they have ${[...known].join(', ')}).`)
      used.add(name)
      return new Column({ op: 'input', name })
    },
  })
  const result = fn(inputs, tft)
  if (typeof result !== 'object' || result === null) throw new Error('The preprocessing function must return an object of output columns.')
  const outputs: Record<string, Expr> = {}
  for (const [name, column] of Object.entries(result)) {
    if (!(column instanceof Column)) throw new Error(`Output "${name}" of the preprocessing function is not a column handle (got ${typeof column}).`)
    outputs[name] = column.expr
  }
  if (Object.keys(outputs).length === 0) throw new Error('The preprocessing function returned no output.')
  return { inputs: [...used].sort(), outputs }
}
