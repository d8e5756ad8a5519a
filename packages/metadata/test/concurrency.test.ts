import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openSqliteStore } from '@sluice/metadata'
import { tempDir } from './support.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const writer = fileURLToPath(new URL('./fixtures/concurrent-writer.ts', import.meta.url))

function runWriter(path: string, worker: number, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path, String(worker), String(count)], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`writer ${worker} exited with ${code}: ${stderr}`))))
  })
}

describe('concurrent writers', () => {
  it('keeps every write of 4 processes publishing into one fresh file at once', { timeout: 120_000 }, async () => {
    const workers = 4
    const n = 200
    // The file does not exist yet: the workers also race to create it, migrate it and put the types.
    const path = join(tempDir(), 'shared', 'metadata.sqlite')
    const outputs = await Promise.all(Array.from({ length: workers }, (_, w) => runWriter(path, w, n)))
    expect(outputs.map((o) => JSON.parse(o))).toEqual(Array.from({ length: workers }, (_, worker) => ({ worker, executions: n })))

    const db = new Database(path, { readonly: true })
    const one = (sql: string) => db.prepare(sql).pluck().get()
    try {
      expect(one('PRAGMA integrity_check')).toBe('ok')
      expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([])
      expect(one('SELECT count(*) FROM Type')).toBe(6)
      expect(one('SELECT count(*) FROM Execution')).toBe(workers * n)
      expect(one('SELECT count(*) FROM Artifact')).toBe(workers * n * 2)
      // Two outputs per execution, plus one input for all but each worker's first.
      expect(one('SELECT count(*) FROM Event')).toBe(workers * (2 * n + n - 1))
      expect(one('SELECT count(*) FROM EventPath')).toBe(2 * workers * (2 * n + n - 1))
      // Every execution has its events: 2 outputs, and an input unless it was its worker's first.
      const perExecution = db
        .prepare('SELECT events, count(*) AS executions FROM (SELECT count(*) AS events FROM Event GROUP BY execution_id) GROUP BY events ORDER BY events')
        .all()
      expect(perExecution).toEqual([
        { events: 2, executions: workers },
        { events: 3, executions: workers * (n - 1) },
      ])
      // No context duplicated: one pipeline, one node, one run per worker, one cache context per key.
      expect(db.prepare('SELECT type_id, name FROM Context GROUP BY type_id, name HAVING count(*) > 1').all()).toEqual([])
      expect(one('SELECT count(*) FROM Context')).toBe(1 + 1 + workers + n)
      expect(one('SELECT count(*) FROM Association')).toBe(workers * n * 4)
      // Outputs are attributed to 4 contexts; an input adds only its consumer's cache context.
      expect(one('SELECT count(*) FROM Attribution')).toBe(workers * (n * 2 * 4 + (n - 1)))
    } finally {
      db.close()
    }

    const store = openSqliteStore(path, { readonly: true })
    const pipeline = await store.getContextByTypeAndName('pipeline', 'shared')
    expect(await store.getExecutions({ contextId: pipeline?.id as number })).toHaveLength(workers * n)
    const cache = await store.getContextByTypeAndName('execution_cache', 'key-7')
    expect(await store.getExecutions({ contextId: cache?.id as number, state: ['COMPLETE', 'CACHED'] })).toHaveLength(workers)
    await store.close()
  })
})
