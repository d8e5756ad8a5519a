import { describe, expect, test } from 'vitest'
import { categoricalJensenShannonDivergence, histogramJensenShannonDivergence, lInfinityDistance, normalizedAbsoluteDifference } from '../src/anomalies.js'
import { fixedSix, protoDouble, sixDigits } from '../src/schema/format-number.js'

const bucket = (lowValue: number, highValue: number, sampleCount: number) => ({ lowValue, highValue, sampleCount })

describe('distances (TFDV metrics.cc cases)', () => {
  test('L-infinity: normalized counts, the value with the largest difference', () => {
    const training = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 7],
    ])
    const serving = new Map([
      ['a', 3],
      ['b', 1],
      ['c', 6],
    ])
    const { distance, value } = lInfinityDistance(training, serving)
    expect(distance).toBeCloseTo(0.2, 12)
    expect(value).toBe('a')
    expect(lInfinityDistance(training, training).distance).toBe(0)
    // Values only one side has count fully.
    expect(lInfinityDistance(new Map([['x', 5]]), new Map([['y', 5]]))).toEqual({ distance: 1, value: 'y' })
  })

  test('normalized absolute difference: scaled by both totals', () => {
    expect(normalizedAbsoluteDifference(new Map([['a', 10]]), new Map([['a', 30]]))).toEqual({ distance: 0.5, value: 'a' })
  })

  test('Jensen-Shannon divergence of histograms with disjoint supports is 1, of identical ones 0', () => {
    const training = { type: 'STANDARD' as const, buckets: [bucket(1, 2, 1), bucket(2, 3, 1)] }
    const serving = { type: 'STANDARD' as const, buckets: [bucket(5, 6, 1), bucket(6, 7, 1)] }
    expect(histogramJensenShannonDivergence(training, serving)).toBe(1)
    expect(histogramJensenShannonDivergence(training, training)).toBe(0)
  })

  test('histograms with different boundaries are rebucketed assuming uniform buckets', () => {
    // [0,10) uniform vs [0,5) twice as dense: after rebucketing to 0,5,10 the second has no mass in [5,10).
    const a = { buckets: [bucket(0, 10, 10)] }
    const b = { buckets: [bucket(0, 5, 10)] }
    // P = (0.5, 0.5), Q = (1, 0): JSD = 0.311278 bits.
    expect(histogramJensenShannonDivergence(a, b)).toBeCloseTo(0.311278, 5)
    // Equal mass spread over the same range in different bucketings is no divergence.
    expect(histogramJensenShannonDivergence({ buckets: [bucket(0, 10, 10)] }, { buckets: [bucket(0, 5, 5), bucket(5, 10, 5)] })).toBeCloseTo(0, 12)
  })

  test('NaN counts, point buckets and empty histograms', () => {
    expect(histogramJensenShannonDivergence({ numNan: 0, buckets: [bucket(0, 1, 4)] }, { numNan: 4, buckets: [bucket(0, 1, 4)] })).toBeCloseTo(0.311278, 5)
    expect(histogramJensenShannonDivergence({ buckets: [bucket(3, 3, 5)] }, { buckets: [bucket(3, 3, 9)] })).toBe(0)
    expect(histogramJensenShannonDivergence({ buckets: [] }, { buckets: [bucket(0, 1, 1)] })).toBeUndefined()
  })

  test('categorical Jensen-Shannon divergence over the union of values', () => {
    expect(categoricalJensenShannonDivergence(new Map([['a', 1]]), new Map([['b', 1]]))).toBe(1)
    expect(categoricalJensenShannonDivergence(new Map([['a', 1], ['b', 1]]), new Map([['a', 5], ['b', 5]]))).toBe(0)
  })
})

describe('number formats of TFDV messages', () => {
  test('%.6g', () => {
    expect(sixDigits(0.19999999999999998)).toBe('0.2')
    expect(sixDigits(0.47460990079399745)).toBe('0.47461')
    expect(sixDigits(1)).toBe('1')
    expect(sixDigits(100000)).toBe('100000')
    expect(sixDigits(1000000)).toBe('1e+06')
    expect(sixDigits(12345678)).toBe('1.23457e+07')
    expect(sixDigits(0.00001)).toBe('1e-05')
    expect(sixDigits(-5)).toBe('-5')
    expect(sixDigits(2 / 3)).toBe('0.666667')
    expect(sixDigits(Infinity)).toBe('inf')
  })

  test('%f and text-format doubles', () => {
    expect(fixedSix(1)).toBe('1.000000')
    expect(fixedSix(0.9)).toBe('0.900000')
    expect(protoDouble(1)).toBe('1.0')
    expect(protoDouble(0.9999)).toBe('0.9999')
    expect(protoDouble(-Infinity)).toBe('-inf')
    expect(protoDouble(NaN)).toBe('nan')
    expect(protoDouble(1e21)).toBe('1e+21')
  })
})
