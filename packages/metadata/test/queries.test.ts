import { beforeEach, describe, expect, it } from 'vitest'
import type { MetadataStore } from '@sluice/metadata'
import { openStoreWithTypes } from './support.js'

describe('queries', () => {
  let store: MetadataStore
  let ids: number[]
  let contextId: number

  beforeEach(async () => {
    store = await openStoreWithTypes()
    ids = await store.putArtifacts([
      { type: 'Examples', uri: '/e/1', state: 'LIVE', properties: { span: 1, split_names: 'train' }, customProperties: { tag: 'a', rows: 10 } },
      { type: 'Examples', uri: '/e/2', state: 'PENDING', properties: { span: 2 }, customProperties: { tag: 'b', ok: true } },
      { type: 'Model', uri: '/m/1', state: 'LIVE', properties: { accuracy: 2 }, customProperties: { tag: 'a', rows: 2.5 } },
      { type: 'Examples', uri: '/e/1', state: 'DELETED', properties: { span: 3 }, customProperties: { meta: { k: 1 } } },
      { type: 'Model', uri: '/m/2', state: 'LIVE', properties: { accuracy: 0.75 }, customProperties: { span: 1 } },
    ])
    ;[contextId] = (await store.putContexts([{ type: 'pipeline', name: 'p' }])) as [number]
    await store.putAttributionsAndAssociations(
      [ids[1], ids[3], ids[4]].map((artifactId) => ({ artifactId: artifactId as number, contextId })),
      [],
    )
  })

  const uris = async (q: Parameters<MetadataStore['getArtifacts']>[0]) => (await store.getArtifacts(q)).map((a) => a.id)

  it('filters artifacts by type, uri, state and context', async () => {
    expect(await uris(undefined)).toEqual(ids)
    expect(await uris({ type: 'Model' })).toEqual([ids[2], ids[4]])
    expect(await uris({ type: 'Nope' })).toEqual([])
    expect(await uris({ uri: '/e/1' })).toEqual([ids[0], ids[3]])
    expect(await uris({ state: 'LIVE' })).toEqual([ids[0], ids[2], ids[4]])
    expect(await uris({ type: 'Examples', state: 'LIVE' })).toEqual([ids[0]])
    expect(await uris({ contextId })).toEqual([ids[1], ids[3], ids[4]])
    expect(await uris({ contextId, type: 'Model' })).toEqual([ids[4]])
    expect(await uris({ contextId: 999 })).toEqual([])
  })

  it('filters by property value, typed or custom', async () => {
    expect(await uris({ property: { name: 'span', value: 1 } })).toEqual([ids[0], ids[4]])
    expect(await uris({ property: { name: 'span', value: 1, custom: false } })).toEqual([ids[0]])
    expect(await uris({ property: { name: 'span', value: 1, custom: true } })).toEqual([ids[4]])
    expect(await uris({ property: { name: 'tag', value: 'a' } })).toEqual([ids[0], ids[2]])
    expect(await uris({ property: { name: 'ok', value: true } })).toEqual([ids[1]])
    expect(await uris({ property: { name: 'rows', value: 2.5 } })).toEqual([ids[2]])
    // An integer finds typed DOUBLE properties holding an integral value too.
    expect(await uris({ property: { name: 'accuracy', value: 2 } })).toEqual([ids[2]])
    expect(await uris({ property: { name: 'meta', value: { k: 1 } } })).toEqual([ids[3]])
    expect(await uris({ property: { name: 'split_names', value: 'train' }, type: 'Examples', state: 'LIVE' })).toEqual([ids[0]])
  })

  it('orders and limits', async () => {
    expect(await uris({ order: 'id-desc' })).toEqual([...ids].reverse())
    expect(await uris({ order: 'id-desc', limit: 2 })).toEqual([ids[4], ids[3]])
    expect(await uris({ type: 'Examples', order: 'id-asc', limit: 2 })).toEqual([ids[0], ids[1]])
    expect(await uris({ contextId, order: 'id-desc', limit: 1 })).toEqual([ids[4]])
    expect(await uris({ limit: 0 })).toEqual([])
  })

  it('filters executions by state list, context and property', async () => {
    const states = ['NEW', 'RUNNING', 'COMPLETE', 'FAILED', 'CACHED', 'CANCELED', 'COMPLETE'] as const
    const executionIds = await store.putExecutions(states.map((state, i) => ({ type: 'Trainer', state, properties: { num_steps: i } })))
    await store.putAttributionsAndAssociations([], executionIds.slice(2).map((executionId) => ({ executionId, contextId })))
    const found = async (q: Parameters<MetadataStore['getExecutions']>[0]) => (await store.getExecutions(q)).map((e) => e.id)
    expect(await found({ state: 'COMPLETE' })).toEqual([executionIds[2], executionIds[6]])
    expect(await found({ state: ['COMPLETE', 'CACHED'], order: 'id-desc' })).toEqual([executionIds[6], executionIds[4], executionIds[2]])
    expect(await found({ state: [] })).toEqual([])
    expect(await found({ contextId, state: ['COMPLETE', 'CACHED'], order: 'id-desc', limit: 2 })).toEqual([executionIds[6], executionIds[4]])
    expect(await found({ type: 'Trainer', property: { name: 'num_steps', value: 3 } })).toEqual([executionIds[3]])
    expect(await found({ type: 'ExampleGen' })).toEqual([])
  })

  it('filters contexts by type and name', async () => {
    await store.putContexts([
      { type: 'pipeline_run', name: 'r1' },
      { type: 'pipeline_run', name: 'r2' },
      { type: 'node', name: 'p' },
    ])
    expect((await store.getContexts({ type: 'pipeline_run', order: 'id-desc' })).map((c) => c.name)).toEqual(['r2', 'r1'])
    expect((await store.getContexts({ name: 'p' })).map((c) => c.type)).toEqual(['pipeline', 'node'])
    expect((await store.getContexts({ limit: 1 })).map((c) => c.name)).toEqual(['p'])
  })

  it('rejects malformed queries clearly', async () => {
    await expect(store.getArtifacts({ state: 'ALIVE' as 'LIVE' })).rejects.toThrow(/"ALIVE" is not an artifact state/)
    await expect(store.getArtifacts({ limit: -5 })).rejects.toThrow(/limit -5/)
    await expect(store.getArtifacts({ order: 'newest' as 'id-desc' })).rejects.toThrow(/order "newest"/)
  })
})
