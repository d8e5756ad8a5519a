import { describe, expect, it } from 'vitest'
import type { MetadataStore } from '@sluice/metadata'
import { openStoreWithTypes } from './support.js'

/** Publishes an execution consuming `inputs` and producing `outputs` new artifacts; returns their ids. */
async function step(store: MetadataStore, inputs: number[], outputs: number): Promise<{ execution: number; outputs: number[] }> {
  const result = await store.putExecution({
    execution: { type: 'Trainer', state: 'COMPLETE' },
    artifactEventPairs: [
      ...inputs.map((id, index) => ({
        artifact: { id, type: 'Examples', uri: `/a/${id}`, state: 'LIVE' as const },
        event: { type: 'INPUT' as const, path: [{ key: 'in' }, { index }] },
      })),
      ...Array.from({ length: outputs }, (_, index) => ({
        artifact: { type: 'Examples', uri: '', state: 'LIVE' as const },
        event: { type: 'OUTPUT' as const, path: [{ key: 'out' }, { index }] },
      })),
    ],
  })
  return { execution: result.executionId, outputs: result.artifactIds.slice(inputs.length) }
}

const ids = (nodes: { id?: number }[]) => nodes.map((n) => n.id)

describe('lineage', () => {
  it('walks a chain up, down and both ways within maxHops', async () => {
    const store = await openStoreWithTypes()
    const [a0] = (await store.putArtifacts([{ type: 'Examples', uri: '/a0', state: 'LIVE' }])) as [number]
    const e1 = await step(store, [a0], 1)
    const a1 = e1.outputs[0] as number
    const e2 = await step(store, [a1], 1)
    const a2 = e2.outputs[0] as number
    const e3 = await step(store, [a2], 1)
    const a3 = e3.outputs[0] as number

    const up1 = await store.getLineage({ artifactIds: [a3], direction: 'upstream', maxHops: 1 })
    expect(ids(up1.artifacts)).toEqual([a3])
    expect(ids(up1.executions)).toEqual([e3.execution])
    expect(up1.events).toMatchObject([{ artifactId: a3, executionId: e3.execution, type: 'OUTPUT', path: [{ key: 'out' }, { index: 0 }] }])

    const up3 = await store.getLineage({ artifactIds: [a3], direction: 'upstream', maxHops: 3 })
    expect(ids(up3.artifacts)).toEqual([a2, a3])
    expect(ids(up3.executions)).toEqual([e2.execution, e3.execution])
    expect(up3.events).toHaveLength(3)

    const upAll = await store.getLineage({ artifactIds: [a3], direction: 'upstream' })
    expect(ids(upAll.artifacts)).toEqual([a0, a1, a2, a3])
    expect(ids(upAll.executions)).toEqual([e1.execution, e2.execution, e3.execution])
    expect(upAll.events).toHaveLength(6)

    const down2 = await store.getLineage({ artifactIds: [a0], direction: 'downstream', maxHops: 2 })
    expect(ids(down2.artifacts)).toEqual([a0, a1])
    expect(ids(down2.executions)).toEqual([e1.execution])

    const both = await store.getLineage({ artifactIds: [a1], direction: 'both', maxHops: 1 })
    expect(ids(both.artifacts)).toEqual([a1])
    expect(ids(both.executions)).toEqual([e1.execution, e2.execution])
    expect(both.events.map((e) => e.type).sort()).toEqual(['INPUT', 'OUTPUT'])

    const none = await store.getLineage({ artifactIds: [a1], direction: 'both', maxHops: 0 })
    expect(ids(none.artifacts)).toEqual([a1])
    expect(none.executions).toEqual([])
    expect(none.events).toEqual([])

    const fromExecution = await store.getLineage({ executionIds: [e2.execution], direction: 'both', maxHops: 1 })
    expect(ids(fromExecution.artifacts)).toEqual([a1, a2])
    expect(ids(fromExecution.executions)).toEqual([e2.execution])
  })

  it('keeps both sides of a diamond and leaves siblings out of "both"', async () => {
    const store = await openStoreWithTypes()
    const [a] = (await store.putArtifacts([{ type: 'Examples', uri: '/a', state: 'LIVE' }])) as [number]
    const left = await step(store, [a], 1)
    const right = await step(store, [a], 1)
    const b = left.outputs[0] as number
    const c = right.outputs[0] as number
    const join = await step(store, [b, c], 1)
    const d = join.outputs[0] as number

    const up = await store.getLineage({ artifactIds: [d], direction: 'upstream' })
    expect(ids(up.artifacts)).toEqual([a, b, c, d])
    expect(ids(up.executions)).toEqual([left.execution, right.execution, join.execution])
    expect(up.events).toHaveLength(7)

    const down = await store.getLineage({ artifactIds: [a], direction: 'downstream' })
    expect(ids(down.artifacts)).toEqual([a, b, c, d])
    expect(down.events).toHaveLength(7)

    const downShort = await store.getLineage({ artifactIds: [a], direction: 'downstream', maxHops: 2 })
    expect(ids(downShort.artifacts)).toEqual([a, b, c])
    expect(downShort.events).toHaveLength(4)

    const both = await store.getLineage({ artifactIds: [b], direction: 'both' })
    expect(ids(both.artifacts)).toEqual([a, b, d])
    expect(ids(both.executions)).toEqual([left.execution, join.execution])
    expect(both.events).toHaveLength(4) // a→left→b upstream, b→join→d downstream
  })

  it('ignores unknown start ids and rejects bad options', async () => {
    const store = await openStoreWithTypes()
    expect(await store.getLineage({ artifactIds: [12345], direction: 'upstream' })).toEqual({ artifacts: [], executions: [], events: [] })
    await expect(store.getLineage({ artifactIds: [1], direction: 'sideways' as 'both' })).rejects.toThrow(/direction/)
    await expect(store.getLineage({ artifactIds: [1], direction: 'both', maxHops: -1 })).rejects.toThrow(/maxHops/)
  })
})
