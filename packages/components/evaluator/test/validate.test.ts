// TFMA's threshold semantics (metrics_validator.py), on hand-written sliced metrics.
import { describe, expect, test } from 'vitest'
import { computeMetrics, validateMetrics } from '../src/index.js'
import type { EvalConfig, MetricThreshold, SliceMetrics } from '../src/index.js'

const overall = (metrics: SliceMetrics['metrics'], baseline?: SliceMetrics['metrics']): SliceMetrics => slice({}, metrics, baseline)

function slice(key: Record<string, string>, metrics: SliceMetrics['metrics'], baseline?: SliceMetrics['metrics']): SliceMetrics {
  const name = Object.keys(key).length === 0 ? 'Overall' : Object.entries(key).map(([k, v]) => `${k}:${v}`).join('_X_')
  const diff = baseline ? Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, (v as number) - (baseline[k] as number)])) : undefined
  return { slice: key, sliceName: name, exampleCount: 100, metrics, ...(baseline ? { baseline, diff: diff! } : {}) }
}

/** A config with one metric carrying `threshold`, slicing Overall and by `c`. */
function config(className: string, threshold: MetricThreshold, extra: Partial<EvalConfig> = {}): EvalConfig {
  return { modelSpecs: [{ labelKey: 'y' }], slicingSpecs: [{}, { featureKeys: ['c'] }], metricsSpecs: [{ metrics: [{ className, threshold }] }], ...extra }
}

describe('value thresholds', () => {
  test('lower ≤ value ≤ upper, bounds included, checked on every slice', () => {
    const slices = [overall({ auc: 0.8 }), slice({ c: 'A' }, { auc: 0.7 }), slice({ c: 'B' }, { auc: 0.69 })]
    const result = validateMetrics(slices, config('AUC', { valueThreshold: { lowerBound: 0.7 } }))
    expect(result.validationOk).toBe(false)
    expect(result.checks).toBe(3)
    expect(result.failures).toEqual([
      { slice: { c: 'B' }, sliceName: 'c:B', metric: 'auc', value: 0.69, bound: '>= 0.7', threshold: { valueThreshold: { lowerBound: 0.7 } }, message: 'auc is 0.69, below the lower bound 0.7.' },
    ])
    const upper = validateMetrics([overall({ binary_cross_entropy: 0.5 })], config('BinaryCrossEntropy', { valueThreshold: { upperBound: 0.4 } }))
    expect(upper.failures[0]!.message).toBe('binary_cross_entropy is 0.5, above the upper bound 0.4.')
    expect(validateMetrics([overall({ auc: 0.75 })], config('AUC', { valueThreshold: { lowerBound: 0.7, upperBound: 0.8 } })).validationOk).toBe(true)
  })

  test('an undefined value (null) fails; an interval is checked by its point estimate', () => {
    const result = validateMetrics([overall({ auc: null })], config('AUC', { valueThreshold: { lowerBound: 0.5 } }))
    expect(result.failures[0]).toMatchObject({ value: null, message: 'auc is undefined (NaN) on this slice; the threshold needs >= 0.5.' })
    const interval = validateMetrics([overall({ auc: { value: 0.72, lower: 0.6, upper: 0.8, stdErr: 0.05 } })], config('AUC', { valueThreshold: { lowerBound: 0.7 } }))
    expect(interval.validationOk).toBe(true)
  })

  test('a threshold whose metric is absent from a slice fails with "Metric not found"', () => {
    const result = validateMetrics([overall({ example_count: 10 })], config('AUC', { valueThreshold: { lowerBound: 0.5 } }))
    expect(result.validationOk).toBe(false)
    expect(result.failures[0]!.message).toMatch(/^Metric not found: auc/)
  })
})

describe('change thresholds (on candidate − baseline)', () => {
  const higher = (absolute?: number, relative?: number): MetricThreshold => ({ changeThreshold: { direction: 'HIGHER_IS_BETTER', ...(absolute !== undefined ? { absolute } : {}), ...(relative !== undefined ? { relative } : {}) } })
  const lower = (absolute?: number, relative?: number): MetricThreshold => ({ changeThreshold: { direction: 'LOWER_IS_BETTER', ...(absolute !== undefined ? { absolute } : {}), ...(relative !== undefined ? { relative } : {}) } })
  const check = (threshold: MetricThreshold, candidate: number, baseline: number, className = 'AUC', key = 'auc') =>
    validateMetrics([overall({ [key]: candidate }, { [key]: baseline })], config(className, threshold, { slicingSpecs: [{}] }))

  test('absolute, HIGHER_IS_BETTER: diff ≥ absolute ("not worse than the baseline" is absolute −1e-10)', () => {
    expect(check(higher(-1e-10), 0.8, 0.8).validationOk).toBe(true)
    const worse = check(higher(-1e-10), 0.79, 0.8)
    expect(worse.validationOk).toBe(false)
    expect(worse.failures[0]).toMatchObject({ value: expect.closeTo(-0.01, 12), baselineValue: 0.8, bound: 'change >= -1e-10' })
    expect(worse.failures[0]!.message).toBe('auc changed by -0.01 (candidate 0.79, baseline 0.8); HIGHER_IS_BETTER needs a change >= -1e-10.')
    expect(check(higher(0.05), 0.86, 0.8).validationOk).toBe(true)
    expect(check(higher(0.05), 0.84, 0.8).validationOk).toBe(false)
  })

  test('absolute, LOWER_IS_BETTER: diff ≤ absolute', () => {
    expect(check(lower(0.01), 0.305, 0.3, 'BinaryCrossEntropy', 'binary_cross_entropy').validationOk).toBe(true)
    expect(check(lower(0.01), 0.32, 0.3, 'BinaryCrossEntropy', 'binary_cross_entropy').validationOk).toBe(false)
    expect(check(lower(-0.01), 0.295, 0.3, 'BinaryCrossEntropy', 'binary_cross_entropy').validationOk).toBe(false)
  })

  test('relative: (candidate − baseline) / baseline compared the same way; undefined when the baseline is 0', () => {
    expect(check(higher(undefined, -0.05), 0.78, 0.8).validationOk).toBe(true) // −2.5%
    const drop = check(higher(undefined, -0.05), 0.72, 0.8) // −10%
    expect(drop.failures[0]!.message).toBe('auc changed by -10% relative to the baseline 0.8; HIGHER_IS_BETTER needs a relative change >= -0.05.')
    expect(check(lower(undefined, 0.1), 0.54, 0.5, 'MeanSquaredError', 'mean_squared_error').validationOk).toBe(true) // +8%
    expect(check(lower(undefined, 0.1), 0.56, 0.5, 'MeanSquaredError', 'mean_squared_error').validationOk).toBe(false) // +12%
    const zero = check(higher(undefined, -0.5), 0.2, 0)
    expect(zero.failures[0]!.message).toMatch(/relative change is undefined \(baseline 0\)/)
    // Only the relative part is undefined: an absolute-only threshold still works on a 0 baseline.
    expect(check(higher(-0.1), 0.2, 0).validationOk).toBe(true)
  })

  test('absolute and relative together must both pass', () => {
    expect(check(higher(-0.01, -0.05), 0.795, 0.8).validationOk).toBe(true)
    expect(check(higher(-0.001, -0.05), 0.795, 0.8).validationOk).toBe(false)
    expect(check(higher(-0.01, -0.001), 0.795, 0.8).validationOk).toBe(false)
  })

  test('without a baseline, change thresholds are rubber-stamped and value thresholds still apply', () => {
    const threshold: MetricThreshold = { valueThreshold: { lowerBound: 0.7 }, changeThreshold: { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 } }
    const ok = validateMetrics([overall({ auc: 0.75 })], config('AUC', threshold, { slicingSpecs: [{}] }))
    expect(ok).toMatchObject({ validationOk: true, rubberStamp: true, rubberStampedThresholds: 1, checks: 1, thresholdCount: 1 })
    const low = validateMetrics([overall({ auc: 0.65 })], config('AUC', threshold, { slicingSpecs: [{}] }))
    expect(low).toMatchObject({ validationOk: false, rubberStamp: true })
    expect(low.failures.map((f) => f.bound)).toEqual(['>= 0.7'])
    const withBaseline = validateMetrics([overall({ auc: 0.75 }, { auc: 0.8 })], config('AUC', threshold, { slicingSpecs: [{}] }))
    expect(withBaseline).toMatchObject({ validationOk: false, rubberStamp: false, checks: 2 })
    expect(withBaseline.failures.map((f) => f.bound)).toEqual(['change >= -1e-10'])
  })
})

describe('per-slice thresholds and missing slices', () => {
  const base: EvalConfig = {
    modelSpecs: [{ labelKey: 'y' }],
    slicingSpecs: [{}, { featureKeys: ['c'] }],
    metricsSpecs: [
      {
        metrics: [
          {
            className: 'BinaryAccuracy',
            perSliceThresholds: [
              { slicingSpecs: [{ featureValues: { c: 'A' } }], threshold: { valueThreshold: { lowerBound: 0.9 } } },
              { slicingSpecs: [{}], threshold: { valueThreshold: { lowerBound: 0.5 } } },
            ],
          },
        ],
      },
    ],
  }
  const slices = [overall({ binary_accuracy: 0.8 }), slice({ c: 'A' }, { binary_accuracy: 0.85 }), slice({ c: 'B' }, { binary_accuracy: 0.1 })]

  test('apply only to the matching slices', () => {
    const result = validateMetrics(slices, base, { hasBaseline: false })
    expect(result.checks).toBe(2)
    expect(result.failures.map((f) => [f.sliceName, f.bound])).toEqual([['c:A', '>= 0.9']])
  })

  test('a per-slice threshold whose slice is absent is reported missing and fails validation', () => {
    const result = validateMetrics([overall({ binary_accuracy: 0.8 }), slice({ c: 'B' }, { binary_accuracy: 0.95 })], base)
    expect(result).toMatchObject({ validationOk: false, failures: [], missingSlices: [{ featureValues: { c: 'A' } }] })
  })

  test('the same threshold reached through two matching specs is reported once', () => {
    const twice: EvalConfig = {
      ...base,
      metricsSpecs: [
        {
          metrics: [
            {
              className: 'BinaryAccuracy',
              perSliceThresholds: [{ slicingSpecs: [{ featureKeys: ['c'] }, { featureValues: { c: 'B' } }], threshold: { valueThreshold: { lowerBound: 0.5 } } }],
            },
          ],
        },
      ],
    }
    expect(validateMetrics(slices, twice).failures.map((f) => f.sliceName)).toEqual(['c:B'])
  })

  test('thresholds maps of a metrics spec name metric keys', () => {
    const mapped: EvalConfig = {
      modelSpecs: [{ labelKey: 'y' }],
      slicingSpecs: [{}, { featureKeys: ['c'] }],
      metricsSpecs: [
        {
          metrics: [{ className: 'Precision', config: { thresholds: [0.3, 0.7] } }],
          thresholds: { 'precision@0.7': { valueThreshold: { lowerBound: 0.9 } } },
          perSliceThresholds: { 'precision@0.3': [{ slicingSpecs: [{ featureValues: { c: 'A' } }], threshold: { valueThreshold: { lowerBound: 0.5 } } }] },
        },
      ],
    }
    const result = validateMetrics([overall({ 'precision@0.3': 0.4, 'precision@0.7': 0.95 }), slice({ c: 'A' }, { 'precision@0.3': 0.4, 'precision@0.7': 0.8 })], mapped)
    expect(result.failures.map((f) => `${f.sliceName} ${f.metric}`)).toEqual(['c:A precision@0.7', 'c:A precision@0.3'])
  })
})

test('no thresholds at all: not ok, missingThresholds', () => {
  const result = validateMetrics([overall({ auc: 0.9 })], { modelSpecs: [{ labelKey: 'y' }], metricsSpecs: [{ metrics: [{ className: 'AUC' }] }] })
  expect(result).toEqual({ validationOk: false, rubberStamp: true, missingThresholds: true, thresholdCount: 0, rubberStampedThresholds: 0, checks: 0, failures: [], missingSlices: [] })
})

test('minSliceSize: a small slice is not evaluated, so thresholds on every slice skip it', () => {
  const rows = [
    ...Array.from({ length: 20 }, (_, i) => ({ y: i % 2, p: i % 2 ? 0.9 : 0.1, c: 'big' })),
    { y: 1, p: 0.1, c: 'tiny' },
    { y: 0, p: 0.9, c: 'tiny' },
  ]
  const evalConfig = (minSliceSize: number): EvalConfig => ({
    modelSpecs: [{ labelKey: 'y', predictionKey: 'p' }],
    slicingSpecs: [{ featureKeys: ['c'] }],
    metricsSpecs: [{ metrics: [{ className: 'BinaryAccuracy', threshold: { valueThreshold: { lowerBound: 0.8 } } }] }],
    options: { minSliceSize },
  })
  const run = (minSliceSize: number) => {
    const { metrics, resolved } = computeMetrics(rows, { labelKey: 'y', predictionKey: 'p', slicingSpecs: [{ featureKeys: ['c'] }], metricsSpecs: evalConfig(minSliceSize).metricsSpecs!, options: { minSliceSize } })
    return validateMetrics(metrics, resolved)
  }
  expect(run(1).failures.map((f) => f.sliceName)).toEqual(['c:tiny'])
  expect(run(5)).toMatchObject({ validationOk: true, checks: 1 })
})
