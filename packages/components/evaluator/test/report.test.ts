// The slice table on hand-written evaluation files.
import { expect, test } from 'vitest'
import { formatSliceTable } from '../src/report.js'
import type { MetricsFile, ValidationResult } from '../src/report.js'

const metrics: MetricsFile = {
  version: 1,
  candidate: 'candidate',
  baseline: 'baseline',
  slices: [
    { slice: {}, sliceName: 'Overall', exampleCount: 12000, metrics: { example_count: 12000, auc: 0.91234, binary_accuracy: 0.8 }, baseline: { auc: 0.9, binary_accuracy: 0.81 }, diff: { auc: 0.01234, binary_accuracy: -0.01 } },
    { slice: { c: 'A' }, sliceName: 'c:A', exampleCount: 40, metrics: { example_count: 40, auc: null, binary_accuracy: { value: 0.5, lower: 0.4, upper: 0.6, stdErr: 0.05 } } },
  ],
}
const validations: ValidationResult = {
  validationOk: false,
  rubberStamp: false,
  missingThresholds: false,
  thresholdCount: 1,
  rubberStampedThresholds: 0,
  checks: 2,
  failures: [{ slice: { c: 'A' }, sliceName: 'c:A', metric: 'binary_accuracy', value: 0.5, bound: '>= 0.6', threshold: { valueThreshold: { lowerBound: 0.6 } }, message: 'binary_accuracy is 0.5, below the lower bound 0.6.' }],
  missingSlices: [{ featureValues: { c: 'B' } }],
}

test('rows per slice with the baseline change, undefined values as n/a, then the failures', () => {
  expect(formatSliceTable({ metrics, validations })).toBe(
    [
      'Slice    Examples               auc   binary_accuracy',
      'Overall    12,000  0.9123 (+0.0123)  0.8000 (-0.0100)',
      'c:A            40               n/a            0.5000',
      '(±x) is the change against the baseline; confidence intervals: see metrics.json',
      '',
      'Validation: FAILED: 2 problems.',
      '  c:A: binary_accuracy is 0.5, below the lower bound 0.6.',
      '  no slice matches {"featureValues":{"c":"B"}} (a per-slice threshold\'s slicing spec)',
      '',
    ].join('\n'),
  )
})

test('narrow terminals drop metric columns; colours mark failed values', () => {
  const narrow = formatSliceTable(metrics, { width: 40 })
  expect(narrow.split('\n')[0]).toBe('Slice    Examples               auc')
  expect(narrow).toContain('1 more metric')
  const colored = formatSliceTable({ metrics, validations }, { color: true })
  expect(colored).toContain('\u001b[31m0.5000\u001b[0m')
  expect(colored).toContain('\u001b[1mSlice')
})
