import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  ExamplesError,
  FEATURE_TYPES_METADATA_KEY,
  countParquetRows,
  featureTypeOfDuckDBType,
  featureTypesOf,
  listSplitDirectories,
  listSplitFiles,
  mergeFeatureTypes,
  openDuckDB,
  openSplitView,
  parquetShardName,
  readFeatureTypes,
  readParquetKeyValueMetadata,
  examplesSplitNames,
  sqlIdentifier,
  sqlString,
  writeSplits,
} from '../src/examples.js'
import type { DuckDB } from '../src/examples.js'

let dir: string
let db: DuckDB
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'data-parquet-'))
  db = await openDuckDB({ threads: 2 })
})
afterAll(async () => {
  await db.close()
  await fs.rm(dir, { recursive: true, force: true })
})

const rowsQuery = (n: number) => `SELECT i::BIGINT AS id, (i * 0.5)::DOUBLE AS half, 'v' || (i % 7) AS label, NULL::INTEGER AS nothing, (i % 3)::INTEGER AS s FROM range(${n}) t(i)`
const types = { id: 'INT', half: 'FLOAT', label: 'STRING', nothing: 'UNKNOWN' } as const

describe('writeSplits', () => {
  test('routes rows by the split column, writes one named file per split with the feature types as metadata', async () => {
    const uri = path.join(dir, 'routed')
    const written = await writeSplits(db.connection, { query: rowsQuery(3000), examplesUri: uri, splits: ['a', 'b', 'c'], splitColumn: 's', featureTypes: types })
    expect(written.map((w) => [w.split, w.numRows, w.files.map((f) => path.relative(uri, f))])).toEqual([
      ['a', 1000, ['Split-a/data_parquet-00000-of-00001.parquet']],
      ['b', 1000, ['Split-b/data_parquet-00000-of-00001.parquet']],
      ['c', 1000, ['Split-c/data_parquet-00000-of-00001.parquet']],
    ])
    expect(await listSplitDirectories(uri)).toEqual(['a', 'b', 'c'])
    const view = await openSplitView(db.connection, uri, 'b')
    expect(view.columns.map((c) => [c.name, c.duckdbType, c.featureType])).toEqual([
      ['id', 'BIGINT', 'INT'],
      ['half', 'DOUBLE', 'FLOAT'],
      ['label', 'VARCHAR', 'STRING'],
      ['nothing', 'INTEGER', 'UNKNOWN'],
    ])
    expect(view.numRows).toBe(1000)
    const ids = await db.connection.runAndReadAll(`SELECT bool_and(id % 3 = 1) FROM ${sqlIdentifier(view.view)}`)
    expect(ids.getRows()[0]![0]).toBe(true)
    const metadata = await readParquetKeyValueMetadata(db.connection, view.files[0]!)
    expect(JSON.parse(metadata[FEATURE_TYPES_METADATA_KEY]!)).toEqual(types)
    // The staging directory is gone and nothing else is in the artifact.
    expect((await fs.readdir(uri)).sort()).toEqual(['Split-a', 'Split-b', 'Split-c'])
  })

  test('shards a split so that no file holds more than rowsPerFile rows, in order', async () => {
    const uri = path.join(dir, 'sharded')
    const [written] = await writeSplits(db.connection, { query: rowsQuery(10_500), examplesUri: uri, splits: ['train'], splitColumn: 's', featureTypes: types, rowsPerFile: 2500 })
    expect(written!.files.map((f) => path.basename(f))).toEqual([0, 1, 2, 3, 4].map((i) => parquetShardName(i, 5)))
    const counts = []
    for (const file of written!.files) counts.push(await countParquetRows(db.connection, [file]))
    expect(counts).toEqual([2500, 2500, 2500, 2500, 500])
    const ids = await db.connection.runAndReadAll(`SELECT count(DISTINCT id), min(id), max(id) FROM read_parquet(${sqlString(path.join(uri, 'Split-train', '*.parquet'))})`)
    expect(ids.getRows()[0]!.map(Number)).toEqual([10_500, 0, 10_499])
    // Shards follow the input order: every id of shard k precedes every id of shard k + 1.
    let previousMax = -1
    for (const file of written!.files) {
      const r = (await db.connection.runAndReadAll(`SELECT min(id), max(id) FROM read_parquet(${sqlString(file)})`)).getRows()[0]!.map(Number)
      expect(r[0]).toBeGreaterThan(previousMax)
      previousMax = r[1]!
    }
  })

  test('several splits sharded, and a split no row reaches gets one empty file with the schema', async () => {
    const uri = path.join(dir, 'empty-split')
    const written = await writeSplits(db.connection, {
      query: `SELECT i::BIGINT AS id, (i % 2)::INTEGER AS s FROM range(5000) t(i)`,
      examplesUri: uri,
      splits: ['even', 'odd', 'never'],
      splitColumn: 's',
      featureTypes: { id: 'INT' },
      rowsPerFile: 2000,
      compression: 'zstd',
    })
    expect(written.map((w) => [w.split, w.numRows, w.files.length])).toEqual([
      ['even', 2500, 2],
      ['odd', 2500, 2],
      ['never', 0, 1],
    ])
    const never = await openSplitView(db.connection, uri, 'never')
    expect(never.columns.map((c) => c.name)).toEqual(['id'])
    // Resharded files hold the features only: the split column of the staging layout stays out.
    const even = await openSplitView(db.connection, uri, 'even')
    expect(even.columns.map((c) => c.name)).toEqual(['id'])
    expect(never.featureTypes).toEqual({ id: 'INT' })
  })
})

describe('reading examples', () => {
  test('listSplitFiles explains a missing split', async () => {
    const uri = path.join(dir, 'routed')
    await expect(listSplitFiles(uri, 'zzz')).rejects.toThrow(ExamplesError)
    await expect(listSplitFiles(uri, 'zzz')).rejects.toThrow(/no split "zzz".*Available splits: a, b, c/s)
  })

  test('feature types of Parquet files written elsewhere come from the column types', async () => {
    const file = path.join(dir, 'foreign.parquet')
    await db.connection.run(`COPY (SELECT 1::TINYINT AS a, 2.5::FLOAT AS b, 'x' AS c, '\\x01'::BLOB AS d, [1.5, 2.5] AS e, true AS f, 3.25::DECIMAL(5,2) AS g) TO ${sqlString(file)} (FORMAT PARQUET)`)
    expect(await readFeatureTypes(db.connection, [file])).toEqual({ a: 'INT', b: 'FLOAT', c: 'STRING', d: 'BYTES', e: 'FLOAT', f: 'INT', g: 'FLOAT' })
  })

  test('helpers: type mapping and merging, split names, the feature_types property', async () => {
    expect(featureTypeOfDuckDBType('BIGINT[]')).toBe('INT')
    expect(featureTypeOfDuckDBType('DECIMAL(18,3)')).toBe('FLOAT')
    expect(featureTypeOfDuckDBType('STRUCT(a INTEGER)')).toBeUndefined()
    expect(mergeFeatureTypes('INT', 'FLOAT')).toBe('FLOAT')
    expect(mergeFeatureTypes('UNKNOWN', 'INT')).toBe('INT')
    expect(mergeFeatureTypes('STRING', 'FLOAT')).toBe('STRING')
    expect(await examplesSplitNames({ uri: dir, properties: { splitNames: ['train', 'eval'] } })).toEqual(['train', 'eval'])
    expect(await examplesSplitNames({ uri: dir, properties: { split_names: '["a","b"]' } })).toEqual(['a', 'b'])
    expect(await examplesSplitNames({ uri: path.join(dir, 'routed'), properties: {} })).toEqual(['a', 'b', 'c'])
    expect(await examplesSplitNames({ uri: path.join(dir, 'nowhere'), properties: {} })).toEqual([])
    expect(featureTypesOf({ customProperties: { feature_types: { x: 'INT' } } })).toEqual({ x: 'INT' })
    expect(featureTypesOf({ customProperties: { feature_types: '{"x":"FLOAT"}' } })).toEqual({ x: 'FLOAT' })
    expect(featureTypesOf({ customProperties: {} })).toBeUndefined()
    expect(() => featureTypesOf({ customProperties: { feature_types: { x: 'DATE' } } })).toThrow(/unknown type "DATE"/)
  })
})

describe('openDuckDB', () => {
  test('uses the thread count given, closes idempotently, and interrupts queries on abort', async () => {
    const controller = new AbortController()
    const own = await openDuckDB({ threads: 1, signal: controller.signal, tempDirectory: path.join(dir, 'spill') })
    expect(own.threads).toBe(1)
    const threads = await own.connection.runAndReadAll(`SELECT current_setting('threads')`)
    expect(Number(threads.getRows()[0]![0])).toBe(1)
    const slow = own.connection.run('SELECT count(*) FROM range(100000000000) a')
    setTimeout(() => controller.abort(), 50)
    await expect(slow).rejects.toThrow(/interrupt/i)
    await own.close()
    await own.close()
  })
})
