import { describe, expect, test } from 'vitest'
import { SchemaError, formatSchemaText, inferSchema, updateSchema } from '../src/schema.js'
import type { Feature, Schema } from '../src/schema.js'
import { dataset, numericFeature, statisticsList, stringFeature, taxiStatistics, withFeature } from './stats-fixtures.js'

function feature(schema: Schema, name: string): Feature {
  const found = schema.feature.find((f) => f.name === name)
  if (!found) throw new Error(`no feature ${name}`)
  return found
}

// A small split with one feature per inference rule.
const train = dataset('train', 6, [
  numericFeature('fare', [5.5, 7.25, 12, 3.5, 9, 20]),
  numericFeature('trip_seconds', [300, null, 420, 600, null, 180], 'INT'),
  numericFeature('coords', [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]]),
  numericFeature('stops', [[1], [1, 2], [1, 2, 3], [1], [2], [3]], 'INT'),
  numericFeature('is_airport', [0, 1, 0, 0, 1, 0], 'INT'),
  numericFeature('never', [null, null, null, null, null, null]),
  stringFeature('payment_type', ['Cash', 'Credit Card', 'Cash', 'Cash', 'No Charge', 'Credit Card']),
  stringFeature('trip_id', ['t1', 't2', 't3', 't4', 't5', 't6']),
  stringFeature('zip', ['60601', '60602', '60601', null, '60603', '60601']),
  stringFeature('tolls_paid', ['true', 'false', 'false', 'true', 'true', 'false']),
])

describe('inferSchema', () => {
  const schema = inferSchema(statisticsList(train), { maxStringDomainSize: 5 })

  test('types follow the statistics (STRING becomes BYTES)', () => {
    expect(schema.feature.map((f) => [f.name, f.type])).toEqual([
      ['fare', 'FLOAT'],
      ['trip_seconds', 'INT'],
      ['coords', 'FLOAT'],
      ['stops', 'INT'],
      ['is_airport', 'INT'],
      ['never', 'FLOAT'],
      ['payment_type', 'BYTES'],
      ['trip_id', 'BYTES'],
      ['zip', 'BYTES'],
      ['tolls_paid', 'BYTES'],
    ])
  })

  test('presence: min_count 1 when seen, min_fraction 1.0 only when never missing', () => {
    expect(feature(schema, 'fare').presence).toEqual({ minFraction: 1, minCount: 1 })
    expect(feature(schema, 'trip_seconds').presence).toEqual({ minCount: 1 })
    expect(feature(schema, 'never').presence).toEqual({ minCount: 0 })
  })

  test('shape for features always present with a constant number of values, value_count otherwise', () => {
    expect(feature(schema, 'fare').shape).toEqual({ dim: [{ size: 1 }] })
    expect(feature(schema, 'fare').valueCount).toBeUndefined()
    expect(feature(schema, 'coords').shape).toEqual({ dim: [{ size: 2 }] })
    // Sometimes missing: no shape, but min = max.
    expect(feature(schema, 'trip_seconds').shape).toBeUndefined()
    expect(feature(schema, 'trip_seconds').valueCount).toEqual({ min: 1, max: 1 })
    // A varying number of values: value_count { min: 1 }.
    expect(feature(schema, 'stops').valueCount).toEqual({ min: 1 })
    expect(feature(schema, 'stops').shape).toBeUndefined()
    // Never present: neither.
    expect(feature(schema, 'never').valueCount).toBeUndefined()
    expect(feature(schema, 'never').shape).toBeUndefined()
  })

  test('without inferFeatureShape, constant valency becomes value_count { min: n max: n }', () => {
    const flat = inferSchema(train, { inferFeatureShape: false })
    expect(feature(flat, 'fare').shape).toBeUndefined()
    expect(feature(flat, 'fare').valueCount).toEqual({ min: 1, max: 1 })
    expect(feature(flat, 'coords').valueCount).toEqual({ min: 2, max: 2 })
  })

  test('string domains only for low-cardinality strings, named after the feature', () => {
    expect(feature(schema, 'payment_type').domain).toBe('payment_type')
    expect(schema.stringDomain).toEqual([{ name: 'payment_type', value: ['Cash', 'Credit Card', 'No Charge'] }])
    // Six distinct values with maxStringDomainSize 5: no domain.
    expect(feature(schema, 'trip_id').domain).toBeUndefined()
    // The default limit of 100 admits them.
    expect(feature(inferSchema(train), 'trip_id').domain).toBe('trip_id')
  })

  test('bool and int domains as TFDV infers them', () => {
    expect(feature(schema, 'is_airport').boolDomain).toEqual({})
    expect(feature(schema, 'tolls_paid').boolDomain).toEqual({ trueValue: 'true', falseValue: 'false' })
    expect(feature(schema, 'zip').intDomain).toEqual({})
    // Numeric ranges are not inferred.
    expect(feature(schema, 'fare').floatDomain).toBeUndefined()
  })

  test('the domain of a feature counts values beyond the rank histogram', () => {
    const truncated = stringFeature('city', ['a', 'b', 'c'])
    truncated.stringStats!.unique = 500
    expect(feature(inferSchema(dataset('train', 3, [truncated])), 'city').domain).toBeUndefined()
    // Statistics with top values only (no rank histogram): a domain only when every value is listed.
    const topOnly = stringFeature('city', ['a', 'b', 'b'])
    delete topOnly.stringStats!.rankHistogram
    expect(inferSchema(dataset('train', 3, [topOnly])).stringDomain).toEqual([{ name: 'city', value: ['a', 'b'] }])
    topOnly.stringStats!.unique = 30
    expect(feature(inferSchema(dataset('train', 3, [topOnly])), 'city').domain).toBeUndefined()
  })

  test('the text form is what TFX writes', () => {
    const text = formatSchemaText(inferSchema(dataset('train', 2, [numericFeature('fare', [1, 2]), stringFeature('payment_type', ['Cash', 'Credit Card'])])))
    expect(text).toContain('feature {\n  name: "fare"\n  type: FLOAT\n  presence {\n    min_fraction: 1.0\n    min_count: 1\n  }\n  shape {\n    dim {\n      size: 1\n    }\n  }\n}\n')
    expect(text).toContain('  domain: "payment_type"\n')
    expect(text).toContain('string_domain {\n  name: "payment_type"\n  value: "Cash"\n  value: "Credit Card"\n}\n')
  })

  test('statistics with several datasets and no default slice are an error naming them', () => {
    expect(() => inferSchema({ datasets: [dataset('train', 1, []), dataset('eval', 1, [])] })).toThrow(SchemaError)
    expect(() => inferSchema({ datasets: [dataset('train', 1, []), dataset('eval', 1, [])] })).toThrow('holds 2 datasets ("train", "eval") and none is the default slice "All Examples"')
    expect(inferSchema({ datasets: [dataset('x', 1, []), dataset('All Examples', 2, [numericFeature('a', [1, 2])])] }).feature).toHaveLength(1)
  })
})

describe('updateSchema widens a schema over another split', () => {
  const evalSplit = dataset('eval', 6, [
    // fare goes missing once: the shape is dropped and min_fraction relaxed.
    numericFeature('fare', [5, null, 8, 9, 10, 11]),
    // trip_seconds now has two values in one example: max widened.
    numericFeature('trip_seconds', [[300, 301], 200, 100, null, 50, 60], 'INT'),
    numericFeature('coords', [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]]),
    numericFeature('stops', [[1], [1, 2, 3, 4, 5], [1], [1], [2], [3]], 'INT'),
    numericFeature('is_airport', [0, 1, 0, 0, 0, 0], 'INT'),
    numericFeature('never', [null, null, null, null, null, null]),
    // A value only eval has: the domain becomes the union.
    stringFeature('payment_type', ['Cash', 'Dispute', 'Cash', 'Cash', 'Credit Card', 'Credit Card']),
    stringFeature('zip', ['60601', '60601', '60601', '60601', '60601', '60601']),
    stringFeature('tolls_paid', ['true', 'false', 'false', 'true', 'true', 'false']),
    // New in eval.
    stringFeature('company', ['Flash Cab', 'Flash Cab', null, null, 'Sun Taxi', 'Flash Cab']),
    // trip_id is absent from eval; it was required (min_fraction 1.0), so it is deprecated.
  ])
  const first = inferSchema(train)
  const widened = updateSchema(first, evalSplit)

  test('does not modify its input', () => {
    expect(first).toEqual(inferSchema(train))
  })

  test('presence relaxed and the shape dropped when values go missing', () => {
    expect(feature(widened, 'fare').presence).toEqual({ minFraction: 5 / 6, minCount: 1 })
    expect(feature(widened, 'fare').shape).toBeUndefined()
  })

  test('value counts widened', () => {
    expect(feature(widened, 'trip_seconds').valueCount).toEqual({ min: 1, max: 2 })
    expect(feature(widened, 'stops').valueCount).toEqual({ min: 1 })
    expect(feature(widened, 'coords').shape).toEqual({ dim: [{ size: 2 }] })
  })

  test('string domains are the union of both splits', () => {
    expect(widened.stringDomain!.find((d) => d.name === 'payment_type')!.value).toEqual(['Cash', 'Credit Card', 'No Charge', 'Dispute'])
  })

  test('features new in the split are added; required features missing from it are deprecated', () => {
    expect(feature(widened, 'company')).toEqual({ name: 'company', type: 'BYTES', presence: { minCount: 1 }, valueCount: { min: 1, max: 1 }, domain: 'company' })
    expect(feature(widened, 'trip_id').lifecycleStage).toBe('DEPRECATED')
    expect(widened.feature.map((f) => f.name)).toEqual([...first.feature.map((f) => f.name), 'company'])
  })

  test('a type change deprecates the feature', () => {
    const changed = updateSchema(first, withFeature(evalSplit, stringFeature('fare', ['a', 'b', 'c', 'd', 'e', 'f'])))
    expect(feature(changed, 'fare').lifecycleStage).toBe('DEPRECATED')
  })

  test('domains keep growing over a third split, and a taxi-sized split infers the expected schema', () => {
    const third = updateSchema(widened, dataset('test', 1, [stringFeature('payment_type', ['Prcard'])]))
    expect(third.stringDomain!.find((d) => d.name === 'payment_type')!.value).toEqual(['Cash', 'Credit Card', 'No Charge', 'Dispute', 'Prcard'])

    const taxi = inferSchema(taxiStatistics('train'))
    expect(feature(taxi, 'company')).toMatchObject({ type: 'BYTES', presence: { minCount: 1 }, valueCount: { min: 1, max: 1 }, domain: 'company' })
    expect(feature(taxi, 'trip_id').domain).toBeUndefined()
    expect(feature(taxi, 'payment_type').presence).toEqual({ minFraction: 1, minCount: 1 })
  })
})
