import fs from 'node:fs/promises'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { Channel, Examples } from '@sluice/core'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { ExportSplitToCsv } from '../src/index.js'

let dir: TempDirectory
beforeEach(async () => {
  dir = await createTempDirectory('csv-export-test-')
})
afterEach(async () => {
  await dir.remove()
})

/** Writes `Split-<split>/<file>` under an examples folder and returns the folder. */
async function writeSplit(split: string, file: string, content: string): Promise<string> {
  const examples = path.join(dir.path, 'examples')
  await fs.mkdir(path.join(examples, `Split-${split}`), { recursive: true })
  await fs.writeFile(path.join(examples, `Split-${split}`, file), content)
  return examples
}

/** Writes a Parquet split with DuckDB, the way an ExampleGen writes Examples. */
async function writeParquetSplit(split: string, select: string): Promise<string> {
  const examples = path.join(dir.path, 'examples')
  await fs.mkdir(path.join(examples, `Split-${split}`), { recursive: true })
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(`COPY (${select}) TO '${path.join(examples, `Split-${split}`, 'data_parquet-00000-of-00001.parquet')}' (FORMAT parquet)`)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  return examples
}

describe('ExportSplitToCsv', () => {
  test('exports the eval split of CSV examples by default, with a header', async () => {
    await writeSplit('train', 'data.csv', 'trip_miles,fare,company\n1.5,6.25,Flash Cab\n')
    const examples = await writeSplit('eval', 'data.csv', 'trip_miles,fare,company\n2.0,8.5,"Taxi, Inc"\n0.4,3.25,Flash Cab\n')
    const { outputs } = await runComponent(ExportSplitToCsv, { inputs: { examples: { uri: examples, properties: { splitNames: ['train', 'eval'] } } } })
    expect(outputs.csv.properties).toEqual({ split: 'eval', rows: 2 })
    expect(await fs.readdir(outputs.csv.uri)).toEqual(['eval.csv'])
    expect(await fs.readFile(path.join(outputs.csv.uri, 'eval.csv'), 'utf8')).toBe('trip_miles,fare,company\n2.0,8.5,"Taxi, Inc"\n0.4,3.25,Flash Cab\n')
  })

  test('exports a Parquet split written by DuckDB, without a header and with another delimiter', async () => {
    const examples = await writeParquetSplit('train', "SELECT i AS trip_id, i * 2.5 AS fare, 'c' || i AS company FROM range(1, 4) t(i)")
    const { outputs } = await runComponent(ExportSplitToCsv, {
      inputs: { examples: { uri: examples, properties: { splitNames: ['train'] } } },
      parameters: { split: 'train', header: false, delimiter: ';' },
    })
    expect(outputs.csv.properties).toEqual({ split: 'train', rows: 3 })
    expect(await fs.readFile(path.join(outputs.csv.uri, 'train.csv'), 'utf8')).toBe('1;2.5;c1\n2;5.0;c2\n3;7.5;c3\n')
  })

  test('unions the files of a split by column name, JSON lines included', async () => {
    await writeSplit('eval', 'a.csv', 'id,label\n1,yes\n')
    const examples = await writeSplit('eval', 'b.jsonl', '{"id": 2, "label": "no"}\n{"id": 3, "label": "yes"}\n')
    const { outputs } = await runComponent(ExportSplitToCsv, { inputs: { examples: { uri: examples } } })
    expect(outputs.csv.properties.rows).toBe(3)
    const lines = (await fs.readFile(path.join(outputs.csv.uri, 'eval.csv'), 'utf8')).trim().split('\n')
    expect(lines[0]).toBe('id,label')
    expect(lines.slice(1).sort()).toEqual(['1,yes', '2,no', '3,yes'])
  })

  test('a missing split is an error naming the splits the examples have', async () => {
    const examples = await writeSplit('train', 'data.csv', 'a\n1\n')
    await writeSplit('eval', 'data.csv', 'a\n2\n')
    await expect(
      runComponent(ExportSplitToCsv, { inputs: { examples: { uri: examples, properties: { splitNames: ['train', 'eval'] } } }, parameters: { split: 'test' } }),
    ).rejects.toMatchObject({
      code: 'SLUICE_CSV_EXPORT_NO_SPLIT',
      message: expect.stringContaining('ExportSplitToCsv: the examples have no split "test"; their splits are "train", "eval". Set the split parameter to one of them.'),
    })
    // Without splitNames, the Split-* folders tell.
    await expect(runComponent(ExportSplitToCsv, { inputs: { examples: { uri: examples } }, parameters: { split: 'test' } })).rejects.toThrow(
      'their splits are "eval", "train"',
    )
  })

  test('a split without data files is an error listing what it holds', async () => {
    const examples = await writeSplit('eval', 'data.tfrecord.gz', '')
    await expect(runComponent(ExportSplitToCsv, { inputs: { examples: { uri: examples, properties: { splitNames: ['eval'] } } } })).rejects.toMatchObject({
      code: 'SLUICE_CSV_EXPORT_NO_DATA',
      message: expect.stringContaining('has no Parquet, CSV or JSON lines files (found "data.tfrecord.gz")'),
    })
  })

  test('parameters are checked when the pipeline is defined', () => {
    const examples = Channel(Examples)
    expect(() => ExportSplitToCsv({ examples, delimiter: ';;' })).toThrow(/parameter "delimiter"/)
    expect(() => ExportSplitToCsv({ examples, split: '../etc' })).toThrow('parameter "split": a split name is letters, digits, "_", "." or "-"')
  })
})
