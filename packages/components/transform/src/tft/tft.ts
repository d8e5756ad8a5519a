// The `tft` object a preprocessing function receives. Every call builds graph nodes; nothing is
// computed until the graph is analysed (src/analyze.ts) and applied (src/fitted-transform.ts).
import type { AnalyzerDef, BinaryOp, CastType, Expr, PerKeyStatistic, TransformGraph, Value } from './expr.js'
import { TransformError } from '../errors.js'

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

/** The `customConfig` parameter of Transform, passed as the third argument of the preprocessing function (TFX's `custom_config`). */
export type CustomConfig = Readonly<Record<string, unknown>>

/**
 * A preprocessing function: raw input columns in, named output columns out. It runs once, while the
 * graph is traced (not once per row), and must be synchronous.
 */
export type PreprocessingFn<K extends string = string> = (inputs: TransformInputs<K>, tft: Tft, customConfig: CustomConfig) => Record<string, Column>

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

function checkRange(name: string, outputMin: number, outputMax: number): void {
  if (!(outputMin < outputMax)) throw new RangeError(`${name}: outputMin (${outputMin}) must be below outputMax (${outputMax}).`)
}

/**
 * TFT's `_scale_by_min_max_internal`: `(x - min) / (max - min)` projected on the output range; where
 * min >= max (one distinct value, no value, or a key the analysis did not see) `sigmoid(x)` instead.
 */
function minMaxScaled(x: Column, min: Column, max: Column, outputMin: number, outputMax: number): Column {
  const unit = tft.where(tft.lt(min, max), tft.div(tft.sub(x, min), tft.sub(max, min)), tft.sigmoid(x))
  return tft.add(tft.mul(unit, outputMax - outputMin), outputMin)
}

/**
 * TFT's `_scale_to_z_score_internal`: `(x - mean) / sqrt(var)`, or `x - mean` where the variance is
 * 0. `mean` must not be missing where x should give a value (an empty analysis: pass `fillMissing(mean, 0)`
 * to leave x unscaled, as TFT documents).
 */
function zScored(x: Column, mean: Column, variance: Column): Column {
  const centred = tft.sub(x, mean)
  return tft.where(tft.gt(variance, 0), tft.div(centred, tft.sqrt(variance)), centred)
}

/** `value`, but missing where the per-key mapper's key is missing. */
function unlessKeyMissing(key: Column, value: Column): Column {
  return tft.where(tft.isMissing(key), null, value)
}

function scaleByMinMax(x: Column, outputMin = 0, outputMax = 1): Column {
  checkRange('scaleByMinMax', outputMin, outputMax)
  return minMaxScaled(x, tft.min(x), tft.max(x), outputMin, outputMax)
}

function perKeyAnalyzer(x: Column, key: Column): AnalyzerDef & { kind: 'perKey' } {
  return { kind: 'perKey', input: x.expr, key: key.expr }
}

function perKeyValue(analyzer: AnalyzerDef, key: Column, statistic: PerKeyStatistic): Column {
  return new Column({ op: 'perKey', analyzer, key: key.expr, statistic })
}

function column(name: string, value: unknown): Column {
  if (value instanceof Column) return value
  throw new TypeError(`${name} must be a column (an input or the result of a tft function), got ${describe(value)}.`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof Vocabulary) return 'a vocabulary (the result of tft.vocabulary)'
  if (value instanceof Boundaries) return 'bucket boundaries (the result of tft.quantiles)'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return typeof (value as { then?: unknown }).then === 'function' ? 'a Promise' : 'an object'
  return `${typeof value} ${JSON.stringify(value)}`
}

/**
 * The `tft` namespace: analyzers, mappers and column operators. Missing values (`null`) propagate
 * through every operator and mapper except `fillMissing`, `isMissing` and `where`'s condition;
 * analyzers skip them. docs/components/transform.md documents every function.
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
  /**
   * `(x - mean) / stddev` with the population variance; `x - mean` when the variance is 0, and x
   * unchanged when the analysis saw no value (as TFT).
   */
  scaleToZScore(x: Column): Column {
    return zScored(x, tft.fillMissing(tft.mean(x), 0), tft.var(x))
  },
  /** Scales to `[0, 1]` by the analysed min and max; `sigmoid(x)` when min == max or nothing was analysed (as TFT). */
  scaleTo01(x: Column): Column {
    return scaleByMinMax(x, 0, 1)
  },
  /**
   * Scales to `[outputMin, outputMax]` by the analysed min and max: `(x - min) / (max - min)`
   * projected on the range, or `sigmoid(x)` projected on it when min == max or nothing was analysed (as TFT).
   */
  scaleByMinMax,

  // Per-key mappers (TFT's `*_per_key`): the statistics are computed for every value of `key` over the
  // analyze splits. A key value the analysis did not see gets TFT's unseen-key behaviour: statistics
  // 0, so z-score leaves x unscaled, min-max scaling gives sigmoid(x), buckets -1. A missing key
  // (null) gives a missing output, as any missing operand does.
  /** `scaleToZScore` with the mean and variance of the rows that have the row's key. Unseen key: x unscaled. */
  scaleToZScorePerKey(x: Column, key: Column): Column {
    const a = perKeyAnalyzer(column('scaleToZScorePerKey: x', x), column('scaleToZScorePerKey: key', key))
    // A key whose rows had no value has a null mean: x unscaled, like an unseen key.
    return unlessKeyMissing(key, zScored(x, tft.fillMissing(perKeyValue(a, key, 'mean'), 0), perKeyValue(a, key, 'var')))
  },
  /** `scaleTo01` with the min and max of the rows that have the row's key. Unseen key: sigmoid(x). */
  scaleTo01PerKey(x: Column, key: Column): Column {
    return tft.scaleByMinMaxPerKey(x, key, 0, 1)
  },
  /** `scaleByMinMax` with the min and max of the rows that have the row's key. Unseen key: sigmoid(x) projected on the range. */
  scaleByMinMaxPerKey(x: Column, key: Column, outputMin = 0, outputMax = 1): Column {
    checkRange('scaleByMinMaxPerKey', outputMin, outputMax)
    const a = perKeyAnalyzer(column('scaleByMinMaxPerKey: x', x), column('scaleByMinMaxPerKey: key', key))
    return unlessKeyMissing(key, minMaxScaled(x, perKeyValue(a, key, 'min'), perKeyValue(a, key, 'max'), outputMin, outputMax))
  },
  /**
   * `bucketize` with boundaries computed separately for every key value: a bucket in
   * `[0, numBuckets)`; -1 for a key the analysis did not see (as TFT); NaN goes to bucket `numBuckets - 1`.
   */
  bucketizePerKey(x: Column, key: Column, numBuckets: number): Column {
    const boundaries: AnalyzerDef = {
      kind: 'quantilesPerKey',
      input: column('bucketizePerKey: x', x).expr,
      key: column('bucketizePerKey: key', key).expr,
      numBuckets: positiveInteger('numBuckets', numBuckets),
    }
    return new Column({ op: 'applyBucketsPerKey', x: x.expr, key: key.expr, boundaries })
  },
  /**
   * TFT's `count_per_key` as a column: how many analysed rows had the row's key (0 for an unseen or
   * missing key). The counts of every key are in the fitted transform.
   */
  countPerKey(key: Column): Column {
    const k = column('countPerKey: key', key)
    // The analysed input is the constant 1, so `count` counts the rows that have each key.
    return perKeyValue(perKeyAnalyzer(tft.constant(1), k), k, 'count')
  },
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
  /** `1 / (1 + e^-x)`. */
  sigmoid(x: Operand): Column {
    return new Column({ op: 'sigmoid', x: expr(x) })
  },
  /** True where `x` is missing (null) or NaN — what `fillMissing` replaces; never missing itself. */
  isMissing(x: Operand): Column {
    return new Column({ op: 'isMissing', x: expr(x) })
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

/** Options of {@link traceTransform}. */
export interface TraceOptions {
  /** The raw feature names: reading another input throws. Without it any name may be read. */
  inputNames?: readonly string[]
  /** The third argument of the preprocessing function. @default {} */
  customConfig?: CustomConfig
  /** Where the function comes from (the module file), for error messages. */
  source?: string
}

/**
 * Runs a preprocessing function on input handles and returns its graph. Every failure is a
 * {@link TransformError} naming the function's source: the function throwing, returning something
 * that is not an object of columns (the offending key is named), or reading an unknown input.
 */
export function traceTransform(fn: PreprocessingFn, options: TraceOptions | readonly string[] = {}): TransformGraph {
  const { inputNames, customConfig = {}, source } = Array.isArray(options) ? { inputNames: options as readonly string[] } : (options as TraceOptions)
  const where = source ? `preprocessingFn in ${source}` : 'preprocessingFn'
  const known = inputNames ? new Set(inputNames) : undefined
  const used = new Set<string>()
  let unknownInput: TransformError | undefined
  const inputs = new Proxy({} as TransformInputs, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined
      if (known && !known.has(name)) {
        unknownInput = new TransformError(`Transform: ${where} reads input "${name}", which the examples do not have (they have ${[...known].join(', ') || 'no feature'}).`, {
          code: 'SLUICE_TRANSFORM_UNKNOWN_INPUT',
          fix: 'Read only features of the examples (their names are case-sensitive).',
        })
        throw unknownInput
      }
      used.add(name)
      return new Column({ op: 'input', name })
    },
  })
  let result: unknown
  try {
    result = fn(inputs, tft, customConfig)
  } catch (cause) {
    if (cause === unknownInput) throw cause
    throw new TransformError(`Transform: ${where} threw: ${(cause as Error)?.message ?? String(cause)}`, {
      code: 'SLUICE_TRANSFORM_PREPROCESSING_FN_FAILED',
      cause,
      fix: 'Fix the preprocessing function; it runs once, with column handles, not with row values.',
    })
  }
  const shape = 'an object of output name to column, e.g. { fare_xf: tft.scaleToZScore(inputs.fare) }'
  if (typeof result !== 'object' || result === null || Array.isArray(result) || result instanceof Column) {
    throw new TransformError(`Transform: ${where} must return ${shape}, but returned ${describe(result)}.`, { code: 'SLUICE_TRANSFORM_BAD_OUTPUT' })
  }
  if (typeof (result as { then?: unknown }).then === 'function') {
    throw new TransformError(`Transform: ${where} returned a Promise; it must be synchronous and return ${shape}.`, {
      code: 'SLUICE_TRANSFORM_BAD_OUTPUT',
      fix: 'Remove `async` from the function: it only builds the graph, nothing in it needs awaiting.',
    })
  }
  const outputs: Record<string, Expr> = {}
  for (const [name, column] of Object.entries(result)) {
    if (!(column instanceof Column)) {
      throw new TransformError(`Transform: output "${name}" of ${where} is not a column: got ${describe(column)}.`, {
        code: 'SLUICE_TRANSFORM_BAD_OUTPUT',
        fix:
          column instanceof Vocabulary
            ? `Apply it: tft.applyVocabulary(x, vocabulary).`
            : column instanceof Boundaries
              ? `Apply them: tft.applyBuckets(x, boundaries).`
              : `Return columns: inputs, results of tft functions, or tft.constant(value).`,
      })
    }
    outputs[name] = column.expr
  }
  if (Object.keys(outputs).length === 0) throw new TransformError(`Transform: ${where} returned no output.`, { code: 'SLUICE_TRANSFORM_BAD_OUTPUT', fix: `Return ${shape}.` })
  return { inputs: [...used].sort(), outputs }
}
