import { spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sqlStringList } from '@sluice/data/examples'
import { rejectionOf, runComponent } from '@sluice/testing'
import type { RunEvent } from '@sluice/runner'
import { CsvExampleGen } from '../src/index.js'
import { CsvExampleGenExecutor, FileBasedExampleGenExecutor, typedColumns } from '../src/executors.js'
import type { ReadSplitArgs, SplitSource } from '../src/executors.js'
import { readSplit, rootIn, tempDir, writeFiles } from './helpers.js'

const here = path.dirname(fileURLToPath(import.meta.url))
let dir: string
beforeAll(async () => {
  dir = await tempDir('example-gen-executors-')
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

/** Reads pipe-separated files: a custom format, as docs/components/example-gen.md shows. */
class PipeSeparatedExecutor extends FileBasedExampleGenExecutor {
  async readSplit({ connection, split }: ReadSplitArgs): Promise<SplitSource> {
    const relation = `read_csv(${sqlStringList(split.files)}, delim = '|', header = true)`
    return { relation, columns: await typedColumns(connection, relation) }
  }
}

describe('withExecutor', () => {
  test('a custom executor reads another format; splitting, writing and properties stay the same', async () => {
    const inputBase = path.join(dir, 'psv')
    await writeFiles(inputBase, { 'data.psv': 'id|city|fare\n1|Paris|12.5\n2|Oslo|3\n3|Rome|4.25\n' })
    const PsvExampleGen = CsvExampleGen.withExecutor(PipeSeparatedExecutor)
    const { outputs } = await runComponent(PsvExampleGen, { root: rootIn(dir), parameters: { inputBase, outputConfig: { splitConfig: { splits: [{ name: 'all', hashBuckets: 1 }] } } } })
    expect(outputs.examples.customProperties.feature_types).toEqual({ id: 'INT', city: 'STRING', fare: 'FLOAT' })
    expect((await readSplit(outputs.examples.uri, 'all', 'id')).rows).toEqual([
      { id: 1n, city: 'Paris', fare: 12.5 },
      { id: 2n, city: 'Oslo', fare: 3 },
      { id: 3n, city: 'Rome', fare: 4.25 },
    ])
    expect(PsvExampleGen.code).not.toBe(CsvExampleGen.code)
  })
})

describe('column types guessed from the first rows', () => {
  class SmallSampleExecutor extends CsvExampleGenExecutor {
    protected override typeSampleRows = 10
  }
  const SmallSample = CsvExampleGen.withExecutor(SmallSampleExecutor)

  async function run(name: string, csv: string) {
    const inputBase = path.join(dir, name)
    await writeFiles(inputBase, { 'data.csv': csv })
    const logs: string[] = []
    const onEvent = (event: RunEvent) => {
      if (event.type === 'node-log') logs.push(event.message)
    }
    const { outputs } = await runComponent(SmallSample, { root: rootIn(dir), parameters: { inputBase, outputConfig: { splitConfig: { splits: [{ name: 'all', hashBuckets: 1 }] } } }, onEvent })
    return { outputs, logs }
  }

  test('when a later row does not fit the guess, types are inferred over every row and the split rewritten', async () => {
    const lines = ['id,late_float,late_string,late_value,late_overflow']
    for (let i = 0; i < 60; i++) {
      lines.push([i, i === 40 ? '2.5' : String(i), i === 50 ? 'text' : String(i), i === 30 ? '7' : '', i === 55 ? '99999999999999999999' : '1.5'].join(','))
    }
    const { outputs, logs } = await run('fallback', `${lines.join('\n')}\n`)
    expect(outputs.examples.customProperties.feature_types).toEqual({ id: 'INT', late_float: 'FLOAT', late_string: 'STRING', late_value: 'INT', late_overflow: 'STRING' })
    expect(logs.some((l) => l.includes('inferring them over every row'))).toBe(true)
    const { rows } = await readSplit(outputs.examples.uri, 'all', 'id')
    expect(rows).toHaveLength(60)
    expect(rows[40]).toMatchObject({ late_float: 2.5, late_string: '40', late_value: null })
    expect(rows[30]).toMatchObject({ late_value: 7n })
    expect(rows[55]).toMatchObject({ late_overflow: '99999999999999999999' })
  })

  test('for each kind of guess alone, a value that breaks it triggers the exact pass', async () => {
    const cases: [string, string, string][] = [
      ['UNKNOWN → INT', '', '5'],
      ['INT → FLOAT', '1', '1e3'],
      ['INT → STRING (hex is not an integer for Python)', '1', '0x10'],
      ['FLOAT → STRING', '1.5', 'abc'],
    ]
    for (const [label, early, late] of cases) {
      const lines = ['v', ...Array.from({ length: 30 }, (_, i) => (i === 25 ? late : early))]
      const { outputs, logs } = await run(`guess-${label.replace(/\W+/g, '-')}`, `${lines.join('\n')}\n`)
      const expected = { 'UNKNOWN → INT': 'INT', 'INT → FLOAT': 'FLOAT', 'INT → STRING (hex is not an integer for Python)': 'STRING', 'FLOAT → STRING': 'STRING' }[label]
      expect(outputs.examples.customProperties.feature_types, label).toEqual({ v: expected })
      expect(logs.some((l) => l.includes('inferring them over every row')), label).toBe(true)
    }
  })

  test('when the guess holds, the split is written once', async () => {
    const lines = ['a,b', ...Array.from({ length: 40 }, (_, i) => `${i},${i / 2}`)]
    const { outputs, logs } = await run('holds', `${lines.join('\n')}\n`)
    expect(outputs.examples.customProperties.feature_types).toEqual({ a: 'INT', b: 'FLOAT' })
    expect(logs.some((l) => l.includes('inferring them over every row'))).toBe(false)
    expect(logs.some((l) => l.includes('guessed from the first 10 rows'))).toBe(true)
  })

  test('a ragged row is still reported with its line when types are guessed', async () => {
    const lines = ['a,b', ...Array.from({ length: 40 }, (_, i) => (i === 33 ? '1,2,3' : `${i},${i}`))]
    const inputBase = path.join(dir, 'ragged-guess')
    await writeFiles(inputBase, { 'data.csv': `${lines.join('\n')}\n` })
    const error = await rejectionOf(runComponent(SmallSample, { root: rootIn(dir), parameters: { inputBase } }))
    expect(error.code).toBe('SLUICE_EXAMPLEGEN_RAGGED_ROW')
    expect(error.message).toContain('data.csv line 35: the row has 3 cells')
  })
})

describe('lazy loading', () => {
  test('defining a pipeline and computing its fingerprint loads no native module (DuckDB)', () => {
    const inputBase = path.join(here, '..', '..', '..', 'examples', 'data', 'taxi')
    const script = `
      const loaded = []
      const dlopen = process.dlopen
      process.dlopen = function (module, filename, ...rest) { loaded.push(filename); return dlopen.call(this, module, filename, ...rest) }
      const { CsvExampleGen, ImportExampleGen, exampleGenFingerprint } = await import('@sluice/component-example-gen')
      const { Pipeline } = await import('@sluice/core')
      const gen = CsvExampleGen({ inputBase: ${JSON.stringify(inputBase)} })
      ImportExampleGen({ inputBase: ${JSON.stringify(inputBase)}, id: 'imp' })
      new Pipeline({ name: 'p', root: '/tmp/unused', components: [gen] })
      const fingerprint = await exampleGenFingerprint(gen.parameters)
      console.log(JSON.stringify({ loaded, fingerprint }))
    `
    const tsx = import.meta.resolve('tsx/esm')
    const result = spawnSync(process.execPath, ['--conditions=@sluice/source', '--import', tsx, '--input-type=module', '-e', script], { cwd: here, encoding: 'utf8' })
    expect(result.stderr).toBe('')
    const { loaded, fingerprint } = JSON.parse(result.stdout.trim().split('\n').pop()!) as { loaded: string[]; fingerprint: string }
    expect(loaded.filter((f) => /duckdb/i.test(f))).toEqual([])
    expect(fingerprint).toContain('num_files:1')
  })
})
