// End to end: the `sluice` binary in its own process, as a user runs it. Workspace packages load
// from their sources (the @sluice/source condition, TypeScript through tsx), so no build is needed.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, test } from 'vitest'
import type { ArtifactListEntry } from '../src/index.js'

const bin = path.join(import.meta.dirname, '..', 'src', 'bin.ts')
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name)

// The tests run concurrently (each spends most of its time starting Node), so their temp dirs
// outlive every afterEach and are removed at the end.
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-e2e-'))
  dirs.push(dir)
  return dir
}

interface Exit {
  code: number | null
  stdout: string
  stderr: string
}

function sluice(cwd: string, args: string[], options: { onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@sluice/source', '--import', tsxLoader, bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      options.onStdout?.(stdout, child)
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe.concurrent('the sluice process', { timeout: 60_000 }, () => {
  test('run, run again (cached), runs, artifacts --json, lineage', async ({ expect }) => {
    const cwd = tempDir()
    const first = await sluice(cwd, ['run', fixture('tiny-pipeline.ts')])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/Run \S+ of pipeline tiny complete in \S+ \(3 done\)/)
    expect(first.stdout).toContain('./.sluice/tiny/Double/doubled/')

    const second = await sluice(cwd, ['run', fixture('tiny-pipeline.ts')])
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('All 3 nodes were cached: nothing executed.')

    const runs = await sluice(cwd, ['runs'])
    expect(runs.code).toBe(0)
    const runLines = runs.stdout.trimEnd().split('\n').slice(1)
    expect(runLines).toHaveLength(2)
    expect(runLines[0]).toMatch(/tiny\s+COMPLETE\s+.*3 cached$/)
    expect(runLines[1]).toMatch(/tiny\s+COMPLETE\s+.*3 done$/)

    const artifacts = await sluice(cwd, ['artifacts', '--json'])
    expect(artifacts.code).toBe(0)
    const list = JSON.parse(artifacts.stdout) as ArtifactListEntry[]
    expect(list.map((a) => [a.type, a.producerNode])).toEqual([
      ['Integer', 'Double'],
      ['Integer', 'Count'],
      ['Examples', 'Gen'],
    ])

    const lineage = await sluice(cwd, ['lineage', String(list[0]!.id), '--direction', 'upstream'])
    expect(lineage.code).toBe(0)
    expect(lineage.stdout).toMatch(/└─ Double {2}execution #\d+ · COMPLETE/)
    expect(lineage.stdout).toMatch(/└─ rows: Integer #\d+/)
    expect(lineage.stdout).toMatch(/└─ Gen {2}execution #\d+ · COMPLETE/)
  })

  test('a failing pipeline exits 1 with a one-line error and no stack', async ({ expect }) => {
    const result = await sluice(tempDir(), ['run', fixture('failing-pipeline.ts')])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error: Run \S+ failed: node "Explode" failed: boom: the data is bad \[SLUICE_EXECUTOR_FAILED\]\n$/)
    expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m)
  })

  test('Ctrl-C cancels the run and exits 130', async ({ expect }) => {
    let sent = false
    const result = await sluice(tempDir(), ['run', fixture('slow-pipeline.ts')], {
      onStdout: (text, child) => {
        if (!sent && text.includes('waiting for Ctrl-C')) (sent = true), child.kill('SIGINT')
      },
    })
    expect(result.code).toBe(130)
    expect(result.stdout).toMatch(/Wait {3}canceled/)
    expect(result.stderr).toMatch(/Run \S+ was cancelled/)
  })
})
