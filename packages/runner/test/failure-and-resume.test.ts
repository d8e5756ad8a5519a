import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { Examples, ExecutorError, IntegerArtifact, Model, Pipeline, StringArtifact, component, isSluiceError, z } from '@sluice/core'
import { RunError } from '../src/index.js'
import { eventsOf, execution, executionsOf, openStore, outputId, run, runContext, statuses, tempDir } from './helpers.js'

// Gen ─┬─ Flaky ─ After ─ End
//      └─ Sibling(label) ─ SiblingDown
const state = { broken: true, calls: {} as Record<string, number> }
const called = (id: string) => (state.calls[id] = (state.calls[id] ?? 0) + 1)

const Gen = component({ name: 'Gen', outputs: { examples: Examples } }, ({ outputs }) => {
  called('Gen')
  fs.writeFileSync(path.join(outputs.examples.uri, 'data.txt'), 'rows')
})
const Flaky = component({ name: 'Flaky', inputs: { examples: Examples }, outputs: { model: Model } }, ({ outputs }) => {
  called('Flaky')
  // Half-written output that must never be published.
  fs.writeFileSync(path.join(outputs.model.uri, 'partial.bin'), 'half')
  if (state.broken) throw new Error('boom: the trainer diverged')
  fs.writeFileSync(path.join(outputs.model.uri, 'model.bin'), 'full')
})
const After = component({ name: 'After', inputs: { model: Model }, outputs: { size: IntegerArtifact } }, ({ inputs }) => {
  called('After')
  return { size: fs.readdirSync(inputs.model.uri).length }
})
const End = component({ name: 'End', inputs: { size: IntegerArtifact }, outputs: { text: StringArtifact } }, ({ inputs }) => {
  called('End')
  return { text: `size ${inputs.size}` }
})
const Sibling = component(
  { name: 'Sibling', inputs: { examples: Examples }, outputs: { note: StringArtifact }, parameters: z.object({ label: z.string().default('s') }) },
  ({ parameters }) => {
    called('Sibling')
    return { note: parameters.label }
  },
)
const SiblingDown = component({ name: 'SiblingDown', inputs: { note: StringArtifact }, outputs: { echo: StringArtifact } }, ({ inputs }) => {
  called('SiblingDown')
  return { echo: inputs.note }
})

function setup(name = 'flaky') {
  const dir = tempDir()
  state.broken = true
  const build = (label = 's') => {
    const gen = Gen({})
    const flaky = Flaky({ examples: gen.outputs.examples })
    const after = After({ model: flaky.outputs.model })
    const end = End({ size: after.outputs.size })
    const sibling = Sibling({ examples: gen.outputs.examples, label })
    const siblingDown = SiblingDown({ note: sibling.outputs.note })
    return new Pipeline({ name, root: path.join(dir, 'root'), components: [gen, flaky, after, end, sibling, siblingDown] })
  }
  return { dir, build }
}

function resetCalls() {
  state.calls = {}
}

describe('a node that throws', () => {
  test('fails only its own branch: FAILED with error properties, no outputs recorded, downstream SKIPPED, run FAILED', async () => {
    const { build } = setup()
    const pipeline = build()
    resetCalls()
    const result = await run(pipeline, { runId: 'broken' })
    expect(result.status).toBe('FAILED')
    expect(statuses(result)).toEqual({ Gen: 'COMPLETE', Flaky: 'FAILED', After: 'SKIPPED', End: 'SKIPPED', Sibling: 'COMPLETE', SiblingDown: 'COMPLETE' })
    expect(result.nodes.Flaky!.error).toMatchObject({ code: 'SLUICE_EXECUTOR_FAILED', message: 'boom: the trainer diverged', retryable: false })
    expect(result.nodes.Flaky!.outputs).toEqual({})
    expect(result.nodes.After!.reason).toContain('Flaky')
    expect(state.calls).toEqual({ Gen: 1, Flaky: 1, Sibling: 1, SiblingDown: 1 })

    const store = openStore(pipeline)
    const flaky = await execution(store, result.nodes.Flaky!.executionId)
    expect(flaky.state).toBe('FAILED')
    expect(flaky.customProperties).toMatchObject({ error_code: 'SLUICE_EXECUTOR_FAILED', error_message: 'boom: the trainer diverged', node_id: 'Flaky', attempts: 1 })
    // Its input was recorded, its outputs were not.
    expect(await eventsOf(store, flaky.id!, 'INPUT')).toHaveLength(1)
    expect(await eventsOf(store, flaky.id!, 'OUTPUT')).toEqual([])
    expect(await store.getArtifacts({ property: { name: 'producer_node', value: 'Flaky', custom: true } })).toEqual([])
    const flakyDir = path.join(path.dirname(pipeline.metadataPath), 'Flaky')
    expect(fs.existsSync(path.join(flakyDir, 'model', String(flaky.id), 'partial.bin'))).toBe(true)
    const live = await store.getArtifacts({ state: 'LIVE' })
    expect(live.filter((a) => a.uri.startsWith(flakyDir))).toEqual([])
    // Skipped nodes never got an execution.
    expect(await executionsOf(store, pipeline, 'After')).toEqual([])
    expect(await executionsOf(store, pipeline, 'End')).toEqual([])
    const ctx = await runContext(store, 'broken')
    expect(ctx.customProperties).toMatchObject({ status: 'FAILED' })
    // The run context remembers every node, including those that never got an execution.
    expect(ctx.customProperties?.node_statuses).toMatchObject({
      Flaky: { status: 'FAILED', execution_id: flaky.id },
      After: { status: 'SKIPPED', reason: expect.stringContaining('Flaky') },
      Sibling: { status: 'COMPLETE' },
    })
    expect(ctx.customProperties?.end_time).toEqual(expect.any(Number))
    // The executor's log lines and the error are kept beside the execution.
    const log = fs.readFileSync(path.join(flakyDir, '.system', 'executor_execution', String(flaky.id), 'executor.log'), 'utf8')
    expect(log).toContain('boom: the trainer diverged')
  })

  test('leaves a consistent SQLite file with no execution RUNNING', async () => {
    const { build } = setup()
    const pipeline = build()
    await run(pipeline)
    const db = new Database(pipeline.metadataPath, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('foreign_key_check')).toEqual([])
      const RUNNING = 2 // MLMD's Execution.State number
      expect(db.prepare('SELECT COUNT(*) AS n FROM Execution WHERE last_known_state = ?').get(RUNNING)).toEqual({ n: 0 })
      expect((db.prepare('SELECT COUNT(*) AS n FROM Execution').get() as { n: number }).n).toBe(4)
    } finally {
      db.close()
    }
  })

  test('a thrown SluiceError keeps its code; an output left empty or a value not returned fails with SLUICE_OUTPUT_MISSING', async () => {
    const dir = tempDir()
    const Coded = component({ name: 'Coded', outputs: { note: StringArtifact } }, () => {
      throw new ExecutorError('the bucket is gone', { code: 'MY_BUCKET_GONE' })
    })
    const Empty = component({ name: 'Empty', outputs: { model: Model } }, () => {})
    const NoValue = component({ name: 'NoValue', outputs: { n: IntegerArtifact } }, () => ({}) as { n: number })
    const pipeline = new Pipeline({ name: 'errors', root: dir, components: [Coded({}), Empty({}), NoValue({})] })
    const result = await run(pipeline)
    expect(result.nodes.Coded!.error).toMatchObject({ code: 'MY_BUCKET_GONE', message: 'the bucket is gone' })
    expect(result.nodes.Empty!.error?.code).toBe('SLUICE_OUTPUT_MISSING')
    expect(result.nodes.Empty!.error?.message).toContain('"model"')
    expect(result.nodes.NoValue!.error?.code).toBe('SLUICE_OUTPUT_MISSING')
    const store = openStore(pipeline)
    expect((await execution(store, result.nodes.Coded!.executionId)).customProperties?.error_code).toBe('MY_BUCKET_GONE')
  })
})

describe('resume', () => {
  test('reuses what the failed run completed and runs the failed node and its downstream', async () => {
    const { build } = setup()
    const pipeline = build()
    const failed = await run(pipeline, { runId: 'attempt' })
    expect(failed.status).toBe('FAILED')

    state.broken = false
    resetCalls()
    const events: string[] = []
    const resumed = await run(build(), { resume: 'attempt', onEvent: (e) => e.type === 'run-start' && events.push(`resumed=${e.resumed}`) })
    expect(events).toEqual(['resumed=true'])
    expect(resumed.runId).toBe('attempt')
    expect(resumed.status).toBe('COMPLETE')
    expect(statuses(resumed)).toEqual({ Gen: 'REUSED', Flaky: 'COMPLETE', After: 'COMPLETE', End: 'COMPLETE', Sibling: 'REUSED', SiblingDown: 'REUSED' })
    expect(state.calls).toEqual({ Flaky: 1, After: 1, End: 1 })
    for (const id of ['Gen', 'Sibling', 'SiblingDown']) {
      expect(resumed.nodes[id]!.executionId).toBe(failed.nodes[id]!.executionId)
      for (const key of Object.keys(failed.nodes[id]!.outputs)) expect(outputId(resumed, id, key)).toBe(outputId(failed, id, key))
    }
    // Flaky consumed the same examples as in the first attempt.
    const store = openStore(pipeline)
    const [input] = await eventsOf(store, resumed.nodes.Flaky!.executionId!, 'INPUT')
    expect(input!.artifactId).toBe(outputId(failed, 'Gen', 'examples'))
    const ctx = await runContext(store, 'attempt')
    expect(ctx.customProperties).toMatchObject({ status: 'COMPLETE' })
    expect(ctx.customProperties?.resumed_time).toEqual(expect.any(Number))
    // Both attempts' executions belong to the one run.
    const states = (await store.getExecutions({ contextId: ctx.id! })).map((e) => e.state)
    expect(states.filter((s) => s === 'FAILED')).toHaveLength(1)
    expect(states.filter((s) => s === 'COMPLETE')).toHaveLength(6)
  })

  test('runs again a node whose cache key changed since the failed attempt', async () => {
    const { build } = setup()
    const failed = await run(build(), { runId: 'attempt' })
    state.broken = false
    resetCalls()
    const resumed = await run(build('changed'), { resume: 'attempt' })
    expect(statuses(resumed)).toEqual({ Gen: 'REUSED', Flaky: 'COMPLETE', After: 'COMPLETE', End: 'COMPLETE', Sibling: 'COMPLETE', SiblingDown: 'COMPLETE' })
    expect(outputId(resumed, 'Sibling', 'note')).not.toBe(outputId(failed, 'Sibling', 'note'))
  })

  test('refuses an unknown run, a completed run and a run of another pipeline with RunErrors', async () => {
    const { build } = setup()
    const pipeline = build()
    const caught = async (p: Promise<unknown>) => p.then(() => undefined, (error: unknown) => error)

    const unknown = await caught(run(pipeline, { resume: 'no-such-run' }))
    expect(unknown).toBeInstanceOf(RunError)
    expect(isSluiceError(unknown) && unknown.code).toBe('SLUICE_RUN_NOT_FOUND')
    expect((unknown as Error).message).toContain('no-such-run')

    state.broken = false
    await run(pipeline, { runId: 'done' })
    const complete = await caught(run(pipeline, { resume: 'done' }))
    expect(complete).toBeInstanceOf(RunError)
    expect(isSluiceError(complete) && complete.code).toBe('SLUICE_RUN_ALREADY_COMPLETE')

    const other = new Pipeline({ name: 'other', root: path.dirname(pipeline.metadataPath), components: [Gen({})] })
    const foreign = await caught(run(other, { resume: 'done' }))
    expect(isSluiceError(foreign) && foreign.code).toBe('SLUICE_RUN_OTHER_PIPELINE')

    const duplicate = await caught(run(pipeline, { runId: 'done' }))
    expect(isSluiceError(duplicate) && duplicate.code).toBe('SLUICE_RUN_EXISTS')
  })
})
