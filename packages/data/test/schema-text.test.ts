import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { inferSchema } from '../src/schema.js'
import { SchemaError, SchemaParseError, formatSchemaText, parseSchemaText, schemaFromJson, schemaToJson } from '../src/schema.js'
import type { Schema } from '../src/schema.js'
import { taxiStatistics } from './stats-fixtures.js'

const taxiText = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'taxi_schema.pbtxt'), 'utf8')

function parseError(text: string): SchemaParseError {
  try {
    parseSchemaText(text, 'schema.pbtxt')
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaParseError)
    return error as SchemaParseError
  }
  throw new Error('expected a parse error')
}

const everything: Schema = {
  feature: [
    {
      name: 'fare',
      type: 'FLOAT',
      presence: { minFraction: 1, minCount: 1 },
      shape: { dim: [{ size: 1 }] },
      floatDomain: { min: -Infinity, max: 1000.5, disallowNan: true, disallowInf: false },
      driftComparator: { jensenShannonDivergence: { threshold: 0.1, source: { type: 'QUANTILES' } } },
      annotation: { tag: ['money'], comment: ['in "USD"\n(rounded)', 'Ünïcödé ✓'] },
    },
    {
      name: 'payment_type',
      type: 'BYTES',
      presence: { minFraction: 0.9999, minCount: 1 },
      valueCount: { min: 1, max: 1 },
      domain: 'payment_type',
      distributionConstraints: { minDomainMass: 0.95 },
      skewComparator: { infinityNorm: { threshold: 0.01 }, normalizedAbsDifference: { threshold: 0.2 } },
      driftComparator: { infinityNorm: { threshold: 0 } },
      uniqueConstraints: { min: 1, max: 10 },
    },
    { name: 'tips', type: 'FLOAT', notInEnvironment: ['SERVING'], inEnvironment: ['TRAINING'], lifecycleStage: 'PRODUCTION' },
    { name: 'flag', type: 'BYTES', boolDomain: { trueValue: 'yes', falseValue: 'no' }, valueCounts: { valueCount: [{ min: 1 }, { min: 2, max: 3 }] } },
    { name: 'hour', type: 'INT', intDomain: { min: 0, max: 23, isCategorical: true }, groupPresence: { required: true } },
    { name: 'when', type: 'INT', timeDomain: { integerFormat: 'UNIX_SECONDS' }, deprecated: true },
    { name: 'text', type: 'BYTES', naturalLanguageDomain: { vocabulary: 'vocab', coverage: { minCoverage: 0.5, excludedIntTokens: [0, -1] } } },
    { name: 'image', type: 'BYTES', imageDomain: { minimumSupportedImageFraction: 0.85, maxImageByteSize: 1_000_000 } },
    { name: 'url', type: 'BYTES', urlDomain: {} },
    { name: 'nested', type: 'STRUCT', structDomain: { feature: [{ name: 'child', type: 'INT', presence: { minCount: 0 } }] } },
  ],
  sparseFeature: [{ name: 'sparse', indexFeature: [{ name: 'idx' }], valueFeature: { name: 'val' }, isSorted: true, denseShape: { dim: [{ size: 10 }] } }],
  weightedFeature: [{ name: 'weighted', feature: { step: ['text'] }, weightFeature: { step: ['w'] } }],
  stringDomain: [{ name: 'payment_type', value: ['Cash', 'Credit Card', 'tab\there', "it's", 'back\\slash'] }],
  floatDomain: [{ name: 'shared', min: 0 }],
  intDomain: [{ name: 'shared_int', max: 9 }],
  defaultEnvironment: ['TRAINING', 'SERVING'],
  generateLegacyFeatureSpec: false,
  annotation: { comment: ['schema comment'] },
  datasetConstraints: { minExamplesCount: 10, maxExamplesCount: 1e9, numExamplesDriftComparator: { minFractionThreshold: 0.5, maxFractionThreshold: 2 } },
}

describe('schema text format', () => {
  test('format then parse gives the same schema, for every supported field', () => {
    const text = formatSchemaText(everything)
    expect(parseSchemaText(text, 'schema.pbtxt')).toEqual(everything)
  })

  test('an inferred schema round-trips through text and JSON', () => {
    const schema = inferSchema(taxiStatistics('train'))
    expect(parseSchemaText(formatSchemaText(schema))).toEqual(schema)
    expect(schemaFromJson(JSON.parse(JSON.stringify(schemaToJson(schema))))).toEqual(schema)
    expect(schemaFromJson(JSON.parse(JSON.stringify(schemaToJson(everything))))).toEqual(everything)
  })

  test('prints like TFX: fields in field-number order, nested blocks, 1.0 for doubles', () => {
    const text = formatSchemaText({
      feature: [{ name: 'fare', type: 'FLOAT', presence: { minCount: 1, minFraction: 1 }, shape: { dim: [{ size: 1 }] } }],
      stringDomain: [{ name: 'payment_type', value: ['Cash', 'Credit Card'] }],
    })
    expect(text).toBe(
      [
        'feature {',
        '  name: "fare"',
        '  type: FLOAT',
        '  presence {',
        '    min_fraction: 1.0',
        '    min_count: 1',
        '  }',
        '  shape {',
        '    dim {',
        '      size: 1',
        '    }',
        '  }',
        '}',
        'string_domain {',
        '  name: "payment_type"',
        '  value: "Cash"',
        '  value: "Credit Card"',
        '}',
        '',
      ].join('\n'),
    )
  })

  test('the taxi schema written the way TFX and people write it parses', () => {
    const schema = parseSchemaText(taxiText, 'taxi_schema.pbtxt')
    expect(schema.feature.map((f) => f.name)).toEqual([
      'company',
      'payment_type',
      'dropoff_census_tract',
      'fare',
      'pickup_census_tract',
      'pickup_community_area',
      'trip_start_hour',
      'trip_start_timestamp',
      'tips',
    ])
    const byName = Object.fromEntries(schema.feature.map((f) => [f.name, f]))
    expect(byName.payment_type).toMatchObject({ type: 'BYTES', domain: 'payment_type', presence: { minFraction: 1, minCount: 1 } })
    expect(byName.payment_type!.skewComparator).toEqual({ infinityNorm: { threshold: 0.01 } })
    expect(byName.fare).toMatchObject({ shape: { dim: [{ size: 1 }] }, floatDomain: { min: 0, max: 1000, disallowNan: true } })
    expect(byName.fare!.driftComparator).toEqual({ jensenShannonDivergence: { threshold: 0.1, source: { type: 'STANDARD' } } })
    expect(byName.trip_start_hour).toMatchObject({ shape: { dim: [{ size: 1 }] }, intDomain: { min: 0, max: 23, isCategorical: true } })
    expect(byName.tips!.notInEnvironment).toEqual(['SERVING'])
    expect(byName.trip_start_timestamp!.annotation).toEqual({ tag: ['time'], comment: ['Seconds since the epoch, UTC.'] })
    expect(schema.stringDomain!.map((d) => d.name)).toEqual(['company', 'payment_type'])
    expect(schema.stringDomain![1]!.value).toContain('Prcard')
    expect(schema.defaultEnvironment).toEqual(['TRAINING', 'SERVING'])
    expect(schema.datasetConstraints).toEqual({ minExamplesCount: 100 })
    // Formatting and parsing again keeps everything.
    expect(parseSchemaText(formatSchemaText(schema))).toEqual(schema)
  })

  test('reads escapes, octal UTF-8 bytes, adjacent strings, lists, enum numbers, inf and separators', () => {
    const schema = parseSchemaText(
      [
        'feature { name: "caf\\303\\251" "_x" type: 2; presence: { min_fraction: 1e0, min_count: 0x1 } }',
        "feature { name: 'quote\\'s' type: FLOAT float_domain { min: -inf max: Infinity } not_in_environment: [\"SERVING\", 'DEBUG'] }",
        'string_domain { name: "d" value: ["a", "\\x41", "\\u00e9\\n"] }',
      ].join('\n'),
    )
    expect(schema.feature[0]).toEqual({ name: 'café_x', type: 'INT', presence: { minFraction: 1, minCount: 1 } })
    expect(schema.feature[1]).toEqual({ name: "quote's", type: 'FLOAT', floatDomain: { min: -Infinity, max: Infinity }, notInEnvironment: ['SERVING', 'DEBUG'] })
    expect(schema.stringDomain![0]!.value).toEqual(['a', 'A', 'é\n'])
  })

  test('an empty file is an empty schema', () => {
    expect(parseSchemaText('# nothing here\n')).toEqual({ feature: [] })
  })
})

describe('schema text format errors name the line and column', () => {
  test('unknown field, with a suggestion', () => {
    const error = parseError('feature {\n  name: "fare"\n  presense { min_count: 1 }\n}\n')
    expect(error.code).toBe('SLUICE_SCHEMA_PARSE_FAILED')
    expect([error.line, error.column]).toEqual([3, 3])
    expect(error.message).toBe('schema.pbtxt:3:3: unknown field "presense" in Feature Did you mean "presence"?')
  })

  test('unsupported fields say so', () => {
    const error = parseError('feature { name: "a" }\ntensor_representation_group { key: "" }\n')
    expect(error.line).toBe(2)
    expect(error.message).toContain('TensorRepresentation groups are not supported by Sluice')
  })

  test('an unclosed message names where it was opened', () => {
    const error = parseError('feature {\n  name: "fare"\n  presence {\n    min_count: 1\n}\n')
    expect(error.line).toBe(6)
    expect(error.message).toContain('expected "}" to close the Feature opened at line 1')
  })

  test('values of the wrong kind', () => {
    expect(parseError('feature {\n name: "a"\n presence { min_count: 1.5 } }').message).toBe(
      'schema.pbtxt:3:24: field "min_count" takes an integer, found "1.5"',
    )
    expect(parseError('feature { name: fare }').message).toContain('1:17: field "name" takes a quoted string, found "fare"')
    expect(parseError('feature { name: "a" type: DOUBLE }').message).toContain('unknown value "DOUBLE" for the enum field "type" Use one of TYPE_UNKNOWN, BYTES, INT, FLOAT, STRUCT.')
    expect(parseError('feature { name: "a" deprecated: yes }').message).toContain('takes true or false')
  })

  test('strings', () => {
    expect(parseError('feature {\n  name: "fare\n}').message).toBe('schema.pbtxt:2:9: string literal is not closed on this line')
    expect(parseError('feature { name: "a\\qb" }').message).toContain('unknown escape sequence "\\q"')
    expect(parseError('feature { name: "\\377" }').message).toContain('not valid UTF-8')
  })

  test('a field set twice, and two members of one oneof', () => {
    expect(parseError('feature {\n  name: "a"\n  type: INT\n  type: FLOAT\n}').message).toBe(
      'schema.pbtxt:4:3: field "type" of Feature is set twice (first at line 3); it is not a repeated field',
    )
    const oneof = parseError('feature {\n  name: "a"\n  value_count { min: 1 }\n  shape { dim { size: 1 } }\n}')
    expect(oneof.line).toBe(4)
    expect(oneof.message).toContain('fields "value_count" and "shape" of Feature are both set, but only one member of the oneof "shape_type" may be')
  })

  test('a missing colon, a stray token, a list on a singular field', () => {
    expect(parseError('feature { name "a" }').message).toContain('1:16: expected ":" after the field name "name"')
    expect(parseError('feature { name: "a" } }').message).toContain('1:23: expected a field name of Schema, found "}"')
    expect(parseError('feature { name: ["a"] }').message).toContain('field "name" is not repeated')
    expect(parseError('feature { name: "a" } @').message).toContain('unexpected character "@"')
  })

  test('checks after parsing: names, duplicates, dangling domains', () => {
    expect(parseError('feature {\n  type: INT\n}').message).toBe('schema.pbtxt:1:9: a feature has no name Add name: "<feature>".')
    expect(parseError('feature { name: "a" }\nfeature { name: "a" }').message).toContain('2:11: two features are named "a" (the first at line 1)')
    const dangling = parseError('feature {\n  name: "a"\n  type: BYTES\n  domain: "colour"\n}\nstring_domain { name: "color" value: "red" }')
    expect(dangling.line).toBe(4)
    expect(dangling.message).toContain('feature "a" refers to domain "colour", but the schema has no string_domain of that name The string domains are "color".')
    expect(parseError('string_domain { value: "x" }').message).toContain('a top-level string_domain has no name')
  })

  test('the file name given is the one reported', () => {
    expect(() => parseSchemaText('feature { name: "a" }\noops', '/data/curated/schema.pbtxt')).toThrow(
      /^\/data\/curated\/schema\.pbtxt:2:1: unknown field "oops" in Schema/,
    )
  })
})

describe('schema objects are checked when written', () => {
  test('an unknown key is an error rather than dropped', () => {
    const schema = { feature: [{ name: 'a', type: 'INT', presense: { minCount: 1 } }] } as unknown as Schema
    expect(() => formatSchemaText(schema)).toThrow(SchemaError)
    expect(() => formatSchemaText(schema)).toThrow('schema.feature[0] has the unknown field "presense"')
    expect(() => schemaToJson(schema)).toThrow('unknown field "presense"')
  })

  test('wrong value types are errors', () => {
    expect(() => formatSchemaText({ feature: [{ name: 'a', type: 'DOUBLE' as 'INT' }] })).toThrow('schema.feature[0].type must be one of')
    expect(() => formatSchemaText({ feature: [{ name: 'a', valueCount: { min: 1.5 } }] })).toThrow('schema.feature[0].valueCount.min must be an integer')
  })

  test('schema.json reading is strict too', () => {
    expect(() => schemaFromJson({ feature: [{ name: 'a', typo: 1 }] }, 'x/schema.json')).toThrow('x/schema.json: schema.feature[0] has the unknown field "typo".')
    expect(() => schemaFromJson({ feature: [{ type: 'INT' }] }, 'x/schema.json')).toThrow('schema.feature[0] has no name')
    expect(schemaFromJson({ feature: [{ name: 'a', float_domain: { min: '-Infinity' } }] })).toEqual({ feature: [{ name: 'a', floatDomain: { min: -Infinity } }] })
  })
})
