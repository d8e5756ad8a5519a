import { describe, expect, test } from 'vitest'
import {
  BooleanArtifact,
  ComponentDefinitionError,
  Examples,
  ExecutorError,
  FloatArtifact,
  IntegerArtifact,
  JsonValueArtifact,
  Model,
  ModelBlessing,
  Schema,
  StringArtifact,
  decodeValue,
  defineArtifactType,
  encodeValue,
  isArtifactType,
  metadataPropertyName,
  standardArtifactTypes,
} from '../src/index.js'
import { thrown } from './helpers.js'

describe('defineArtifactType', () => {
  test('returns a frozen, recognisable type with its declared properties', () => {
    const FeatureView = defineArtifactType({
      name: 'acme.FeatureView',
      properties: { rowCount: 'int', owner: 'string', tags: 'string[]', config: 'json', ratio: 'float', live: 'boolean' },
      baseType: 'DATASET',
      description: 'A feature view.',
    })
    expect(isArtifactType(FeatureView)).toBe(true)
    expect(FeatureView.name).toBe('acme.FeatureView')
    expect(FeatureView.properties).toEqual({ rowCount: 'int', owner: 'string', tags: 'string[]', config: 'json', ratio: 'float', live: 'boolean' })
    expect(FeatureView.baseType).toBe('DATASET')
    expect(FeatureView.description).toBe('A feature view.')
    expect(FeatureView.valueKind).toBeUndefined()
    expect(Object.isFrozen(FeatureView)).toBe(true)
    expect(Object.isFrozen(FeatureView.properties)).toBe(true)
  })

  test('copies the properties, so changing the spec afterwards does not change the type', () => {
    const properties: Record<string, 'int'> = { span: 'int' }
    const T = defineArtifactType({ name: 'Copied', properties })
    properties.version = 'int'
    expect(Object.keys(T.properties)).toEqual(['span'])
  })

  test('a type without properties has an empty property spec', () => {
    expect(defineArtifactType({ name: 'Bare' }).properties).toEqual({})
  })

  test.each(['', '1Examples', '_Examples', 'Exa mples', 'a/b', 'Ex:amples'])('rejects the name %j', (name) => {
    const error = thrown(() => defineArtifactType({ name }))
    expect(error).toBeInstanceOf(ComponentDefinitionError)
    expect(error.code).toBe('SLUICE_COMPONENT_INVALID')
    expect(error.message).toContain(`Artifact type name ${JSON.stringify(name)} is invalid.`)
    expect(error.message).toContain('starting with a letter')
  })

  test('rejects a name that is not a string', () => {
    expect(() => defineArtifactType({ name: 42 as unknown as string })).toThrow(/Artifact type name 42 is invalid/)
  })

  test('rejects an unknown property kind, naming the type, the property and the allowed kinds', () => {
    const error = thrown(() => defineArtifactType({ name: 'Bad', properties: { span: 'integer' as 'int' } }))
    expect(error).toBeInstanceOf(ComponentDefinitionError)
    expect(error.message).toContain('Artifact type "Bad": property "span" has unknown kind "integer".')
    expect(error.message).toContain('int, float, string, boolean, json, string[]')
  })

  test('isArtifactType recognises only branded types', () => {
    expect(isArtifactType(Examples)).toBe(true)
    expect(isArtifactType({ name: 'Examples', properties: {} })).toBe(false)
    expect(isArtifactType(null)).toBe(false)
    expect(isArtifactType('Examples')).toBe(false)
  })
})

describe('standard artifact types', () => {
  test('keep the TFX names, in the documented order, without repeats', () => {
    expect(standardArtifactTypes.map((t) => t.name)).toEqual([
      'Examples', 'ExampleStatistics', 'Schema', 'ExampleAnomalies', 'TransformGraph', 'TransformCache', 'Model', 'ModelRun',
      'ModelBlessing', 'ModelEvaluation', 'HyperParameters', 'TunerResults', 'InfraBlessing', 'PushedModel', 'InferenceResult',
      'String', 'Integer', 'Float', 'Boolean', 'JsonValue',
    ])
  })

  test('declare the TFX properties and base types', () => {
    expect(Examples.properties).toEqual({ span: 'int', version: 'int', splitNames: 'string[]' })
    expect(Examples.baseType).toBe('DATASET')
    expect(Model.baseType).toBe('MODEL')
    expect(Schema.properties).toEqual({})
    expect(ModelBlessing.valueKind).toBeUndefined()
  })

  test('value artifact types carry their value kind', () => {
    expect([StringArtifact, IntegerArtifact, FloatArtifact, BooleanArtifact, JsonValueArtifact].map((t) => t.valueKind)).toEqual([
      'string', 'int', 'float', 'boolean', 'json',
    ])
  })
})

describe('metadataPropertyName', () => {
  test.each([
    ['splitNames', 'split_names'],
    ['span', 'span'],
    ['inputFingerprint', 'input_fingerprint'],
    ['currentModelId', 'current_model_id'],
    ['already_snake', 'already_snake'],
  ])('%s -> %s', (name, expected) => {
    expect(metadataPropertyName(name)).toBe(expected)
  })
})

describe('value encoding', () => {
  const roundTrip = (type: Parameters<typeof encodeValue>[0], value: unknown) => decodeValue(type, encodeValue(type, value))

  test('String is the text itself', () => {
    expect(encodeValue(StringArtifact, 'héllo\nwörld')).toBe('héllo\nwörld')
    expect(roundTrip(StringArtifact, '')).toBe('')
    expect(roundTrip(StringArtifact, ' padded ')).toBe(' padded ')
  })

  test('Integer is decimal text', () => {
    expect(encodeValue(IntegerArtifact, 42)).toBe('42')
    expect(encodeValue(IntegerArtifact, -7)).toBe('-7')
    expect(roundTrip(IntegerArtifact, 0)).toBe(0)
    expect(decodeValue(IntegerArtifact, ' 42\n')).toBe(42)
  })

  test('Integer never uses exponent notation', () => {
    expect(encodeValue(IntegerArtifact, 1e21)).toBe('1000000000000000000000')
    expect(roundTrip(IntegerArtifact, 1e21)).toBe(1e21)
  })

  test('Integer rejects 1.5, NaN and numeric strings', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, '3']) {
      const error = thrown(() => encodeValue(IntegerArtifact, bad))
      expect(error).toBeInstanceOf(ExecutorError)
      expect(error.code).toBe('SLUICE_VALUE_INVALID')
      expect(error.message).toContain('A Integer value artifact cannot hold')
      expect(error.message).toContain('whole number')
    }
  })

  test('Integer decoding rejects text that is not a whole number', () => {
    for (const bad of ['1.5', 'abc', '', '   ', '1e3']) {
      const error = thrown(() => decodeValue(IntegerArtifact, bad))
      expect(error).toBeInstanceOf(ExecutorError)
      expect(error.code).toBe('SLUICE_VALUE_INVALID')
      expect(error.message).toContain('not a whole number')
    }
  })

  test('Float round-trips ordinary numbers, NaN and both infinities', () => {
    expect(roundTrip(FloatArtifact, 0.1)).toBe(0.1)
    expect(roundTrip(FloatArtifact, -2.5e-7)).toBe(-2.5e-7)
    expect(encodeValue(FloatArtifact, Number.NaN)).toBe('NaN')
    expect(roundTrip(FloatArtifact, Number.NaN)).toBeNaN()
    expect(encodeValue(FloatArtifact, Number.POSITIVE_INFINITY)).toBe('Infinity')
    expect(roundTrip(FloatArtifact, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
    expect(encodeValue(FloatArtifact, Number.NEGATIVE_INFINITY)).toBe('-Infinity')
    expect(roundTrip(FloatArtifact, Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY)
  })

  test('Float reads what Python str() writes and rejects non-numbers', () => {
    expect(decodeValue(FloatArtifact, '2.0')).toBe(2)
    expect(decodeValue(FloatArtifact, '1e-07')).toBe(1e-7)
    expect(() => decodeValue(FloatArtifact, 'nope')).toThrow(/not a number/)
    expect(() => decodeValue(FloatArtifact, '')).toThrow(/not a number/)
    expect(() => encodeValue(FloatArtifact, '1.5')).toThrow(ExecutorError)
  })

  test("Boolean is '1' or '0'", () => {
    expect(encodeValue(BooleanArtifact, true)).toBe('1')
    expect(encodeValue(BooleanArtifact, false)).toBe('0')
    expect(decodeValue(BooleanArtifact, '1')).toBe(true)
    expect(decodeValue(BooleanArtifact, '0')).toBe(false)
    expect(decodeValue(BooleanArtifact, '0\n')).toBe(false)
    expect(roundTrip(BooleanArtifact, true)).toBe(true)
    expect(roundTrip(BooleanArtifact, false)).toBe(false)
  })

  test('Boolean reads any integer like TFX (non-zero is true) and rejects other text', () => {
    expect(decodeValue(BooleanArtifact, '2')).toBe(true)
    expect(() => decodeValue(BooleanArtifact, 'yes')).toThrow(/not 1 or 0/)
    expect(() => encodeValue(BooleanArtifact, 1)).toThrow(/A Boolean value artifact cannot hold 1 \(number\)/)
  })

  test('JsonValue round-trips JSON and rejects what JSON would silently change', () => {
    const value = { a: [1, 'two', null, { b: true }] }
    expect(roundTrip(JsonValueArtifact, value)).toEqual(value)
    expect(encodeValue(JsonValueArtifact, undefined)).toBe('null')
    for (const bad of [Number.NaN, { f: () => 1 }, new Date(0), [Number.POSITIVE_INFINITY]]) {
      expect(() => encodeValue(JsonValueArtifact, bad)).toThrow(/A JsonValue value artifact cannot hold/)
    }
    const error = thrown(() => decodeValue(JsonValueArtifact, '{oops'))
    expect(error).toBeInstanceOf(ExecutorError)
    expect(error.message).toContain('which is not JSON')
  })

  test('a type that is not a value artifact type has no value', () => {
    expect(() => encodeValue(Examples, 'x')).toThrow('Artifact type "Examples" is not a value artifact type; it has no value to encode.')
    expect(() => decodeValue(Examples, 'x')).toThrow('Artifact type "Examples" is not a value artifact type; it has no value to decode.')
  })
})
