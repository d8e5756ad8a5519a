import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import type { MetadataStore } from '@sluice/metadata'
import { openSqliteStore } from '@sluice/metadata'
import type { CliIo, OutputStream } from '../src/index.js'

const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A fresh directory, removed after the test. */
export function tempDir(prefix = 'sluice-cli-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A stream that keeps what is written. */
export class BufferStream implements OutputStream {
  text = ''
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
    readonly rows = 40,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk
    return true
  }
}

/** Thrown by {@link TestIo.exitNow} in place of ending the test process. */
export class ExitNow extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}

/** An in-memory {@link CliIo}: captured output, a settable clock, and a Ctrl-C the test presses. */
export class TestIo implements CliIo {
  readonly stdout: BufferStream
  readonly stderr = new BufferStream()
  readonly env: Record<string, string | undefined>
  clock = 1_000_000
  private handlers: (() => void)[] = []

  constructor(
    readonly cwd: string,
    options: { tty?: boolean; env?: Record<string, string | undefined> } = {},
  ) {
    this.stdout = new BufferStream(options.tty ?? false)
    this.env = options.env ?? {}
  }

  get out(): string {
    return this.stdout.text
  }
  get err(): string {
    return this.stderr.text
  }
  now(): number {
    return this.clock
  }
  onInterrupt(handler: () => void): () => void {
    this.handlers.push(handler)
    return () => void (this.handlers = this.handlers.filter((h) => h !== handler))
  }
  /** Presses Ctrl-C. */
  interrupt(): void {
    for (const h of [...this.handlers]) h()
  }
  get listening(): boolean {
    return this.handlers.length > 0
  }
  exitNow(code: number): never {
    throw new ExitNow(code)
  }
}

/** Ids a seeded store holds, for assertions. */
export interface SeededStore {
  readonly path: string
  readonly runs: readonly [string, string]
  readonly examplesId: number
  readonly rowsId: number
}

/**
 * Writes two runs of pipeline "demo" the way the runner records them (TFX's convention):
 * run 1 COMPLETE (Gen wrote Examples, Count read them and wrote an Integer), run 2 FAILED (Gen
 * CACHED, Count FAILED with an error code and message).
 */
export async function seedStore(dir: string, pipelineName = 'demo'): Promise<SeededStore> {
  const file = path.join(dir, '.sluice', pipelineName, 'metadata.sqlite')
  const store = openSqliteStore(file)
  try {
    for (const name of ['pipeline', 'pipeline_run', 'node']) await store.putContextType({ name })
    await store.putExecutionType({ name: 'Gen' })
    await store.putExecutionType({ name: 'Count' })
    await store.putArtifactType({ name: 'Examples', properties: { split_names: 'STRING' } })
    await store.putArtifactType({ name: 'Integer' })
    const root = path.join(dir, '.sluice', pipelineName)
    const runs = ['20260101-100000-000-aaaa', '20260101-110000-000-bbbb'] as const

    const contexts = (runId: string, nodeId: string) => [
      { type: 'pipeline', name: pipelineName },
      { type: 'pipeline_run', name: runId },
      { type: 'node', name: `${pipelineName}.${nodeId}` },
    ]
    await putRun(store, runs[0], pipelineName, 'COMPLETE', 1_767_261_600_000, 1_767_261_603_500)
    const gen = await store.putExecution({
      execution: { type: 'Gen', state: 'COMPLETE', customProperties: { node_id: 'Gen', run_id: runs[0], cache_key: 'k-gen', duration_ms: 1200, attempts: 1 } },
      artifactEventPairs: [
        {
          artifact: { type: 'Examples', uri: path.join(root, 'Gen/examples/1'), state: 'LIVE', properties: { split_names: '["train","eval"]' }, customProperties: { producer_node: 'Gen', pipeline_name: pipelineName } },
          event: { type: 'OUTPUT', path: [{ key: 'examples' }, { index: 0 }] },
        },
      ],
      contexts: contexts(runs[0], 'Gen'),
    })
    const examplesId = gen.artifactIds[0]!
    const count = await store.putExecution({
      execution: { type: 'Count', state: 'COMPLETE', customProperties: { node_id: 'Count', run_id: runs[0], cache_key: 'k-count', duration_ms: 300, attempts: 2 } },
      artifactEventPairs: [
        { artifact: { id: examplesId, type: 'Examples', uri: path.join(root, 'Gen/examples/1'), state: 'LIVE' }, event: { type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }] } },
        {
          artifact: { type: 'Integer', uri: path.join(root, 'Count/rows/2/value'), state: 'LIVE', customProperties: { producer_node: 'Count', pipeline_name: pipelineName } },
          event: { type: 'OUTPUT', path: [{ key: 'rows' }, { index: 0 }] },
        },
      ],
      contexts: contexts(runs[0], 'Count'),
    })
    const rowsId = count.artifactIds[1]!

    await putRun(store, runs[1], pipelineName, 'FAILED', 1_767_265_200_000, 1_767_265_200_900)
    await store.putExecution({
      execution: { type: 'Gen', state: 'CACHED', customProperties: { node_id: 'Gen', run_id: runs[1], cache_key: 'k-gen', cached_from: gen.executionId, duration_ms: 4 } },
      artifactEventPairs: [{ artifact: { id: examplesId, type: 'Examples', uri: path.join(root, 'Gen/examples/1'), state: 'LIVE' }, event: { type: 'OUTPUT', path: [{ key: 'examples' }, { index: 0 }] } }],
      contexts: contexts(runs[1], 'Gen'),
    })
    await store.putExecution({
      execution: {
        type: 'Count',
        state: 'FAILED',
        customProperties: { node_id: 'Count', run_id: runs[1], cache_key: 'k-count2', duration_ms: 800, attempts: 1, error_code: 'SLUICE_EXECUTOR_FAILED', error_message: 'row 3: not a number' },
      },
      artifactEventPairs: [{ artifact: { id: examplesId, type: 'Examples', uri: path.join(root, 'Gen/examples/1'), state: 'LIVE' }, event: { type: 'INPUT', path: [{ key: 'examples' }, { index: 0 }] } }],
      contexts: contexts(runs[1], 'Count'),
    })
    return { path: file, runs, examplesId, rowsId }
  } finally {
    await store.close()
  }
}

async function putRun(store: MetadataStore, runId: string, pipelineName: string, status: string, start: number, end: number): Promise<void> {
  await store.putContexts([
    { type: 'pipeline_run', name: runId, customProperties: { pipeline_name: pipelineName, status, start_time: start, end_time: end, pipeline_module: '/project/pipeline.ts' } },
  ])
}
