import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openSqliteStore, type MetadataStore } from '@sluice/metadata'
import { tempDir } from './support.js'

/**
 * Every lookup the runner and the CLI rely on must be answered from indexes: with 100,000 executions a table scan
 * turns a sub-millisecond cache lookup into tens of milliseconds. The store's trace hook hands us the exact SQL it
 * runs (parameters inlined), and EXPLAIN QUERY PLAN on a second connection tells how SQLite will run it.
 */
describe('query plans', () => {
  it('uses indexes for the cache lookup and the other common lookups', async () => {
    const path = join(tempDir(), 'metadata.sqlite')
    let recording = false
    const statements: string[] = []
    const store = openSqliteStore(path, { trace: (sql) => recording && statements.push(sql) })
    const { contextId, executionId, artifactId } = await populate(store)

    recording = true
    const cache = await store.getContextByTypeAndName('execution_cache', 'key-7')
    const candidates = await store.getExecutions({ contextId: cache?.id as number, state: ['COMPLETE', 'CACHED'], order: 'id-desc', limit: 5 })
    const events = await store.getEventsByExecutionIds(candidates.map((e) => e.id as number))
    await store.getArtifactsById(events.map((e) => e.artifactId))
    expect(candidates).toHaveLength(1)
    expect(events).toHaveLength(2)

    await store.getArtifacts({ uri: '/out/5' })
    await store.getArtifacts({ type: 'Examples', order: 'id-desc', limit: 100 })
    await store.getArtifacts({ type: 'Examples', state: 'LIVE', order: 'id-desc', limit: 10 })
    await store.getArtifacts({ state: 'PENDING' })
    await store.getArtifacts({ contextId, order: 'id-desc', limit: 10 })
    await store.getArtifacts({ property: { name: 'split', value: 'train' } })
    await store.getArtifacts({ property: { name: 'span', value: 3, custom: false } })
    await store.getArtifacts({ property: { name: 'ratio', value: 0.5 } })
    await store.getArtifacts({ property: { name: 'ok', value: true } })
    await store.getArtifacts({ property: { name: 'meta', value: { a: 1 } } })
    await store.getExecutions({ type: 'Trainer', order: 'id-desc', limit: 10 })
    await store.getExecutions({ state: 'RUNNING' })
    await store.getExecutions({ contextId, type: 'Trainer', order: 'id-desc', limit: 1 })
    await store.getContexts({ type: 'execution_cache', order: 'id-desc', limit: 10 })
    await store.getContexts({ name: 'key-3' })
    await store.getContextsByArtifact(artifactId)
    await store.getContextsByExecution(executionId)
    await store.getEventsByArtifactIds([artifactId])
    await store.getLineage({ artifactIds: [artifactId], direction: 'both', maxHops: 4 })
    recording = false
    await store.close()

    const db = new Database(path, { readonly: true })
    const selects = [...new Set(statements.filter((sql) => /^\s*(SELECT|WITH)/i.test(sql)))]
    expect(selects.length).toBeGreaterThan(20)
    // The check itself must be able to fail: an unindexed filter shows up as a scan.
    expect(tableScans(db, 'SELECT id FROM Execution WHERE last_update_time_since_epoch = 5')).toHaveLength(1)
    expect(selects.flatMap((sql) => tableScans(db, sql))).toEqual([])
    db.close()
  })
})

/** Plan lines of `sql` that read a whole table; json_each is the id list we pass in, so scanning it is fine. */
function tableScans(db: Database.Database, sql: string): string[] {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]
  return plan
    .filter(({ detail }) => /^SCAN /.test(detail) && !/^SCAN json_each/.test(detail))
    .map(({ detail }) => `${detail}  <-  ${sql}`)
}

async function populate(store: MetadataStore): Promise<{ contextId: number; executionId: number; artifactId: number }> {
  await store.putArtifactType({ name: 'Examples', properties: { span: 'INT', split: 'STRING' } })
  await store.putExecutionType({ name: 'Trainer' })
  await store.putContextType({ name: 'pipeline' })
  await store.putContextType({ name: 'execution_cache' })
  let last = { contextId: 0, executionId: 0, artifactId: 0 }
  await store.transaction(async () => {
    for (let i = 0; i < 500; i++) {
      const r = await store.putExecution({
        execution: { type: 'Trainer', state: i % 10 === 0 ? 'FAILED' : 'COMPLETE' },
        artifactEventPairs: [
          {
            artifact: { type: 'Examples', uri: `/out/${i}`, state: 'LIVE', properties: { span: i, split: 'train' }, customProperties: { ratio: i / 2, ok: i % 2 === 0, meta: { a: i } } },
            event: { type: 'OUTPUT', path: [{ key: 'examples' }, { index: 0 }] },
          },
          { artifact: { type: 'Examples', uri: `/out/${i}/b`, state: 'LIVE' }, event: { type: 'OUTPUT' } },
        ],
        contexts: [{ type: 'pipeline', name: 'taxi' }, { type: 'execution_cache', name: `key-${i}` }],
      })
      last = { contextId: r.contextIds[0] as number, executionId: r.executionId, artifactId: r.artifactIds[0] as number }
    }
  })
  return last
}
