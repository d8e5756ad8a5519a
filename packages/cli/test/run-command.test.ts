import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import type { RunEvent, RunResult } from '@sluice/runner'
import { main, type PipelineRunner } from '../src/index.js'
import { ExitNow, tempDir, TestIo } from './helpers.js'

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name)

describe('sluice run', { timeout: 30_000 }, () => {
  test('runs a TypeScript pipeline, prints the summary, then reports everything cached', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['run', fixture('tiny-pipeline.ts')], io)).toBe(0)
    expect(io.err).toBe('')
    expect(io.out).toMatch(/^Running pipeline tiny \(run \S+, 3 nodes\)\n/)
    expect(io.out).toMatch(/ {2}Gen {5}\d+ms {2}50% writing rows\n/)
    expect(io.out).toMatch(/Run \S+ of pipeline tiny complete in \S+ \(3 done\)/)
    expect(io.out).toMatch(/Gen\.examples {4}Examples #1 {9}\.\/\.sluice\/tiny\/Gen\/examples\/\d+\n/)
    expect(io.out).toMatch(/Double\.doubled {2}Integer #3 {3}6 {6}\.\/\.sluice\/tiny\/Double\/doubled\/\d+\/value\n/)
    expect(io.out).not.toContain('\x1b[')

    const again = new TestIo(io.cwd)
    expect(await main(['run', fixture('tiny-pipeline.ts')], again)).toBe(0)
    expect(again.out).toContain('All 3 nodes were cached: nothing executed.')

    const show = new TestIo(io.cwd)
    expect(await main(['show', '3'], show)).toBe(0)
    expect(show.out).toMatch(/^Integer #3 {2}LIVE {2}from Double\n {2}uri {2}\.\/\.sluice\/tiny\/Double\/doubled\/\d+\/value\n/)
    expect(show.out).toContain('  value  6\n')
    const missing = new TestIo(io.cwd)
    expect(await main(['show', '999'], missing)).toBe(1)
    expect(missing.err).toContain('No artifact 999')

    const fresh = new TestIo(io.cwd)
    expect(await main(['run', fixture('tiny-pipeline.ts'), '--no-cache', '--parallelism', '1'], fresh)).toBe(0)
    expect(fresh.out).toContain('(3 done)')
  })

  test("outputs a component leaves out of reportOutputs get a pointer to `sluice show`, not their report", async () => {
    const io = new TestIo(tempDir())
    const code = await main(['run', fixture('report-outputs-pipeline.ts')], io)
    expect(code, io.err + io.out).toBe(0)
    expect(io.out).toMatch(/\nSummarize\.sideStatistics \(ExampleStatistics #(\d+)\): `sluice show \1` prints its report\.\n/)
    expect(io.out).not.toContain('could not read the report')
  })

  test('--resume finishes a failed run, reusing what it completed', async () => {
    const io = new TestIo(tempDir())
    process.env.SLUICE_TEST_FAIL = '1'
    try {
      expect(await main(['run', fixture('flaky-pipeline.ts'), '--json'], io)).toBe(1)
    } finally {
      delete process.env.SLUICE_TEST_FAIL
    }
    const { runId } = JSON.parse(io.out) as RunResult
    // The run recorded its pipeline file, so `--resume` alone finds it.
    const resumed = new TestIo(io.cwd)
    expect(await main(['run', '--resume', runId], resumed)).toBe(0)
    expect(resumed.out).toContain(`Resuming run ${runId} of pipeline flaky (2 nodes)`)
    expect(resumed.out).toMatch(/Gen {4}reused {9}- {2}completed by the earlier attempt/)

    const show = new TestIo(io.cwd)
    expect(await main(['run', 'show', runId], show)).toBe(0)
    expect(show.out).toMatch(/status\s+COMPLETE/)
    expect(show.out).toMatch(/Check\s+Check\s+done\s+\S+\s+#\d+\s+earlier: #\d+ FAILED/)
  })

  test('--json prints the RunResult only', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['run', fixture('tiny-pipeline.ts'), '--json'], io)).toBe(0)
    const result = JSON.parse(io.out) as RunResult
    expect(result.status).toBe('COMPLETE')
    expect(Object.keys(result.nodes)).toEqual(['Gen', 'Count', 'Double'])
  })

  test('run without a file and without --resume is a usage error', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['run'], io)).toBe(2)
    expect(io.err).toContain("missing required argument 'pipeline' (or pass --resume <runId>")
  })

  test('a failing pipeline exits 1 with one error line and no stack', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['run', fixture('failing-pipeline.ts')], io)).toBe(1)
    expect(io.err).toMatch(/^error: Run \S+ failed: node "Explode" failed: boom: the data is bad \[SLUICE_EXECUTOR_FAILED\]\n$/)
    expect(io.out).toMatch(/Explode {2}failed {2}.*boom: the data is bad/)
    expect(io.out).toMatch(/After {4}skipped/)
    expect(io.out + io.err).not.toMatch(/^\s+at /m)

    const verbose = new TestIo(io.cwd)
    expect(await main(['run', fixture('failing-pipeline.ts'), '--verbose'], verbose)).toBe(1)
    expect(verbose.out).toMatch(/^\s+at /m)

    // The skipped node has no execution; `run show` still lists it, from the run context.
    const runId = /Run (\S+) failed/.exec(io.err)![1]!
    const show = new TestIo(io.cwd)
    expect(await main(['run', 'show', runId, '--json'], show)).toBe(0)
    const details = JSON.parse(show.out) as { nodes: { nodeId: string; status: string; skippedReason?: string }[] }
    expect(details.nodes.map((n) => [n.nodeId, n.status])).toEqual([['Gen', 'COMPLETE'], ['Explode', 'FAILED'], ['After', 'SKIPPED']])
    expect(details.nodes[2]!.skippedReason).toContain('Explode')
  })

  test('pipeline files that cannot be loaded are one-line errors', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'not-a-pipeline.mjs'), 'export default 42\n')
    fs.writeFileSync(path.join(dir, 'broken.ts'), 'export default {{{\n')
    fs.writeFileSync(path.join(dir, 'pipeline.yaml'), 'name: x\n')
    const cases: [string, string][] = [
      ['missing.ts', 'SLUICE_CLI_FILE_NOT_FOUND'],
      ['not-a-pipeline.mjs', 'SLUICE_CLI_NOT_A_PIPELINE'],
      ['broken.ts', 'SLUICE_CLI_PIPELINE_LOAD_FAILED'],
      ['pipeline.yaml', 'SLUICE_CLI_UNSUPPORTED_FILE'],
    ]
    for (const [file, code] of cases) {
      const io = new TestIo(dir)
      expect(await main(['run', file], io)).toBe(1)
      expect(io.err).toMatch(new RegExp(`^error: .*\\[${code}\\]\\n$`))
    }
  })

  test('a JSON spec loads its plugins first', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['run', fixture('spec/pipeline.json')], io)).toBe(0)
    expect(io.out).toMatch(/Run \S+ of pipeline from-spec complete/)
    expect(io.out).toContain('rows.examples')
  })

  test('on a terminal the node list is redrawn in place, and NO_COLOR drops the colors', async () => {
    const io = new TestIo(tempDir(), { tty: true, env: { NO_COLOR: '1' } })
    expect(await main(['run', fixture('tiny-pipeline.ts')], io)).toBe(0)
    expect(io.out).toContain('\x1b[4A\r\x1b[0J')
    expect(io.out).not.toMatch(/\x1b\[\d+m/)
    // The block is erased before the summary, which is printed once, plainly.
    expect(io.out.slice(io.out.lastIndexOf('\x1b[0J') + 4)).toMatch(/^\nRun \S+ of pipeline tiny complete/)
  })

  test('Ctrl-C cancels the run through the runner, prints the summary and exits 130', async () => {
    const io = new TestIo(tempDir())
    const exit = main(['run', fixture('slow-pipeline.ts')], io)
    await waitFor(() => io.out.includes('waiting for Ctrl-C'))
    io.interrupt()
    expect(await exit).toBe(130)
    expect(io.out).toContain('Cancelling: stopping running nodes. Press Ctrl-C again to exit at once.')
    expect(io.out).toMatch(/Run \S+ of pipeline slow canceled/)
    expect(io.out).toMatch(/Wait {3}canceled/)
    expect(io.err).toMatch(/Run \S+ was cancelled after .*--resume/)
    expect(io.listening).toBe(false)
  })

  test('a second Ctrl-C exits at once', async () => {
    const io = new TestIo(tempDir())
    let release: () => void = () => {}
    const runner: PipelineRunner = {
      run: (_pipeline, options) =>
        new Promise<RunResult>((resolve) => {
          options.onEvent?.({ type: 'run-start', runId: 'r', pipelineName: 'tiny', nodeIds: ['Gen'], resumed: false } satisfies RunEvent)
          release = () => resolve({ runId: 'r', pipelineName: 'tiny', status: 'CANCELED', durationMs: 1, nodes: {} })
        }),
    }
    const exit = main(['run', fixture('tiny-pipeline.ts')], io, { runner })
    await waitFor(() => io.listening)
    io.interrupt()
    expect(() => io.interrupt()).toThrow(ExitNow)
    release()
    expect(await exit).toBe(130)
  })

  test('passes the pipeline module, resume id, cache and parallelism options to the runner', async () => {
    const io = new TestIo(tempDir())
    let seen: Record<string, unknown> = {}
    const runner: PipelineRunner = {
      run: async (pipeline, options) => {
        seen = { ...options, pipeline: pipeline.name }
        return { runId: 'r', pipelineName: pipeline.name, status: 'COMPLETE', durationMs: 1, nodes: {} }
      },
    }
    expect(await main(['run', fixture('tiny-pipeline.ts'), '--resume', 'r0', '--no-cache', '--parallelism', '3'], io, { runner })).toBe(0)
    expect(seen).toMatchObject({ pipeline: 'tiny', pipelineModule: fixture('tiny-pipeline.ts'), resume: 'r0', enableCache: false, parallelism: 3, cwd: io.cwd })
    expect(seen.signal).toBeInstanceOf(AbortSignal)
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}
