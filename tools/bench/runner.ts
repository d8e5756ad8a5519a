// Runner and metadata store benchmark (issue: foundation). Prints, in one run:
//  1. wall time of a 100-node no-op pipeline, cold and fully cached (goals: < 3 s cold, < 1 s cached);
//  2. putExecution (1 execution, 2 artifacts, 3 events, 3 contexts) per second next to a raw
//     better-sqlite3 transaction writing the same rows (goal >= 0.5x raw);
//  3. a cache lookup with 100,000 executions in the store (goal <= 2 ms);
//  4. upstream lineage of one artifact over a 1,000-node chain.
// Every figure is the median of several rounds; ratios are taken within this run.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Examples, Pipeline, component } from '@sluice/core'
import type { AnyNode } from '@sluice/core'
import type { Artifact, Context, MetadataStore } from '@sluice/metadata'
import { openSqliteStore } from '@sluice/metadata'
import { LocalDagRunner } from '@sluice/runner'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-runner-'))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (ms: number) => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`)
const line = (label: string, value: string, goal = '') => console.log(`${label.padEnd(58)} ${value.padStart(14)}  ${goal}`)

// ---- 1. 100-node no-op pipeline: 10 layers of 10 nodes, each reading one node of the layer above.
const Noop = component({ name: 'Noop', inputs: {}, outputs: { out: Examples } }, async ({ outputs }) => {
  fs.writeFileSync(path.join(outputs.out.uri, 'x'), '1')
})
const NoopChild = component({ name: 'NoopChild', inputs: { in: Examples }, outputs: { out: Examples } }, async ({ outputs }) => {
  fs.writeFileSync(path.join(outputs.out.uri, 'x'), '1')
})
function hundredNodePipeline(root: string): Pipeline {
  const nodes: AnyNode[] = []
  let previous: AnyNode[] = []
  for (let layer = 0; layer < 10; layer++) {
    const current: AnyNode[] = []
    for (let i = 0; i < 10; i++) {
      const id = `n${layer}_${i}`
      current.push(layer === 0 ? Noop({ id }) : NoopChild({ id, in: (previous[i] as ReturnType<typeof Noop>).outputs.out }))
    }
    nodes.push(...current)
    previous = current
  }
  return new Pipeline({ name: 'bench100', root, components: nodes })
}
const cold: number[] = []
const cached: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  const root = path.join(tmp, `p100-${r}`)
  const pipeline = hundredNodePipeline(root)
  let t = performance.now()
  const first = await new LocalDagRunner().run(pipeline, { cwd: tmp })
  cold.push(performance.now() - t)
  t = performance.now()
  const second = await new LocalDagRunner().run(pipeline, { cwd: tmp })
  cached.push(performance.now() - t)
  if (first.status !== 'COMPLETE' || Object.values(second.nodes).some((n) => n.status !== 'CACHED')) throw new Error('100-node pipeline did not run as expected')
}
console.log(`\nSluice runner benchmark (${ROUNDS} rounds, medians; ${os.availableParallelism()} cores)\n`)
line('100-node no-op pipeline, cold', fmt(median(cold)), 'goal < 3 s')
line('100-node no-op pipeline, fully cached', fmt(median(cached)), 'goal < 1 s')

// ---- 2. putExecution vs a raw better-sqlite3 transaction of the same rows.
const N_WRITES = 2000
async function storeWrites(store: MetadataStore): Promise<number> {
  await store.putContextType({ name: 'pipeline' })
  await store.putContextType({ name: 'pipeline_run' })
  await store.putContextType({ name: 'node' })
  await store.putExecutionType({ name: 'Trainer' })
  await store.putArtifactType({ name: 'Examples', properties: { span: 'INT', split_names: 'STRING' } })
  const contexts: Context[] = [
    { type: 'pipeline', name: 'p' },
    { type: 'pipeline_run', name: 'r' },
    { type: 'node', name: 'p.Trainer' },
  ]
  const [input] = await store.putArtifacts([{ type: 'Examples', uri: '/in', state: 'LIVE' }])
  const t = performance.now()
  for (let i = 0; i < N_WRITES; i++) {
    const out = (k: number): Artifact => ({ type: 'Examples', uri: `/out/${i}/${k}`, state: 'LIVE', properties: { span: 0, split_names: '["train","eval"]' }, customProperties: { producer_node: 'Trainer' } })
    await store.putExecution({
      execution: { type: 'Trainer', state: 'COMPLETE', customProperties: { node_id: 'Trainer', run_id: 'r' } },
      artifactEventPairs: [
        { artifact: { id: input!, type: 'Examples', uri: '/in', state: 'LIVE' }, event: { type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }] } },
        { artifact: out(0), event: { type: 'OUTPUT', path: [{ key: 'a' }, { index: 0 }] } },
        { artifact: out(1), event: { type: 'OUTPUT', path: [{ key: 'b' }, { index: 0 }] } },
      ],
      contexts,
    })
  }
  return N_WRITES / ((performance.now() - t) / 1000)
}
function rawWrites(file: string): number {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`
    CREATE TABLE execution (id INTEGER PRIMARY KEY, type_id INT, state INT, create_time INT, update_time INT);
    CREATE TABLE execution_property (execution_id INT, name TEXT, is_custom INT, string_value TEXT, PRIMARY KEY (execution_id, name, is_custom));
    CREATE TABLE artifact (id INTEGER PRIMARY KEY, type_id INT, uri TEXT, state INT, create_time INT, update_time INT);
    CREATE INDEX artifact_uri ON artifact (uri);
    CREATE TABLE artifact_property (artifact_id INT, name TEXT, is_custom INT, int_value INT, string_value TEXT, PRIMARY KEY (artifact_id, name, is_custom));
    CREATE TABLE event (id INTEGER PRIMARY KEY, artifact_id INT, execution_id INT, type INT, time INT, UNIQUE (artifact_id, execution_id, type));
    CREATE TABLE event_path (event_id INT, is_index INT, step_index INT, step_key TEXT);
    CREATE TABLE association (id INTEGER PRIMARY KEY, context_id INT, execution_id INT, UNIQUE (context_id, execution_id));
    CREATE TABLE attribution (id INTEGER PRIMARY KEY, context_id INT, artifact_id INT, UNIQUE (context_id, artifact_id));
  `)
  const insExec = db.prepare('INSERT INTO execution (type_id, state, create_time, update_time) VALUES (1, 3, ?, ?)')
  const insExecProp = db.prepare('INSERT INTO execution_property VALUES (?, ?, 1, ?)')
  const insArt = db.prepare('INSERT INTO artifact (type_id, uri, state, create_time, update_time) VALUES (1, ?, 2, ?, ?)')
  const insArtProp = db.prepare('INSERT INTO artifact_property VALUES (?, ?, ?, ?, ?)')
  const insEvent = db.prepare('INSERT INTO event (artifact_id, execution_id, type, time) VALUES (?, ?, ?, ?)')
  const insPath = db.prepare('INSERT INTO event_path VALUES (?, ?, ?, ?)')
  const insAssoc = db.prepare('INSERT OR IGNORE INTO association (context_id, execution_id) VALUES (?, ?)')
  const insAttr = db.prepare('INSERT OR IGNORE INTO attribution (context_id, artifact_id) VALUES (?, ?)')
  const write = db.transaction((i: number) => {
    const now = Date.now()
    const e = Number(insExec.run(now, now).lastInsertRowid)
    insExecProp.run(e, 'node_id', 'Trainer')
    insExecProp.run(e, 'run_id', 'r')
    const arts = [1, 0, 1].map((k, j) => {
      if (j === 0) return 1
      const a = Number(insArt.run(`/out/${i}/${k}`, now, now).lastInsertRowid)
      insArtProp.run(a, 'span', 0, 0, null)
      insArtProp.run(a, 'split_names', 0, null, '["train","eval"]')
      insArtProp.run(a, 'producer_node', 1, null, 'Trainer')
      return a
    })
    arts.forEach((a, j) => {
      const ev = Number(insEvent.run(a, e, j === 0 ? 3 : 4, now).lastInsertRowid)
      insPath.run(ev, 0, null, j === 0 ? 'examples' : `o${j}`)
      insPath.run(ev, 1, 0, null)
    })
    for (const c of [1, 2, 3]) {
      insAssoc.run(c, e)
      for (const a of arts) insAttr.run(c, a)
    }
  })
  db.prepare('INSERT INTO artifact (type_id, uri, state) VALUES (1, ?, 2)').run('/in')
  const t = performance.now()
  for (let i = 0; i < N_WRITES; i++) write(i)
  const rate = N_WRITES / ((performance.now() - t) / 1000)
  db.close()
  return rate
}
const ours: number[] = []
const raw: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  const store = openSqliteStore(path.join(tmp, `writes-${r}.sqlite`))
  ours.push(await storeWrites(store))
  await store.close()
  raw.push(rawWrites(path.join(tmp, `raw-${r}.sqlite`)))
}
const ratios = ours.map((o, i) => o / raw[i]!)
line('putExecution (2 artifacts, 3 events, 3 contexts) per s', median(ours).toFixed(0), '')
line('raw better-sqlite3 transaction, same rows, per s', median(raw).toFixed(0), '')
line('  ratio store / raw', `${median(ratios).toFixed(2)}x`, `goal >= 0.5x (spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`)

// ---- 3. Cache lookup with 100,000 executions in the store.
const N_EXECUTIONS = 100_000
const lookupStore = openSqliteStore(path.join(tmp, 'lookup.sqlite'))
await lookupStore.putContextType({ name: 'execution_cache' })
await lookupStore.putExecutionType({ name: 'Trainer' })
await lookupStore.putArtifactType({ name: 'Model' })
let t0 = performance.now()
const BATCH = 5000
for (let start = 0; start < N_EXECUTIONS; start += BATCH) {
  await lookupStore.transaction(async () => {
    for (let i = start; i < start + BATCH; i++) {
      await lookupStore.putExecution({
        execution: { type: 'Trainer', state: 'COMPLETE', customProperties: { node_id: 'Trainer' } },
        artifactEventPairs: [{ artifact: { type: 'Model', uri: `/m/${i}`, state: 'LIVE' }, event: { type: 'OUTPUT', path: [{ key: 'model' }, { index: 0 }] } }],
        contexts: [{ type: 'execution_cache', name: `key-${i}` }],
      })
    }
  })
}
const fillMs = performance.now() - t0
const lookups: number[] = []
for (let i = 0; i < 200; i++) {
  const key = `key-${Math.floor(Math.random() * N_EXECUTIONS)}`
  const t = performance.now()
  const context = await lookupStore.getContextByTypeAndName('execution_cache', key)
  const [execution] = await lookupStore.getExecutions({ contextId: context!.id!, state: ['COMPLETE', 'CACHED'], order: 'id-desc', limit: 10 })
  const events = await lookupStore.getEventsByExecutionIds([execution!.id!])
  const artifacts = await lookupStore.getArtifactsById(events.filter((e) => e.type === 'OUTPUT').map((e) => e.artifactId))
  lookups.push(performance.now() - t)
  if (artifacts.length !== 1) throw new Error('cache lookup found no artifact')
}
line(`cache lookup, ${N_EXECUTIONS.toLocaleString('en')} executions in the store (p50)`, fmt(median(lookups)), `goal <= 2 ms (p95 ${fmt([...lookups].sort((a, b) => a - b)[Math.floor(lookups.length * 0.95)]!)}; filled in ${(fillMs / 1000).toFixed(1)} s)`)
await lookupStore.close()

// ---- 4. Lineage over a 1,000-node chain: execution i reads artifact i-1 and writes artifact i.
const chainStore = openSqliteStore(path.join(tmp, 'chain.sqlite'))
await chainStore.putExecutionType({ name: 'Step' })
await chainStore.putArtifactType({ name: 'Examples' })
const [firstArtifact] = await chainStore.putArtifacts([{ type: 'Examples', uri: '/chain/0', state: 'LIVE' }])
let last = firstArtifact!
await chainStore.transaction(async () => {
  for (let i = 1; i <= 1000; i++) {
    const { artifactIds } = await chainStore.putExecution({
      execution: { type: 'Step', state: 'COMPLETE' },
      artifactEventPairs: [
        { artifact: { id: last, type: 'Examples', uri: `/chain/${i - 1}`, state: 'LIVE' }, event: { type: 'INPUT', path: [{ key: 'in' }, { index: 0 }] } },
        { artifact: { type: 'Examples', uri: `/chain/${i}`, state: 'LIVE' }, event: { type: 'OUTPUT', path: [{ key: 'out' }, { index: 0 }] } },
      ],
    })
    last = artifactIds[1]!
  }
})
const lineageTimes: number[] = []
let found = 0
for (let r = 0; r < 5; r++) {
  t0 = performance.now()
  const lineage = await chainStore.getLineage({ artifactIds: [last], direction: 'upstream', maxHops: 2001 })
  lineageTimes.push(performance.now() - t0)
  found = lineage.artifacts.length + lineage.executions.length
}
line('upstream lineage of one artifact over a 1,000-node chain', fmt(median(lineageTimes)), `(${found} nodes returned)`)
await chainStore.close()
fs.rmSync(tmp, { recursive: true, force: true })
