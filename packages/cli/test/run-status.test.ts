import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { openSqliteStore } from '@sluice/metadata'
import { main } from '../src/index.js'
import { TestIo, tempDir } from './helpers.js'

test('a run left RUNNING by a process that no longer exists is shown as INTERRUPTED', async () => {
  const dir = tempDir()
  const file = path.join(dir, '.sluice', 'demo', 'metadata.sqlite')
  // A pid that existed a moment ago and is gone now.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  const deadPid = Number(gone.stdout)
  const store = openSqliteStore(file)
  try {
    await store.putContextType({ name: 'pipeline_run' })
    const running = (runId: string, pid: number) => ({
      type: 'pipeline_run',
      name: runId,
      customProperties: { pipeline_name: 'demo', status: 'RUNNING', start_time: Date.now(), pid, hostname: os.hostname() },
    })
    await store.putContexts([running('crashed', deadPid), running('alive', process.pid)])
  } finally {
    await store.close()
  }
  const io = new TestIo(dir)
  expect(await main(['runs', '--json'], io)).toBe(0)
  const runs = JSON.parse(io.out) as { runId: string; status: string }[]
  expect(Object.fromEntries(runs.map((r) => [r.runId, r.status]))).toEqual({ crashed: 'INTERRUPTED', alive: 'RUNNING' })
})
