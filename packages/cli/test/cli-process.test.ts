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

  test('a third-party plugin installed in node_modules: sluice components lists it, a JSON spec runs it', async ({ expect }) => {
    // sluice-plugin-csv-export is found by its keyword; a local TypeScript plugin listed by path in
    // sluice.config.json provides the Examples it exports.
    const cwd = tempDir()
    const workspace = path.resolve(import.meta.dirname, '..', '..', '..')
    for (const [name, target] of [['@sluice/core', 'packages/core'], ['sluice-plugin-csv-export', 'plugins/csv-export']] as const) {
      fs.mkdirSync(path.dirname(path.join(cwd, 'node_modules', name)), { recursive: true })
      fs.symlinkSync(path.join(workspace, target), path.join(cwd, 'node_modules', name), 'dir')
    }
    fs.writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'csv-demo', private: true, type: 'module' }))
    fs.writeFileSync(path.join(cwd, 'sluice.config.json'), JSON.stringify({ plugins: ['./fixture-examples.ts'] }))
    fs.writeFileSync(path.join(cwd, 'fixture-examples.ts'), fixtureExamplesPlugin)
    fs.writeFileSync(
      path.join(cwd, 'pipeline.json'),
      JSON.stringify({
        name: 'csv-demo',
        components: [
          { id: 'gen', component: 'FixtureExamples' },
          { id: 'export', component: 'ExportSplitToCsv', inputs: { examples: 'gen.examples' }, parameters: { delimiter: ';' } },
        ],
      }),
    )

    const components = await sluice(cwd, ['components'])
    expect(components.stderr).toBe('')
    expect(components.code).toBe(0)
    expect(components.stdout).toMatch(/sluice-plugin-csv-export +0\.1\.0 +installed with the "sluice-plugin" keyword/)
    expect(components.stdout).toContain(
      [
        '  ExportSplitToCsv  sluice-plugin-csv-export 0.1.0',
        '    Writes one split of an Examples artifact as a single CSV file.',
        '    inputs      examples   Examples',
        '    outputs     csv        CsvExport',
        '    parameters  split      string     = "eval"  the split to export: the Split-<split> folder of the examples',
        '                header     boolean    = true    write the column names as the first row',
        '                delimiter  string     = ","     the field separator, one character',
      ].join('\n'),
    )

    const run = await sluice(cwd, ['run', 'pipeline.json', '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const result = JSON.parse(run.stdout) as { nodes: Record<string, { outputs: Record<string, { uri: string; properties: Record<string, unknown> }[]> }> }
    const csv = result.nodes.export!.outputs.csv![0]!
    expect(csv.properties).toEqual({ split: 'eval', rows: 2 })
    expect(fs.readFileSync(path.join(csv.uri, 'eval.csv'), 'utf8')).toBe('trip_miles;fare\n2.5;9.75\n0.8;4.0\n')
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

// A local plugin, listed by path in sluice.config.json: writes an Examples artifact of two CSV splits.
const fixtureExamplesPlugin = `import fs from 'node:fs/promises'
import path from 'node:path'
import { Examples, component, definePlugin } from '@sluice/core'

export const FixtureExamples = component({ name: 'FixtureExamples', outputs: { examples: Examples } }, async ({ outputs }) => {
  const splits = { train: 'trip_miles,fare\\n1.2,5.5\\n', eval: 'trip_miles,fare\\n2.5,9.75\\n0.8,4.0\\n' }
  for (const [name, text] of Object.entries(splits)) {
    await fs.mkdir(path.join(outputs.examples.uri, 'Split-' + name), { recursive: true })
    await fs.writeFile(path.join(outputs.examples.uri, 'Split-' + name, 'data.csv'), text)
  }
  outputs.examples.properties.splitNames = Object.keys(splits)
})

export default definePlugin({ name: 'fixture-examples', components: [FixtureExamples] })
`
