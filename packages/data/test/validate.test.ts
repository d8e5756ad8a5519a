import { describe, expect, test } from 'vitest'
import { AnomaliesError, hasAnomalies, validateStatistics } from '../src/anomalies.js'
import type { Anomalies, AnomalyInfo } from '../src/anomalies.js'
import { inferSchema } from '../src/schema.js'
import type { Feature, Schema } from '../src/schema.js'
import { dataset, numericFeature, stringFeature, taxiColumns, taxiStatistics, withFeature, withoutFeature } from './stats-fixtures.js'
import type { Cell } from './stats-fixtures.js'

const train = taxiStatistics('train', { seed: 1, rows: 300 })
const schema = inferSchema(train)
const evalSplit = taxiStatistics('eval', { seed: 2, rows: 200 })
const evalColumns = taxiColumns({ seed: 2, rows: 200 })

/** The schema with one feature changed. */
function editFeature(base: Schema, name: string, edit: (feature: Feature) => void): Schema {
  const copy = structuredClone(base)
  edit(copy.feature.find((f) => f.name === name)!)
  return copy
}

function only(anomalies: Anomalies, name: string): AnomalyInfo {
  expect(Object.keys(anomalies.anomalyInfo)).toEqual([name])
  return anomalies.anomalyInfo[name]!
}

function reasonTypes(info: AnomalyInfo): string[] {
  return info.reason.map((r) => r.type)
}

/** `cells` with `value` at the given rows. */
function replace<T>(cells: Cell<T>[], rows: number[], value: Cell<T>): Cell<T>[] {
  return cells.map((c, i) => (rows.includes(i) ? value : c))
}

describe('validateStatistics', () => {
  test('a clean split reports no anomalies', () => {
    const anomalies = validateStatistics(evalSplit, schema)
    expect(anomalies).toEqual({ anomalyNameFormat: 'SERIALIZED_PATH', anomalyInfo: {} })
    expect(hasAnomalies(anomalies)).toBe(false)
    expect(validateStatistics({ datasets: [train] }, schema).anomalyInfo).toEqual({})
  })

  test('a new category: ENUM_TYPE_UNEXPECTED_STRING_VALUES with the values and their share', () => {
    const payment = [...Array(174).fill('Cash'), ...Array(25).fill('Bitcoin'), 'Venmo']
    const info = only(validateStatistics(withFeature(evalSplit, stringFeature('payment_type', payment)), schema), 'payment_type')
    expect(info).toEqual({
      path: { step: ['payment_type'] },
      severity: 'ERROR',
      shortDescription: 'Unexpected string values',
      description: 'Examples contain values missing from the schema: Bitcoin (~12%), Venmo (<1%). ',
      reason: [
        {
          type: 'ENUM_TYPE_UNEXPECTED_STRING_VALUES',
          shortDescription: 'Unexpected string values',
          description: 'Examples contain values missing from the schema: Bitcoin (~12%), Venmo (<1%). ',
        },
      ],
    })
  })

  test('min_domain_mass tolerates a share of unknown values', () => {
    const tolerant = editFeature(schema, 'payment_type', (f) => (f.distributionConstraints = { minDomainMass: 0.8 }))
    const payment = [...Array(174).fill('Cash'), ...Array(25).fill('Bitcoin'), 'Venmo']
    expect(validateStatistics(withFeature(evalSplit, stringFeature('payment_type', payment)), tolerant).anomalyInfo).toEqual({})
  })

  test('a missing column: SCHEMA_MISSING_COLUMN', () => {
    const info = only(validateStatistics(withoutFeature(evalSplit, 'fare'), schema), 'fare')
    expect(info).toEqual({
      path: { step: ['fare'] },
      severity: 'ERROR',
      shortDescription: 'Column dropped',
      description: 'Column is completely missing',
      reason: [{ type: 'SCHEMA_MISSING_COLUMN', shortDescription: 'Column dropped', description: 'Column is completely missing' }],
    })
    // A feature that is not required (min_count 0) may be missing.
    const optionalFare = editFeature(schema, 'fare', (f) => (f.presence = { minCount: 0 }))
    expect(validateStatistics(withoutFeature(evalSplit, 'fare'), optionalFare).anomalyInfo).toEqual({})
  })

  test('a new column: SCHEMA_NEW_COLUMN', () => {
    const info = only(validateStatistics(withFeature(evalSplit, numericFeature('surcharge', [1, 2, 3])), schema), 'surcharge')
    expect(info.reason).toEqual([{ type: 'SCHEMA_NEW_COLUMN', shortDescription: 'New column', description: 'New column (column in data but not in schema)' }])
  })

  test('a numeric column turned to strings: UNEXPECTED_DATA_TYPE', () => {
    const fares = evalColumns.fare.map((v) => (v === null ? null : `$${v}`))
    const info = only(validateStatistics(withFeature(evalSplit, stringFeature('fare', fares)), schema), 'fare')
    expect(info.shortDescription).toBe('Unexpected data type')
    expect(info.description).toBe('Expected data of type: FLOAT but got STRING')
    expect(reasonTypes(info)).toEqual(['UNEXPECTED_DATA_TYPE'])
  })

  test('values out of the int and float domains', () => {
    let ranged = editFeature(schema, 'trip_start_hour', (f) => (f.intDomain = { min: 0, max: 23 }))
    ranged = editFeature(ranged, 'fare', (f) => (f.floatDomain = { min: 0, max: 100 }))
    expect(validateStatistics(evalSplit, ranged).anomalyInfo).toEqual({})

    const stats = withFeature(
      withFeature(evalSplit, numericFeature('trip_start_hour', replace(evalColumns.hour, [5], 25), 'INT')),
      numericFeature('fare', replace(replace(evalColumns.fare, [1], -5), [2], 250.5)),
    )
    const anomalies = validateStatistics(stats, ranged)
    expect(anomalies.anomalyInfo.trip_start_hour!.reason).toEqual([{ type: 'INT_TYPE_BIG_INT', shortDescription: 'Out-of-range values', description: 'Unexpectedly large value: 25.' }])
    const fare = anomalies.anomalyInfo.fare!
    expect(fare.shortDescription).toBe('Multiple errors')
    expect(fare.reason).toEqual([
      { type: 'FLOAT_TYPE_SMALL_FLOAT', shortDescription: 'Out-of-range values', description: 'Unexpectedly low values: -5<0(upto six significant digits)' },
      { type: 'FLOAT_TYPE_BIG_FLOAT', shortDescription: 'Out-of-range values', description: 'Unexpectedly high value: 250.5>100(upto six significant digits)' },
    ])
    expect(fare.description).toBe('Unexpectedly low values: -5<0(upto six significant digits) Unexpectedly high value: 250.5>100(upto six significant digits)')

    const small = validateStatistics(withFeature(evalSplit, numericFeature('trip_start_hour', replace(evalColumns.hour, [0], -1), 'INT')), ranged)
    expect(small.anomalyInfo.trip_start_hour!.reason[0]).toMatchObject({ type: 'INT_TYPE_SMALL_INT', description: 'Unexpectedly small value: -1.' })
  })

  test('NaN and Inf where the float domain disallows them', () => {
    const strict = editFeature(schema, 'tips', (f) => (f.floatDomain = { disallowNan: true, disallowInf: true }))
    expect(validateStatistics(evalSplit, strict).anomalyInfo).toEqual({})
    const nan = validateStatistics(withFeature(evalSplit, numericFeature('tips', replace(evalColumns.tips, [3, 4], NaN))), strict)
    expect(only(nan, 'tips').reason).toEqual([{ type: 'FLOAT_TYPE_HAS_NAN', shortDescription: 'Invalid values', description: 'Float feature has NaN values.' }])
    const inf = validateStatistics(withFeature(evalSplit, numericFeature('tips', replace(evalColumns.tips, [3], Infinity))), strict)
    expect(only(inf, 'tips').reason).toEqual([{ type: 'FLOAT_TYPE_HAS_INF', shortDescription: 'Invalid values', description: 'Float feature has Inf values.' }])
    // Without disallow_nan, NaN is fine.
    expect(validateStatistics(withFeature(evalSplit, numericFeature('tips', replace(evalColumns.tips, [3], NaN))), schema).anomalyInfo).toEqual({})
  })

  test('low presence: FEATURE_TYPE_LOW_FRACTION_PRESENT (and the shape no longer holds)', () => {
    const stats = withFeature(evalSplit, numericFeature('fare', replace(evalColumns.fare, Array.from({ length: 20 }, (_, i) => i * 10), null)))
    const info = only(validateStatistics(stats, schema), 'fare')
    expect(info.shortDescription).toBe('Multiple errors')
    expect(info.reason).toEqual([
      {
        type: 'INVALID_FEATURE_SHAPE',
        shortDescription: 'Feature shape dropped',
        description:
          "The feature has a shape, but it's not always present (if the feature is nested, then it should always be present at each nested level) or its value lengths vary.",
      },
      {
        type: 'FEATURE_TYPE_LOW_FRACTION_PRESENT',
        shortDescription: 'Column dropped',
        description: 'The feature was present in fewer examples than expected: minimum fraction = 1.000000, actual = 0.900000',
      },
    ])
  })

  test('low presence: FEATURE_TYPE_LOW_NUMBER_PRESENT', () => {
    const demanding = editFeature(schema, 'company', (f) => (f.presence = { minCount: 1000 }))
    const info = only(validateStatistics(evalSplit, demanding), 'company')
    const present = evalColumns.company.filter((c) => c !== null).length
    expect(info.reason).toEqual([
      { type: 'FEATURE_TYPE_LOW_NUMBER_PRESENT', shortDescription: 'Column dropped', description: `The feature was present in fewer examples than expected: minimum count = 1000, actual = ${present}` },
    ])
  })

  test('a feature present in no example: FEATURE_TYPE_NOT_PRESENT', () => {
    const info = only(validateStatistics(withFeature(evalSplit, numericFeature('tips', Array(200).fill(null))), schema), 'tips')
    expect(info.reason).toEqual([{ type: 'FEATURE_TYPE_NOT_PRESENT', shortDescription: 'Column dropped', description: 'The feature was not present in any examples.' }])
  })

  test('value counts out of range: FEATURE_TYPE_HIGH_NUMBER_VALUES and FEATURE_TYPE_LOW_NUMBER_VALUES', () => {
    expect(schema.feature.find((f) => f.name === 'trip_seconds')!.valueCount).toEqual({ min: 1, max: 1 })
    const more = validateStatistics(withFeature(evalSplit, numericFeature('trip_seconds', replace(evalColumns.tripSeconds, [0], [300, 320]), 'INT')), schema)
    expect(only(more, 'trip_seconds').reason).toEqual([
      { type: 'FEATURE_TYPE_HIGH_NUMBER_VALUES', shortDescription: 'Superfluous values', description: 'Some examples have more values than expected.' },
    ])
    const fewer = validateStatistics(withFeature(evalSplit, numericFeature('trip_seconds', replace(evalColumns.tripSeconds, [0], []), 'INT')), schema)
    expect(only(fewer, 'trip_seconds').reason).toEqual([
      { type: 'FEATURE_TYPE_LOW_NUMBER_VALUES', shortDescription: 'Missing values', description: 'Some examples have fewer values than expected.' },
    ])
  })

  test('an empty split: data missing, reported as DATASET_LOW_NUM_EXAMPLES', () => {
    const anomalies = validateStatistics(dataset('eval', 0, []), schema)
    expect(anomalies).toEqual({
      anomalyNameFormat: 'SERIALIZED_PATH',
      anomalyInfo: {},
      dataMissing: true,
      datasetAnomalyInfo: {
        severity: 'ERROR',
        shortDescription: 'Low num examples in dataset.',
        description: 'The dataset has 0 examples, which is fewer than expected.',
        reason: [{ type: 'DATASET_LOW_NUM_EXAMPLES', shortDescription: 'Low num examples in dataset.', description: 'The dataset has 0 examples, which is fewer than expected.' }],
      },
    })
    expect(hasAnomalies(anomalies)).toBe(true)
  })

  test('dataset constraints: min/max examples and the example count against the previous span', () => {
    const constrained: Schema = { ...schema, datasetConstraints: { minExamplesCount: 500, numExamplesDriftComparator: { minFractionThreshold: 0.9, maxFractionThreshold: 1.1 } } }
    const anomalies = validateStatistics(evalSplit, constrained, { previousStatistics: train })
    expect(anomalies.anomalyInfo).toEqual({})
    expect(anomalies.datasetAnomalyInfo!.shortDescription).toBe('Multiple errors')
    expect(anomalies.datasetAnomalyInfo!.reason).toEqual([
      {
        type: 'COMPARATOR_LOW_NUM_EXAMPLES',
        shortDescription: 'Low num examples in current dataset versus the previous span.',
        description: 'The ratio of num examples in the current dataset versus the previous span is 0.666667 (up to six significant digits), which is below the threshold 0.9.',
      },
      { type: 'DATASET_LOW_NUM_EXAMPLES', shortDescription: 'Low num examples in dataset.', description: 'The dataset has 200 examples, which is fewer than expected.' },
    ])
    const high = validateStatistics(train, { ...schema, datasetConstraints: { maxExamplesCount: 100 } })
    expect(high.datasetAnomalyInfo!.reason[0]).toMatchObject({ type: 'DATASET_HIGH_NUM_EXAMPLES', description: 'The dataset has 300 examples, which is more than expected.' })
  })

  test('unique constraints, as TFDV words them', () => {
    let constrained = editFeature(schema, 'company', (f) => (f.uniqueConstraints = { min: 1, max: 3 }))
    constrained = editFeature(constrained, 'fare', (f) => (f.uniqueConstraints = { min: 1 }))
    const anomalies = validateStatistics(evalSplit, constrained)
    const unique = new Set(evalColumns.company.filter((c) => c !== null)).size
    expect(anomalies.anomalyInfo.company!.reason).toEqual([
      { type: 'FEATURE_TYPE_HIGH_UNIQUE', shortDescription: 'High number of unique values', description: `Expected no more than 3 unique values but found ${unique}.` },
    ])
    expect(anomalies.anomalyInfo.fare!.reason[0]!.type).toBe('FEATURE_TYPE_NO_UNIQUE')
  })

  test('a bool domain with other values', () => {
    const bools = editFeature(schema, 'payment_type', (f) => {
      delete f.domain
      f.boolDomain = { trueValue: 'Cash', falseValue: 'Credit Card' }
    })
    const info = only(validateStatistics(evalSplit, bools), 'payment_type')
    expect(info.reason).toEqual([{ type: 'BOOL_TYPE_UNEXPECTED_STRING', shortDescription: 'Non-boolean values', description: 'Saw unexpected value "Dispute" instead of {"Cash", "Credit Card"}.' }])
  })

  test('deprecated features are not validated', () => {
    const deprecated = editFeature(schema, 'fare', (f) => (f.lifecycleStage = 'DEPRECATED'))
    expect(validateStatistics(withoutFeature(evalSplit, 'fare'), deprecated).anomalyInfo).toEqual({})
    expect(validateStatistics(withFeature(evalSplit, stringFeature('fare', ['x'])), deprecated).anomalyInfo).toEqual({})
  })

  test('a reference to a missing string domain is an INVALID_SCHEMA_SPECIFICATION', () => {
    const broken = { ...editFeature(schema, 'company', (f) => (f.domain = 'nowhere')) }
    const info = only(validateStatistics(evalSplit, broken), 'company')
    expect(info.reason).toEqual([{ type: 'INVALID_SCHEMA_SPECIFICATION', shortDescription: 'missing domain: nowhere', description: '' }])
    expect(info.shortDescription).toBe('missing domain: nowhere')
  })
})

describe('drift and skew', () => {
  const shiftedPayments = { paymentWeights: [0.3, 0.6, 0.04, 0.04, 0.02] }

  test('drift of a categorical feature: COMPARATOR_L_INFTY_HIGH with the L-infinity distance', () => {
    const drifting = editFeature(schema, 'payment_type', (f) => (f.driftComparator = { infinityNorm: { threshold: 0.1 } }))
    const previous = taxiStatistics('train', { seed: 3, rows: 300, ...shiftedPayments })
    const anomalies = validateStatistics(evalSplit, drifting, { previousStatistics: previous })
    const info = only(anomalies, 'payment_type')
    expect(info.shortDescription).toBe('High Linfty distance between current and previous')
    expect(info.description).toMatch(
      /^The Linfty distance between current and previous is 0\.\d+ \(up to six significant digits\), above the threshold 0\.1\. The feature value with maximum difference is: (Cash|Credit Card)$/,
    )
    expect(reasonTypes(info)).toEqual(['COMPARATOR_L_INFTY_HIGH'])
    const [measurement] = anomalies.driftSkewInfo![0]!.driftMeasurements!
    expect(anomalies.driftSkewInfo).toEqual([{ path: { step: ['payment_type'] }, driftMeasurements: [{ type: 'L_INFTY', value: measurement!.value, threshold: 0.1 }] }])
    expect(measurement!.value).toBeGreaterThan(0.2)

    // The same distribution is within the threshold: measured, not an anomaly.
    const same = validateStatistics(evalSplit, drifting, { previousStatistics: taxiStatistics('train', { seed: 4, rows: 300 }) })
    expect(same.anomalyInfo).toEqual({})
    expect(same.driftSkewInfo![0]!.driftMeasurements![0]!.value).toBeLessThan(0.1)
  })

  test('drift of a numeric feature: COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH from the histograms', () => {
    const drifting = editFeature(schema, 'fare', (f) => (f.driftComparator = { jensenShannonDivergence: { threshold: 0.1 } }))
    const previous = taxiStatistics('train', { seed: 3, rows: 300, fareScale: 2.5 })
    const anomalies = validateStatistics(evalSplit, drifting, { previousStatistics: previous })
    const info = only(anomalies, 'fare')
    expect(info.shortDescription).toBe('High approximate Jensen-Shannon divergence between current and previous')
    expect(info.description).toMatch(/^The approximate Jensen-Shannon divergence between current and previous is 0\.\d+ \(up to six significant digits\), above the threshold 0\.1\.$/)
    expect(anomalies.driftSkewInfo![0]!.driftMeasurements![0]!.type).toBe('JENSEN_SHANNON_DIVERGENCE')

    const same = validateStatistics(evalSplit, drifting, { previousStatistics: taxiStatistics('train', { seed: 4, rows: 300 }) })
    expect(same.anomalyInfo).toEqual({})
    expect(same.driftSkewInfo![0]!.driftMeasurements![0]!.value).toBeLessThan(0.1)
  })

  test('training/serving skew: the same comparators against servingStatistics', () => {
    const skewed = editFeature(schema, 'payment_type', (f) => (f.skewComparator = { infinityNorm: { threshold: 0.05 } }))
    const serving = taxiStatistics('serving', { seed: 5, rows: 200, ...shiftedPayments })
    const anomalies = validateStatistics(train, skewed, { servingStatistics: serving })
    const info = only(anomalies, 'payment_type')
    expect(info.shortDescription).toBe('High Linfty distance between training and serving')
    expect(info.description).toMatch(/^The Linfty distance between training and serving is 0\.\d+ \(up to six significant digits\), above the threshold 0\.05\./)
    expect(anomalies.driftSkewInfo![0]!.skewMeasurements![0]!.type).toBe('L_INFTY')
    expect(anomalies.driftSkewInfo![0]!.driftMeasurements).toBeUndefined()
    // Without serving statistics, skew is not checked.
    expect(validateStatistics(train, skewed).anomalyInfo).toEqual({})
  })

  test('a control dataset without the feature: COMPARATOR_CONTROL_DATA_MISSING', () => {
    const drifting = editFeature(schema, 'payment_type', (f) => (f.driftComparator = { infinityNorm: { threshold: 0.1 } }))
    const info = only(validateStatistics(evalSplit, drifting, { previousStatistics: withoutFeature(train, 'payment_type') }), 'payment_type')
    expect(info.reason).toEqual([{ type: 'COMPARATOR_CONTROL_DATA_MISSING', shortDescription: 'previous data missing', description: 'previous data is missing.' }])
  })
})

describe('environments', () => {
  const environments: Schema = {
    ...editFeature(schema, 'tips', (f) => (f.notInEnvironment = ['SERVING'])),
    defaultEnvironment: ['TRAINING', 'SERVING'],
  }
  const serving = withoutFeature(taxiStatistics('serving', { seed: 6, rows: 200 }), 'tips')

  test('the label absent at SERVING is no missing column in the SERVING environment', () => {
    expect(validateStatistics(serving, environments, { environment: 'SERVING' }).anomalyInfo).toEqual({})
    expect(Object.keys(validateStatistics(serving, environments, { environment: 'TRAINING' }).anomalyInfo)).toEqual(['tips'])
    expect(only(validateStatistics(serving, environments), 'tips').reason[0]!.type).toBe('SCHEMA_MISSING_COLUMN')
  })

  test('a feature present in an environment it is not declared in', () => {
    const info = only(validateStatistics(evalSplit, environments, { environment: 'SERVING' }), 'tips')
    expect(info.reason).toEqual([
      { type: 'SCHEMA_NEW_COLUMN', shortDescription: 'Column missing in environment', description: 'New column tips found in data but not in the environment SERVING in the schema.' },
    ])
  })

  test('an environment the schema does not declare is an error', () => {
    expect(() => validateStatistics(serving, environments, { environment: 'STAGING' })).toThrow(AnomaliesError)
    expect(() => validateStatistics(serving, environments, { environment: 'STAGING' })).toThrow(
      'Environment "STAGING" is not one of the schema\'s default environments ("TRAINING", "SERVING").',
    )
  })
})
