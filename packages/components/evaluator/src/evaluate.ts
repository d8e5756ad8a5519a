// The evaluation proper, on in-memory columns: slices, every metric of the candidate (and baseline)
// model per slice, their differences, fairness gaps, bootstrap confidence intervals and plots. The
// executor feeds it from DuckDB and a serving bundle; computeMetrics feeds it from plain rows.
import type { EvalConfig, FairnessConfig, MetricConfig, MetricsSpec, ResolvedEvalConfig, SlicingSpec } from './config.js'
import { FAIRNESS_METRICS, resolveEvalConfig, sliceFeatures } from './config.js'
import { EvaluatorError } from './errors.js'
import { seededRandom } from '@sluice/core'
import { MetricContext, SliceData } from './metrics/context.js'
import { binaryCurve, downsampleIndices, orderByScoreDescending, ratio } from './metrics/curves.js'
import { poissonOne, tQuantile } from './metrics/statistics.js'
import type { SliceGroup } from './slicing.js'
import { groupSlices, missingSliceFeature } from './slicing.js'
import type { CalibrationBucket, MetricInterval, MetricsFile, MetricValue, PlotsFile, PrPoint, RocPoint, SliceMetrics, SlicePlots, StructuredMetric } from './types.js'

/** One model's labels, predictions and weights over all examples, row-aligned. */
export interface ModelPredictions {
  readonly name: string
  readonly labels: Float64Array
  /** `n × width` scores, row-major. */
  readonly predictions: Float64Array
  readonly width: number
  readonly weights?: Float64Array
}

/** What {@link evaluate} reads. */
export interface EvaluationData {
  readonly n: number
  readonly candidate: ModelPredictions
  readonly baseline?: ModelPredictions
  /** The values of a slicing feature, one per row. */
  readonly column: (feature: string) => ArrayLike<unknown>
}

/** What {@link evaluate} produces: the contents of metrics.json and plots.json. */
export interface Evaluation {
  readonly metrics: MetricsFile
  readonly plots: PlotsFile
}

/** The most points a ROC or PR curve keeps in plots.json. */
export const MAX_CURVE_POINTS = 1000

type Values = Map<string, number | StructuredMetric>

function subset(values: Float64Array, indices: Int32Array, width = 1): Float64Array {
  const out = new Float64Array(indices.length * width)
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!
    for (let k = 0; k < width; k++) out[i * width + k] = values[r * width + k]!
  }
  return out
}

function sliceData(model: ModelPredictions, indices: Int32Array): SliceData {
  const weights = model.weights ? subset(model.weights, indices) : new Float64Array(indices.length).fill(1)
  return new SliceData(subset(model.labels, indices), subset(model.predictions, indices, model.width), model.width, weights, model.name)
}

function computeValues(data: SliceData, resolved: ResolvedEvalConfig, weights: Float64Array, multiplicity: Float64Array | undefined): Values {
  const ctx = new MetricContext(data, weights, multiplicity)
  const values: Values = new Map()
  for (const instance of resolved.instances) values.set(instance.key, instance.definition.compute!(ctx, instance.parameters))
  return values
}

/** Adds `slice rate − overall rate` on each slice of a sensitive feature. */
function addFairnessGaps(resolved: ResolvedEvalConfig, groups: readonly SliceGroup[], values: readonly Values[]): void {
  if (!resolved.fairness) return
  const overall = groups.findIndex((g) => Object.keys(g.key).length === 0)
  if (overall < 0) return
  const fpr = values[overall]!.get(FAIRNESS_METRICS.falsePositiveRate) as number
  const fnr = values[overall]!.get(FAIRNESS_METRICS.falseNegativeRate) as number
  groups.forEach((group, i) => {
    const features = Object.keys(group.key)
    if (features.length !== 1 || !resolved.fairness!.sensitiveFeatures.includes(features[0]!)) return
    const v = values[i]!
    v.set(FAIRNESS_METRICS.falsePositiveRateGap, (v.get(FAIRNESS_METRICS.falsePositiveRate) as number) - fpr)
    v.set(FAIRNESS_METRICS.falseNegativeRateGap, (v.get(FAIRNESS_METRICS.falseNegativeRate) as number) - fnr)
  })
}

function diffOf(candidate: Values, baseline: Values): Values {
  const diff: Values = new Map()
  for (const [key, value] of candidate) {
    const other = baseline.get(key)
    if (typeof value === 'number' && typeof other === 'number') diff.set(key, value - other)
  }
  return diff
}

const finite = (value: number): number | null => (Number.isFinite(value) ? value : null)

interface Replicates {
  readonly candidate: Map<string, number[]>[]
  readonly baseline?: Map<string, number[]>[]
  readonly diff?: Map<string, number[]>[]
}

function record(into: Map<string, number[]>, values: Values): void {
  for (const [key, value] of values) {
    if (typeof value !== 'number') continue
    let list = into.get(key)
    if (!list) into.set(key, (list = []))
    list.push(value)
  }
}

function toJson(values: Values, replicates: Map<string, number[]> | undefined, resolved: ResolvedEvalConfig, ranges: ReadonlyMap<string, readonly [number, number]> | undefined): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {}
  const ci = resolved.confidenceIntervals
  for (const [key, value] of values) {
    if (typeof value !== 'number') {
      out[key] = value
      continue
    }
    const samples = replicates?.get(key)?.filter(Number.isFinite)
    if (!ci || !samples) {
      out[key] = finite(value)
      continue
    }
    out[key] = interval(value, samples, ci.level, ranges?.get(key))
  }
  return out
}

/**
 * A confidence interval around the point estimate: value ± t(df = replicates − 1) · the standard
 * deviation of the bootstrap replicates (TFMA reports the same t-distribution interval, centred on the
 * replicates' mean; centring on the point estimate keeps it inside its interval).
 */
function interval(value: number, samples: readonly number[], level: number, range: readonly [number, number] | undefined): MetricInterval {
  if (!Number.isFinite(value) || samples.length < 2) return { value: finite(value), lower: null, upper: null, stdErr: null }
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length
  const stdErr = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1))
  const half = tQuantile(1 - (1 - level) / 2, samples.length - 1) * stdErr
  let lower = value - half
  let upper = value + half
  if (range) {
    lower = Math.max(range[0], lower)
    upper = Math.min(range[1], upper)
  }
  return { value, lower, upper, stdErr }
}

function plotsOf(data: SliceData, numBuckets: number): Omit<SlicePlots, 'slice' | 'sliceName'> {
  if (data.width > 2 || data.size === 0) return {}
  const { labels, scores } = data.scalar(undefined, 'plots', false)
  const binary = labels.every((l) => l === 0 || l === 1)
  const weights = data.baseWeights
  let lo = 0
  let hi = 1
  const unit = binary && scores.every((s) => s >= 0 && s <= 1)
  if (!unit) {
    lo = Number.POSITIVE_INFINITY
    hi = Number.NEGATIVE_INFINITY
    for (const s of scores) if (Number.isFinite(s)) (lo = Math.min(lo, s), (hi = Math.max(hi, s)))
    if (!(hi > lo)) hi = lo + 1
  }
  const sums = Array.from({ length: numBuckets }, () => ({ w: 0, p: 0, l: 0 }))
  for (let i = 0; i < scores.length; i++) {
    const bucket = Math.min(numBuckets - 1, Math.max(0, Math.floor(((scores[i]! - lo) / (hi - lo)) * numBuckets)))
    const s = sums[bucket]!
    s.w += weights[i]!
    s.p += weights[i]! * scores[i]!
    s.l += weights[i]! * labels[i]!
  }
  const calibration: CalibrationBucket[] = sums.map((s, b) => ({
    lower: lo + ((hi - lo) * b) / numBuckets,
    upper: lo + ((hi - lo) * (b + 1)) / numBuckets,
    weightedCount: s.w,
    meanPrediction: finite(ratio(s.p, s.w)),
    meanLabel: finite(ratio(s.l, s.w)),
  }))
  if (!binary) return { calibration }
  const curve = binaryCurve(labels, scores, weights, orderByScoreDescending(scores))
  const points = downsampleIndices(curve.tp.length, MAX_CURVE_POINTS)
  const roc: RocPoint[] = points.map((k) => ({
    threshold: finite(curve.thresholds[k]!) ?? Number.MAX_VALUE,
    falsePositiveRate: curve.negatives > 0 ? curve.fp[k]! / curve.negatives : 0,
    truePositiveRate: curve.positives > 0 ? curve.tp[k]! / curve.positives : 0,
  }))
  const pr: PrPoint[] = points
    .filter((k) => k > 0)
    .map((k) => ({ threshold: curve.thresholds[k]!, recall: curve.positives > 0 ? curve.tp[k]! / curve.positives : 0, precision: ratio(curve.tp[k]!, curve.tp[k]! + curve.fp[k]!) || 0 }))
  return { calibration, roc, pr }
}

/**
 * Evaluates resolved metrics on every slice. Slices smaller than `minSliceSize` are left out.
 * With a baseline, each slice also gets the baseline's metrics and candidate − baseline; with
 * confidence intervals, each numeric metric becomes `{ value, lower, upper, stdErr }` from a Poisson
 * bootstrap (the same draws for candidate and baseline, so differences are paired).
 */
export function evaluate(data: EvaluationData, resolved: ResolvedEvalConfig): Evaluation {
  const groups = groupSlices(data.n, resolved.slicingSpecs, data.column).filter((g) => g.indices.length >= resolved.minSliceSize)
  const candidates = groups.map((g) => sliceData(data.candidate, g.indices))
  const baselines = data.baseline ? groups.map((g) => sliceData(data.baseline!, g.indices)) : undefined

  const compute = (multiplicity: Float64Array | undefined) => {
    const weigh = (d: SliceData, g: SliceGroup) => {
      if (!multiplicity) return d.baseWeights
      const w = new Float64Array(d.size)
      for (let i = 0; i < d.size; i++) w[i] = d.baseWeights[i]! * multiplicity[g.indices[i]!]!
      return w
    }
    const local = (g: SliceGroup) => (multiplicity ? subset(multiplicity, g.indices) : undefined)
    const candidate = groups.map((g, i) => computeValues(candidates[i]!, resolved, weigh(candidates[i]!, g), local(g)))
    addFairnessGaps(resolved, groups, candidate)
    const baseline = baselines?.map((d, i) => computeValues(d, resolved, weigh(d, groups[i]!), local(groups[i]!)))
    if (baseline) addFairnessGaps(resolved, groups, baseline)
    const diff = baseline ? candidate.map((c, i) => diffOf(c, baseline[i]!)) : undefined
    return { candidate, baseline, diff }
  }

  const point = compute(undefined)
  let replicates: Replicates | undefined
  const ci = resolved.confidenceIntervals
  if (ci) {
    const random = seededRandom(ci.seed)
    const r: Replicates = {
      candidate: groups.map(() => new Map()),
      ...(point.baseline ? { baseline: groups.map(() => new Map()), diff: groups.map(() => new Map()) } : {}),
    }
    const multiplicity = new Float64Array(data.n)
    for (let b = 0; b < ci.samples; b++) {
      for (let i = 0; i < data.n; i++) multiplicity[i] = poissonOne(random)
      const sample = compute(multiplicity)
      sample.candidate.forEach((v, i) => record(r.candidate[i]!, v))
      sample.baseline?.forEach((v, i) => record(r.baseline![i]!, v))
      sample.diff?.forEach((v, i) => record(r.diff![i]!, v))
    }
    replicates = r
  }

  // Intervals of bounded metrics are clipped to their range (differences are not bounded so).
  const ranges = new Map(resolved.instances.flatMap((m) => (m.definition.range ? [[m.key, m.definition.range] as const] : [])))
  const slices: SliceMetrics[] = groups.map((g, i) => ({
    slice: g.key,
    sliceName: g.name,
    exampleCount: g.indices.length,
    metrics: toJson(point.candidate[i]!, replicates?.candidate[i], resolved, ranges),
    ...(point.baseline ? { baseline: toJson(point.baseline[i]!, replicates?.baseline?.[i], resolved, ranges), diff: toJson(point.diff![i]!, replicates?.diff?.[i], resolved, undefined) } : {}),
  }))
  const plots: SlicePlots[] = resolved.plots ? groups.map((g, i) => ({ slice: g.key, sliceName: g.name, ...plotsOf(candidates[i]!, (resolved.plots as { numBuckets: number }).numBuckets) })) : []
  return {
    metrics: { version: 1, candidate: data.candidate.name, ...(data.baseline ? { baseline: data.baseline.name } : {}), slices },
    plots: { version: 1, slices: plots },
  }
}

// ---------------------------------------------------------------------------------------------
// Plain rows in.

/** A label, weight or prediction value as a number. */
export function numericValue(value: unknown, what: string, row: number): number {
  if (typeof value === 'number' && !Number.isNaN(value)) return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
    throw new EvaluatorError('SLUICE_EVALUATOR_BAD_VALUE', `Row ${row}: ${what} is missing.`, { fix: 'Evaluate examples that all have it (filter them, or fill it in the Transform with tft.fillMissing).' })
  }
  throw new EvaluatorError('SLUICE_EVALUATOR_BAD_VALUE', `Row ${row}: ${what} is ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value}, not a number.`)
}

/** Numbers of a column. */
export function numericColumn(values: ArrayLike<unknown>, what: string): Float64Array {
  const out = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = numericValue(values[i], what, i)
  return out
}

/** A prediction column: one number per row, or a list of class scores per row. */
export function predictionColumn(values: ArrayLike<unknown>, what: string): { predictions: Float64Array; width: number } {
  const first = values.length > 0 ? values[0] : undefined
  const isList = Array.isArray(first) || ArrayBuffer.isView(first)
  if (!isList) return { predictions: numericColumn(values, what), width: 1 }
  const width = (first as ArrayLike<unknown>).length
  const predictions = new Float64Array(values.length * width)
  for (let i = 0; i < values.length; i++) {
    const list = values[i] as ArrayLike<unknown> | null | undefined
    if (!list || typeof list !== 'object' || list.length !== width) {
      throw new EvaluatorError('SLUICE_EVALUATOR_BAD_VALUE', `Row ${i}: ${what} has ${list && typeof list === 'object' ? list.length : 'no'} scores; the first row has ${width}.`)
    }
    for (let k = 0; k < width; k++) predictions[i * width + k] = numericValue(list[k], `${what}[${k}]`, i)
  }
  return { predictions, width }
}

/**
 * Class scores spread over one column per class (`probabilities_0`, `probabilities_1`, …: how the
 * BulkInferrer writes an output with several values) as `n × width` predictions.
 */
export function predictionColumns(columns: readonly ArrayLike<unknown>[], what: string): { predictions: Float64Array; width: number } {
  const width = columns.length
  const n = columns[0]?.length ?? 0
  const predictions = new Float64Array(n * width)
  columns.forEach((column, k) => {
    for (let i = 0; i < n; i++) predictions[i * width + k] = numericValue(column[i], `${what}_${k}`, i)
  })
  return { predictions, width }
}

/** What {@link computeMetrics} takes: where labels and predictions are, and the metrics/slices/options of an EvalConfig. */
export interface ComputeMetricsSpec {
  readonly labelKey: string
  readonly predictionKey: string
  readonly exampleWeightKey?: string
  /** A second prediction column to compare with, as a baseline model. */
  readonly baselinePredictionKey?: string
  /** Shorthand for `metricsSpecs: [{ metrics }]`: class names or MetricConfigs. */
  readonly metrics?: readonly (string | MetricConfig)[]
  readonly metricsSpecs?: readonly MetricsSpec[]
  readonly slicingSpecs?: readonly SlicingSpec[]
  readonly options?: EvalConfig['options']
  readonly fairness?: FairnessConfig
}

/**
 * Computes sliced metrics over in-memory rows that already hold predictions (no model, no files): the
 * Evaluator's computation for tests, notebooks and custom components.
 *
 * @example
 * const { metrics } = computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', metrics: ['AUC', 'BinaryAccuracy'], slicingSpecs: [{}, { featureKeys: ['country'] }] })
 */
export function computeMetrics(rows: readonly Record<string, unknown>[], spec: ComputeMetricsSpec): Evaluation & { resolved: ResolvedEvalConfig } {
  const resolved = resolveEvalConfig(evalConfigOf(spec), spec.fairness)
  const column = (key: string) => rows.map((r) => r[key])
  for (const feature of new Set(resolved.slicingSpecs.flatMap(sliceFeatures))) {
    if (rows.length > 0 && !rows.some((r) => feature in r)) throw missingSliceFeature(feature, Object.keys(rows[0]!))
  }
  const model = (name: string, predictionKey: string): ModelPredictions => ({
    name,
    labels: numericColumn(column(spec.labelKey), `label "${spec.labelKey}"`),
    ...predictionColumn(column(predictionKey), `prediction "${predictionKey}"`),
    ...(spec.exampleWeightKey ? { weights: numericColumn(column(spec.exampleWeightKey), `example weight "${spec.exampleWeightKey}"`) } : {}),
  })
  const evaluation = evaluate(
    {
      n: rows.length,
      candidate: model('candidate', spec.predictionKey),
      ...(spec.baselinePredictionKey ? { baseline: model('baseline', spec.baselinePredictionKey) } : {}),
      column,
    },
    resolved,
  )
  return { ...evaluation, resolved }
}

/** The EvalConfig {@link computeMetrics} evaluates. */
export function evalConfigOf(spec: ComputeMetricsSpec): EvalConfig {
  const metricsSpecs: MetricsSpec[] = [...(spec.metricsSpecs ?? [])]
  if (spec.metrics) metricsSpecs.unshift({ metrics: spec.metrics.map((m) => (typeof m === 'string' ? { className: m } : m)) })
  return {
    modelSpecs: [
      { name: 'candidate', labelKey: spec.labelKey, predictionKey: spec.predictionKey, ...(spec.exampleWeightKey ? { exampleWeightKey: spec.exampleWeightKey } : {}) },
      ...(spec.baselinePredictionKey ? [{ name: 'baseline', labelKey: spec.labelKey, predictionKey: spec.baselinePredictionKey, isBaseline: true }] : []),
    ],
    ...(spec.slicingSpecs ? { slicingSpecs: [...spec.slicingSpecs] } : {}),
    metricsSpecs,
    ...(spec.options ? { options: spec.options } : {}),
  }
}
