import { describe, expect, it } from 'vitest'
import { caught, openStoreWithTypes } from './support.js'

describe('artifacts, executions and contexts', () => {
  it('inserts and reads back artifacts with every field filled', async () => {
    const store = await openStoreWithTypes()
    const before = Date.now()
    const [id] = await store.putArtifacts([
      { type: 'Examples', uri: '/root/gen/examples/1', state: 'LIVE', name: 'ex-1', externalId: 'ext-1', properties: { span: 3, split_names: '["train","eval"]' } },
    ])
    const [artifact] = await store.getArtifactsById([id as number])
    expect(artifact).toEqual({
      id,
      type: 'Examples',
      typeId: (await store.getArtifactType('Examples'))?.id,
      uri: '/root/gen/examples/1',
      name: 'ex-1',
      externalId: 'ext-1',
      state: 'LIVE',
      properties: { span: 3, split_names: '["train","eval"]' },
      customProperties: {},
      createTime: expect.any(Number),
      updateTime: expect.any(Number),
    })
    expect(artifact?.createTime).toBeGreaterThanOrEqual(before)
    expect(artifact?.updateTime).toBe(artifact?.createTime)
  })

  it('fills properties with {} and returns ids in the order asked, skipping unknown ids', async () => {
    const store = await openStoreWithTypes()
    const ids = await store.putArtifacts([
      { type: 'Model', uri: '/m/1', state: 'PENDING' },
      { type: 'Model', uri: '/m/2', state: 'PENDING' },
    ])
    const got = await store.getArtifactsById([ids[1] as number, 999, ids[0] as number, ids[1] as number])
    expect(got.map((a) => a.uri)).toEqual(['/m/2', '/m/1'])
    expect(got[0]?.properties).toEqual({})
    expect(got[0]?.customProperties).toEqual({})
    expect(await store.getArtifactsById([])).toEqual([])
  })

  it('updates a node when its id is given, keeping unspecified fields and bumping updateTime', async () => {
    const store = await openStoreWithTypes()
    const [id] = await store.putArtifacts([
      { type: 'Examples', uri: '/e', state: 'PENDING', properties: { span: 1 }, customProperties: { note: 'x' } },
    ])
    const [created] = await store.getArtifactsById([id as number])
    await store.putArtifacts([{ id, type: 'Examples', uri: '/e', state: 'LIVE' }])
    const [updated] = await store.getArtifactsById([id as number])
    expect(updated?.state).toBe('LIVE')
    expect(updated?.properties).toEqual({ span: 1 })
    expect(updated?.customProperties).toEqual({ note: 'x' })
    expect(updated?.createTime).toBe(created?.createTime)
    expect(updated?.updateTime).toBeGreaterThan(created?.updateTime as number)

    // An explicit object replaces the whole set.
    await store.putArtifacts([{ id, type: 'Examples', uri: '/e', state: 'LIVE', customProperties: {} }])
    expect((await store.getArtifactsById([id as number]))[0]?.customProperties).toEqual({})
  })

  it('does not touch a node whose update changes nothing', async () => {
    const store = await openStoreWithTypes()
    const [id] = await store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE', properties: { span: 1 } }])
    const [before] = await store.getArtifactsById([id as number])
    await new Promise((resolve) => setTimeout(resolve, 5))
    await store.putArtifacts([{ ...before, uri: '/e' } as never])
    const [after] = await store.getArtifactsById([id as number])
    expect(after?.updateTime).toBe(before?.updateTime)
  })

  it('updates executions and contexts the same way', async () => {
    const store = await openStoreWithTypes()
    const [executionId] = await store.putExecutions([{ type: 'Trainer', state: 'RUNNING', properties: { num_steps: 10 } }])
    await store.putExecutions([{ id: executionId, type: 'Trainer', state: 'COMPLETE' }])
    expect(await store.getExecutionsById([executionId as number])).toMatchObject([
      { id: executionId, type: 'Trainer', state: 'COMPLETE', properties: { num_steps: 10 } },
    ])
    const [contextId] = await store.putContexts([{ type: 'pipeline', name: 'taxi', customProperties: { owner: 'ml' } }])
    await store.putContexts([{ id: contextId, type: 'pipeline', name: 'taxi', customProperties: { owner: 'data' } }])
    expect((await store.getContextsById([contextId as number]))[0]?.customProperties).toEqual({ owner: 'data' })
  })

  it('fails clearly on updates of missing nodes and on type changes', async () => {
    const store = await openStoreWithTypes()
    const missing = await caught(() => store.putArtifacts([{ id: 42, type: 'Examples', uri: '/x', state: 'LIVE' }]))
    expect(missing.code).toBe('SLUICE_METADATA_NOT_FOUND')
    expect(missing.message).toContain('Artifact 42')
    const [id] = await store.putArtifacts([{ type: 'Examples', uri: '/x', state: 'LIVE' }])
    const retype = await caught(() => store.putArtifacts([{ id, type: 'Model', uri: '/x', state: 'LIVE' }]))
    expect(retype.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
    expect(retype.message).toContain('"Examples"')
  })

  it('requires the type to exist and names it', async () => {
    const store = await openStoreWithTypes()
    const error = await caught(() => store.putArtifacts([{ type: 'Schema', uri: '/s', state: 'LIVE' }]))
    expect(error.code).toBe('SLUICE_METADATA_NOT_FOUND')
    expect(error.message).toContain('Artifact type "Schema" does not exist')
    expect(error.message).toContain('putArtifactType')
    const execution = await caught(() => store.putExecutions([{ type: 'Pusher', state: 'NEW' }]))
    expect(execution.message).toContain('putExecutionType')
  })

  it('checks typed properties against the type', async () => {
    const store = await openStoreWithTypes()
    const undeclared = await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE', properties: { spam: 1 } }]))
    expect(undeclared.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
    expect(undeclared.message).toContain('"spam"')
    expect(undeclared.message).toContain('artifact type "Examples"')
    expect(undeclared.message).toContain('customProperties')

    const wrong = await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE', properties: { span: '3' } }]))
    expect(wrong.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
    expect(wrong.message).toContain('"span"')
    expect(wrong.message).toContain('INT')
    const fractional = await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE', properties: { span: 1.5 } }]))
    expect(fractional.message).toContain('INT')
    const notNumber = await caught(() => store.putArtifacts([{ type: 'Model', uri: '/m', state: 'LIVE', properties: { accuracy: true } }]))
    expect(notNumber.message).toContain('DOUBLE')
    // Nothing of a failed call is written.
    expect(await store.getArtifacts()).toEqual([])
  })

  it('accepts a property added to the type by another connection after the type was cached', async () => {
    const store = await openStoreWithTypes()
    await store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE', properties: { span: 1 } }])
    const { openSqliteStore } = await import('@sluice/metadata')
    const other = openSqliteStore(store.location)
    await other.putArtifactType({ name: 'Examples', properties: { version: 'INT' } })
    await other.close()
    await store.putArtifacts([{ type: 'Examples', uri: '/e2', state: 'LIVE', properties: { version: 2 } }])
    expect(await store.getArtifacts({ uri: '/e2' })).toMatchObject([{ properties: { version: 2 } }])
  })

  it('validates states and required fields', async () => {
    const store = await openStoreWithTypes()
    const state = await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'ALIVE' as 'LIVE' }]))
    expect(state.message).toContain('"ALIVE"')
    expect(state.message).toContain('MARKED_FOR_DELETION')
    const uri = await caught(() => store.putArtifacts([{ type: 'Examples', state: 'LIVE' } as never]))
    expect(uri.message).toContain('uri')
    const name = await caught(() => store.putContexts([{ type: 'pipeline', name: '' }]))
    expect(name.message).toContain('name')
  })

  it('keeps names and external ids unique per type', async () => {
    const store = await openStoreWithTypes()
    await store.putArtifacts([{ type: 'Examples', uri: '/a', state: 'LIVE', name: 'n' }])
    const error = await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/b', state: 'LIVE', name: 'n' }]))
    expect(error.code).toBe('SLUICE_METADATA_ALREADY_EXISTS')
    expect(error.message).toContain('name "n"')
    // Same name under another type is fine; unnamed artifacts never collide.
    await store.putArtifacts([{ type: 'Model', uri: '/c', state: 'LIVE', name: 'n' }])
    await store.putArtifacts([{ type: 'Model', uri: '/d', state: 'LIVE' }, { type: 'Model', uri: '/e', state: 'LIVE' }])
  })

  it('round-trips custom properties of every inferred type', async () => {
    const store = await openStoreWithTypes()
    const custom = {
      int: 42,
      negative: -7,
      zero: 0,
      big: Number.MAX_SAFE_INTEGER,
      double: 0.1,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      negInf: Number.NEGATIVE_INFINITY,
      huge: 1e300,
      string: 'héllo "quoted"\n',
      empty: '',
      yes: true,
      no: false,
      struct: { a: [1, 2.5, 'x', null, { b: true }] },
      list: [1, 2, 3],
      nothing: null,
    }
    const [executionId] = await store.putExecutions([{ type: 'ExampleGen', state: 'COMPLETE', customProperties: custom }])
    const [execution] = await store.getExecutionsById([executionId as number])
    expect(execution?.customProperties).toEqual(custom)
    expect(Number.isNaN(execution?.customProperties?.nan)).toBe(true)
    expect(execution?.customProperties?.inf).toBe(Number.POSITIVE_INFINITY)
    expect(execution?.customProperties?.negInf).toBe(Number.NEGATIVE_INFINITY)
    expect(typeof execution?.customProperties?.yes).toBe('boolean')
  })

  it('round-trips typed DOUBLE and STRUCT properties', async () => {
    const store = await openStoreWithTypes()
    await store.putArtifactType({ name: 'Stats', properties: { d: 'DOUBLE', s: 'STRUCT', b: 'BOOLEAN' } })
    for (const d of [2, 0.5, Number.NaN, Number.NEGATIVE_INFINITY]) {
      const [id] = await store.putArtifacts([{ type: 'Stats', uri: '/s', state: 'LIVE', properties: { d, s: { k: [d] }, b: false } }])
      const [artifact] = await store.getArtifactsById([id as number])
      expect(artifact?.properties?.d).toBe(d)
      expect(artifact?.properties?.b).toBe(false)
      expect(artifact?.properties?.s).toEqual({ k: [Number.isFinite(d) ? d : null] }) // JSON has no NaN/Infinity
    }
  })

  it('rejects values that cannot be stored', async () => {
    const store = await openStoreWithTypes()
    const fn = await caught(() => store.putExecutions([{ type: 'ExampleGen', state: 'NEW', customProperties: { f: (() => 1) as never } }]))
    expect(fn.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
    expect(fn.message).toContain('"f"')
    const bigint = await caught(() => store.putExecutions([{ type: 'ExampleGen', state: 'NEW', customProperties: { o: { n: 1n } as never } }]))
    expect(bigint.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
  })

  it('reuses a context with the same (type, name) instead of duplicating it', async () => {
    const store = await openStoreWithTypes()
    const [a] = await store.putContexts([{ type: 'pipeline', name: 'taxi' }])
    const [b, c, d] = await store.putContexts([
      { type: 'pipeline', name: 'taxi', customProperties: { ignored: true } },
      { type: 'pipeline', name: 'taxi' },
      { type: 'node', name: 'taxi' },
    ])
    expect(b).toBe(a)
    expect(c).toBe(a)
    expect(d).not.toBe(a)
    expect(await store.getContexts({ type: 'pipeline' })).toHaveLength(1)
    expect((await store.getContextByTypeAndName('pipeline', 'taxi'))?.customProperties).toEqual({})
    expect(await store.getContextByTypeAndName('pipeline', 'other')).toBeUndefined()
    expect(await store.getContextByTypeAndName('no_such_type', 'taxi')).toBeUndefined()
  })
})
