import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { openSqliteStore } from '@sluice/metadata'
import { main } from '../src/index.js'
import type { ArtifactListEntry, LineageJson, RunDetails, RunListEntry } from '../src/index.js'
import { seedStore, tempDir, TestIo } from './helpers.js'

async function sluice(io: TestIo, ...argv: string[]): Promise<number> {
  return main(argv, io)
}

describe('store location', () => {
  test('with no store, runs says no runs were found and how to run one', async () => {
    const io = new TestIo(tempDir())
    expect(await sluice(io, 'runs')).toBe(0)
    expect(io.out).toContain('No runs found')
    expect(io.out).toContain('sluice run pipeline.ts')
    const json = new TestIo(io.cwd)
    expect(await sluice(json, 'runs', '--json')).toBe(0)
    expect(JSON.parse(json.out)).toEqual([])
  })

  test('the single .sluice/*/metadata.sqlite is found by default', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'runs')).toBe(0)
    expect(io.out).toContain(seeded.runs[0])
  })

  test('several stores are an error listing them and naming --metadata', async () => {
    const dir = tempDir()
    await seedStore(dir, 'one')
    await seedStore(dir, 'two')
    const io = new TestIo(dir)
    expect(await sluice(io, 'runs')).toBe(1)
    expect(io.err).toContain(path.join('.sluice', 'one', 'metadata.sqlite'))
    expect(io.err).toContain(path.join('.sluice', 'two', 'metadata.sqlite'))
    expect(io.err).toContain('--metadata')
    expect(io.err).toContain('[SLUICE_CLI_STORE_AMBIGUOUS]')
    expect(io.err.trim().split('\n')).toHaveLength(1)

    const picked = new TestIo(dir)
    expect(await sluice(picked, 'runs', '--metadata', '.sluice/two/metadata.sqlite', '--json')).toBe(0)
    expect((JSON.parse(picked.out) as RunListEntry[]).every((r) => r.pipelineName === 'two')).toBe(true)
  })

  test('--metadata naming a missing file is an error', async () => {
    const io = new TestIo(tempDir())
    expect(await sluice(io, 'runs', '--metadata', 'nope.sqlite')).toBe(1)
    expect(io.err).toMatch(/^error: Metadata store "nope.sqlite" does not exist .*\[SLUICE_CLI_STORE_NOT_FOUND\]\n$/)
  })

  test('--pipeline reads the store at the pipeline file’s metadataPath', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir, 'tiny')
    fs.mkdirSync(path.join(dir, '.sluice', 'other'))
    fs.copyFileSync(seeded.path, path.join(dir, '.sluice', 'other', 'metadata.sqlite'))
    const fixture = path.join(import.meta.dirname, 'fixtures', 'tiny-pipeline.ts')
    const io = new TestIo(dir)
    expect(await sluice(io, 'runs', '--pipeline', fixture, '--json')).toBe(0)
    expect((JSON.parse(io.out) as RunListEntry[]).map((r) => r.runId)).toEqual([...seeded.runs].reverse())
  })
})

describe('sluice runs', () => {
  test('lists runs newest first with status, duration and node outcomes', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'runs')).toBe(0)
    const lines = io.out.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^RUN\s+PIPELINE\s+STATUS\s+STARTED\s+DURATION\s+NODES$/)
    expect(lines[1]).toContain(seeded.runs[1])
    expect(lines[1]).toMatch(/FAILED .* 900ms {2}1 cached, 1 failed$/)
    expect(lines[2]).toMatch(/COMPLETE .* 3\.5s {2}2 done$/)
    expect(io.out).not.toContain('\x1b[')
  })

  test('--json gives one entry per run', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'runs', '--json')).toBe(0)
    const runs = JSON.parse(io.out) as RunListEntry[]
    expect(runs).toEqual([
      {
        runId: seeded.runs[1],
        pipelineName: 'demo',
        status: 'FAILED',
        startTime: new Date(1_767_265_200_000).toISOString(),
        endTime: new Date(1_767_265_200_900).toISOString(),
        durationMs: 900,
        pipelineModule: '/project/pipeline.ts',
        nodes: { CACHED: 1, FAILED: 1 },
      },
      expect.objectContaining({ runId: seeded.runs[0], status: 'COMPLETE', nodes: { COMPLETE: 2 } }),
    ])
  })

  test('a store without runs says so', async () => {
    const dir = tempDir()
    await openSqliteStore(path.join(dir, 'empty.sqlite')).close()
    const io = new TestIo(dir)
    expect(await sluice(io, 'runs', '--metadata', 'empty.sqlite')).toBe(0)
    expect(io.out).toBe(`No runs recorded in ${path.join(dir, 'empty.sqlite')}.\n`)
  })

  test('--limit keeps the most recent runs and says how many are hidden', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'runs', '--limit', '1')).toBe(0)
    expect(io.out).toContain(seeded.runs[1])
    expect(io.out).not.toContain(seeded.runs[0])
    expect(io.out).toContain('1 older run not shown')
  })
})

describe('sluice run show', () => {
  test('describes the nodes of a run, their errors and outputs', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'run', 'show', seeded.runs[1])).toBe(0)
    expect(io.out).toContain(`Run ${seeded.runs[1]}`)
    expect(io.out).toMatch(/status\s+FAILED/)
    expect(io.out).toMatch(/Gen\s+Gen\s+cached/)
    expect(io.out).toMatch(/Count\s+Count\s+failed\s+800ms\s+#\d+\s+row 3: not a number \[SLUICE_EXECUTOR_FAILED\]/)
    expect(io.out).toContain(`Gen.examples  Examples #${seeded.examplesId}  ./.sluice/demo/Gen/examples/1`)
  })

  test('accepts a unique prefix and --json', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'run', 'show', '20260101-10', '--json')).toBe(0)
    const details = JSON.parse(io.out) as RunDetails
    expect(details.runId).toBe(seeded.runs[0])
    expect(details.nodes.map((n) => [n.nodeId, n.status, n.attempts])).toEqual([
      ['Gen', 'COMPLETE', 1],
      ['Count', 'COMPLETE', 2],
    ])
    expect(details.nodes[1]!.inputs.examples![0]!.id).toBe(seeded.examplesId)
    expect(details.nodes[1]!.outputs.rows![0]!.id).toBe(seeded.rowsId)
  })

  test('an unknown or ambiguous run id is a one-line error', async () => {
    const dir = tempDir()
    await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'run', 'show', 'nope')).toBe(1)
    expect(io.err).toMatch(/^error: No run "nope" in the metadata store .* \[SLUICE_CLI_RUN_NOT_FOUND\]\n$/)
    const ambiguous = new TestIo(dir)
    expect(await sluice(ambiguous, 'run', 'show', '2026')).toBe(1)
    expect(ambiguous.err).toContain('[SLUICE_CLI_RUN_AMBIGUOUS]')
  })
})

describe('sluice artifacts', () => {
  test('lists artifacts newest first with producer and uri', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'artifacts')).toBe(0)
    const lines = io.out.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+PRODUCER\s+STATE\s+CREATED\s+URI$/)
    expect(lines[1]).toMatch(new RegExp(`^\\s*${seeded.rowsId}\\s+Integer\\s+Count\\s+LIVE\\s+.*\\./\\.sluice/demo/Count/rows/2/value$`))
    expect(lines[2]).toMatch(new RegExp(`^\\s*${seeded.examplesId}\\s+Examples\\s+Gen\\s+LIVE`))
  })

  test('--type and --run filter, --json parses', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const byType = new TestIo(dir)
    expect(await sluice(byType, 'artifacts', '--type', 'Examples', '--json')).toBe(0)
    const examples = JSON.parse(byType.out) as ArtifactListEntry[]
    expect(examples.map((a) => [a.id, a.type, a.producerNode, a.pipelineName])).toEqual([[seeded.examplesId, 'Examples', 'Gen', 'demo']])
    expect(examples[0]!.uri).toBe(path.join(dir, '.sluice/demo/Gen/examples/1'))

    // Run 2 only reused the cached Examples and wrote nothing itself.
    const byRun = new TestIo(dir)
    expect(await sluice(byRun, 'artifacts', '--run', seeded.runs[1], '--json')).toBe(0)
    expect((JSON.parse(byRun.out) as ArtifactListEntry[]).map((a) => a.id)).toEqual([seeded.examplesId])
  })

  test('an unknown type says which types exist', async () => {
    const dir = tempDir()
    await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'artifacts', '--type', 'Model')).toBe(0)
    expect(io.out).toContain('No artifacts of type Model.')
    expect(io.out).toContain('Examples, Integer')
  })
})

describe('sluice lineage', () => {
  test('prints the upstream and downstream trees', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'lineage', String(seeded.examplesId))).toBe(0)
    expect(io.out).toContain(`Lineage of Examples #${seeded.examplesId}`)
    const [upstream, downstream] = io.out.split('Downstream')
    expect(upstream).toMatch(/Examples #\d+ {2}\.\/\.sluice\/demo\/Gen\/examples\/1\n└─ Gen {2}execution #\d+ · COMPLETE · run 20260101-100000-000-aaaa\n/)
    // The successful and the failed Count both read it; the CACHED Gen is not a producer of its own.
    expect(downstream).toMatch(/├─ Count {2}execution #\d+ · COMPLETE · run \S+ \(read as examples\)\n│ {2}└─ rows: Integer #\d+/)
    expect(downstream).toMatch(/└─ Count {2}execution #\d+ · FAILED · run 20260101-110000-000-bbbb \(read as examples\)/)
  })

  test('--direction upstream from the end of the chain walks back to the start', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'lineage', String(seeded.rowsId), '--direction', 'upstream')).toBe(0)
    expect(io.out).not.toContain('Downstream')
    expect(io.out.split('\n').filter((l) => l.includes('─'))).toEqual([
      expect.stringMatching(/^└─ Count {2}execution/),
      expect.stringMatching(/^ {3}└─ examples: Examples #/),
      expect.stringMatching(/^ {6}└─ Gen {2}execution/),
    ])
  })

  test('--depth cuts the tree and says so', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'lineage', String(seeded.rowsId), '--direction', 'upstream', '--depth', '1')).toBe(0)
    expect(io.out).toContain('… (deeper; raise --depth)')
    expect(io.out).not.toMatch(/Gen {2}execution/)
  })

  test('--json gives the walked graph', async () => {
    const dir = tempDir()
    const seeded = await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'lineage', String(seeded.rowsId), '--json')).toBe(0)
    const lineage = JSON.parse(io.out) as LineageJson
    expect(lineage).toMatchObject({ artifactId: seeded.rowsId, direction: 'both', depth: 10 })
    expect(lineage.artifacts.map((a) => a.id).sort()).toEqual([seeded.examplesId, seeded.rowsId].sort())
    expect(lineage.executions.map((e) => e.nodeId)).toContain('Gen')
    expect(lineage.events).toContainEqual(expect.objectContaining({ artifactId: seeded.rowsId, type: 'OUTPUT', key: 'rows', index: 0 }))
  })

  test('an unknown artifact is a one-line error; a non-number too', async () => {
    const dir = tempDir()
    await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'lineage', '999')).toBe(1)
    expect(io.err).toMatch(/^error: No artifact #999 .*\[SLUICE_CLI_ARTIFACT_NOT_FOUND\]\n$/)
    const nan = new TestIo(dir)
    expect(await sluice(nan, 'lineage', 'abc')).toBe(1)
    expect(nan.err).toContain('"abc" is not an artifact id')
  })
})

describe('usage', () => {
  test('usage errors exit 2', async () => {
    const io = new TestIo(tempDir())
    expect(await sluice(io, 'lineage', '1', '--direction', 'sideways')).toBe(2)
    expect(io.err).toContain("'sideways' is invalid")
    expect(await sluice(new TestIo(io.cwd), 'nope')).toBe(2)
    expect(await sluice(new TestIo(io.cwd), 'run')).toBe(2)
    expect(await sluice(new TestIo(io.cwd), 'run', 'x.ts', '--parallelism', '0')).toBe(2)
    expect(await sluice(new TestIo(io.cwd), 'run', 'show')).toBe(2)
  })

  test('--help and --version exit 0', async () => {
    const help = new TestIo(tempDir())
    expect(await sluice(help, '--help')).toBe(0)
    for (const command of ['run', 'runs', 'artifacts', 'lineage']) expect(help.out).toContain(command)
    const runHelp = new TestIo(help.cwd)
    expect(await sluice(runHelp, 'run', '--help')).toBe(0)
    expect(runHelp.out).toContain('sluice run show [options] <runId>')
    const version = new TestIo(help.cwd)
    expect(await sluice(version, '--version')).toBe(0)
    expect(version.out).toMatch(/^\d+\.\d+\.\d+/)
  })

  test('--verbose adds the stack to errors', async () => {
    const dir = tempDir()
    await seedStore(dir)
    const io = new TestIo(dir)
    expect(await sluice(io, 'run', 'show', 'nope', '--verbose')).toBe(1)
    expect(io.err.split('\n')[1]).toMatch(/^\s+at /)
  })
})
