import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Artifact, Examples } from '@sluice/core'
import { rejectionOf, runComponent } from '@sluice/testing'
import { CsvExampleGen } from '../src/index.js'
import { readSplit, rootIn, tempDir, writeFiles } from './helpers.js'

const TAXI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/data/taxi')

let dir: string
beforeAll(async () => {
  dir = await tempDir()
})

/** Runs CsvExampleGen over `files` written into a fresh input directory. */
async function run(name: string, files: Record<string, string>, parameters: Record<string, unknown> = {}) {
  const inputBase = path.join(dir, name)
  await writeFiles(inputBase, files)
  return runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase, ...parameters } as never })
}

/** All rows of all output splits, ordered by `orderBy`. */
async function allRows(uri: string, splits: readonly string[], orderBy: string) {
  const rows: Record<string, unknown>[] = []
  for (const split of splits) rows.push(...(await readSplit(uri, split)).rows)
  return rows.sort((a, b) => String(a[orderBy]).localeCompare(String(b[orderBy]), 'en', { numeric: true }))
}

describe('type inference (TFX ColumnTypeInferrer rules, over every row)', () => {
  test('INT, FLOAT with int-then-float promotion, STRING, UNKNOWN for an always-empty column', async () => {
    const csv = [
      'id,int_col,promoted,float_col,text,empty,mixed,big,specials,spaced',
      '1,10,1,1.5,apple,,3,9223372036854775807,nan, 7 ',
      '2,-20,2,2e3,"banana split",,x,1,inf,+8',
      '3,,3.5,,,,4.5,2,-Infinity,1_000',
    ].join('\n')
    const { outputs } = await run('types', { 'data.csv': `${csv}\n` })
    const featureTypes = outputs.examples.customProperties.feature_types
    expect(featureTypes).toEqual({
      id: 'INT',
      int_col: 'INT',
      promoted: 'FLOAT',
      float_col: 'FLOAT',
      text: 'STRING',
      empty: 'UNKNOWN',
      mixed: 'STRING',
      big: 'INT',
      specials: 'FLOAT',
      spaced: 'INT',
    })
    const { types, metadata } = await readSplit(outputs.examples.uri, 'train')
    expect(types).toEqual({
      id: 'BIGINT',
      int_col: 'BIGINT',
      promoted: 'DOUBLE',
      float_col: 'DOUBLE',
      text: 'VARCHAR',
      empty: 'INTEGER',
      mixed: 'VARCHAR',
      big: 'BIGINT',
      specials: 'DOUBLE',
      spaced: 'BIGINT',
    })
    expect(JSON.parse(metadata['sluice.feature_types']!)).toEqual(featureTypes)
    const rows = await allRows(outputs.examples.uri, ['train', 'eval'], 'id')
    expect(rows).toEqual([
      { id: 1n, int_col: 10n, promoted: 1, float_col: 1.5, text: 'apple', empty: null, mixed: '3', big: 9223372036854775807n, specials: Number.NaN, spaced: 7n },
      { id: 2n, int_col: -20n, promoted: 2, float_col: 2000, text: 'banana split', empty: null, mixed: 'x', big: 1n, specials: Number.POSITIVE_INFINITY, spaced: 8n },
      { id: 3n, int_col: null, promoted: 3.5, float_col: null, text: null, empty: null, mixed: '4.5', big: 2n, specials: Number.NEGATIVE_INFINITY, spaced: 1000n },
    ])
  })

  test('an integer beyond int64 makes the column STRING, as in TFX', async () => {
    const { outputs } = await run('overflow', { 'data.csv': 'a,b\n1,9223372036854775808\n2,5\n' })
    expect(outputs.examples.customProperties.feature_types).toEqual({ a: 'INT', b: 'STRING' })
  })

  test('types are inferred over the whole split, across files, not a sample', async () => {
    const files: Record<string, string> = {}
    for (let f = 0; f < 3; f++) {
      const lines = ['n,s']
      for (let i = 0; i < 2000; i++) lines.push(`${f * 2000 + i},${f === 2 && i === 1999 ? 'late string' : i}`)
      files[`part-${f}.csv`] = `${lines.join('\n')}\n`
    }
    const { outputs } = await run('whole-split', files)
    expect(outputs.examples.customProperties.feature_types).toEqual({ n: 'INT', s: 'STRING' })
  })
})

describe('CSV syntax', () => {
  test('quoted cells hold commas, quotes and newlines (LF and CRLF); empty cells are missing', async () => {
    const csv = 'id,note,qty\r\n1,"a, b",3\r\n2,"line one\r\nline two",\r\n3,"say ""hi""",5\r\n4,,\r\n'
    const { outputs } = await run('quoting', { 'data.csv': csv })
    const rows = await allRows(outputs.examples.uri, ['train', 'eval'], 'id')
    expect(rows).toEqual([
      { id: 1n, note: 'a, b', qty: 3n },
      { id: 2n, note: 'line one\r\nline two', qty: null },
      { id: 3n, note: 'say "hi"', qty: 5n },
      { id: 4n, note: null, qty: null },
    ])
  })

  test('blank lines are skipped; a header-only file adds no rows', async () => {
    const { outputs } = await run('blank', { 'a.csv': 'x,y\n1,2\n\n3,4\n\n', 'b.csv': 'x,y\n' })
    const rows = await allRows(outputs.examples.uri, ['train', 'eval'], 'x')
    expect(rows.map((r) => r.x)).toEqual([1n, 3n])
  })

  test('a row with too many cells is an error naming the file and its line (after a multi-line cell)', async () => {
    const error = await rejectionOf(run('ragged-long', { 'good.csv': 'a,b\n1,2\n', 'bad.csv': 'a,b\n1,"two\nlines"\n3,4\n5,6,7\n8,9\n' }))
    expect(error.code).toBe('SLUICE_EXAMPLEGEN_RAGGED_ROW')
    expect(error.message).toContain(`${path.join(dir, 'ragged-long', 'bad.csv')} line 5: the row has 3 cells but the header has 2`)
    expect(error.message).toContain('split "single_split"')
  })

  test('a row with too few cells, and a trailing comma, are errors too', async () => {
    const short = await rejectionOf(run('ragged-short', { 'data.csv': 'a,b,c\n1,2,3\n4,5\n' }))
    expect(short.code).toBe('SLUICE_EXAMPLEGEN_RAGGED_ROW')
    expect(short.message).toContain('data.csv line 3: the row has 2 cells but the header has 3')
    const trailing = await rejectionOf(run('ragged-trailing', { 'data.csv': 'a,b\n1,2\n3,4,\n' }))
    expect(trailing.code).toBe('SLUICE_EXAMPLEGEN_RAGGED_ROW')
    expect(trailing.message).toMatch(/data\.csv line 3: the row has 3 cells but the header has 2.*trailing comma/)
  })

  test('a quote that is never closed is an error naming the line where it opens', async () => {
    const error = await rejectionOf(run('unclosed', { 'data.csv': 'a,b\n1,2\n3,"open\n4,5\n' }))
    expect(error.code).toBe('SLUICE_EXAMPLEGEN_BAD_CSV')
    expect(error.message).toContain('data.csv line 3: a quoted cell is never closed')
  })

  test('files of one split with different headers are an error naming the file', async () => {
    const error = await rejectionOf(run('headers', { 'a.csv': 'x,y,z\n1,2,3\n', 'b.csv': 'x,z,y\n1,2,3\n' }))
    expect(error.code).toBe('SLUICE_EXAMPLEGEN_HEADER_MISMATCH')
    expect(error.message).toContain(`${path.join(dir, 'headers', 'b.csv')} line 1: its header differs from ${path.join(dir, 'headers', 'a.csv')}`)
    expect(error.message).toContain('column 2 is "z" instead of "y"')
  })

  test('an empty file, an unnamed column and a duplicate column are errors', async () => {
    const empty = await rejectionOf(run('empty', { 'a.csv': 'x\n1\n', 'b.csv': '' }))
    expect(empty.code).toBe('SLUICE_EXAMPLEGEN_EMPTY_FILE')
    expect(empty.message).toContain(`CSV file ${path.join(dir, 'empty', 'b.csv')} is empty`)
    const unnamed = await rejectionOf(run('unnamed', { 'a.csv': 'x,,z\n1,2,3\n' }))
    expect(unnamed.code).toBe('SLUICE_EXAMPLEGEN_BAD_HEADER')
    expect(unnamed.message).toContain('column 2 of the header has no name')
    const duplicate = await rejectionOf(run('duplicate', { 'a.csv': 'x,y,X\n1,2,3\n' }))
    expect(duplicate.code).toBe('SLUICE_EXAMPLEGEN_BAD_HEADER')
    expect(duplicate.message).toContain('columns 1 ("x") and 3 ("X") have the same name')
  })

  test('no matching file, a missing inputBase and a bad glob are clear errors', async () => {
    const none = await rejectionOf(run('nothing', { 'data.txt': 'x\n1\n' }, { inputConfig: { splits: [{ name: 'all', pattern: '*.csv' }] } }))
    expect(none.code).toBe('SLUICE_EXAMPLEGEN_NO_FILES')
    expect(none.message).toContain('Split "all": no file under')
    const missing = await rejectionOf(runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase: path.join(dir, 'does-not-exist') } }))
    expect(missing.code).toBe('SLUICE_EXAMPLEGEN_NO_FILES')
    expect(missing.message).toContain('does-not-exist does not exist')
    // A malformed glob is rejected when the component is called, before anything runs.
    expect(() => CsvExampleGen({ inputBase: dir, inputConfig: { splits: [{ name: 'x', pattern: 'data[.csv' }] } })).toThrow(/never closed/)
  })
})

describe('column names', () => {
  test('any header text works as a column name: quotes, apostrophes, spaces, non-ASCII', async () => {
    const { outputs } = await run('names', { 'data.csv': '"a""b",it\'s,with space,ünï,Fare\n1,x,2.5,é,3\n' })
    expect(outputs.examples.customProperties.feature_types).toEqual({ 'a"b': 'INT', "it's": 'STRING', 'with space': 'FLOAT', ünï: 'STRING', Fare: 'INT' })
    expect((await allRows(outputs.examples.uri, ['train', 'eval'], 'Fare'))[0]).toEqual({ 'a"b': 1n, "it's": 'x', 'with space': 2.5, ünï: 'é', Fare: 3n })
  })

  test('the __sluice_ prefix is reserved', async () => {
    const error = await rejectionOf(run('reserved', { 'data.csv': 'a,__sluice_split\n1,2\n' }))
    expect(error.code).toBe('SLUICE_EXAMPLEGEN_BAD_HEADER')
    expect(error.message).toContain('reserved prefix')
  })
})

describe('the Chicago taxi sample', () => {
  let outputs: { examples: Artifact<typeof Examples> }
  beforeAll(async () => {
    outputs = (await runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase: TAXI } })).outputs
  })

  test('15,002 rows split about 2:1, with the expected column types', async () => {
    const train = await readSplit(outputs.examples.uri, 'train')
    const evalSplit = await readSplit(outputs.examples.uri, 'eval')
    expect(train.view.numRows + evalSplit.view.numRows).toBe(15_002)
    expect(train.view.numRows / 15_002).toBeGreaterThan(0.63)
    expect(train.view.numRows / 15_002).toBeLessThan(0.7)
    const types = outputs.examples.customProperties.feature_types as Record<string, string>
    expect(types).toMatchObject({ payment_type: 'STRING', company: 'STRING', fare: 'FLOAT', tips: 'FLOAT', trip_start_hour: 'INT', trip_start_timestamp: 'INT', pickup_census_tract: 'INT' })
    expect(Object.keys(types)).toHaveLength(18)
    expect(train.types).toMatchObject({ payment_type: 'VARCHAR', fare: 'DOUBLE', trip_start_hour: 'BIGINT' })
    expect(outputs.examples.properties).toEqual({ splitNames: ['train', 'eval'], span: 0 })
    expect(outputs.examples.customProperties).toMatchObject({ payload_format: 'FORMAT_PARQUET', file_format: 'parquet', span: 0 })
    expect(outputs.examples.customProperties.input_fingerprint).toMatch(/^split:single_split,num_files:1,total_bytes:1922812,xor_checksum:\d+,sum_checksum:\d+$/)
  })
})

afterAll(async () => {
  const fs = await import('node:fs/promises')
  await fs.rm(dir, { recursive: true, force: true })
})
