import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { Examples, IntegerArtifact, Model, Pipeline, StringArtifact, component, fileParameter, z } from '@sluice/core'
import { ContextTypes, fingerprintPath } from '../src/index.js'
import { eventsOf, execution, executionsOf, openStore, outputId, outputUri, run, runContext, statuses, tempDir } from './helpers.js'

// A small DAG with value artifacts, file parameters and an independent branch:
//
//   Gen(dataFile) ─examples─┬─ Count ─rows─ Double(factor) ─doubled─┐
//                           └─ Train(moduleFile, steps) ─model──────┴─ Publish
//   Side(label) ─note─ Shout
const calls: Record<string, number> = {}
const seen: Record<string, unknown> = {}
const called = (id: string) => (calls[id] = (calls[id] ?? 0) + 1)

const Gen = component(
  { name: 'Gen', outputs: { examples: Examples }, parameters: z.object({ dataFile: fileParameter() }) },
  async ({ outputs, parameters }) => {
    called('Gen')
    const text = fs.readFileSync(parameters.dataFile, 'utf8')
    fs.mkdirSync(path.join(outputs.examples.uri, 'Split-train'))
    fs.writeFileSync(path.join(outputs.examples.uri, 'Split-train', 'data.txt'), text)
    // Executors set output properties in place; the runner must record them.
    outputs.examples.properties.splitNames = ['train', 'eval']
    outputs.examples.properties.span = 7
    outputs.examples.customProperties.payload_format = 'text'
  },
)
const Count = component({ name: 'Count', inputs: { examples: Examples }, outputs: { rows: IntegerArtifact } }, async ({ inputs }) => {
  called('Count')
  return { rows: fs.readFileSync(path.join(inputs.examples.uri, 'Split-train', 'data.txt'), 'utf8').split('\n').filter(Boolean).length }
})
const Double = component(
  { name: 'Double', inputs: { rows: IntegerArtifact }, outputs: { doubled: IntegerArtifact }, parameters: z.object({ factor: z.number().default(2) }) },
  ({ inputs, parameters }) => {
    called('Double')
    seen.doubleInput = inputs.rows
    return { doubled: inputs.rows * parameters.factor }
  },
)
const Train = component(
  { name: 'Train', inputs: { examples: Examples }, outputs: { model: Model }, parameters: z.object({ moduleFile: fileParameter(), steps: z.number().default(10) }) },
  async ({ inputs, outputs, parameters }) => {
    called('Train')
    seen.trainSplitNames = inputs.examples.properties.splitNames
    seen.trainSpan = inputs.examples.properties.span
    fs.writeFileSync(path.join(outputs.model.uri, 'model.txt'), `${fs.readFileSync(parameters.moduleFile, 'utf8')} x${parameters.steps}`)
  },
)
const Publish = component({ name: 'Publish', inputs: { model: Model, doubled: IntegerArtifact }, outputs: { report: StringArtifact } }, ({ inputs }) => {
  called('Publish')
  return { report: `${path.basename(inputs.model.uri)}:${inputs.doubled}` }
})
const SideV1 = component({ name: 'Side', outputs: { note: StringArtifact }, parameters: z.object({ label: z.string().default('a') }) }, ({ parameters }) => {
  called('Side')
  return { note: `v1 ${parameters.label}` }
})
const SideV2 = component({ name: 'Side', outputs: { note: StringArtifact }, parameters: z.object({ label: z.string().default('a') }) }, ({ parameters }) => {
  called('Side')
  return { note: `v2 ${parameters.label}` }
})
const Shout = component({ name: 'Shout', inputs: { note: StringArtifact }, outputs: { loud: StringArtifact } }, ({ inputs }) => {
  called('Shout')
  return { loud: inputs.note.toUpperCase() }
})

interface Variant {
  factor?: number
  steps?: number
  side?: typeof SideV1
}

function setup() {
  const dir = tempDir()
  const dataFile = path.join(dir, 'data.txt')
  const moduleFile = path.join(dir, 'model.ts')
  fs.writeFileSync(dataFile, 'a\nb\nc\n')
  fs.writeFileSync(moduleFile, 'export const layers = 1')
  const build = (v: Variant = {}) => {
    const gen = Gen({ dataFile })
    const count = Count({ examples: gen.outputs.examples })
    const double = Double({ rows: count.outputs.rows, factor: v.factor ?? 2 })
    const train = Train({ examples: gen.outputs.examples, moduleFile, steps: v.steps ?? 10 })
    const publish = Publish({ model: train.outputs.model, doubled: double.outputs.doubled })
    const side = (v.side ?? SideV1)({})
    const shout = Shout({ note: side.outputs.note })
    return new Pipeline({ name: 'dag', root: path.join(dir, 'root'), components: [gen, count, double, train, publish, side, shout] })
  }
  return { dir, dataFile, moduleFile, build }
}

function resetCalls() {
  for (const key of Object.keys(calls)) delete calls[key]
}

const ALL = ['Gen', 'Count', 'Double', 'Train', 'Publish', 'Side', 'Shout']
/** Expected statuses: the listed nodes COMPLETE, the others CACHED. */
function executed(...ids: string[]): Record<string, string> {
  return Object.fromEntries(ALL.map((id) => [id, ids.includes(id) ? 'COMPLETE' : 'CACHED']))
}

describe('a first run', () => {
  test('completes every node, writes outputs under {root}/{nodeId}/{key}/{executionId} and records them LIVE', async () => {
    const { build } = setup()
    const pipeline = build()
    resetCalls()
    const result = await run(pipeline, { runId: 'run-1' })
    expect(result.status).toBe('COMPLETE')
    expect(result.runId).toBe('run-1')
    expect(statuses(result)).toEqual(executed(...ALL))
    expect(calls).toEqual(Object.fromEntries(ALL.map((id) => [id, 1])))

    const store = openStore(pipeline)
    const root = path.join(path.dirname(pipeline.metadataPath), '')
    for (const node of Object.values(result.nodes)) {
      const exec = await execution(store, node.executionId)
      expect(exec.state).toBe('COMPLETE')
      expect(exec.customProperties).toMatchObject({ node_id: node.nodeId, run_id: 'run-1', pipeline_name: 'dag', attempts: 1 })
      expect(typeof exec.customProperties?.cache_key).toBe('string')
      for (const [key, list] of Object.entries(node.outputs)) {
        const published = list[0]!
        const isValue = ['rows', 'doubled', 'report', 'note', 'loud'].includes(key)
        expect(published.uri).toBe(path.join(root, node.nodeId, key, String(node.executionId), ...(isValue ? ['value'] : [])))
        expect(fs.existsSync(published.uri)).toBe(true)
        const [stored] = await store.getArtifactsById([published.id])
        expect(stored).toMatchObject({ state: 'LIVE', uri: published.uri, customProperties: expect.objectContaining({ producer_node: node.nodeId }) })
      }
    }
    expect(fs.readFileSync(outputUri(result, 'Double', 'doubled'), 'utf8')).toBe('6')
    expect(fs.readFileSync(outputUri(result, 'Publish', 'report'), 'utf8')).toBe(`${result.nodes.Train!.executionId}:6`)
  })

  test('records INPUT and OUTPUT events with path [key, index], associations and attributions', async () => {
    const { build } = setup()
    const pipeline = build()
    const result = await run(pipeline, { runId: 'run-1' })
    const store = openStore(pipeline)
    const examplesId = outputId(result, 'Gen', 'examples')
    const rowsId = outputId(result, 'Count', 'rows')
    const countExec = result.nodes.Count!.executionId!

    const inputs = await eventsOf(store, countExec, 'INPUT')
    expect(inputs).toHaveLength(1)
    expect(inputs[0]).toMatchObject({ artifactId: examplesId, path: [{ key: 'examples' }, { index: 0 }] })
    const outputs = await eventsOf(store, countExec, 'OUTPUT')
    expect(outputs).toHaveLength(1)
    expect(outputs[0]).toMatchObject({ artifactId: rowsId, path: [{ key: 'rows' }, { index: 0 }] })
    // Publish has two inputs, each at index 0 of its own key.
    const publishInputs = await eventsOf(store, result.nodes.Publish!.executionId!, 'INPUT')
    expect(publishInputs.map((e) => e.path).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      [{ key: 'doubled' }, { index: 0 }],
      [{ key: 'model' }, { index: 0 }],
    ])

    const contexts = await store.getContextsByExecution(countExec)
    const byType = Object.fromEntries(contexts.map((c) => [c.type, c.name]))
    expect(byType).toMatchObject({ [ContextTypes.pipeline]: 'dag', [ContextTypes.run]: 'run-1', [ContextTypes.node]: 'dag.Count' })
    expect(byType[ContextTypes.cache]).toBe((await execution(store, countExec)).customProperties?.cache_key)

    const attributed = (await store.getContextsByArtifact(rowsId)).map((c) => `${c.type}:${c.name}`)
    expect(attributed).toEqual(expect.arrayContaining(['pipeline:dag', 'pipeline_run:run-1', 'node:dag.Count']))

    const runCtx = await runContext(store, 'run-1')
    expect(runCtx.customProperties?.status).toBe('COMPLETE')
    expect(runCtx.customProperties?.pipeline_name).toBe('dag')
    const start = runCtx.customProperties?.start_time as number
    const end = runCtx.customProperties?.end_time as number
    expect(typeof start).toBe('number')
    expect(end).toBeGreaterThanOrEqual(start)
    expect((await store.getParentContexts(runCtx.id!)).map((c) => `${c.type}:${c.name}`)).toEqual(['pipeline:dag'])
    // The run context holds exactly this run's executions.
    expect((await store.getExecutions({ contextId: runCtx.id! })).map((e) => e.id).sort()).toEqual(
      Object.values(result.nodes).map((n) => n.executionId).sort(),
    )
  })

  test('records output properties an executor set in place, and downstream executors see them', async () => {
    const { build } = setup()
    const pipeline = build()
    const result = await run(pipeline)
    const store = openStore(pipeline)
    const [examples] = await store.getArtifactsById([outputId(result, 'Gen', 'examples')])
    expect(examples!.properties).toEqual({ split_names: '["train","eval"]', span: 7 })
    expect(examples!.customProperties).toMatchObject({ payload_format: 'text', producer_node: 'Gen' })
    expect(result.nodes.Gen!.outputs.examples![0]!.properties).toEqual({ splitNames: ['train', 'eval'], span: 7 })
    expect(seen.trainSplitNames).toEqual(['train', 'eval'])
    expect(seen.trainSpan).toBe(7)
  })

  test('keeps the value of small value artifacts in the store, also after they were consumed', async () => {
    const { build } = setup()
    const pipeline = build()
    const result = await run(pipeline)
    const store = openStore(pipeline)
    const [rows] = await store.getArtifactsById([outputId(result, 'Count', 'rows')])
    expect(rows!.customProperties?.value).toBe(3)
    const [note] = await store.getArtifactsById([outputId(result, 'Side', 'note')])
    expect(note!.customProperties?.value).toBe('v1 a')
  })
})

describe('caching', () => {
  test('a second run executes nothing: every node CACHED with a CACHED execution and the earlier artifacts', async () => {
    const { build } = setup()
    const first = await run(build(), { runId: 'run-1' })
    resetCalls()
    const pipeline = build()
    const second = await run(pipeline, { runId: 'run-2' })
    expect(second.status).toBe('COMPLETE')
    expect(statuses(second)).toEqual(executed())
    expect(calls).toEqual({})
    const store = openStore(pipeline)
    for (const id of ALL) {
      const node = second.nodes[id]!
      expect(node.executionId).not.toBe(first.nodes[id]!.executionId)
      const exec = await execution(store, node.executionId)
      expect(exec.state).toBe('CACHED')
      expect(exec.customProperties).toMatchObject({ run_id: 'run-2', cached_from: first.nodes[id]!.executionId })
      for (const key of Object.keys(first.nodes[id]!.outputs)) {
        expect(outputId(second, id, key)).toBe(outputId(first, id, key))
        // The CACHED execution links the old artifacts as its outputs, and they join the new run's context.
        const outputEvents = await eventsOf(store, node.executionId!, 'OUTPUT')
        expect(outputEvents.map((e) => e.artifactId)).toContain(outputId(first, id, key))
        const contexts = (await store.getContextsByArtifact(outputId(first, id, key))).map((c) => c.name)
        expect(contexts).toEqual(expect.arrayContaining(['run-1', 'run-2']))
      }
      expect((await store.getContextsByExecution(node.executionId!)).map((c) => c.name)).toContain('run-2')
    }
    // Every node has exactly two executions: COMPLETE then CACHED.
    for (const id of ALL) expect((await executionsOf(store, pipeline, id)).map((e) => e.state)).toEqual(['COMPLETE', 'CACHED'])
  })

  test('changing one parameter re-executes that node and its downstream only; cached value inputs still carry their value', async () => {
    const { build } = setup()
    await run(build())
    resetCalls()
    const result = await run(build({ factor: 5 }))
    expect(statuses(result)).toEqual(executed('Double', 'Publish'))
    expect(calls).toEqual({ Double: 1, Publish: 1 })
    // Count was CACHED: Double still got its Integer as a value.
    expect(seen.doubleInput).toBe(3)
    expect(fs.readFileSync(outputUri(result, 'Double', 'doubled'), 'utf8')).toBe('15')

    resetCalls()
    const steps = await run(build({ factor: 5, steps: 20 }))
    expect(statuses(steps)).toEqual(executed('Train', 'Publish'))
    expect(calls).toEqual({ Train: 1, Publish: 1 })
  })

  test('editing a module file given through fileParameter() re-executes that node and its downstream', async () => {
    const { build, moduleFile } = setup()
    await run(build())
    fs.writeFileSync(moduleFile, 'export const layers = 2')
    resetCalls()
    const result = await run(build())
    expect(statuses(result)).toEqual(executed('Train', 'Publish'))
    expect(calls).toEqual({ Train: 1, Publish: 1 })
    expect(fs.readFileSync(path.join(outputUri(result, 'Train', 'model'), 'model.txt'), 'utf8')).toBe('export const layers = 2 x10')
  })

  test('editing a data file given through fileParameter() re-executes its reader and everything downstream', async () => {
    const { build, dataFile } = setup()
    await run(build())
    fs.writeFileSync(dataFile, 'a\nb\nc\nd\n')
    resetCalls()
    const result = await run(build())
    expect(statuses(result)).toEqual(executed('Gen', 'Count', 'Double', 'Train', 'Publish'))
    expect(fs.readFileSync(outputUri(result, 'Double', 'doubled'), 'utf8')).toBe('8')
  })

  test('a changed function component source (same component name) re-executes it and its downstream', async () => {
    const { build } = setup()
    await run(build())
    resetCalls()
    const result = await run(build({ side: SideV2 }))
    expect(statuses(result)).toEqual(executed('Side', 'Shout'))
    expect(fs.readFileSync(outputUri(result, 'Shout', 'loud'), 'utf8')).toBe('V2 A')
  })

  test('deleting the output directory of a cached node re-executes it and, through the new artifact id, its downstream', async () => {
    const { build } = setup()
    const first = await run(build())
    await run(build())
    fs.rmSync(path.dirname(outputUri(first, 'Count', 'rows')), { recursive: true })
    resetCalls()
    const result = await run(build())
    expect(statuses(result)).toEqual(executed('Count', 'Double', 'Publish'))
    expect(outputId(result, 'Count', 'rows')).not.toBe(outputId(first, 'Count', 'rows'))
    expect(fs.existsSync(outputUri(result, 'Count', 'rows'))).toBe(true)
  })

  test('enableCache: false and .withOptions({ cache: false }) execute anyway', async () => {
    const { build } = setup()
    await run(build())
    resetCalls()
    const all = await run(build(), { enableCache: false })
    expect(statuses(all)).toEqual(executed(...ALL))

    resetCalls()
    const pipeline = build()
    pipeline.node('Side').withOptions({ cache: false })
    const one = await run(pipeline)
    // Side re-executes with a new artifact, so Shout's inputs change too.
    expect(statuses(one)).toEqual(executed('Side', 'Shout'))
  })

  test('a pipeline with enableCache: false executes every node', async () => {
    const dir = tempDir()
    const build = () => new Pipeline({ name: 'nocache', root: dir, enableCache: false, components: [SideV1({})] })
    await run(build())
    const again = await run(build())
    expect(statuses(again)).toEqual({ Side: 'COMPLETE' })
  })
})

describe('fingerprintPath', () => {
  test('hashes files by content and directories by their listing of path, size and mtime', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'f.txt')
    expect(await fingerprintPath(file)).toBe('missing')
    fs.writeFileSync(file, 'one')
    const a = await fingerprintPath(file)
    fs.writeFileSync(file, 'two')
    expect(await fingerprintPath(file)).not.toBe(a)
    fs.writeFileSync(file, 'one')
    expect(await fingerprintPath(file)).toBe(a)

    const data = path.join(dir, 'data')
    fs.mkdirSync(path.join(data, 'sub'), { recursive: true })
    fs.writeFileSync(path.join(data, 'sub', 'x.csv'), '1')
    const d1 = await fingerprintPath(data)
    expect(d1).toMatch(/^dir:/)
    expect(await fingerprintPath(data)).toBe(d1)
    fs.writeFileSync(path.join(data, 'y.csv'), '2')
    const d2 = await fingerprintPath(data)
    expect(d2).not.toBe(d1)
    fs.utimesSync(path.join(data, 'y.csv'), new Date(2000, 1, 1), new Date(2000, 1, 1))
    expect(await fingerprintPath(data)).not.toBe(d2)
  })
})

describe('input isolation', () => {
  test("an executor changing its input artifact's properties changes neither other consumers' view nor the store", async () => {
    const dir = tempDir()
    const Make = component({ name: 'Make', outputs: { examples: Examples } }, ({ outputs }) => {
      fs.writeFileSync(path.join(outputs.examples.uri, 'x'), 'x')
      outputs.examples.properties.span = 7
    })
    const Meddle = component({ name: 'Meddle', inputs: { examples: Examples }, outputs: { done: StringArtifact } }, ({ inputs }) => {
      inputs.examples.properties.span = 99
      inputs.examples.customProperties.meddled = true
      return { done: 'yes' }
    })
    let spanSeen: unknown
    const Read = component({ name: 'Read', inputs: { examples: Examples, done: StringArtifact }, outputs: { span: IntegerArtifact } }, ({ inputs }) => {
      spanSeen = inputs.examples.properties.span
      return { span: inputs.examples.properties.span ?? -1 }
    })
    const make = Make({})
    const meddle = Meddle({ examples: make.outputs.examples })
    const read = Read({ examples: make.outputs.examples, done: meddle.outputs.done })
    const pipeline = new Pipeline({ name: 'meddle', root: dir, components: [make, meddle, read] })
    const result = await run(pipeline)
    expect(result.status).toBe('COMPLETE')
    expect(spanSeen).toBe(7)
    const [stored] = await openStore(pipeline).getArtifactsById([outputId(result, 'Make', 'examples')])
    expect(stored!.properties).toEqual({ span: 7 })
    expect(stored!.customProperties?.meddled).toBeUndefined()
  })
})
