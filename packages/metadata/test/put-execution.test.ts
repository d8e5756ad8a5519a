import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { MetadataStore, PutExecutionInput } from '@sluice/metadata'
import { caught, openStoreWithTypes } from './support.js'

function counts(store: MetadataStore): Record<string, number> {
  const db = new Database(store.location, { readonly: true })
  try {
    const tables = ['Artifact', 'ArtifactProperty', 'Execution', 'ExecutionProperty', 'Context', 'Event', 'EventPath', 'Association', 'Attribution']
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]))
  } finally {
    db.close()
  }
}

function publish(inputId: number, run: string): PutExecutionInput {
  return {
    execution: { type: 'Trainer', state: 'COMPLETE', properties: { num_steps: 100 }, customProperties: { module_file: 'model.ts' } },
    artifactEventPairs: [
      { artifact: { id: inputId, type: 'Examples', uri: '/gen/examples/1', state: 'LIVE' }, event: { type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }] } },
      { artifact: { type: 'Model', uri: `/trainer/model/${run}`, state: 'LIVE', properties: { accuracy: 0.9 } }, event: { type: 'OUTPUT', path: [{ key: 'model' }, { index: 0 }] } },
    ],
    contexts: [
      { type: 'pipeline', name: 'taxi' },
      { type: 'pipeline_run', name: run },
      { type: 'node', name: 'taxi.Trainer' },
    ],
  }
}

describe('putExecution', () => {
  it('publishes execution, artifacts, events, contexts and links together', async () => {
    const store = await openStoreWithTypes()
    const [inputId] = await store.putArtifacts([{ type: 'Examples', uri: '/gen/examples/1', state: 'LIVE', properties: { span: 1 } }])
    const result = await store.putExecution(publish(inputId as number, 'run-1'))
    expect(result.artifactIds[0]).toBe(inputId)
    expect(result.contextIds).toHaveLength(3)

    const events = await store.getEventsByExecutionIds([result.executionId])
    expect(events).toEqual([
      { artifactId: inputId, executionId: result.executionId, type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }], time: expect.any(Number) },
      { artifactId: result.artifactIds[1], executionId: result.executionId, type: 'OUTPUT', path: [{ key: 'model' }, { index: 0 }], time: expect.any(Number) },
    ])
    for (const contextId of result.contextIds) {
      expect((await store.getExecutions({ contextId })).map((e) => e.id)).toEqual([result.executionId])
      expect((await store.getArtifacts({ contextId })).map((a) => a.id)).toEqual(result.artifactIds)
    }
    expect((await store.getContextsByExecution(result.executionId)).map((c) => c.name)).toEqual(['taxi', 'run-1', 'taxi.Trainer'])
    expect((await store.getContextsByArtifact(result.artifactIds[1] as number)).map((c) => c.id)).toEqual(result.contextIds)
    // The unchanged input was not rewritten.
    const [input] = await store.getArtifactsById([inputId as number])
    expect(input?.properties).toEqual({ span: 1 })
    expect(input?.updateTime).toBe(input?.createTime)

    // A second run reuses the pipeline and node contexts.
    const second = await store.putExecution(publish(inputId as number, 'run-2'))
    expect(second.contextIds[0]).toBe(result.contextIds[0])
    expect(second.contextIds[2]).toBe(result.contextIds[2])
    expect(second.contextIds[1]).not.toBe(result.contextIds[1])
    expect(await store.getContexts()).toHaveLength(4)
  })

  it('writes nothing when any part of the call is invalid', async () => {
    const store = await openStoreWithTypes()
    const [inputId] = await store.putArtifacts([{ type: 'Examples', uri: '/gen/examples/1', state: 'LIVE' }])
    await store.putExecution(publish(inputId as number, 'run-1'))
    const before = counts(store)

    const badArtifact = publish(inputId as number, 'run-2')
    badArtifact.artifactEventPairs?.push({ artifact: { type: 'Unknown', uri: '/x', state: 'LIVE' }, event: { type: 'OUTPUT' } })
    const error = await caught(() => store.putExecution(badArtifact))
    expect(error.code).toBe('SLUICE_METADATA_NOT_FOUND')
    expect(error.message).toContain('"Unknown"')
    expect(counts(store)).toEqual(before)

    const badContext = publish(inputId as number, 'run-3')
    badContext.contexts?.push({ type: 'pipeline', name: '' })
    await caught(() => store.putExecution(badContext))
    expect(counts(store)).toEqual(before)

    const badEvent = publish(inputId as number, 'run-4')
    badEvent.artifactEventPairs?.push({ artifact: { type: 'Model', uri: '/y', state: 'LIVE' }, event: { type: 'EATEN' as 'INPUT' } })
    await caught(() => store.putExecution(badEvent))
    expect(counts(store)).toEqual(before)
  })

  it('merges the events of an artifact that feeds two inputs, as TFX does', async () => {
    const store = await openStoreWithTypes()
    const [inputId] = await store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE' }])
    const artifact = { id: inputId as number, type: 'Examples', uri: '/e', state: 'LIVE' } as const
    const { executionId } = await store.putExecution({
      execution: { type: 'Trainer', state: 'RUNNING' },
      artifactEventPairs: [
        { artifact, event: { type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }] } },
        { artifact, event: { type: 'INPUT', path: [{ key: 'eval_examples' }, { index: 0 }] } },
      ],
    })
    expect(await store.getEventsByExecutionIds([executionId])).toMatchObject([
      { type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }, { key: 'eval_examples' }, { index: 0 }] },
    ])
  })

  it('registers an execution, then publishes its outputs into the same execution (the launcher flow)', async () => {
    const store = await openStoreWithTypes()
    const [inputId] = await store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE' }])
    const contexts = [{ type: 'pipeline', name: 'taxi' }, { type: 'node', name: 'taxi.Trainer' }]
    const registered = await store.putExecution({
      execution: { type: 'Trainer', state: 'RUNNING' },
      artifactEventPairs: [{ artifact: { id: inputId as number, type: 'Examples', uri: '/e', state: 'LIVE' }, event: { type: 'INPUT' } }],
      contexts,
    })
    const published = await store.putExecution({
      execution: { id: registered.executionId, type: 'Trainer', state: 'COMPLETE' },
      artifactEventPairs: [{ artifact: { type: 'Model', uri: '/m', state: 'LIVE' }, event: { type: 'OUTPUT' } }],
      contexts,
    })
    expect(published.executionId).toBe(registered.executionId)
    expect(published.contextIds).toEqual(registered.contextIds)
    expect((await store.getExecutionsById([registered.executionId]))[0]?.state).toBe('COMPLETE')
    expect((await store.getEventsByExecutionIds([registered.executionId])).map((e) => e.type)).toEqual(['INPUT', 'OUTPUT'])
    expect(await store.getExecutions({ contextId: registered.contextIds[0] as number })).toHaveLength(1)
  })

  it('attributes artifacts given without an event', async () => {
    const store = await openStoreWithTypes()
    const { artifactIds, contextIds } = await store.putExecution({
      execution: { type: 'ExampleGen', state: 'COMPLETE' },
      artifactEventPairs: [{ artifact: { type: 'Examples', uri: '/e', state: 'LIVE' } }],
      contexts: [{ type: 'pipeline', name: 'p' }],
    })
    expect(await store.getEventsByArtifactIds(artifactIds)).toEqual([])
    expect((await store.getArtifacts({ contextId: contextIds[0] as number })).map((a) => a.id)).toEqual(artifactIds)
  })
})

describe('events and links', () => {
  it('refuses events whose nodes do not exist and duplicated events', async () => {
    const store = await openStoreWithTypes()
    const [artifactId] = await store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE' }])
    const [executionId] = await store.putExecutions([{ type: 'Trainer', state: 'RUNNING' }])
    const missing = await caught(() => store.putEvents([{ artifactId: artifactId as number, executionId: 77, type: 'INPUT' }]))
    expect(missing.code).toBe('SLUICE_METADATA_NOT_FOUND')
    expect(missing.message).toContain('execution 77')
    await store.putEvents([{ artifactId: artifactId as number, executionId: executionId as number, type: 'INPUT', time: 1234 }])
    expect(await store.getEventsByArtifactIds([artifactId as number])).toEqual([
      { artifactId, executionId, type: 'INPUT', path: [], time: 1234 },
    ])
    const duplicate = await caught(() => store.putEvents([{ artifactId: artifactId as number, executionId: executionId as number, type: 'INPUT' }]))
    expect(duplicate.code).toBe('SLUICE_METADATA_ALREADY_EXISTS')
    // Another type between the same pair is a different event.
    await store.putEvents([{ artifactId: artifactId as number, executionId: executionId as number, type: 'OUTPUT' }])
  })

  it('ignores duplicate attributions and associations and names missing nodes', async () => {
    const store = await openStoreWithTypes()
    const [artifactId] = await store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE' }])
    const [executionId] = await store.putExecutions([{ type: 'Trainer', state: 'RUNNING' }])
    const [contextId] = await store.putContexts([{ type: 'pipeline', name: 'p' }])
    const links = [{ artifactId: artifactId as number, contextId: contextId as number }]
    const associations = [{ executionId: executionId as number, contextId: contextId as number }]
    await store.putAttributionsAndAssociations(links, associations)
    await store.putAttributionsAndAssociations([...links, ...links], [...associations, ...associations])
    expect(await store.getArtifacts({ contextId: contextId as number })).toHaveLength(1)
    expect(await store.getExecutions({ contextId: contextId as number })).toHaveLength(1)
    const missing = await caught(() => store.putAttributionsAndAssociations([{ artifactId: artifactId as number, contextId: 99 }], []))
    expect(missing.code).toBe('SLUICE_METADATA_NOT_FOUND')
    expect(missing.message).toContain('Context 99')
  })

  it('links parent contexts and refuses cycles', async () => {
    const store = await openStoreWithTypes()
    const [pipeline, run, node] = (await store.putContexts([
      { type: 'pipeline', name: 'taxi' },
      { type: 'pipeline_run', name: 'run-1' },
      { type: 'node', name: 'taxi.Trainer' },
    ])) as [number, number, number]
    await store.putParentContexts([{ childId: run, parentId: pipeline }, { childId: node, parentId: run }])
    await store.putParentContexts([{ childId: run, parentId: pipeline }])
    expect((await store.getParentContexts(node)).map((c) => c.id)).toEqual([run])
    expect((await store.getChildContexts(pipeline)).map((c) => c.id)).toEqual([run])
    expect(await store.getParentContexts(pipeline)).toEqual([])
    const cycle = await caught(() => store.putParentContexts([{ childId: pipeline, parentId: node }]))
    expect(cycle.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
    expect(cycle.message).toContain('cycle')
    const self = await caught(() => store.putParentContexts([{ childId: node, parentId: node }]))
    expect(self.message).toContain('cycle')
  })
})
