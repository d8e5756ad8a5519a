import { describe, expect, test } from 'vitest'
import { Examples, ExecutorError, IntegerArtifact, JsonValueArtifact, Model, Schema, fromRuntimeArtifact, toRuntimeArtifact } from '../src/index.js'
import type { RuntimeArtifact } from '../src/index.js'
import { artifact, thrown } from './helpers.js'

describe('toRuntimeArtifact', () => {
  test('puts declared properties under their snake_case metadata names, next to custom properties', () => {
    const examples = artifact(Examples, '/root/gen/examples/7', {
      id: 12,
      properties: { splitNames: ['train', 'eval'], span: 3, version: undefined },
      customProperties: { payload_format: 'FORMAT_PARQUET', input_fingerprint: 'abc' },
    })
    expect(toRuntimeArtifact(examples, 'examples')).toEqual({
      name: 'sluice/artifacts/12',
      type: { schemaTitle: 'sluice.Examples' },
      uri: '/root/gen/examples/7',
      metadata: { split_names: ['train', 'eval'], span: 3, payload_format: 'FORMAT_PARQUET', input_fingerprint: 'abc' },
    })
  })

  test('an artifact not yet recorded is named by its key', () => {
    const runtime = toRuntimeArtifact(artifact(Model, '/root/t/model/9'), 'model')
    expect(runtime.name).toBe('model')
    expect(runtime.metadata).toEqual({})
  })

  test('value artifacts carry their value', () => {
    expect(toRuntimeArtifact(artifact(IntegerArtifact, '/v/n', { id: 4, value: 42 }), 'n').metadata).toEqual({ value: 42 })
    expect(toRuntimeArtifact(artifact(JsonValueArtifact, '/v/j', { value: null }), 'j').metadata).toEqual({ value: null })
  })
})

describe('fromRuntimeArtifact', () => {
  test('round-trips properties, custom properties and id', () => {
    const original = artifact(Examples, '/root/gen/examples/7', {
      id: 12,
      properties: { splitNames: ['train', 'eval'], span: 3 },
      customProperties: { payload_format: 'FORMAT_PARQUET', nested: { a: [1, 2] } },
    })
    const back = fromRuntimeArtifact(toRuntimeArtifact(original, 'examples'), Examples, 'input "examples"')
    expect(back).toEqual(original)
    expect(back.type).toBe(Examples)
  })

  test('an output keeps an undefined id', () => {
    const back = fromRuntimeArtifact(toRuntimeArtifact(artifact(Model, '/o/m'), 'model'), Model, 'output "model"')
    expect(back.id).toBeUndefined()
    expect(back).not.toHaveProperty('value')
  })

  test('value artifacts get their value back; other types keep "value" as a custom property', () => {
    const n = fromRuntimeArtifact(toRuntimeArtifact(artifact(IntegerArtifact, '/v/n', { id: 4, value: 42, customProperties: { note: 'x' } }), 'n'), IntegerArtifact, 'n')
    expect(n.value).toBe(42)
    expect(n.id).toBe(4)
    expect(n.customProperties).toEqual({ note: 'x' })
    const schema = fromRuntimeArtifact({ name: 's', type: { schemaTitle: 'sluice.Schema' }, uri: '/s', metadata: { value: 1 } }, Schema, 's')
    expect(schema.customProperties).toEqual({ value: 1 })
    expect(schema).not.toHaveProperty('value')
  })

  test('snake_case metadata that is not declared stays a custom property', () => {
    const back = fromRuntimeArtifact({ name: 'e', type: { schemaTitle: 'sluice.Examples' }, uri: '/e', metadata: { split_names: ['a'], file_format: 'parquet' } }, Examples, 'e')
    expect(back.properties).toEqual({ splitNames: ['a'] })
    expect(back.customProperties).toEqual({ file_format: 'parquet' })
  })

  test('a name that is not sluice/artifacts/<digits> gives no id', () => {
    for (const name of ['sluice/artifacts/x', 'artifacts/3', 'sluice/artifacts/3/extra']) {
      expect(fromRuntimeArtifact({ name, type: { schemaTitle: 'sluice.Model' }, uri: '/m', metadata: {} }, Model, 'm').id).toBeUndefined()
    }
  })

  test('a wrong schemaTitle names where, the expected and the found type', () => {
    const runtime: RuntimeArtifact = { name: 'x', type: { schemaTitle: 'sluice.Model' }, uri: '/m', metadata: {} }
    const error = thrown(() => fromRuntimeArtifact(runtime, Examples, 'input "examples"'))
    expect(error).toBeInstanceOf(ExecutorError)
    expect(error.code).toBe('SLUICE_EXECUTOR_INPUT_INVALID')
    expect(error.message).toBe('Executor input input "examples": expected artifact type "Examples", found "sluice.Model".')
    expect(() => fromRuntimeArtifact({ ...runtime, type: { schemaTitle: 'system.Model' } }, Model, 'm')).toThrow(ExecutorError)
  })

  test('a missing type is accepted, a missing uri is not', () => {
    expect(fromRuntimeArtifact({ name: 'm', uri: '/m', metadata: {} } as unknown as RuntimeArtifact, Model, 'm').uri).toBe('/m')
    expect(() => fromRuntimeArtifact({ name: 'm', type: { schemaTitle: 'sluice.Model' }, metadata: {} } as unknown as RuntimeArtifact, Model, 'input "model"')).toThrow(
      'Executor input input "model": the artifact has no uri.',
    )
  })
})
