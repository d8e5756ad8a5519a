import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { rejectionOf, runComponent } from '@sluice/testing'
import { CsvExampleGen } from '../src/index.js'
import { readSplit, rootIn, tempDir, writeFiles } from './helpers.js'

let dir: string
let inputBase: string
const ROWS = 3000

/** A CSV of 3000 rows: id, user (300 users), amount (float), city (strings with commas and quotes). */
function csv(): string {
  const lines = ['id,user,amount,city']
  for (let i = 0; i < ROWS; i++) lines.push(`${i},u${i % 300},${(i * 1.25).toFixed(2)},${i % 5 === 0 ? '"Paris, ""FR"""' : `city${i % 17}`}`)
  return `${lines.join('\n')}\n`
}

/** The documented split rule, recomputed in JS from the raw cells. */
function expectedSplit(cells: readonly string[], buckets: readonly number[]): number {
  const key = cells.join('\u001f')
  const digest = createHash('md5').update(key, 'utf8').digest('hex')
  const total = buckets.reduce((a, b) => a + b, 0)
  const bucket = Number(BigInt(`0x${digest.slice(0, 16)}`) % BigInt(total))
  let boundary = 0
  for (let i = 0; i < buckets.length; i++) {
    boundary += buckets[i]!
    if (bucket < boundary) return i
  }
  return buckets.length - 1
}

async function idsBySplit(uri: string, splits: readonly string[]): Promise<Record<string, number[]>> {
  const result: Record<string, number[]> = {}
  for (const split of splits) result[split] = (await readSplit(uri, split, 'id')).rows.map((r) => Number(r.id))
  return result
}

beforeAll(async () => {
  dir = await tempDir()
  inputBase = path.join(dir, 'input')
  await writeFiles(inputBase, { 'data.csv': csv() })
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

describe('hash-bucket splits', () => {
  test('default train:eval is 2:1 (±5% on 3000 rows), the same on every run, and follows the documented key', async () => {
    const first = await runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase } })
    const second = await runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase } })
    expect(first.outputs.examples.properties.splitNames).toEqual(['train', 'eval'])
    const a = await idsBySplit(first.outputs.examples.uri, ['train', 'eval'])
    const b = await idsBySplit(second.outputs.examples.uri, ['train', 'eval'])
    expect(a).toEqual(b)
    expect(a.train!.length + a.eval!.length).toBe(ROWS)
    expect(a.train!.length / ROWS).toBeGreaterThan(2 / 3 - 0.05)
    expect(a.train!.length / ROWS).toBeLessThan(2 / 3 + 0.05)
    // Key: the raw cells joined with U+001F; bucket: first 64 bits of MD5 mod 3; [train:2, eval:1].
    const lines = csv().trim().split('\n').slice(1)
    const expected: Record<string, number[]> = { train: [], eval: [] }
    for (const [i, line] of lines.entries()) {
      const cells = line.startsWith(`${i},`) && line.includes('"') ? [String(i), `u${i % 300}`, (i * 1.25).toFixed(2), 'Paris, "FR"'] : line.split(',')
      expected[expectedSplit(cells, [2, 1]) === 0 ? 'train' : 'eval']!.push(i)
    }
    expect(a).toEqual(expected)
  })

  test('custom splits keep their order and ratios (6:1:3)', async () => {
    const { outputs } = await runComponent(CsvExampleGen, {
      root: rootIn(dir),
      parameters: { inputBase, outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 6 }, { name: 'test', hashBuckets: 1 }, { name: 'eval', hashBuckets: 3 }] } } },
    })
    expect(outputs.examples.properties.splitNames).toEqual(['train', 'test', 'eval'])
    const ids = await idsBySplit(outputs.examples.uri, ['train', 'test', 'eval'])
    expect(ids.train!.length / ROWS).toBeCloseTo(0.6, 1)
    expect(ids.test!.length / ROWS).toBeCloseTo(0.1, 1)
    expect(ids.eval!.length / ROWS).toBeCloseTo(0.3, 1)
  })

  test('partitionFeatureName keeps all rows with the same value in the same split', async () => {
    const { outputs } = await runComponent(CsvExampleGen, {
      root: rootIn(dir),
      parameters: { inputBase, outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 2 }, { name: 'eval', hashBuckets: 1 }], partitionFeatureName: 'user' } } },
    })
    const users: Record<string, Set<string>> = {}
    for (const split of ['train', 'eval']) users[split] = new Set((await readSplit(outputs.examples.uri, split)).rows.map((r) => String(r.user)))
    expect(users.train!.size + users.eval!.size).toBe(300)
    for (const user of users.train!) expect(users.eval!.has(user)).toBe(false)
    for (const user of users.train!) expect(expectedSplit([user], [2, 1])).toBe(0)
  })

  test('partitioning by a FLOAT or missing column is an error', async () => {
    const float = await rejectionOf(runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase, outputConfig: { splitConfig: { splits: [{ name: 'a', hashBuckets: 1 }], partitionFeatureName: 'amount' } } } }))
    expect(float.code).toBe('SLUICE_EXAMPLEGEN_BAD_PARTITION_FEATURE')
    expect(float.message).toContain('"amount" is a FLOAT column')
    const missing = await rejectionOf(runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase, outputConfig: { splitConfig: { splits: [{ name: 'a', hashBuckets: 1 }], partitionFeatureName: 'nope' } } } }))
    expect(missing.message).toContain('"nope" is not a column')
  })

  test('rowsPerFile shards every split', async () => {
    const { outputs } = await runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase, rowsPerFile: 700, compression: 'zstd' } })
    for (const split of ['train', 'eval']) {
      const { view } = await readSplit(outputs.examples.uri, split)
      const count = Math.ceil(view.numRows / 700)
      expect(view.files.map((f) => path.basename(f))).toEqual(Array.from({ length: count }, (_, i) => `data_parquet-${String(i).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.parquet`))
    }
  })
})

describe('keeping the input splits', () => {
  test('several input splits are kept as they are, with types merged across splits', async () => {
    const base = path.join(dir, 'presplit')
    await writeFiles(base, {
      'train/a.csv': 'x,y,z\n1,a,\n2,b,\n',
      'train/b.csv': 'x,y,z\n3,c,\n',
      'eval/a.csv': 'x,y,z\n4.5,d,\n',
    })
    const { outputs } = await runComponent(CsvExampleGen, {
      root: rootIn(dir),
      parameters: { inputBase: base, inputConfig: { splits: [{ name: 'train', pattern: 'train/*.csv' }, { name: 'eval', pattern: 'eval/*.csv' }] } },
    })
    expect(outputs.examples.properties.splitNames).toEqual(['train', 'eval'])
    expect(outputs.examples.customProperties.feature_types).toEqual({ x: 'FLOAT', y: 'STRING', z: 'UNKNOWN' })
    const train = await readSplit(outputs.examples.uri, 'train', 'x')
    expect(train.rows).toEqual([{ x: 1, y: 'a', z: null }, { x: 2, y: 'b', z: null }, { x: 3, y: 'c', z: null }])
    expect(train.types.x).toBe('DOUBLE')
    expect((await readSplit(outputs.examples.uri, 'eval')).rows).toEqual([{ x: 4.5, y: 'd', z: null }])
    expect(outputs.examples.customProperties.input_fingerprint).toMatch(/^split:train,num_files:2,total_bytes:\d+,xor_checksum:\d+,sum_checksum:\d+\nsplit:eval,num_files:1,/)
  })

  test('output splits with several input splits are rejected when the component is called', () => {
    expect(() =>
      CsvExampleGen({
        inputBase: dir,
        inputConfig: { splits: [{ name: 'a', pattern: 'a/*' }, { name: 'b', pattern: 'b/*' }] },
        outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 1 }] } },
      }),
    ).toThrow(/more than one split/)
  })
})
