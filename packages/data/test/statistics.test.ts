import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isSluiceError } from '@sluice/core'
import type { DatasetFeatureStatistics, FeatureNameStatistics, Histogram } from '@sluice/data/statistics'
import {
  StatisticsFeatureError,
  StatisticsInputError,
  categoricalFeaturesFromSchema,
  computeSplitStatistics,
  findFeatureStatistics,
  formatStatisticsSummary,
  parseStatistics,
  readSplitStatistics,
  serializeStatistics,
  statisticsFilePath,
  writeStatistics,
} from '@sluice/data/statistics'
import type { Cell } from './helpers/parquet.js'
import { random, writeParquet } from './helpers/parquet.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-stats-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

let fileCounter = 0
async function parquet(columns: Record<string, string>, rows: Record<string, Cell>[], kv?: Record<string, string>): Promise<string> {
  const file = path.join(dir, `f${fileCounter++}.parquet`)
  await writeParquet(file, columns, rows, kv)
  return file
}

function feature(ds: DatasetFeatureStatistics, name: string): FeatureNameStatistics {
  const f = findFeatureStatistics(ds, name)
  if (!f) throw new Error(`no feature ${name}`)
  return f
}

const relClose = (actual: number, expected: number, rel = 1e-9) => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)))
}

/** TFDV breaks ties between equally frequent values by the larger value first (byte order). */
const byteDesc = (a: string, b: string) => Buffer.compare(Buffer.from(b), Buffer.from(a))

/** Independent reference statistics of plain numbers. */
function reference(values: number[], buckets = 10) {
  const clean = values.filter((v) => !Number.isNaN(v))
  const n = clean.length
  const mean = clean.reduce((a, b) => a + b, 0) / n
  const variance = clean.reduce((a, b) => a + (b - mean) ** 2, 0) / n
  const sorted = [...clean].sort((a, b) => a - b)
  // Boundary k: the smallest value with at least k/B of the values at or below it.
  const quantile = (k: number) => (k === 0 ? sorted[0]! : sorted[Math.ceil((k * n) / buckets) - 1]!)
  const lo = sorted[0]!
  const hi = sorted[n - 1]!
  const standard = new Array<number>(buckets).fill(0)
  for (const v of clean) standard[Math.min(Math.max(Math.floor(((v - lo) / (hi - lo)) * buckets), 0), buckets - 1)]!++
  return {
    n,
    nan: values.length - n,
    mean,
    std: Math.sqrt(variance),
    min: lo,
    max: hi,
    zeros: clean.filter((v) => v === 0).length,
    boundaries: Array.from({ length: buckets + 1 }, (_, k) => quantile(k)),
    median: sorted[Math.ceil(n / 2) - 1]!,
    standard,
  }
}

function histogram(f: FeatureNameStatistics, type: 'STANDARD' | 'QUANTILES', weighted = false): Histogram {
  const list = weighted ? f.numStats!.weightedNumericStats!.histograms : f.numStats!.histograms
  const h = list.find((x) => x.type === type)
  if (!h) throw new Error(`no ${type} histogram`)
  return h
}

describe('computeSplitStatistics: scalar numeric and string features', () => {
  const rand = random(42)
  const rows: Record<string, Cell>[] = []
  const colors = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white', 'grün', 'ß']
  for (let i = 0; i < 2000; i++) {
    const u = rand()
    rows.push({
      i: u < 0.05 ? null : u < 0.1 ? 0 : Math.floor(rand() * 1000) - 300,
      d: u < 0.03 ? null : u < 0.06 ? Number.NaN : u < 0.08 ? 0 : (rand() - 0.3) * 1e4,
      s: u < 0.1 ? null : colors[Math.floor(rand() ** 2 * colors.length)]!,
      c: Math.floor(rand() * 7),
      k: 'constant',
    })
  }
  let ds: DatasetFeatureStatistics
  beforeAll(async () => {
    const file = await parquet({ i: 'BIGINT', d: 'DOUBLE', s: 'VARCHAR', c: 'BIGINT', k: 'VARCHAR' }, rows)
    ds = await computeSplitStatistics({ name: 'train', files: [file] }, { threads: 2 })
  })

  it('names the data set after the split and counts examples', () => {
    expect(ds.name).toBe('train')
    expect(ds.numExamples).toBe(2000)
    expect(ds.weightedNumExamples).toBeUndefined()
    expect(ds.features.map((f) => f.path.step[0])).toEqual(['i', 'd', 's', 'c', 'k'])
    expect(ds.features.map((f) => f.type)).toEqual(['INT', 'FLOAT', 'STRING', 'INT', 'STRING'])
  })

  for (const name of ['i', 'd'] as const) {
    it(`numeric statistics of ${name} agree with an independent computation`, () => {
      const present = rows.map((r) => r[name]).filter((v): v is number => v !== null)
      const ref = reference(present)
      const s = feature(ds, name).numStats!
      expect(s.commonStats.numNonMissing).toBe(present.length)
      expect(s.commonStats.numMissing).toBe(2000 - present.length)
      expect(s.commonStats.minNumValues).toBe(1)
      expect(s.commonStats.maxNumValues).toBe(1)
      expect(s.commonStats.avgNumValues).toBe(1)
      expect(s.commonStats.totNumValues).toBe(present.length)
      relClose(s.mean, ref.mean)
      relClose(s.stdDev, ref.std)
      expect(s.min).toBe(ref.min)
      expect(s.max).toBe(ref.max)
      expect(s.median).toBe(ref.median)
      expect(s.numZeros).toBe(ref.zeros)
      expect(feature(ds, name).stringStats).toBeUndefined()

      const standard = histogram(feature(ds, name), 'STANDARD')
      expect(standard.numNan).toBe(ref.nan)
      expect(standard.buckets.map((b) => b.sampleCount)).toEqual(ref.standard)
      expect(standard.buckets.reduce((a, b) => a + b.sampleCount, 0) + standard.numNan).toBe(present.length)
      expect(standard.buckets[0]!.lowValue).toBe(ref.min)
      expect(standard.buckets.at(-1)!.highValue).toBe(ref.max)
      for (let k = 1; k < standard.buckets.length; k++) expect(standard.buckets[k]!.lowValue).toBe(standard.buckets[k - 1]!.highValue)
      relClose(standard.buckets[1]!.lowValue - standard.buckets[0]!.lowValue, (ref.max - ref.min) / 10)

      const quantiles = histogram(feature(ds, name), 'QUANTILES')
      expect(quantiles.numNan).toBe(ref.nan)
      expect(quantiles.buckets).toHaveLength(10)
      expect([quantiles.buckets[0]!.lowValue, ...quantiles.buckets.map((b) => b.highValue)]).toEqual(ref.boundaries)
      for (const b of quantiles.buckets) expect(b.sampleCount).toBe(ref.n / 10)
      // The boundaries really split the values into tenths (up to ties).
      const sorted = present.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
      for (let k = 1; k < 10; k++) {
        const below = sorted.filter((v) => v < quantiles.buckets[k]!.lowValue).length
        expect(Math.abs(below - (k * ref.n) / 10)).toBeLessThanOrEqual(ref.n * 0.01 + sorted.filter((v) => v === quantiles.buckets[k]!.lowValue).length)
      }

      const valuesHistogram = s.commonStats.numValuesHistogram!
      expect(valuesHistogram.type).toBe('QUANTILES')
      expect(valuesHistogram.buckets).toHaveLength(10)
      for (const b of valuesHistogram.buckets) expect(b).toEqual({ lowValue: 1, highValue: 1, sampleCount: present.length / 10 })
    })
  }

  it('string statistics: exact top values, unique, average length in bytes, rank histogram', () => {
    const values = rows.map((r) => r.s).filter((v): v is string => v !== null)
    const counts = new Map<string, number>()
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
    const expected = [...counts].sort((a, b) => b[1] - a[1] || byteDesc(a[0], b[0]))
    const s = feature(ds, 's').stringStats!
    expect(s.commonStats.numNonMissing).toBe(values.length)
    expect(s.commonStats.numMissing).toBe(2000 - values.length)
    expect(s.unique).toBe(counts.size)
    expect(s.topValues).toEqual(expected.map(([value, frequency]) => ({ value, frequency })))
    relClose(s.avgLength, values.reduce((a, v) => a + Buffer.byteLength(v), 0) / values.length)
    expect(s.rankHistogram!.buckets).toEqual(expected.map(([label, sampleCount], rank) => ({ lowRank: rank, highRank: rank, label, sampleCount })))
    expect(feature(ds, 's').numStats).toBeUndefined()
  })

  it('breaks ties between equally frequent values as TFDV: larger value first', async () => {
    const file = await parquet({ t: 'VARCHAR' }, [{ t: 'a' }, { t: 'b' }, { t: 'c' }, { t: 'c' }, { t: 'B' }])
    const stats = await computeSplitStatistics({ name: 'x', files: [file] })
    expect(feature(stats, 't').stringStats!.topValues.map((v) => v.value)).toEqual(['c', 'b', 'a', 'B'])
  })

  it('a constant feature has one standard bucket and a constant string has one value', () => {
    const k = feature(ds, 'k').stringStats!
    expect(k.unique).toBe(1)
    expect(k.topValues).toEqual([{ value: 'constant', frequency: 2000 }])
    expect(k.avgLength).toBe(8)
  })

  it('honours numTopValues and numRankHistogramBuckets', async () => {
    const file = await parquet({ s: 'VARCHAR' }, rows.map((r) => ({ s: r.s ?? null })))
    const small = await computeSplitStatistics({ name: 'x', files: [file] }, { numTopValues: 3, numRankHistogramBuckets: 5 })
    const s = feature(small, 's').stringStats!
    expect(s.topValues).toHaveLength(3)
    expect(s.rankHistogram!.buckets).toHaveLength(5)
    expect(s.topValues).toEqual(feature(ds, 's').stringStats!.topValues.slice(0, 3))
  })

  it('categorical features get string statistics, keeping their type', async () => {
    const file = await parquet({ c: 'BIGINT' }, rows.map((r) => ({ c: r.c ?? null })))
    const cat = await computeSplitStatistics({ name: 'x', files: [file] }, { categoricalFeatures: ['c'] })
    const f = feature(cat, 'c')
    expect(f.type).toBe('INT')
    expect(f.numStats).toBeUndefined()
    const counts = new Map<string, number>()
    for (const r of rows) counts.set(String(r.c), (counts.get(String(r.c)) ?? 0) + 1)
    expect(f.stringStats!.unique).toBe(counts.size)
    expect(f.stringStats!.topValues[0]).toEqual({ value: [...counts].sort((a, b) => b[1] - a[1] || byteDesc(a[0], b[0]))[0]![0], frequency: Math.max(...counts.values()) })
    expect(f.stringStats!.avgLength).toBe(1)
  })

  it('approximate quantiles stay within 1% rank error', async () => {
    const rand2 = random(7)
    const big = Array.from({ length: 20000 }, () => ({ x: rand2() * 100 }))
    const file = await parquet({ x: 'DOUBLE' }, big)
    const approx = await computeSplitStatistics({ name: 'x', files: [file] }, { quantiles: 'approximate' })
    const sorted = big.map((r) => r.x).sort((a, b) => a - b)
    const q = histogram(feature(approx, 'x'), 'QUANTILES')
    for (let k = 1; k < 10; k++) {
      const rank = sorted.filter((v) => v <= q.buckets[k]!.lowValue).length / sorted.length
      expect(Math.abs(rank - k / 10)).toBeLessThan(0.01)
    }
    expect(feature(approx, 'x').numStats!.min).toBe(sorted[0])
    expect(feature(approx, 'x').numStats!.max).toBe(sorted.at(-1))
  })
})

describe('computeSplitStatistics: LIST features, types from metadata, several files', () => {
  const rand = random(3)
  const rows: Record<string, Cell>[] = []
  for (let i = 0; i < 600; i++) {
    const u = rand()
    const len = Math.floor(rand() * 5)
    rows.push({
      li: u < 0.1 ? null : Array.from({ length: len }, () => Math.floor(rand() * 20)),
      ld: u < 0.2 ? null : Array.from({ length: len }, (_, j) => (j === 0 && u > 0.9 ? Number.NaN : rand())),
      ls: u < 0.15 ? null : Array.from({ length: len }, () => ['a', 'bb', 'ccc'][Math.floor(rand() * 3)]!),
      e: null,
      x: String(i % 4),
    })
  }
  let ds: DatasetFeatureStatistics
  beforeAll(async () => {
    const columns = { li: 'BIGINT[]', ld: 'DOUBLE[]', ls: 'VARCHAR[]', e: 'INTEGER', x: 'VARCHAR' }
    const kv = { 'sluice.feature_types': JSON.stringify({ li: 'INT', ld: 'FLOAT', ls: 'STRING', e: 'UNKNOWN', x: 'STRING' }) }
    const a = await parquet(columns, rows.slice(0, 250), kv)
    const b = await parquet(columns, rows.slice(250), kv)
    ds = await computeSplitStatistics({ name: 'eval', files: [a, b] })
  })

  it('reads every file of the split', () => {
    expect(ds.numExamples).toBe(600)
  })

  it('number-of-values statistics use list lengths; empty lists are present', () => {
    for (const name of ['li', 'ld', 'ls'] as const) {
      const lists = rows.map((r) => r[name]).filter((v): v is (number | string)[] => v !== null)
      const lengths = lists.map((l) => l.length).sort((a, b) => a - b)
      const f = feature(ds, name)
      const c = (f.numStats ?? f.stringStats)!.commonStats
      expect(c.numNonMissing).toBe(lists.length)
      expect(c.numMissing).toBe(600 - lists.length)
      expect(c.minNumValues).toBe(lengths[0])
      expect(c.maxNumValues).toBe(lengths.at(-1))
      expect(c.totNumValues).toBe(lengths.reduce((a, b) => a + b, 0))
      relClose(c.avgNumValues, c.totNumValues / lists.length)
      const h = c.numValuesHistogram!
      expect(h.buckets).toHaveLength(10)
      const boundaries = [h.buckets[0]!.lowValue, ...h.buckets.map((b) => b.highValue)]
      expect(boundaries).toEqual(Array.from({ length: 11 }, (_, k) => (k === 0 ? lengths[0] : lengths[Math.ceil((k * lengths.length) / 10) - 1])))
      expect(h.buckets.reduce((a, b) => a + b.sampleCount, 0)).toBeCloseTo(lists.length, 9)
    }
  })

  it('value statistics of LIST features cover every value of every list', () => {
    for (const name of ['li', 'ld'] as const) {
      const values = rows.flatMap((r) => (r[name] as number[] | null) ?? [])
      const ref = reference(values)
      const s = feature(ds, name).numStats!
      relClose(s.mean, ref.mean)
      relClose(s.stdDev, ref.std)
      expect(s.min).toBe(ref.min)
      expect(s.max).toBe(ref.max)
      expect(s.numZeros).toBe(ref.zeros)
      expect(s.median).toBe(ref.median)
      const standard = s.histograms.find((h) => h.type === 'STANDARD')!
      expect(standard.buckets.map((b) => b.sampleCount)).toEqual(ref.standard)
      expect(standard.numNan).toBe(ref.nan)
    }
    const strings = rows.flatMap((r) => (r.ls as string[] | null) ?? [])
    const s = feature(ds, 'ls').stringStats!
    expect(s.unique).toBe(new Set(strings).size)
    expect(s.topValues.reduce((a, b) => a + b.frequency, 0)).toBe(strings.length)
    relClose(s.avgLength, strings.reduce((a, v) => a + v.length, 0) / strings.length)
  })

  it('types come from the sluice.feature_types metadata; UNKNOWN becomes STRING', () => {
    expect(feature(ds, 'e').type).toBe('STRING')
    const e = feature(ds, 'e').stringStats!
    expect(e.commonStats.numMissing).toBe(600)
    expect(e.commonStats.numNonMissing).toBe(0)
    expect(e.unique).toBe(0)
    expect(e.topValues).toEqual([])
    expect(e.commonStats.numValuesHistogram!.buckets).toEqual([])
    expect(feature(ds, 'x').type).toBe('STRING')
  })

  it('declared types win over Parquet types (a STRING column stored as numbers, an INT declared by the caller)', async () => {
    const file = await parquet({ n: 'BIGINT', t: 'VARCHAR' }, [{ n: 1, t: '5' }, { n: 2, t: '7' }])
    const stats = await computeSplitStatistics({ name: 'x', files: [file], featureTypes: { n: 'STRING', t: 'INT' } })
    expect(feature(stats, 'n').type).toBe('STRING')
    expect(feature(stats, 'n').stringStats!.unique).toBe(2)
    expect(feature(stats, 't').type).toBe('INT')
    expect(feature(stats, 't').numStats!.mean).toBe(6)
  })
})

describe('computeSplitStatistics: weights', () => {
  const rand = random(11)
  const rows: Record<string, Cell>[] = []
  for (let i = 0; i < 1000; i++) {
    const u = rand()
    rows.push({
      w: Math.floor(rand() * 4) + 0.5,
      x: u < 0.1 ? null : Math.floor(rand() * 50),
      l: u < 0.2 ? null : Array.from({ length: Math.floor(rand() * 3) }, () => rand()),
      s: u < 0.05 ? null : ['p', 'q', 'r', 's'][Math.floor(rand() * 4)]!,
    })
  }
  let ds: DatasetFeatureStatistics
  beforeAll(async () => {
    const file = await parquet({ w: 'DOUBLE', x: 'BIGINT', l: 'DOUBLE[]', s: 'VARCHAR' }, rows)
    ds = await computeSplitStatistics({ name: 'train', files: [file] }, { weightFeature: 'w' })
  })

  it('weighted number of examples and weighted common statistics', () => {
    const total = rows.reduce((a, r) => a + (r.w as number), 0)
    relClose(ds.weightedNumExamples!, total)
    const present = rows.filter((r) => r.x !== null)
    const wc = feature(ds, 'x').numStats!.commonStats.weightedCommonStats!
    relClose(wc.numNonMissing, present.reduce((a, r) => a + (r.w as number), 0))
    relClose(wc.numMissing, total - wc.numNonMissing)
    relClose(wc.totNumValues, wc.numNonMissing)
    expect(wc.avgNumValues).toBeCloseTo(1, 12)
    const lists = rows.filter((r) => r.l !== null)
    const wl = feature(ds, 'l').numStats!.commonStats.weightedCommonStats!
    relClose(wl.totNumValues, lists.reduce((a, r) => a + (r.w as number) * (r.l as number[]).length, 0))
    relClose(wl.avgNumValues, wl.totNumValues / wl.numNonMissing)
  })

  it('weighted mean, std dev, median and histograms', () => {
    for (const name of ['x', 'l'] as const) {
      const pairs = rows.flatMap((r) => (r[name] === null ? [] : (Array.isArray(r[name]) ? (r[name] as number[]) : [r[name] as number]).map((v) => [v, r.w as number] as const)))
      const sw = pairs.reduce((a, [, w]) => a + w, 0)
      const mean = pairs.reduce((a, [v, w]) => a + v * w, 0) / sw
      const variance = pairs.reduce((a, [v, w]) => a + w * (v - mean) ** 2, 0) / sw
      const wn = feature(ds, name).numStats!.weightedNumericStats!
      relClose(wn.mean, mean)
      relClose(wn.stdDev, Math.sqrt(variance), 1e-7)
      const sorted = [...pairs].sort((a, b) => a[0] - b[0])
      let cumulative = 0
      let median = Number.NaN
      for (const [v, w] of sorted) {
        cumulative += w
        if (cumulative * 2 >= sw) {
          median = v
          break
        }
      }
      expect(wn.median).toBe(median)
      const standard = histogram(feature(ds, name), 'STANDARD', true)
      relClose(standard.buckets.reduce((a, b) => a + b.sampleCount, 0), sw)
      const quantiles = histogram(feature(ds, name), 'QUANTILES', true)
      expect(quantiles.buckets).toHaveLength(10)
      for (const b of quantiles.buckets) relClose(b.sampleCount, sw / 10)
      expect(quantiles.buckets[0]!.lowValue).toBe(sorted[0]![0])
      expect(quantiles.buckets[9]!.highValue).toBe(sorted.at(-1)![0])
    }
  })

  it('weighted top values', () => {
    const weights = new Map<string, number>()
    for (const r of rows) if (r.s !== null) weights.set(r.s as string, (weights.get(r.s as string) ?? 0) + (r.w as number))
    const expected = [...weights].sort((a, b) => b[1] - a[1] || byteDesc(a[0], b[0]))
    const ws = feature(ds, 's').stringStats!.weightedStringStats!
    expect(ws.topValues.map((t) => t.value)).toEqual(expected.map(([v]) => v))
    ws.topValues.forEach((t, i) => relClose(t.frequency, expected[i]![1]))
    expect(ws.rankHistogram!.buckets.map((b) => b.label)).toEqual(expected.map(([v]) => v))
  })

  it('rejects a weight feature that is absent, missing in some examples, or not numeric', async () => {
    const file = await parquet({ w: 'DOUBLE', s: 'VARCHAR' }, [{ w: 1, s: 'a' }, { w: null, s: 'b' }])
    const missing = computeSplitStatistics({ name: 'train', files: [file] }, { weightFeature: 'w' })
    await expect(missing).rejects.toBeInstanceOf(StatisticsFeatureError)
    await expect(missing).rejects.toThrow(/split "train".*weight feature "w" is missing in 1 of 2 examples/i)
    await expect(computeSplitStatistics({ name: 'train', files: [file] }, { weightFeature: 'nope' })).rejects.toThrow(/weight feature "nope" is not a column/)
    await expect(computeSplitStatistics({ name: 'train', files: [file] }, { weightFeature: 's' })).rejects.toThrow(/must be a numeric feature/)
  })
})

describe('computeSplitStatistics: edge cases', () => {
  it('an empty split gives numExamples 0 and empty statistics', async () => {
    const file = await parquet({ a: 'BIGINT', b: 'DOUBLE', s: 'VARCHAR', l: 'BIGINT[]' }, [])
    const ds = await computeSplitStatistics({ name: 'empty', files: [file] }, { weightFeature: 'b' })
    expect(ds.numExamples).toBe(0)
    expect(ds.weightedNumExamples).toBe(0)
    expect(ds.features).toHaveLength(4)
    const a = feature(ds, 'a').numStats!
    expect(a.commonStats).toMatchObject({ numNonMissing: 0, numMissing: 0, totNumValues: 0, avgNumValues: 0 })
    expect(a.mean).toBe(0)
    expect(a.histograms.every((h) => h.buckets.length === 0)).toBe(true)
    expect(feature(ds, 's').stringStats).toMatchObject({ unique: 0, topValues: [], avgLength: 0 })
  })

  it('NaN-only and infinite values', async () => {
    const file = await parquet({ nan: 'DOUBLE', inf: 'DOUBLE' }, [
      { nan: Number.NaN, inf: Number.NEGATIVE_INFINITY },
      { nan: Number.NaN, inf: 1 },
      { nan: null, inf: 3 },
      { nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
    ])
    const ds = await computeSplitStatistics({ name: 'x', files: [file] })
    const nan = feature(ds, 'nan').numStats!
    expect(nan.commonStats.numNonMissing).toBe(3)
    expect(nan.histograms.map((h) => [h.numNan, h.buckets.length])).toEqual([[3, 0], [3, 0]])
    const inf = feature(ds, 'inf').numStats!
    expect(inf.min).toBe(Number.NEGATIVE_INFINITY)
    expect(inf.max).toBe(Number.POSITIVE_INFINITY)
    const standard = inf.histograms.find((h) => h.type === 'STANDARD')!
    expect(standard.buckets[0]!.lowValue).toBe(Number.NEGATIVE_INFINITY)
    expect(standard.buckets.at(-1)!.highValue).toBe(Number.POSITIVE_INFINITY)
    expect(standard.buckets[1]!.lowValue).toBeCloseTo(1.2, 12)
    expect(standard.buckets.reduce((a, b) => a + b.sampleCount, 0)).toBe(4)
    expect(standard.buckets[0]!.sampleCount).toBe(2)
    expect(standard.buckets.at(-1)!.sampleCount).toBe(2)
    // Non-finite numbers survive the JSON round trip.
    const text = serializeStatistics({ datasets: [ds] })
    expect(text).toContain('"-Infinity"')
    expect(parseStatistics(text)).toEqual({ datasets: [ds] })
  })

  it('huge values whose variance overflows DuckDB stddev_pop still get a standard deviation', async () => {
    const file = await parquet({ h: 'DOUBLE', x: 'DOUBLE' }, [{ h: 1e300, x: 1 }, { h: -1e300, x: 2 }, { h: 1e300, x: 3 }, { h: -1e300, x: 4 }])
    const ds = await computeSplitStatistics({ name: 'x', files: [file] })
    relClose(feature(ds, 'h').numStats!.stdDev, 1e300)
    relClose(feature(ds, 'x').numStats!.stdDev, Math.sqrt(1.25))
  })

  it('a constant numeric feature has one STANDARD bucket; odd quantile bucket counts still give a median', async () => {
    const file = await parquet({ c: 'DOUBLE', x: 'BIGINT' }, Array.from({ length: 9 }, (_, i) => ({ c: 2.5, x: i })))
    const ds = await computeSplitStatistics({ name: 'x', files: [file] }, { numQuantilesHistogramBuckets: 3, numHistogramBuckets: 4 })
    const c = feature(ds, 'c').numStats!
    expect(c.histograms[0]!.buckets).toEqual([{ lowValue: 2.5, highValue: 2.5, sampleCount: 9 }])
    expect(c.stdDev).toBe(0)
    const x = feature(ds, 'x').numStats!
    expect(x.median).toBe(4)
    expect(x.histograms[1]!.buckets.map((b) => [b.lowValue, b.highValue, b.sampleCount])).toEqual([[0, 2, 3], [2, 5, 3], [5, 8, 3]])
    expect(x.histograms[0]!.buckets.map((b) => b.sampleCount)).toEqual([2, 2, 2, 3])
  })

  it('quotes any column name, including ones that look like internal aliases', async () => {
    const file = await parquet({ 'we"ird name': 'BIGINT', w: 'DOUBLE', r0: 'VARCHAR', n_examples: 'BIGINT' }, [
      { 'we"ird name': 1, w: 2, r0: 'a', n_examples: 5 },
      { 'we"ird name': 3, w: 4, r0: null, n_examples: 6 },
    ])
    const ds = await computeSplitStatistics({ name: 'x', files: [file] }, { weightFeature: 'w' })
    expect(ds.numExamples).toBe(2)
    expect(ds.weightedNumExamples).toBe(6)
    expect(feature(ds, 'we"ird name').numStats!.mean).toBe(2)
    expect(feature(ds, 'r0').stringStats!.commonStats.numMissing).toBe(1)
    expect(feature(ds, 'n_examples').numStats!.weightedNumericStats!.mean).toBeCloseTo((5 * 2 + 6 * 4) / 6, 12)
  })

  it('featureAllowlist keeps only the listed features', async () => {
    const file = await parquet({ a: 'BIGINT', b: 'VARCHAR', c: 'DOUBLE' }, [{ a: 1, b: 'x', c: 1.5 }])
    const ds = await computeSplitStatistics({ name: 'x', files: [file] }, { featureAllowlist: ['c', 'a'] })
    expect(ds.features.map((f) => f.path.step[0])).toEqual(['a', 'c'])
  })

  it('stops when its signal is aborted', async () => {
    const file = await parquet({ a: 'BIGINT' }, [{ a: 1 }])
    const controller = new AbortController()
    controller.abort(new Error('cancelled by the test'))
    await expect(computeSplitStatistics({ name: 'x', files: [file] }, { signal: controller.signal })).rejects.toThrow('cancelled by the test')
  })

  it('rejects unsupported column types, naming split and feature', async () => {
    const file = path.join(dir, 'struct.parquet')
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    await connection.run(`COPY (SELECT {'a': 1} AS st) TO '${file}' (FORMAT PARQUET)`)
    connection.closeSync()
    instance.closeSync()
    const error = await computeSplitStatistics({ name: 'train', files: [file] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StatisticsFeatureError)
    expect((error as StatisticsFeatureError).feature).toBe('st')
    expect(String((error as Error).message)).toMatch(/Split "train", feature "st": column type STRUCT/)
  })

  it('an unreadable file is a StatisticsInputError naming split and file', async () => {
    const bad = path.join(dir, 'bad.parquet')
    await writeFile(bad, 'not parquet')
    const error = await computeSplitStatistics({ name: 'eval', files: [bad] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StatisticsInputError)
    expect(isSluiceError(error)).toBe(true)
    expect((error as StatisticsInputError).code).toBe('SLUICE_STATISTICS_INPUT')
    expect(String((error as Error).message)).toContain('Split "eval"')
    expect(String((error as Error).message)).toContain(bad)
  })
})

describe('statistics JSON', () => {
  it('writes and reads FeatureStats.json', async () => {
    const list = {
      datasets: [
        {
          name: 'train',
          numExamples: 3,
          features: [
            {
              path: { step: ['s'] },
              type: 'STRING' as const,
              stringStats: {
                commonStats: { numNonMissing: 3, numMissing: 0, minNumValues: 1, maxNumValues: 1, avgNumValues: 1, totNumValues: 3 },
                unique: 2,
                topValues: [{ value: 'a', frequency: 2 }, { value: 'b', frequency: 1 }],
                avgLength: 1,
              },
            },
          ],
        },
      ],
    }
    const uri = path.join(dir, 'stats-artifact')
    await writeStatistics(statisticsFilePath(uri, 'train'), list)
    expect(statisticsFilePath(uri, 'train')).toBe(path.join(uri, 'Split-train', 'FeatureStats.json'))
    expect(await readSplitStatistics(uri, 'train')).toEqual(list.datasets[0])
    await expect(readSplitStatistics(uri, 'eval')).rejects.toThrow(/cannot be read/)
  })

  it('parses what protobuf json_format writes: int64 as strings, snake_case, omitted defaults, legacy name', () => {
    const parsed = parseStatistics({
      datasets: [
        {
          num_examples: '10',
          features: [
            { name: 'a', num_stats: { common_stats: { num_non_missing: '10', max_num_values: '1' }, mean: 2.5, histograms: [{ buckets: [{ low_value: 1, high_value: 'Infinity', sample_count: 10 }] }, { type: 'QUANTILES' }] } },
            { path: { step: ['b'] }, type: 'STRING', string_stats: { unique: '4', top_values: [{ value: 'x', frequency: 3 }] } },
          ],
        },
      ],
    })
    const [d] = parsed.datasets
    expect(d!.name).toBe('')
    expect(d!.numExamples).toBe(10)
    const a = d!.features[0]!
    expect(a.path).toEqual({ step: ['a'] })
    expect(a.type).toBe('INT')
    expect(a.numStats!.commonStats).toEqual({ numNonMissing: 10, numMissing: 0, minNumValues: 0, maxNumValues: 1, avgNumValues: 0, totNumValues: 0 })
    expect(a.numStats!.stdDev).toBe(0)
    expect(a.numStats!.histograms[0]).toEqual({ numNan: 0, numUndefined: 0, type: 'STANDARD', buckets: [{ lowValue: 1, highValue: Number.POSITIVE_INFINITY, sampleCount: 10 }] })
    expect(a.numStats!.histograms[1]!.type).toBe('QUANTILES')
    expect(d!.features[1]!.stringStats).toMatchObject({ unique: 4, topValues: [{ value: 'x', frequency: 3 }], avgLength: 0 })
  })

  it('rejects what is not a statistics list', () => {
    expect(() => parseStatistics('{')).toThrow(/not valid JSON/)
    expect(() => parseStatistics('[]')).toThrow(/not a DatasetFeatureStatisticsList/)
    expect(() => parseStatistics({ datasets: [{ numExamples: 'many' }] })).toThrow(/numExamples/)
  })
})

describe('categoricalFeaturesFromSchema', () => {
  it('picks INT and FLOAT features marked is_categorical', () => {
    const schema = {
      feature: [
        { name: 'a', type: 'INT', intDomain: { isCategorical: true } },
        { name: 'b', type: 'INT', intDomain: { min: '0', max: '5' } },
        { name: 'c', type: 'FLOAT', floatDomain: { isCategorical: true } },
        { name: 'd', type: 'BYTES', domain: 'd' },
        { name: 'e', type: 'INT', int_domain: { is_categorical: true } },
      ],
    }
    expect(categoricalFeaturesFromSchema(schema)).toEqual(['a', 'c', 'e'])
    expect(categoricalFeaturesFromSchema(null)).toEqual([])
    expect(categoricalFeaturesFromSchema({})).toEqual([])
  })
})

describe('formatStatisticsSummary', () => {
  let ds: DatasetFeatureStatistics
  beforeAll(async () => {
    const rows: Record<string, Cell>[] = Array.from({ length: 200 }, (_, i) => ({
      fare: i % 20 === 0 ? null : i === 1 ? 0 : i * 1.25,
      trips: i % 5,
      payment_type: i % 4 === 0 ? 'Credit Card' : 'Cash',
      company_with_a_really_long_name_for_the_table: i % 50 === 0 ? null : `Company number ${i % 3} with a long name`,
    }))
    const file = await parquet({ fare: 'DOUBLE', trips: 'BIGINT', payment_type: 'VARCHAR', company_with_a_really_long_name_for_the_table: 'VARCHAR' }, rows)
    ds = await computeSplitStatistics({ name: 'train', files: [file] }, { categoricalFeatures: ['trips'] })
  })

  it('renders numeric and categorical tables per split', () => {
    const text = formatStatisticsSummary({ datasets: [ds, { ...ds, name: 'eval' }] }, { width: 200 })
    const lines = text.split('\n')
    expect(lines[0]).toBe('Split "train": 200 examples, 4 features')
    expect(text).toContain('Split "eval": 200 examples')
    const header = lines.find((l) => l.trimStart().startsWith('numeric'))!
    expect(header.split(/\s{2,}/).map((s) => s.trim()).filter(Boolean)).toEqual(['numeric', 'count', 'missing', 'mean', 'std dev', 'zeros', 'min', 'median', 'max'])
    const fare = lines.find((l) => l.trimStart().startsWith('fare'))!
    expect(fare.split(/\s+/).filter(Boolean)).toEqual(['fare', '190', '5.0%', formatted(ds, 'fare', 'mean'), formatted(ds, 'fare', 'stdDev'), '0.5%', '0', formatted(ds, 'fare', 'median'), '248.8'])
    const categoricalHeader = lines.find((l) => l.trimStart().startsWith('categorical'))!
    expect(categoricalHeader.split(/\s{2,}/).map((s) => s.trim()).filter(Boolean)).toEqual(['categorical', 'count', 'missing', 'unique', 'top value', 'top share', 'avg length'])
    const payment = lines.find((l) => l.trimStart().startsWith('payment_type'))!
    expect(payment).toMatch(/payment_type\s+200\s+0\.0%\s+2\s+"Cash"\s+75\.0%\s+5\.75/)
    // A categorical INT feature is listed with its type.
    expect(lines.find((l) => l.trimStart().startsWith('trips (INT)'))).toMatch(/trips \(INT\)\s+200\s+0\.0%\s+5\s+"4"\s+20\.0%\s+1$/)
    expect(text).not.toContain('\x1b[')
  })

  it('shows no moments for a numeric feature that has no values', async () => {
    const file = await parquet({ tract: 'DOUBLE' }, [{ tract: null }, { tract: null }])
    const empty = await computeSplitStatistics({ name: 'eval', files: [file] })
    const line = formatStatisticsSummary({ datasets: [empty] }).split('\n').find((l) => l.trimStart().startsWith('tract'))!
    expect(line.split(/\s+/).filter(Boolean)).toEqual(['tract', '0', '100.0%', '-', '-', '-', '-', '-', '-'])
  })

  it('fits long names into the width and colors when asked', () => {
    const narrow = formatStatisticsSummary({ datasets: [ds] }, { width: 80 })
    for (const l of narrow.split('\n')) expect(l.length).toBeLessThanOrEqual(80)
    expect(narrow).toContain('…')
    const colored = formatStatisticsSummary({ datasets: [ds] }, { color: true })
    expect(colored).toContain('\x1b[1mSplit "train"\x1b[22m')
    expect(colored).toContain('\x1b[33m5.0%\x1b[39m')
    expect(formatStatisticsSummary({ datasets: [] })).toBe('No statistics.\n')
  })
})

function formatted(ds: DatasetFeatureStatistics, name: string, key: 'mean' | 'stdDev' | 'median'): string {
  const value = findFeatureStatistics(ds, name)!.numStats![key]
  return value.toLocaleString('en-US', { maximumSignificantDigits: 4 })
}
