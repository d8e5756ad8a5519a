// Every metric against values worked out by hand on tiny data sets.
import { describe, expect, test } from 'vitest'
import { seededRandom } from '@sluice/core'
import { computeMetrics, metricDefinitions } from '../src/index.js'
import type { MetricInterval, SliceMetrics } from '../src/index.js'

/** 4 positives, 4 negatives; a positive and a negative tie at 0.6. */
const BINARY = [
  { label: 1, score: 0.9, w: 1, country: 'US' },
  { label: 1, score: 0.8, w: 2, country: 'US' },
  { label: 1, score: 0.4, w: 1, country: 'FR' },
  { label: 0, score: 0.7, w: 1, country: 'US' },
  { label: 0, score: 0.3, w: 1, country: 'FR' },
  { label: 0, score: 0.2, w: 1, country: 'FR' },
  { label: 1, score: 0.6, w: 1, country: 'US' },
  { label: 0, score: 0.6, w: 1, country: 'US' },
]

const overall = (slices: readonly SliceMetrics[]) => slices.find((s) => s.sliceName === 'Overall')!

function binaryMetrics(metrics: (string | { className: string; config?: Record<string, unknown> })[], extra: { exampleWeightKey?: string } = {}) {
  return overall(computeMetrics(BINARY, { labelKey: 'label', predictionKey: 'score', metrics, ...extra }).metrics.slices).metrics
}

describe('binary classification metrics', () => {
  test('counts, means, calibration and the confusion family at 0.5 (score > 0.5 is positive)', () => {
    const m = binaryMetrics([
      'ExampleCount',
      'WeightedExampleCount',
      'MeanLabel',
      'MeanPrediction',
      'Calibration',
      'BinaryAccuracy',
      'Precision',
      'Recall',
      'F1Score',
      'Specificity',
      'FallOut',
      'MissRate',
      'FalsePositiveRate',
      'FalseNegativeRate',
      'NegativePredictiveValue',
      'FalseDiscoveryRate',
      'FalseOmissionRate',
      'BalancedAccuracy',
      'MatthewsCorrelationCoefficient',
      'TruePositives',
      'FalsePositives',
      'TrueNegatives',
      'FalseNegatives',
    ])
    // Predicted positive: 0.9, 0.8, 0.7, 0.6, 0.6 → TP 3 (0.9, 0.8, 0.6), FP 2 (0.7, 0.6), FN 1 (0.4), TN 2.
    expect(m).toEqual({
      example_count: 8,
      weighted_example_count: 8,
      mean_label: 0.5,
      mean_prediction: 4.5 / 8,
      calibration: 4.5 / 4,
      binary_accuracy: 5 / 8,
      precision: 3 / 5,
      recall: 3 / 4,
      f1_score: 6 / 9,
      specificity: 2 / 4,
      fall_out: 2 / 4,
      miss_rate: 1 / 4,
      false_positive_rate: 2 / 4,
      false_negative_rate: 1 / 4,
      negative_predictive_value: 2 / 3,
      false_discovery_rate: 2 / 5,
      false_omission_rate: 1 / 3,
      balanced_accuracy: (3 / 4 + 2 / 4) / 2,
      matthews_correlation_coefficient: expect.closeTo((3 * 2 - 2 * 1) / Math.sqrt(5 * 4 * 4 * 3), 12),
      true_positives: 3,
      false_positives: 2,
      true_negatives: 2,
      false_negatives: 1,
    })
  })

  test('exact ROC AUC counts ties half; PR AUC interpolates between points as Keras does', () => {
    const m = binaryMetrics(['AUC', 'AUCPrecisionRecall', { className: 'AUC', config: { curve: 'PR', name: 'auc_pr' } }])
    // Pairs (positive above negative): 0.9 → 4, 0.8 → 4, 0.4 → 2, 0.6 → 2 + ½ (tie) = 12.5 of 16.
    expect(m.auc).toBe(12.5 / 16)
    // Curve (TP, FP): (0,0) (1,0) (2,0) (2,1) (3,2) (4,2) (4,3) (4,4); Davis & Goadrich per segment.
    const pr = 0.25 + 0.25 + (0.5 + 0.25 * Math.log(5 / 3)) / 4 + (1 - 2 * Math.log(1.2)) / 4
    expect(m.auc_precision_recall).toBeCloseTo(pr, 12)
    expect(m.auc_pr).toBeCloseTo(pr, 12)
  })

  test('minoring and majoring sum ROC steps under and over the curve', () => {
    const m = binaryMetrics([
      { className: 'AUC', config: { summationMethod: 'minoring', name: 'lo' } },
      { className: 'AUC', config: { summationMethod: 'majoring', name: 'hi' } },
    ])
    // The only step that differs is the tie (0.6): ½ pair either way.
    expect(m.lo).toBe(12 / 16)
    expect(m.hi).toBe(13 / 16)
  })

  test('example weights weight every metric except ExampleCount', () => {
    const m = binaryMetrics(['ExampleCount', 'WeightedExampleCount', 'AUC', 'BinaryAccuracy', 'MeanLabel'], { exampleWeightKey: 'w' })
    // The 0.8 positive counts twice: its 4 pairs count 8; positive weight 5, negative 4.
    expect(m).toEqual({ example_count: 8, weighted_example_count: 9, auc: 16.5 / 20, binary_accuracy: 6 / 9, mean_label: 5 / 9 })
  })

  test('several decision thresholds give one key each; a single one keeps the plain name', () => {
    const m = binaryMetrics([
      { className: 'Precision', config: { thresholds: [0.3, 0.65] } },
      { className: 'Recall', config: { thresholds: [0.65] } },
      { className: 'BinaryAccuracy', config: { threshold: 0.75 } },
    ])
    // > 0.3: 0.9 0.8 0.4 0.7 0.6 0.6 → TP 4, FP 2.  > 0.65: 0.9 0.8 0.7 → TP 2, FP 1.
    expect(m).toEqual({ 'precision@0.3': 4 / 6, 'precision@0.65': 2 / 3, recall: 2 / 4, binary_accuracy: 6 / 8 })
  })

  test('log loss clips probabilities; ConfusionMatrixAtThresholds lists each threshold', () => {
    const m = binaryMetrics(['BinaryCrossEntropy', 'BinaryCrossentropy', { className: 'ConfusionMatrixAtThresholds', config: { thresholds: [0.5, 0.85] } }])
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.6) + Math.log(0.3) + Math.log(0.7) + Math.log(0.8) + Math.log(0.4)) / 8
    expect(m.binary_cross_entropy).toBeCloseTo(expected, 12)
    expect(m.binary_crossentropy).toBeCloseTo(expected, 12)
    expect(m.confusion_matrix_at_thresholds).toEqual({
      matrices: [
        { threshold: 0.5, truePositives: 3, falsePositives: 2, trueNegatives: 2, falseNegatives: 1, precision: 0.6, recall: 0.75 },
        { threshold: 0.85, truePositives: 1, falsePositives: 0, trueNegatives: 4, falseNegatives: 3, precision: 1, recall: 0.25 },
      ],
    })
  })

  test('a slice with one class has an undefined AUC (null) and precision without predicted positives is null', () => {
    const rows = [
      { label: 0, score: 0.2 },
      { label: 0, score: 0.1 },
    ]
    const m = overall(computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', metrics: ['AUC', 'Precision', 'BinaryAccuracy'] }).metrics.slices).metrics
    expect(m).toEqual({ auc: null, precision: null, binary_accuracy: 1 })
  })

  test('booleans and numeric strings are labels; other labels are errors naming the row', () => {
    const rows: Record<string, unknown>[] = [
      { label: true, score: 0.9 },
      { label: false, score: 0.4 },
      { label: '0', score: 0.1 },
    ]
    const ok = computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', metrics: ['AUC'] })
    expect(overall(ok.metrics.slices).metrics.auc).toBe(1)
    expect(() => computeMetrics([{ label: null, score: 0.1 }], { labelKey: 'label', predictionKey: 'score', metrics: ['AUC'] })).toThrow(/Row 0: label "label" is missing/)
    expect(() => computeMetrics([{ label: 3, score: 0.1 }], { labelKey: 'label', predictionKey: 'score', metrics: ['AUC'] })).toThrow(/needs 0\/1 labels, but a label is 3.*binarize/)
  })
})

describe('regression metrics', () => {
  const rows = [
    { y: 3, p: 2.5 },
    { y: -0.5, p: 0 },
    { y: 2, p: 2 },
    { y: 7, p: 8 },
  ]
  test('MSE, RMSE, MAE, MAPE, MSLE, R², squared Pearson, mean label', () => {
    const m = overall(
      computeMetrics(rows, {
        labelKey: 'y',
        predictionKey: 'p',
        metrics: ['MeanSquaredError', 'RootMeanSquaredError', 'MeanAbsoluteError', 'MeanAbsolutePercentageError', 'MeanSquaredLogarithmicError', 'R2Score', 'SquaredPearsonCorrelation', 'MeanLabel'],
      }).metrics.slices,
    ).metrics
    expect(m.mean_squared_error).toBe(0.375)
    expect(m.root_mean_squared_error).toBe(Math.sqrt(0.375))
    expect(m.mean_absolute_error).toBe(0.5)
    expect(m.mean_absolute_percentage_error).toBeCloseTo((100 * (0.5 / 3 + 0.5 / 0.5 + 0 + 1 / 7)) / 4, 10)
    expect(m.mean_squared_logarithmic_error).toBeCloseTo(((Math.log(4) - Math.log(3.5)) ** 2 + 0 + 0 + (Math.log(8) - Math.log(9)) ** 2) / 4, 12)
    expect(m.r2_score).toBeCloseTo(0.9486081370449679, 12) // scikit-learn's r2_score example
    const my = 11.5 / 4
    const mp = 12.5 / 4
    const cov = rows.reduce((a, r) => a + (r.y - my) * (r.p - mp), 0)
    const vy = rows.reduce((a, r) => a + (r.y - my) ** 2, 0)
    const vp = rows.reduce((a, r) => a + (r.p - mp) ** 2, 0)
    expect(m.squared_pearson_correlation).toBeCloseTo((cov * cov) / (vy * vp), 12)
    expect(m.mean_label).toBe(2.875)
  })
})

describe('multi-class metrics', () => {
  // Labels are class indices; each row's prediction lists the 3 class scores.
  const rows = [
    { y: 0, p: [0.7, 0.2, 0.1] },
    { y: 1, p: [0.1, 0.5, 0.4] },
    { y: 2, p: [0.2, 0.3, 0.5] },
    { y: 2, p: [0.5, 0.3, 0.2] }, // label ranked last
    { y: 1, p: [0.2, 0.3, 0.5] }, // label ranked second
  ]
  test('accuracy, top-k accuracy, top-k precision/recall and log loss', () => {
    const m = overall(
      computeMetrics(rows, {
        labelKey: 'y',
        predictionKey: 'p',
        metrics: [
          'SparseCategoricalAccuracy',
          { className: 'SparseTopKCategoricalAccuracy', config: { k: 2 } },
          { className: 'Precision', config: { topK: 2 } },
          { className: 'Recall', config: { top_k: 2 } },
          'CategoricalCrossEntropy',
        ],
      }).metrics.slices,
    ).metrics
    expect(m.sparse_categorical_accuracy).toBe(3 / 5)
    expect(m.sparse_top_k_categorical_accuracy).toBe(4 / 5)
    // Two predicted classes per example, 4 examples with the label among them: 4 of 10 predictions right.
    expect(m['precision/topK:2']).toBe(4 / 10)
    expect(m['recall/topK:2']).toBe(4 / 5)
    expect(m.categorical_cross_entropy).toBeCloseTo(-(Math.log(0.7) + Math.log(0.5) + Math.log(0.5) + Math.log(0.2) + Math.log(0.3)) / 5, 12)
  })

  test('binarize gives one-vs-rest metrics per class id', () => {
    const m = overall(
      computeMetrics(rows, {
        labelKey: 'y',
        predictionKey: 'p',
        metricsSpecs: [{ binarize: { classIds: [0, 2] }, metrics: [{ className: 'Precision', config: { thresholds: [0.45] } }, { className: 'Recall', config: { thresholds: [0.45] } }, { className: 'AUC' }, { className: 'ExampleCount' }] }],
      }).metrics.slices,
    ).metrics
    // Class 0: scores 0.7 0.1 0.2 0.5 0.2, positives row 0 → above 0.45: rows 0 (TP), 3 (FP).
    // Class 2: scores 0.1 0.4 0.5 0.2 0.5, positives rows 2, 3 → above 0.45: rows 2 (TP), 4 (FP).
    expect(m).toEqual({
      'precision/classId:0': 1 / 2,
      'precision/classId:2': 1 / 2,
      'recall/classId:0': 1,
      'recall/classId:2': 1 / 2,
      'auc/classId:0': 1,
      // Class 2 positives 0.5 and 0.2 vs negatives 0.1, 0.4, 0.5: 0.5 beats 2 and ties 1, 0.2 beats 1.
      'auc/classId:2': 3.5 / 6,
      example_count: 5,
    })
  })

  test('a binary metric on a multi-class model without binarize says how to fix it', () => {
    expect(() => computeMetrics(rows, { labelKey: 'y', predictionKey: 'p', metrics: ['AUC'] })).toThrow(/predicts 3 classes.*binarize/)
  })
})

describe('slicing', () => {
  const rows = [
    { label: 1, score: 0.9, country: 'US', device: ['ios', 'web'], age: 30 },
    { label: 0, score: 0.8, country: 'US', device: ['web'], age: 30 },
    { label: 1, score: 0.7, country: 'FR', device: ['ios'], age: 40 },
    { label: 0, score: 0.2, country: 'FR', device: [], age: 40 },
    { label: 1, score: 0.6, country: null, device: ['web', 'web'], age: 30 },
  ]
  const run = (slicingSpecs: { featureKeys?: string[]; featureValues?: Record<string, string | number> }[], minSliceSize?: number) =>
    computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', metrics: ['ExampleCount'], slicingSpecs, ...(minSliceSize ? { options: { minSliceSize } } : {}) }).metrics.slices.map((s) => [
      s.sliceName,
      s.exampleCount,
    ])

  test('Overall, one slice per value (missing values in none), list features in one slice per distinct value', () => {
    expect(run([{ featureKeys: ['country'] }, {}, { featureKeys: ['device'] }])).toEqual([
      ['Overall', 5],
      ['country:FR', 2],
      ['country:US', 2],
      ['device:ios', 2],
      ['device:web', 3],
    ])
  })

  test('feature crosses, pinned values (numbers match their string form), and a slice produced twice appears once', () => {
    expect(run([{ featureKeys: ['country', 'age'] }, { featureValues: { age: '30' } }, { featureKeys: ['age'] }, { featureKeys: ['country'], featureValues: { age: 40 } }])).toEqual([
      ['country_X_age:FR_X_40', 2],
      ['country_X_age:US_X_30', 2],
      ['age:30', 3],
      ['age:40', 2],
    ])
  })

  test('minSliceSize leaves small slices out', () => {
    expect(run([{}, { featureKeys: ['country'] }, { featureKeys: ['device'] }], 3)).toEqual([
      ['Overall', 5],
      ['device:web', 3],
    ])
  })

  test('the slice key keeps typed values', () => {
    const slices = computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', metrics: ['ExampleCount'], slicingSpecs: [{ featureKeys: ['age'] }] }).metrics.slices
    expect(slices.map((s) => s.slice)).toEqual([{ age: 30 }, { age: 40 }])
  })
})

describe('baseline comparison', () => {
  test('diff is candidate − baseline for every numeric metric', () => {
    const rows = BINARY.map((r) => ({ ...r, old: 1 - r.score }))
    const slice = overall(computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', baselinePredictionKey: 'old', metrics: ['AUC', 'ExampleCount'] }).metrics.slices)
    expect(slice.metrics).toEqual({ auc: 12.5 / 16, example_count: 8 })
    expect(slice.baseline).toEqual({ auc: 3.5 / 16, example_count: 8 })
    expect(slice.diff).toEqual({ auc: 9 / 16, example_count: 0 })
  })
})

describe('fairness', () => {
  test('per-slice false positive / negative rates and their gap to Overall', () => {
    // Group A: negatives scored 0.9 and 0.1 (FPR ½), positives 0.8 (FNR 0). Group B: negatives 0.2, 0.3 (FPR 0), positives 0.4, 0.7 (FNR ½).
    const rows = [
      { y: 0, p: 0.9, g: 'A' },
      { y: 0, p: 0.1, g: 'A' },
      { y: 1, p: 0.8, g: 'A' },
      { y: 0, p: 0.2, g: 'B' },
      { y: 0, p: 0.3, g: 'B' },
      { y: 1, p: 0.4, g: 'B' },
      { y: 1, p: 0.7, g: 'B' },
    ]
    const { metrics } = computeMetrics(rows, { labelKey: 'y', predictionKey: 'p', metrics: [], fairness: { sensitiveFeatures: ['g'] } })
    const by = Object.fromEntries(metrics.slices.map((s) => [s.sliceName, s.metrics]))
    expect(by.Overall).toEqual({ 'fairness/false_positive_rate': 1 / 4, 'fairness/false_negative_rate': 1 / 3 })
    expect(by['g:A']).toEqual({
      'fairness/false_positive_rate': 1 / 2,
      'fairness/false_negative_rate': 0,
      'fairness/false_positive_rate_gap': 1 / 2 - 1 / 4,
      'fairness/false_negative_rate_gap': 0 - 1 / 3,
    })
    expect(by['g:B']).toMatchObject({ 'fairness/false_positive_rate_gap': -1 / 4, 'fairness/false_negative_rate_gap': 1 / 2 - 1 / 3 })
  })
})

describe('bootstrap confidence intervals', () => {
  const random = seededRandom(7)
  const rows = Array.from({ length: 400 }, (_, i) => {
    const label = random() < 0.4 ? 1 : 0
    return { label, score: Math.min(1, Math.max(0, 0.5 + (label ? 0.2 : -0.2) + (random() - 0.5) * 0.8)), g: i % 2 ? 'odd' : 'even' }
  })
  const run = (seed: number) =>
    computeMetrics(rows, {
      labelKey: 'label',
      predictionKey: 'score',
      metrics: ['AUC', 'BinaryAccuracy', 'ExampleCount', 'MeanPrediction'],
      slicingSpecs: [{}, { featureKeys: ['g'] }],
      options: { computeConfidenceIntervals: true, bootstrapSamples: 50, seed },
    }).metrics

  test('every interval contains its point estimate, stays in [0, 1] for rates, and repeats with the seed', () => {
    const a = run(3)
    for (const slice of a.slices) {
      for (const [key, value] of Object.entries(slice.metrics)) {
        const v = value as MetricInterval
        expect(v.lower, `${slice.sliceName} ${key}`).toBeLessThanOrEqual(v.value!)
        expect(v.upper, `${slice.sliceName} ${key}`).toBeGreaterThanOrEqual(v.value!)
        expect(v.stdErr).toBeGreaterThan(0)
        if (key !== 'example_count') expect(v.upper).toBeLessThanOrEqual(1)
      }
    }
    const auc = a.slices[0]!.metrics.auc as MetricInterval
    expect(auc.upper! - auc.lower!).toBeLessThan(0.2)
    expect(run(3)).toEqual(a)
    expect((run(4).slices[0]!.metrics.auc as MetricInterval).stdErr).not.toBe(auc.stdErr)
    // The point estimate is the plain computation.
    expect(auc.value).toBe(computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', metrics: ['AUC'] }).metrics.slices[0]!.metrics.auc)
  })
})

describe('plots', () => {
  test('calibration buckets, ROC from (0,0) to (1,1) and PR curves of at most 1,000 points', () => {
    const random = seededRandom(1)
    const rows = Array.from({ length: 5000 }, () => {
      const label = random() < 0.5 ? 1 : 0
      return { label, score: Math.min(1, Math.max(0, (label ? 0.6 : 0.4) + (random() - 0.5) * 0.6)) }
    })
    const { plots } = computeMetrics(rows, { labelKey: 'label', predictionKey: 'score', metrics: [{ className: 'CalibrationPlot', config: { numBuckets: 4 } }] })
    const { calibration, roc, pr } = plots.slices[0]!
    expect(calibration!.map((b) => [b.lower, b.upper])).toEqual([
      [0, 0.25],
      [0.25, 0.5],
      [0.5, 0.75],
      [0.75, 1],
    ])
    expect(calibration!.reduce((a, b) => a + b.weightedCount, 0)).toBe(5000)
    expect(roc!.length).toBeLessThanOrEqual(1000)
    expect(roc![0]).toMatchObject({ falsePositiveRate: 0, truePositiveRate: 0 })
    expect(roc!.at(-1)).toMatchObject({ falsePositiveRate: 1, truePositiveRate: 1 })
    expect(pr!.length).toBeLessThanOrEqual(1000)
    expect(pr!.at(-1)!.recall).toBe(1)
  })
})

test('every metric definition has a description and a default name', () => {
  for (const d of metricDefinitions()) {
    expect(d.description.length, d.className).toBeGreaterThan(5)
    expect(d.name).toMatch(/^[a-z_0-9]+$/)
  }
})
