// The metrics the Evaluator knows, by TFMA class name (and the Keras names TFMA accepts): what each
// computes, the config it takes, and how one MetricConfig expands into metric keys (one per decision
// threshold when several are given, one per class id when binarized).
import { z } from '@sluice/core'
import { EvaluatorError } from '../errors.js'
import type { StructuredMetric } from '../types.js'
import type { MetricContext } from './context.js'
import type { Confusion, SummationMethod } from './curves.js'
import { prAuc, ratio, rocAuc } from './curves.js'

/**
 * What a metric needs: `count` nothing but the examples; `scalar` one label and score per example;
 * `binary` 0/1 labels and a probability; `regression` a numeric label and prediction; `multiclass` a
 * class-index label and one score per class; `plot` configures plots.json and computes no metric.
 */
export type MetricKind = 'count' | 'scalar' | 'binary' | 'regression' | 'multiclass' | 'plot'

/** A metric class. */
export interface MetricDefinition {
  readonly className: string
  /** The metric key's name when `config.name` is not given. */
  readonly name: string
  readonly kind: MetricKind
  /** One line for docs and `known:` lists. */
  readonly description: string
  /** The `config` it accepts (camelCase; snake_case keys are converted first). */
  readonly config: z.ZodType<Record<string, unknown>>
  /** Values always lie in this range (confidence intervals are clipped to it). */
  readonly range?: readonly [number, number]
  /** Whether its value is a structured object rather than a number (no thresholds, no intervals). */
  readonly structured?: boolean
  /** Whether `binarize.classIds` of its metrics spec expands it into one key per class. */
  readonly binarizable?: boolean
  /** Whether `config.topK` (micro-averaged multi-class top-k) is allowed. */
  readonly topK?: boolean
  /** Computes the value of one expanded key. */
  readonly compute?: (ctx: MetricContext, p: ExpandedParameters) => number | StructuredMetric
}

/** The parameters of one expanded metric key. */
export interface ExpandedParameters {
  readonly key: string
  readonly threshold: number
  readonly thresholds: readonly number[]
  readonly classId?: number
  readonly topK?: number
  readonly k: number
  readonly curve: 'ROC' | 'PR'
  readonly summationMethod: SummationMethod
  readonly numBuckets: number
}

const name = z.string().min(1).optional()
const classId = z.number().int().min(0).optional()
const probability = z.number().min(0).max(1)
const confusionConfig = z.strictObject({ name, thresholds: z.array(probability).min(1).optional(), threshold: probability.optional(), topK: z.number().int().min(1).optional(), classId })
const curveConfig = z.strictObject({
  name,
  curve: z.enum(['ROC', 'PR']).optional(),
  summationMethod: z.enum(['interpolation', 'minoring', 'majoring']).optional(),
  /** Accepted for TFMA configs; the Evaluator's curves are exact. */
  numThresholds: z.number().int().min(1).optional(),
  classId,
})
const scalarConfig = z.strictObject({ name, classId })
const plainConfig = z.strictObject({ name })
const topKConfig = z.strictObject({ name, k: z.number().int().min(1).optional() })
const matrixConfig = z.strictObject({ name, thresholds: z.array(probability).min(1).optional(), classId })
const calibrationPlotConfig = z.strictObject({ name, numBuckets: z.number().int().min(1).max(10_000).optional() })
const confusionPlotConfig = z.strictObject({ name, numThresholds: z.number().int().min(1).optional() })

const UNIT = [0, 1] as const

function confusionMetric(
  className: string,
  metricName: string,
  description: string,
  value: (c: Confusion) => number,
  options: { range?: readonly [number, number]; topK?: boolean } = { range: UNIT },
): MetricDefinition {
  return {
    className,
    name: metricName,
    kind: 'binary',
    description,
    config: confusionConfig,
    binarizable: true,
    ...(options.range ? { range: options.range } : {}),
    ...(options.topK ? { topK: true } : {}),
    compute: (ctx, p) => value(p.topK !== undefined ? ctx.topKConfusion(p.topK) : ctx.confusion(p.threshold, p.classId, p.key)),
  }
}

const accuracyOf = (c: Confusion) => ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn)
const precisionOf = (c: Confusion) => ratio(c.tp, c.tp + c.fp)
const recallOf = (c: Confusion) => ratio(c.tp, c.tp + c.fn)
const specificityOf = (c: Confusion) => ratio(c.tn, c.tn + c.fp)
const fallOutOf = (c: Confusion) => ratio(c.fp, c.fp + c.tn)
const missRateOf = (c: Confusion) => ratio(c.fn, c.fn + c.tp)

function mccOf(c: Confusion): number {
  const denominator = Math.sqrt((c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn))
  return ratio(c.tp * c.tn - c.fp * c.fn, denominator)
}

function weightedMean(ctx: MetricContext, key: string, term: (label: number, prediction: number) => number): number {
  const { labels, scores } = ctx.data.scalar(undefined, key, false)
  let w = 0
  let total = 0
  for (let i = 0; i < labels.length; i++) {
    const weight = ctx.weights[i]!
    if (weight === 0) continue
    w += weight
    total += weight * term(labels[i]!, scores[i]!)
  }
  return ratio(total, w)
}

const EPSILON = 1e-7
const clip = (p: number) => Math.min(1 - EPSILON, Math.max(EPSILON, p))

function binaryCrossEntropy(ctx: MetricContext, p: ExpandedParameters): number {
  const { labels, scores } = ctx.data.scalar(p.classId, p.key, true)
  let w = 0
  let total = 0
  for (let i = 0; i < labels.length; i++) {
    const weight = ctx.weights[i]!
    if (weight === 0) continue
    const q = clip(scores[i]!)
    w += weight
    total -= weight * (labels[i]! * Math.log(q) + (1 - labels[i]!) * Math.log(1 - q))
  }
  return ratio(total, w)
}

function r2Score(ctx: MetricContext, key: string): number {
  const { labels, scores } = ctx.data.scalar(undefined, key, false)
  const { w, wLabel } = ctx.scalarSums(undefined, key)
  const mean = wLabel / w
  let residual = 0
  let totalSquares = 0
  for (let i = 0; i < labels.length; i++) {
    const weight = ctx.weights[i]!
    residual += weight * (labels[i]! - scores[i]!) ** 2
    totalSquares += weight * (labels[i]! - mean) ** 2
  }
  return totalSquares > 0 ? 1 - residual / totalSquares : Number.NaN
}

function squaredPearson(ctx: MetricContext, key: string): number {
  const { labels, scores } = ctx.data.scalar(undefined, key, false)
  const { w, wLabel, wPrediction } = ctx.scalarSums(undefined, key)
  const my = wLabel / w
  const mp = wPrediction / w
  let cov = 0
  let vy = 0
  let vp = 0
  for (let i = 0; i < labels.length; i++) {
    const weight = ctx.weights[i]!
    cov += weight * (labels[i]! - my) * (scores[i]! - mp)
    vy += weight * (labels[i]! - my) ** 2
    vp += weight * (scores[i]! - mp) ** 2
  }
  return vy > 0 && vp > 0 ? (cov * cov) / (vy * vp) : Number.NaN
}

function checkClassLabels(ctx: MetricContext, key: string): void {
  const classes = Math.max(2, ctx.data.width)
  const bad = ctx.data.labels.findIndex((label) => !Number.isInteger(label) || label < 0 || label >= classes)
  if (bad >= 0) {
    throw new EvaluatorError('SLUICE_EVALUATOR_BAD_VALUE', `Metric "${key}" (model "${ctx.data.model}") needs class-index labels in 0–${classes - 1}, but a label is ${ctx.data.labels[bad]}.`, {
      fix: 'Label examples with the index of their class (the position of its score in the prediction).',
    })
  }
}

function topKAccuracy(ctx: MetricContext, p: ExpandedParameters, k: number): number {
  checkClassLabels(ctx, p.key)
  const hits = ctx.data.topKHit(k)
  let w = 0
  let hit = 0
  for (let i = 0; i < hits.length; i++) {
    w += ctx.weights[i]!
    if (hits[i]) hit += ctx.weights[i]!
  }
  return ratio(hit, w)
}

function categoricalCrossEntropy(ctx: MetricContext, p: ExpandedParameters): number {
  checkClassLabels(ctx, p.key)
  let w = 0
  let total = 0
  for (let i = 0; i < ctx.data.size; i++) {
    const weight = ctx.weights[i]!
    if (weight === 0) continue
    w += weight
    total -= weight * Math.log(clip(ctx.data.classScores(i)[ctx.data.labels[i]!]!))
  }
  return ratio(total, w)
}

function confusionMatrices(ctx: MetricContext, p: ExpandedParameters): StructuredMetric {
  return {
    matrices: p.thresholds.map((threshold) => {
      const c = ctx.confusion(threshold, p.classId, p.key)
      return { threshold, truePositives: c.tp, falsePositives: c.fp, trueNegatives: c.tn, falseNegatives: c.fn, precision: nullable(precisionOf(c)), recall: nullable(recallOf(c)) }
    }),
  }
}

function nullable(value: number): number | null {
  return Number.isFinite(value) ? value : null
}

const DEFINITIONS: readonly MetricDefinition[] = [
  { className: 'ExampleCount', name: 'example_count', kind: 'count', description: 'number of examples (unweighted)', config: plainConfig, compute: (ctx) => ctx.exampleCount() },
  { className: 'WeightedExampleCount', name: 'weighted_example_count', kind: 'count', description: 'sum of example weights', config: plainConfig, compute: (ctx) => ctx.weightSum() },
  {
    className: 'MeanLabel',
    name: 'mean_label',
    kind: 'scalar',
    description: 'weighted mean of the label',
    config: scalarConfig,
    binarizable: true,
    compute: (ctx, p) => {
      const s = ctx.scalarSums(p.classId, p.key)
      return ratio(s.wLabel, s.w)
    },
  },
  {
    className: 'MeanPrediction',
    name: 'mean_prediction',
    kind: 'scalar',
    description: 'weighted mean of the prediction',
    config: scalarConfig,
    binarizable: true,
    compute: (ctx, p) => {
      const s = ctx.scalarSums(p.classId, p.key)
      return ratio(s.wPrediction, s.w)
    },
  },
  {
    className: 'Calibration',
    name: 'calibration',
    kind: 'scalar',
    description: 'sum of predictions / sum of labels (1 is perfectly calibrated)',
    config: scalarConfig,
    binarizable: true,
    compute: (ctx, p) => {
      const s = ctx.scalarSums(p.classId, p.key)
      return ratio(s.wPrediction, s.wLabel)
    },
  },
  confusionMetric('BinaryAccuracy', 'binary_accuracy', '(TP + TN) / all, predicting positive when score > threshold (default 0.5)', accuracyOf),
  confusionMetric('Precision', 'precision', 'TP / (TP + FP); with config.topK, micro-averaged over the top k classes', precisionOf, { range: UNIT, topK: true }),
  confusionMetric('Recall', 'recall', 'TP / (TP + FN) (true positive rate); with config.topK, micro-averaged', recallOf, { range: UNIT, topK: true }),
  confusionMetric('F1Score', 'f1_score', '2·TP / (2·TP + FP + FN)', (c) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn), { range: UNIT, topK: true }),
  confusionMetric('Specificity', 'specificity', 'TN / (TN + FP) (true negative rate)', specificityOf),
  confusionMetric('FallOut', 'fall_out', 'FP / (FP + TN) (false positive rate)', fallOutOf),
  confusionMetric('FalsePositiveRate', 'false_positive_rate', 'FP / (FP + TN) (FallOut under its common name)', fallOutOf),
  confusionMetric('MissRate', 'miss_rate', 'FN / (FN + TP) (false negative rate)', missRateOf),
  confusionMetric('FalseNegativeRate', 'false_negative_rate', 'FN / (FN + TP) (MissRate under its common name)', missRateOf),
  confusionMetric('NegativePredictiveValue', 'negative_predictive_value', 'TN / (TN + FN)', (c) => ratio(c.tn, c.tn + c.fn)),
  confusionMetric('FalseDiscoveryRate', 'false_discovery_rate', 'FP / (FP + TP)', (c) => ratio(c.fp, c.fp + c.tp)),
  confusionMetric('FalseOmissionRate', 'false_omission_rate', 'FN / (FN + TN)', (c) => ratio(c.fn, c.fn + c.tn)),
  confusionMetric('BalancedAccuracy', 'balanced_accuracy', '(TPR + TNR) / 2', (c) => (recallOf(c) + specificityOf(c)) / 2),
  confusionMetric('MatthewsCorrelationCoefficient', 'matthews_correlation_coefficient', '(TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN))', mccOf, { range: [-1, 1] }),
  confusionMetric('TruePositives', 'true_positives', 'weighted count of TP', (c) => c.tp, {}),
  confusionMetric('FalsePositives', 'false_positives', 'weighted count of FP', (c) => c.fp, {}),
  confusionMetric('TrueNegatives', 'true_negatives', 'weighted count of TN', (c) => c.tn, {}),
  confusionMetric('FalseNegatives', 'false_negatives', 'weighted count of FN', (c) => c.fn, {}),
  {
    className: 'ConfusionMatrixAtThresholds',
    name: 'confusion_matrix_at_thresholds',
    kind: 'binary',
    description: 'TP, FP, TN, FN, precision and recall at each of config.thresholds (default [0.5])',
    config: matrixConfig,
    binarizable: true,
    structured: true,
    compute: confusionMatrices,
  },
  {
    className: 'AUC',
    name: 'auc',
    kind: 'binary',
    description: 'exact area under the ROC curve (config.curve "PR" for precision-recall)',
    config: curveConfig,
    binarizable: true,
    range: UNIT,
    compute: (ctx, p) => (p.curve === 'PR' ? prAuc : rocAuc)(ctx.curve(p.classId, p.key), p.summationMethod),
  },
  {
    className: 'AUCPrecisionRecall',
    name: 'auc_precision_recall',
    kind: 'binary',
    description: 'exact area under the precision-recall curve (Davis & Goadrich interpolation)',
    config: curveConfig,
    binarizable: true,
    range: UNIT,
    compute: (ctx, p) => (p.curve === 'ROC' ? rocAuc : prAuc)(ctx.curve(p.classId, p.key), p.summationMethod),
  },
  { className: 'BinaryCrossEntropy', name: 'binary_cross_entropy', kind: 'binary', description: 'log loss: −mean(y·ln p + (1−y)·ln(1−p)), p clipped to [1e-7, 1 − 1e-7]', config: scalarConfig, binarizable: true, compute: binaryCrossEntropy },
  { className: 'BinaryCrossentropy', name: 'binary_crossentropy', kind: 'binary', description: 'log loss (Keras name)', config: scalarConfig, binarizable: true, compute: binaryCrossEntropy },
  { className: 'MeanSquaredError', name: 'mean_squared_error', kind: 'regression', description: 'mean of (label − prediction)²', config: plainConfig, compute: (ctx, p) => weightedMean(ctx, p.key, (y, q) => (y - q) ** 2) },
  {
    className: 'RootMeanSquaredError',
    name: 'root_mean_squared_error',
    kind: 'regression',
    description: '√ mean squared error',
    config: plainConfig,
    compute: (ctx, p) => Math.sqrt(weightedMean(ctx, p.key, (y, q) => (y - q) ** 2)),
  },
  { className: 'MeanAbsoluteError', name: 'mean_absolute_error', kind: 'regression', description: 'mean of |label − prediction|', config: plainConfig, compute: (ctx, p) => weightedMean(ctx, p.key, (y, q) => Math.abs(y - q)) },
  {
    className: 'MeanAbsolutePercentageError',
    name: 'mean_absolute_percentage_error',
    kind: 'regression',
    description: '100 · mean of |label − prediction| / max(|label|, 1e-7) (Keras)',
    config: plainConfig,
    compute: (ctx, p) => 100 * weightedMean(ctx, p.key, (y, q) => Math.abs(y - q) / Math.max(Math.abs(y), EPSILON)),
  },
  {
    className: 'MeanSquaredLogarithmicError',
    name: 'mean_squared_logarithmic_error',
    kind: 'regression',
    description: 'mean of (ln(1 + max(label, 0)) − ln(1 + max(prediction, 0)))²',
    config: plainConfig,
    compute: (ctx, p) => weightedMean(ctx, p.key, (y, q) => (Math.log1p(Math.max(y, 0)) - Math.log1p(Math.max(q, 0))) ** 2),
  },
  { className: 'R2Score', name: 'r2_score', kind: 'regression', description: 'coefficient of determination: 1 − SS_res / SS_tot', config: plainConfig, compute: (ctx, p) => r2Score(ctx, p.key) },
  { className: 'SquaredPearsonCorrelation', name: 'squared_pearson_correlation', kind: 'regression', description: 'squared Pearson correlation of label and prediction', config: plainConfig, range: UNIT, compute: (ctx, p) => squaredPearson(ctx, p.key) },
  {
    className: 'SparseCategoricalAccuracy',
    name: 'sparse_categorical_accuracy',
    kind: 'multiclass',
    description: 'multi-class accuracy: the label is the highest-scoring class',
    config: plainConfig,
    range: UNIT,
    compute: (ctx, p) => topKAccuracy(ctx, p, 1),
  },
  {
    className: 'SparseTopKCategoricalAccuracy',
    name: 'sparse_top_k_categorical_accuracy',
    kind: 'multiclass',
    description: 'top-k accuracy: the label is among the k highest-scoring classes (config.k, default 5)',
    config: topKConfig,
    range: UNIT,
    compute: (ctx, p) => topKAccuracy(ctx, p, p.k),
  },
  { className: 'CategoricalCrossEntropy', name: 'categorical_cross_entropy', kind: 'multiclass', description: 'multi-class log loss: −mean ln p(label)', config: plainConfig, compute: categoricalCrossEntropy },
  { className: 'SparseCategoricalCrossentropy', name: 'sparse_categorical_crossentropy', kind: 'multiclass', description: 'multi-class log loss (Keras name)', config: plainConfig, compute: categoricalCrossEntropy },
  { className: 'CalibrationPlot', name: 'calibration_plot', kind: 'plot', description: 'plots.json calibration buckets (config.numBuckets, default 10)', config: calibrationPlotConfig },
  { className: 'ConfusionMatrixPlot', name: 'confusion_matrix_plot', kind: 'plot', description: 'plots.json ROC and precision-recall curves', config: confusionPlotConfig },
]

const BY_CLASS = new Map(DEFINITIONS.map((d) => [d.className, d]))

/** Every metric definition, in documentation order. */
export function metricDefinitions(): readonly MetricDefinition[] {
  return DEFINITIONS
}

/** The definition of `className`, or undefined. */
export function metricDefinition(className: string): MetricDefinition | undefined {
  return BY_CLASS.get(className)
}

/** `top_k` → `topK`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

/** A metric config with snake_case keys converted (TFMA writes `{"top_k": 3}`). */
export function camelCaseConfig(config: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config ?? {}).map(([k, v]) => [camelCase(k), v]))
}

/** The class name closest to `className` (for "did you mean"), when it is close. */
export function closestClassName(className: string): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of BY_CLASS.keys()) {
    const d = editDistance(className.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = candidate
    }
  }
  return bestDistance <= Math.max(2, Math.floor(className.length / 4)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}
