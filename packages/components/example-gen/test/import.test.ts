import fs from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openDuckDB, sqlString } from '@sluice/data/examples'
import { rejectionOf, runComponent } from '@sluice/testing'
import { CsvExampleGen, ImportExampleGen } from '../src/index.js'
import { readSplit, rootIn, tempDir, writeFiles } from './helpers.js'

// ---- A small tf.Example + TFRecord encoder written for the tests, independent of the package's codec.

function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const b of bytes) {
    crc ^= b
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}
const masked = (crc: number) => (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0
function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value)
  const out: number[] = []
  do {
    const low = Number(v & 0x7fn)
    v >>= 7n
    out.push(v > 0n ? low | 0x80 : low)
  } while (v > 0n)
  return out
}
const field = (number: number, payload: number[]) => [...varint(BigInt((number << 3) | 2)), ...varint(BigInt(payload.length)), ...payload]
type Value = { int64: (number | bigint)[] } | { float: number[] } | { bytes: (string | Uint8Array)[] } | 'none'
function example(features: Record<string, Value>): Uint8Array {
  const entries: number[] = []
  for (const [name, value] of Object.entries(features)) {
    let feature: number[] = []
    if (value !== 'none') {
      if ('int64' in value) feature = field(3, field(1, value.int64.flatMap((v) => varint(BigInt(v)))))
      else if ('float' in value) {
        const packed = Buffer.alloc(value.float.length * 4)
        value.float.forEach((v, i) => packed.writeFloatLE(v, i * 4))
        feature = field(2, field(1, [...packed]))
      } else feature = field(1, value.bytes.flatMap((v) => field(1, [...(typeof v === 'string' ? Buffer.from(v) : v)])))
    }
    entries.push(...field(1, [...field(1, [...Buffer.from(name)]), ...field(2, feature)]))
  }
  return Uint8Array.from(field(1, entries))
}
function tfrecord(records: Uint8Array[]): Buffer {
  return Buffer.concat(
    records.map((data) => {
      const header = Buffer.alloc(12)
      header.writeBigUInt64LE(BigInt(data.length))
      header.writeUInt32LE(masked(crc32c(header.subarray(0, 8))), 8)
      const footer = Buffer.alloc(4)
      footer.writeUInt32LE(masked(crc32c(data)))
      return Buffer.concat([header, data, footer])
    }),
  )
}

// ----

let dir: string
beforeAll(async () => {
  dir = await tempDir('example-gen-import-')
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const ALL = { splitConfig: { splits: [{ name: 'all', hashBuckets: 1 }] } }

async function importDir(name: string, files: Record<string, string | Uint8Array>, parameters: Record<string, unknown> = {}) {
  const inputBase = path.join(dir, name)
  await writeFiles(inputBase, files)
  return runComponent(ImportExampleGen, { root: rootIn(dir), parameters: { inputBase, outputConfig: ALL, ...parameters } as never })
}

const RECORDS = [
  example({ id: { int64: [1] }, fare: { float: [12.5] }, company: { bytes: ['Flash Cab'] }, tags: { int64: [1, 2] }, raw: { bytes: [Uint8Array.from([0xff, 0x00])] }, nothing: 'none', sparse: { float: [] } }),
  example({ id: { int64: [2] }, fare: { float: [0.25] }, company: { bytes: ['Taxi Affiliation'] }, tags: { int64: [] }, raw: { bytes: ['ok'] }, nothing: 'none' }),
  example({ id: { int64: [-3n] }, fare: { float: [1e10] }, company: { bytes: ['Café'] }, tags: { int64: [7] }, nothing: 'none', sparse: { float: [4.5] } }),
]
const EXPECTED_ROWS = [
  { id: -3n, fare: 1e10, company: 'Café', tags: [7n], raw: null, nothing: null, sparse: 4.5 },
  { id: 1n, fare: 12.5, company: 'Flash Cab', tags: [1n, 2n], raw: Buffer.from([0xff, 0x00]), nothing: null, sparse: null },
  { id: 2n, fare: 0.25, company: 'Taxi Affiliation', tags: null, raw: Buffer.from('ok'), nothing: null, sparse: null },
]

describe('TFRecord of tf.Example', () => {
  test('features map to columns: scalars, LIST for multi-valued, BLOB for non-UTF-8, NULL for absent or empty', async () => {
    const { outputs } = await importDir('tfrecord', { 'data.tfrecord': tfrecord(RECORDS) })
    expect(outputs.examples.customProperties.feature_types).toEqual({ id: 'INT', fare: 'FLOAT', company: 'STRING', tags: 'INT', raw: 'BYTES', nothing: 'UNKNOWN', sparse: 'FLOAT' })
    const all = await readSplit(outputs.examples.uri, 'all', 'id')
    expect(all.types).toEqual({ id: 'BIGINT', fare: 'DOUBLE', company: 'VARCHAR', tags: 'BIGINT[]', raw: 'BLOB', nothing: 'INTEGER', sparse: 'DOUBLE' })
    expect(all.rows).toEqual(EXPECTED_ROWS)
    expect(outputs.examples.customProperties.payload_format).toBe('FORMAT_PARQUET')
  })

  test('gzip files are recognised by content, whatever their name, and read the same', async () => {
    const { outputs } = await importDir('tfrecord-gz', { 'part-0.gz': gzipSync(tfrecord(RECORDS.slice(0, 2))), 'part-1': gzipSync(tfrecord(RECORDS.slice(2))) })
    expect((await readSplit(outputs.examples.uri, 'all', 'id')).rows).toEqual(EXPECTED_ROWS)
  })

  test('a corrupted record is an error naming the file and the record index', async () => {
    const bytes = tfrecord(RECORDS)
    const third = bytes.length - RECORDS[2]!.length - 4 + 5 // a byte inside the third record's data
    bytes[third] = bytes[third]! ^ 0x55
    const error = await rejectionOf(importDir('tfrecord-bad', { 'ok.tfrecord': tfrecord(RECORDS.slice(0, 1)), 'bad.tfrecord': bytes }))
    expect(error.code).toBe('SLUICE_EXAMPLEGEN_BAD_TFRECORD')
    expect(error.message).toContain(`TFRecord file ${path.join(dir, 'tfrecord-bad', 'bad.tfrecord')}`)
    expect(error.message).toContain('record 2 has a bad data CRC')
    const gz = gzipSync(bytes)
    const gzError = await rejectionOf(importDir('tfrecord-bad-gz', { 'bad.tfrecord.gz': gz }))
    expect(gzError.message).toContain('record 2 has a bad data CRC')
  })

  test('a feature of different kinds in two records is an error naming both', async () => {
    const error = await rejectionOf(importDir('tfrecord-kinds', { 'a.tfrecord': tfrecord([example({ x: { int64: [1] } }), example({ x: { float: [1.5] } })]) }))
    expect(error.code).toBe('SLUICE_EXAMPLEGEN_BAD_TFRECORD')
    expect(error.message).toContain('record 1 has feature "x" as float_list but record 0 of')
  })
})

describe('Parquet', () => {
  test('columns keep their types (booleans → INT, dates → STRING, lists → LIST, empty lists → NULL)', async () => {
    const base = path.join(dir, 'parquet')
    await fs.mkdir(base, { recursive: true })
    await using db = await openDuckDB({ threads: 1 })
    await db.connection.run(
      `COPY (SELECT * FROM (VALUES (1::INTEGER, 2.5::FLOAT, 'a', true, DATE '2024-01-31', [1.5, 2.0]), (2, NULL, 'b', false, NULL, [])) t(i, f, s, b, d, l)) TO ${sqlString(path.join(base, 'a.parquet'))} (FORMAT PARQUET)`,
    )
    const { outputs } = await runComponent(ImportExampleGen, { root: rootIn(dir), parameters: { inputBase: base, outputConfig: ALL } })
    expect(outputs.examples.customProperties.feature_types).toEqual({ i: 'INT', f: 'FLOAT', s: 'STRING', b: 'INT', d: 'STRING', l: 'FLOAT' })
    const all = await readSplit(outputs.examples.uri, 'all', 'i')
    expect(all.types).toEqual({ i: 'BIGINT', f: 'DOUBLE', s: 'VARCHAR', b: 'BIGINT', d: 'VARCHAR', l: 'DOUBLE[]' })
    expect(all.rows).toEqual([
      { i: 1n, f: 2.5, s: 'a', b: 1n, d: '2024-01-31', l: [1.5, 2] },
      { i: 2n, f: null, s: 'b', b: 0n, d: null, l: null },
    ])
  })

  test('re-importing Sluice examples keeps UNKNOWN columns', async () => {
    const csvBase = path.join(dir, 'csv-for-reimport')
    await writeFiles(csvBase, { 'a.csv': 'x,empty\n1,\n2,\n' })
    const first = await runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase: csvBase, outputConfig: ALL } })
    const { outputs } = await runComponent(ImportExampleGen, { root: rootIn(dir), parameters: { inputBase: first.outputs.examples.uri, inputConfig: { splits: [{ name: 'all', pattern: 'Split-all/*.parquet' }] } } })
    expect(outputs.examples.customProperties.feature_types).toEqual({ x: 'INT', empty: 'UNKNOWN' })
  })

  test('an unreadable file and files with different schemas are errors naming the file', async () => {
    const broken = await rejectionOf(importDir('parquet-broken', { 'bad.parquet': Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 3), Buffer.from('PAR1')]) }))
    expect(broken.code).toBe('SLUICE_EXAMPLEGEN_BAD_PARQUET')
    expect(broken.message).toContain(`Parquet file ${path.join(dir, 'parquet-broken', 'bad.parquet')} cannot be read`)
    const base = path.join(dir, 'parquet-schemas')
    await fs.mkdir(base, { recursive: true })
    await using db = await openDuckDB({ threads: 1 })
    await db.connection.run(`COPY (SELECT 1 AS a) TO ${sqlString(path.join(base, 'a.parquet'))} (FORMAT PARQUET)`)
    await db.connection.run(`COPY (SELECT 'x' AS a) TO ${sqlString(path.join(base, 'b.parquet'))} (FORMAT PARQUET)`)
    const schemas = await rejectionOf(runComponent(ImportExampleGen, { root: rootIn(dir), parameters: { inputBase: base } }))
    expect(schemas.code).toBe('SLUICE_EXAMPLEGEN_BAD_PARQUET')
    expect(schemas.message).toContain('b.parquet has the columns (a VARCHAR) but')
  })
})

describe('JSON lines', () => {
  test('keys become columns typed over every line; arrays make LIST columns', async () => {
    const lines = [
      '{"id": 1, "price": 2, "name": "a", "flag": true, "tags": ["x", "y"], "maybe": null, "a.b": 1, "$weird": "w"}',
      '',
      '{"id": 2, "price": 2.5, "name": "b", "flag": false, "tags": "z", "a.b": 2}',
      '{"id": 3, "price": null, "name": 7, "tags": [], "extra": [1, 2.5]}',
    ]
    const { outputs } = await importDir('jsonl', { 'data.jsonl': `${lines.join('\n')}\n` })
    expect(outputs.examples.customProperties.feature_types).toEqual({ id: 'INT', price: 'FLOAT', name: 'STRING', flag: 'INT', tags: 'STRING', maybe: 'UNKNOWN', 'a.b': 'INT', $weird: 'STRING', extra: 'FLOAT' })
    const all = await readSplit(outputs.examples.uri, 'all', 'id')
    expect(all.types).toMatchObject({ tags: 'VARCHAR[]', extra: 'DOUBLE[]', flag: 'BIGINT' })
    expect(all.rows).toEqual([
      { id: 1n, price: 2, name: 'a', flag: 1n, tags: ['x', 'y'], maybe: null, 'a.b': 1n, $weird: 'w', extra: null },
      { id: 2n, price: 2.5, name: 'b', flag: 0n, tags: ['z'], maybe: null, 'a.b': 2n, $weird: null, extra: null },
      { id: 3n, price: null, name: '7', flag: null, tags: null, maybe: null, 'a.b': null, $weird: null, extra: [1, 2.5] },
    ])
  })

  test('gzip-compressed JSON lines are read', async () => {
    const { outputs } = await importDir('jsonl-gz', { 'data.jsonl.gz': gzipSync('{"a": 1}\n{"a": 2}\n') })
    expect((await readSplit(outputs.examples.uri, 'all', 'a')).rows).toEqual([{ a: 1n }, { a: 2n }])
  })

  test('a line that is not a JSON object is an error naming the file and line', async () => {
    const bad = await rejectionOf(importDir('jsonl-bad', { 'data.jsonl': '{"a": 1}\n\n{"a": oops}\n' }))
    expect(bad.code).toBe('SLUICE_EXAMPLEGEN_BAD_JSON')
    expect(bad.message).toContain('data.jsonl line 3 is not valid JSON')
    const array = await rejectionOf(importDir('jsonl-array', { 'data.jsonl': '{"a": 1}\n[1, 2]\n' }))
    expect(array.message).toContain('data.jsonl line 2 is not a JSON object')
    const nested = await rejectionOf(importDir('jsonl-nested', { 'data.jsonl': '{"a": {"b": 1}}\n' }))
    expect(nested.code).toBe('SLUICE_EXAMPLEGEN_UNSUPPORTED_TYPE')
  })
})

describe('formats', () => {
  test('mixed formats in a split, unknown formats and empty files are errors', async () => {
    const mixed = await rejectionOf(importDir('mixed', { 'a.jsonl': '{"a": 1}\n', 'b.tfrecord': tfrecord(RECORDS) }))
    expect(mixed.code).toBe('SLUICE_EXAMPLEGEN_UNKNOWN_FORMAT')
    expect(mixed.message).toContain('mixes formats')
    const csv = await rejectionOf(importDir('csv', { 'a.csv': 'a,b\n1,2\n' }))
    expect(csv.code).toBe('SLUICE_EXAMPLEGEN_UNKNOWN_FORMAT')
    expect(csv.message).toContain('use CsvExampleGen for CSV')
    const empty = await rejectionOf(importDir('empty', { 'a.tfrecord': '' }))
    expect(empty.code).toBe('SLUICE_EXAMPLEGEN_EMPTY_FILE')
  })

  test('format can be given explicitly', async () => {
    const { outputs } = await importDir('explicit', { 'data.bin': tfrecord(RECORDS) }, { format: 'tfrecord' })
    expect((await readSplit(outputs.examples.uri, 'all')).view.numRows).toBe(3)
  })
})
