// Throughput of the SQLite store against raw better-sqlite3 on the same schema (perf.md B-MLMD-WRITE / B-MLMD-READ).
// Run: node --import tsx test/bench/metadata-bench.ts [putExecutionCalls=3000] [executions=100000]
// Not a test: timings are machine-dependent, so nothing is asserted.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openSqliteStore, type MetadataStore } from '../../src/index.js'

const calls = Number(process.argv[2] ?? 3000)
const bulk = Number(process.argv[3] ?? 100_000)
const dir = mkdtempSync(join(tmpdir(), 'sluice-md-bench-'))

async function setup(file: string): Promise<{ store: MetadataStore; contextIds: number[] }> {
  const store = openSqliteStore(join(dir, file))
  await store.putArtifactType({ name: 'Examples', properties: { span: 'INT' } })
  await store.putExecutionType({ name: 'Trainer' })
  await store.putContextType({ name: 'pipeline' })
  await store.putContextType({ name: 'pipeline_run' })
  await store.putContextType({ name: 'node' })
  const contextIds = await store.putContexts([
    { type: 'pipeline', name: 'taxi' },
    { type: 'pipeline_run', name: 'run-1' },
    { type: 'node', name: 'taxi.Trainer' },
  ])
  return { store, contextIds }
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`
}

// --- store putExecution: 1 execution + 2 new artifacts + 1 unchanged input + 3 events + 3 existing contexts
const { store, contextIds } = await setup('store.sqlite')
const contexts = [
  { type: 'pipeline', name: 'taxi' },
  { type: 'pipeline_run', name: 'run-1' },
  { type: 'node', name: 'taxi.Trainer' },
]
// The input is re-published unchanged with every execution, as TFX does.
const inputId = (await store.putArtifacts([{ type: 'Examples', uri: '/in', state: 'LIVE', properties: { span: 0 } }]))[0] as number
let t0 = performance.now()
for (let i = 0; i < calls; i++) {
  await store.putExecution({
    execution: { type: 'Trainer', state: 'COMPLETE', customProperties: { num_steps: 2000, module: 'model.ts' } },
    artifactEventPairs: [
      { artifact: { type: 'Examples', uri: `/out/${i}/a`, state: 'LIVE', properties: { span: i } }, event: { type: 'OUTPUT', path: [{ key: 'model' }, { index: 0 }] } },
      { artifact: { type: 'Examples', uri: `/out/${i}/b`, state: 'LIVE', properties: { span: i } }, event: { type: 'OUTPUT', path: [{ key: 'run' }, { index: 0 }] } },
      { artifact: { id: inputId, type: 'Examples', uri: '/in', state: 'LIVE' }, event: { type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }] } },
    ],
    contexts,
  })
}
const storeMs = performance.now() - t0

// --- raw: the same rows with hand-written prepared statements on the same schema
const raw = new Database(join(dir, 'store.sqlite'))
raw.pragma('journal_mode = WAL')
raw.pragma('synchronous = NORMAL')
raw.pragma('foreign_keys = ON')
const ins = {
  exe: raw.prepare('INSERT INTO Execution (type_id, last_known_state, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?)'),
  exeProp: raw.prepare('INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, data_type, int_value, string_value) VALUES (?, ?, 1, ?, ?, ?)'),
  art: raw.prepare('INSERT INTO Artifact (type_id, uri, state, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?, ?)'),
  artProp: raw.prepare('INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, data_type, int_value) VALUES (?, ?, 0, 1, ?)'),
  event: raw.prepare('INSERT INTO Event (artifact_id, execution_id, type, milliseconds_since_epoch) VALUES (?, ?, ?, ?)'),
  step: raw.prepare('INSERT INTO EventPath (event_id, step_order, is_index_step, step_index, step_key) VALUES (?, ?, ?, ?, ?)'),
  assoc: raw.prepare('INSERT OR IGNORE INTO Association (context_id, execution_id) VALUES (?, ?)'),
  attr: raw.prepare('INSERT OR IGNORE INTO Attribution (context_id, artifact_id) VALUES (?, ?)'),
}
const typeIds = raw.prepare('SELECT name, id FROM Type').all() as { name: string; id: number }[]
const typeId = (name: string) => typeIds.find((t) => t.name === name)?.id as number
const rawPublish = raw.transaction((i: number) => {
  const now = Date.now()
  const e = Number(ins.exe.run(typeId('Trainer'), 3, now, now).lastInsertRowid)
  ins.exeProp.run(e, 'num_steps', 1, 2000, null)
  ins.exeProp.run(e, 'module', 3, null, 'model.ts')
  const arts: number[] = []
  for (const suffix of ['a', 'b']) {
    const a = Number(ins.art.run(typeId('Examples'), `/raw/${i}/${suffix}`, 2, now, now).lastInsertRowid)
    ins.artProp.run(a, 'span', i)
    arts.push(a)
  }
  for (const [a, type, key] of [[arts[0], 4, 'model'], [arts[1], 4, 'run'], [inputId, 3, 'examples']] as const) {
    const ev = Number(ins.event.run(a, e, type, now).lastInsertRowid)
    ins.step.run(ev, 0, 0, null, key)
    ins.step.run(ev, 1, 1, 0, null)
  }
  for (const c of contextIds) {
    ins.assoc.run(c, e)
    for (const a of [...arts, inputId]) ins.attr.run(c, a)
  }
})
t0 = performance.now()
for (let i = 0; i < calls; i++) rawPublish.immediate(i)
const rawMs = performance.now() - t0
console.log(`putExecution  store ${rate(calls, storeMs)}  raw ${rate(calls, rawMs)}  ratio ${(rawMs / storeMs).toFixed(2)}x`)

// --- reads with many executions in the store
const fill = raw.transaction(() => {
  const now = Date.now()
  for (let i = 0; i < bulk; i++) {
    const e = Number(ins.exe.run(typeId('Trainer'), 3, now, now).lastInsertRowid)
    const a = Number(ins.art.run(typeId('Examples'), `/bulk/${i}`, 2, now, now).lastInsertRowid)
    ins.event.run(a, e, 4, now)
  }
})
fill.immediate()
const cacheKey = 'f00d'.repeat(16)
await store.putContextType({ name: 'execution_cache' })
await store.putExecution({ execution: { type: 'Trainer', state: 'COMPLETE' }, contexts: [{ type: 'execution_cache', name: cacheKey }],
  artifactEventPairs: [{ artifact: { type: 'Examples', uri: '/cached', state: 'LIVE' }, event: { type: 'OUTPUT' } }] })
const executionCount = raw.prepare('SELECT count(*) FROM Execution').pluck().get() as number

const rawGet = raw.prepare('SELECT * FROM Artifact WHERE id = ?')
const n = 20_000
t0 = performance.now()
for (let i = 0; i < n; i++) rawGet.get(1 + (i % bulk))
const rawGetMs = performance.now() - t0
t0 = performance.now()
for (let i = 0; i < n; i++) await store.getArtifactsById([1 + (i % bulk)])
const getMs = performance.now() - t0
console.log(`get artifact by id  store ${rate(n, getMs)}  raw ${rate(n, rawGetMs)}  ratio ${(rawGetMs / getMs).toFixed(2)}x`)

t0 = performance.now()
for (let i = 0; i < 300; i++) await store.getArtifacts({ type: 'Examples', order: 'id-desc', limit: 100 })
console.log(`list 100 newest artifacts of a type  ${rate(300, performance.now() - t0)}`)

const lookups = 2000
t0 = performance.now()
for (let i = 0; i < lookups; i++) {
  const ctx = await store.getContextByTypeAndName('execution_cache', cacheKey)
  const execs = await store.getExecutions({ contextId: ctx?.id as number, state: ['COMPLETE', 'CACHED'], order: 'id-desc', limit: 5 })
  const events = await store.getEventsByExecutionIds(execs.map((e) => e.id as number))
  await store.getArtifactsById(events.filter((e) => e.type === 'OUTPUT').map((e) => e.artifactId))
}
console.log(`cache lookup with ${executionCount.toLocaleString('en-US')} executions  ${((performance.now() - t0) / lookups).toFixed(3)} ms`)

t0 = performance.now()
for (let i = 0; i < 1000; i++) await store.getLineage({ artifactIds: [3 + (i % 100)], direction: 'both', maxHops: 4 })
console.log(`lineage (both, 4 hops)  ${rate(1000, performance.now() - t0)}`)

const attributions = Array.from({ length: 1500 }, (_, i) => ({ artifactId: 10 + i, contextId: contextIds[0] as number }))
t0 = performance.now()
await store.putAttributionsAndAssociations(attributions, [])
console.log(`1,500 attributions in one call  ${(performance.now() - t0).toFixed(1)} ms`)

raw.close()
await store.close()
rmSync(dir, { recursive: true, force: true })
