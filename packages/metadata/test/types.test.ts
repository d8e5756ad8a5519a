import { describe, expect, it } from 'vitest'
import { MetadataError } from '@sluice/metadata'
import { caught, openTempStore } from './support.js'

describe('types', () => {
  it('round-trips artifact, execution and context types', async () => {
    const store = openTempStore()
    const id = await store.putArtifactType({
      name: 'Examples',
      version: '1',
      description: 'tf.Examples split in train/eval',
      properties: { span: 'INT', split_names: 'STRING', weight: 'DOUBLE', ok: 'BOOLEAN', meta: 'STRUCT' },
      baseType: 'DATASET',
    })
    const executionTypeId = await store.putExecutionType({ name: 'Trainer', baseType: 'TRAIN' })
    const contextTypeId = await store.putContextType({ name: 'pipeline', properties: { owner: 'STRING' } })

    expect(await store.getArtifactType('Examples')).toEqual({
      id,
      name: 'Examples',
      version: '1',
      description: 'tf.Examples split in train/eval',
      properties: { span: 'INT', split_names: 'STRING', weight: 'DOUBLE', ok: 'BOOLEAN', meta: 'STRUCT' },
      baseType: 'DATASET',
    })
    expect(await store.getExecutionType('Trainer')).toEqual({ id: executionTypeId, name: 'Trainer', properties: {}, baseType: 'TRAIN' })
    expect(await store.getContextType('pipeline')).toEqual({ id: contextTypeId, name: 'pipeline', properties: { owner: 'STRING' } })
    expect(await store.getArtifactType('Nope')).toBeUndefined()
    // Kinds are separate namespaces.
    expect(await store.getExecutionType('Examples')).toBeUndefined()
    expect((await store.getArtifactTypes()).map((t) => t.name)).toEqual(['Examples'])
    expect((await store.getExecutionTypes()).map((t) => t.name)).toEqual(['Trainer'])
    expect((await store.getContextTypes()).map((t) => t.name)).toEqual(['pipeline'])
  })

  it('is idempotent and adds new properties (can_add_fields), keeping omitted ones', async () => {
    const store = openTempStore()
    const id = await store.putArtifactType({ name: 'Examples', properties: { span: 'INT' } })
    expect(await store.putArtifactType({ name: 'Examples', properties: { span: 'INT' } })).toBe(id)
    expect(await store.putArtifactType({ name: 'Examples', properties: { version: 'INT' } })).toBe(id)
    expect(await store.putArtifactType({ name: 'Examples' })).toBe(id)
    expect((await store.getArtifactType('Examples'))?.properties).toEqual({ span: 'INT', version: 'INT' })
    expect(await store.getArtifactTypes()).toHaveLength(1)
  })

  it('refuses to change the type of a declared property', async () => {
    const store = openTempStore()
    await store.putArtifactType({ name: 'Examples', properties: { span: 'INT' } })
    const error = await caught(() => store.putArtifactType({ name: 'Examples', properties: { span: 'STRING', extra: 'INT' } }))
    expect(error).toBeInstanceOf(MetadataError)
    expect(error.code).toBe('SLUICE_METADATA_TYPE_CONFLICT')
    expect(error.retryable).toBe(false)
    expect(error.message).toContain('Examples')
    expect(error.message).toContain('"span"')
    expect(error.message).toContain('INT')
    // The failed call changed nothing, not even the property it would have added.
    expect((await store.getArtifactType('Examples'))?.properties).toEqual({ span: 'INT' })
  })

  it('rejects invalid property types and base types', async () => {
    const store = openTempStore()
    const badProperty = await caught(() => store.putArtifactType({ name: 'X', properties: { p: 'FLOAT' as 'INT' } }))
    expect(badProperty.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
    expect(badProperty.message).toContain('"p"')
    const badBase = await caught(() => store.putExecutionType({ name: 'X', baseType: 'DATASET' as 'TRAIN' }))
    expect(badBase.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
    const noName = await caught(() => store.putContextType({ name: '' }))
    expect(noName.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
  })

  it('updates description and version when given again', async () => {
    const store = openTempStore()
    await store.putArtifactType({ name: 'Model', description: 'old' })
    await store.putArtifactType({ name: 'Model', description: 'new', version: '2' })
    expect(await store.getArtifactType('Model')).toMatchObject({ description: 'new', version: '2' })
  })
})
