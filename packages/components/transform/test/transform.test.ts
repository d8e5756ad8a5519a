import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import type { DuckDB } from '@sluice/data/examples'
import { openDuckDB, sqlIdentifier, sqlString, writeSplits } from '@sluice/data/examples'
import type { FittedTransform, PreprocessingFn, TransformInputs } from '@sluice/component-transform'
import {
  TransformError,
  analyzeGraph,
  applyTransform,
  bucketOf,
  fitOnSplits,
  fitTransform,
  fnv1a32,
  hashBucket,
  parseFittedTransform,
  serializeFittedTransform,
  tft,
  toSql,
  traceTransform,
} from '@sluice/component-transform'

// ---- Data: deterministic rows, written as a Parquet split with DuckDB. ----

interface Row {
  fare: number | null
  tips: number
  trip_miles: number
  payment_type: string
  company: string | null
  hour: number
}

const PAYMENTS = ['Cash', 'Credit Card', 'Cash', 'No Charge', 'Cash', 'Credit Card', 'Dispute', 'Cash', 'Credit Card', 'Prcard', 'Unknown']
const COMPANIES = ['Flash Cab', 'Taxi Affiliation', '', 'Sun Taxi', 'Flash Cab', 'multi\nline', 'Blue Ribbon', 'Flash Cab']

const ROWS: Row[] = Array.from({ length: 240 }, (_, i) => ({
  fare: i % 17 === 0 ? null : Math.round(((i * 37) % 101) * 0.75 * 100) / 100 + 2.5,
  tips: i % 5 === 0 ? 0 : ((i * 13) % 29) * 0.5,
  trip_miles: (i * 7) % 23,
  payment_type: PAYMENTS[i % PAYMENTS.length]!,
  company: i % 11 === 0 ? null : COMPANIES[(i * 3) % COMPANIES.length]!,
  hour: i % 24,
}))

const sqlValue = (v: number | string | null) => (v === null ? 'NULL' : typeof v === 'string' ? sqlString(v) : String(v))
const ROWS_SQL = `SELECT fare::DOUBLE AS fare, tips::DOUBLE AS tips, trip_miles::BIGINT AS trip_miles, payment_type::VARCHAR AS payment_type, company::VARCHAR AS company, hour::BIGINT AS hour FROM (VALUES ${ROWS.map(
  (r) => `(${[r.fare, r.tips, r.trip_miles, r.payment_type, r.company, r.hour].map(sqlValue).join(', ')})`,
).join(', ')}) t(fare, tips, trip_miles, payment_type, company, hour)`

let tmp: TempDirectory
let db: DuckDB
let examplesUri: string

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-transform-')
  examplesUri = path.join(tmp.path, 'examples')
  db = await openDuckDB({ threads: 2 })
  await writeSplits(db.connection, {
    query: ROWS_SQL,
    examplesUri,
    splits: ['train'],
    featureTypes: { fare: 'FLOAT', tips: 'FLOAT', trip_miles: 'INT', payment_type: 'STRING', company: 'STRING', hour: 'INT' },
  })
})

afterAll(async () => {
  await db?.close()
  await tmp?.remove()
})

// ---- Independent JS references. ----

const present = (values: (number | null)[]) => values.filter((v): v is number => v !== null)
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const variance = (xs: number[]) => {
  const m = mean(xs)
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length
}
/** The smallest value whose empirical CDF reaches q, for q = i / numBuckets, deduplicated. */
function quantileBoundaries(xs: number[], numBuckets: number): number[] {
  const sorted = [...xs].sort((a, b) => a - b)
  const out: number[] = []
  for (let i = 1; i < numBuckets; i++) out.push(sorted[Math.max(0, Math.ceil(sorted.length * (i / numBuckets)) - 1)]!)
  return [...new Set(out)]
}
function vocabularyOf(values: (string | null)[], options: { topK?: number; frequencyThreshold?: number } = {}): string[] {
  const counts = new Map<string, number>()
  for (const v of values) if (v !== null && v !== '' && !/[\n\r]/.test(v)) counts.set(v, (counts.get(v) ?? 0) + 1)
  const sorted = [...counts].filter(([, c]) => c >= (options.frequencyThreshold ?? 0)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0))
  return sorted.slice(0, options.topK ?? sorted.length).map(([t]) => t)
}

const fit = (fn: PreprocessingFn) => fitOnSplits(db.connection, examplesUri, 'train', fn)
const analyzerValue = (fitted: FittedTransform, output: string) => {
  const e = fitted.outputs[output]
  if (e?.op !== 'analyzer') throw new Error(`${output} is not an analyzer`)
  return fitted.analyzers[e.analyzer.id]
}
const column = <K extends keyof Row>(name: K) => ROWS.map((r) => r[name])

// ---- Tests. ----

describe('analyzers', () => {
  it('match independent computations', async () => {
    const fitted = await fit((inputs) => ({
      mean: tft.mean(inputs.fare!),
      var: tft.var(inputs.fare!),
      min: tft.min(inputs.fare!),
      max: tft.max(inputs.fare!),
      sum: tft.sum(inputs.trip_miles!),
      size: tft.size(inputs.fare!),
    }))
    const fares = present(column('fare'))
    expect(analyzerValue(fitted, 'mean')).toEqual({ kind: 'mean', value: expect.closeTo(mean(fares), 9) })
    expect(analyzerValue(fitted, 'var')).toEqual({ kind: 'var', value: expect.closeTo(variance(fares), 9) })
    expect(analyzerValue(fitted, 'min')).toEqual({ kind: 'min', value: Math.min(...fares) })
    expect(analyzerValue(fitted, 'max')).toEqual({ kind: 'max', value: Math.max(...fares) })
    expect(analyzerValue(fitted, 'sum')).toEqual({ kind: 'sum', value: column('trip_miles').reduce((a, b) => a + b, 0) })
    expect(analyzerValue(fitted, 'size')).toEqual({ kind: 'size', value: fares.length })
    // Every analyzer was computed in one aggregate query.
    const queries: string[] = []
    const graph = traceTransform((inputs) => ({ a: tft.mean(inputs.fare!), b: tft.max(inputs.tips!), c: tft.bucketize(inputs.tips!, 4) }))
    await analyzeGraph(db.connection, `read_parquet(${sqlString(path.join(examplesUri, 'Split-train', '*.parquet'))})`, graph, { onQuery: (q) => queries.push(q) })
    expect(queries).toHaveLength(1)
  })

  it('computes quantile boundaries as the exact lower quantiles, deduplicated', async () => {
    const graph = traceTransform((inputs) => ({ f: tft.bucketize(inputs.fare!, 10), m: tft.bucketize(inputs.trip_miles!, 4), h: tft.bucketize(inputs.hour!, 3), one: tft.bucketize(inputs.hour!, 1) }))
    const fitted = fitTransform(graph, await analyzeGraph(db.connection, `read_parquet(${sqlString(path.join(examplesUri, 'Split-train', '*.parquet'))})`, graph))
    const boundaries = Object.values(fitted.analyzers).map((a) => (a.kind === 'quantiles' ? a.boundaries : undefined))
    expect(boundaries).toEqual([
      quantileBoundaries(present(column('fare')), 10),
      quantileBoundaries(column('trip_miles'), 4),
      quantileBoundaries(column('hour'), 3),
      [],
    ])
    const rows = applyTransform(fitted, ROWS)
    expect(rows.map((r) => r.h)).toEqual(column('hour').map((h) => (h < 7 ? 0 : h < 15 ? 1 : 2)))
    expect(rows.every((r) => r.one === 0)).toBe(true)
    expect(rows.filter((r, i) => ROWS[i]!.fare === null).every((r) => r.f === null)).toBe(true)
    expect(new Set(rows.map((r) => r.f))).toEqual(new Set([null, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
  })

  it('give NaN for a NaN or infinite analysed value, as floating point does in TFT', async () => {
    const relation = `(SELECT * FROM (VALUES (1.0::DOUBLE, 'a'), ('NaN'::DOUBLE, 'a'), (3.0::DOUBLE, 'b'), ('Infinity'::DOUBLE, 'c'), (5.0::DOUBLE, 'c'), (NULL, 'b')) t(x, k))`
    const graph = traceTransform((inputs) => ({ mean: tft.mean(inputs.x!), var: tft.var(inputs.x!), z: tft.scaleToZScorePerKey(inputs.x!, inputs.k!) }))
    const fitted = fitTransform(graph, await analyzeGraph(db.connection, relation, graph))
    expect(analyzerValue(fitted, 'mean')).toEqual({ kind: 'mean', value: Number.NaN })
    expect(analyzerValue(fitted, 'var')).toEqual({ kind: 'var', value: Number.NaN })
    const perKey = Object.values(fitted.analyzers).find((a) => a.kind === 'perKey')
    expect(perKey).toMatchObject({ keys: ['a', 'b', 'c'], var: [Number.NaN, 0, Number.NaN], count: [2, 1, 2] })
  })

  it('computes analyzers of analyzer outputs in later phases', async () => {
    const fitted = await fit((inputs) => ({ z: tft.scaleToZScore(tft.scaleTo01(inputs.tips!)), m: tft.mean(tft.sub(inputs.tips!, tft.mean(inputs.tips!))) }))
    const z = applyTransform(fitted, ROWS).map((r) => r.z as number)
    expect(mean(z)).toBeCloseTo(0, 9)
    expect(variance(z)).toBeCloseTo(1, 9)
    expect(analyzerValue(fitted, 'm')).toEqual({ kind: 'mean', value: expect.closeTo(0, 9) })
  })
})

describe('vocabulary', () => {
  it('orders by frequency descending, ties by value descending, dropping empty and multi-line tokens', async () => {
    const fitted = await fit((inputs) => ({ p: tft.computeAndApplyVocabulary(inputs.payment_type!), c: tft.computeAndApplyVocabulary(inputs.company!) }))
    const vocabularies = Object.values(fitted.analyzers).map((a) => (a.kind === 'vocabulary' ? a.tokens : undefined))
    expect(vocabularies[0]).toEqual(vocabularyOf(column('payment_type')))
    // Ties (No Charge and Dispute 22 times, Unknown and Prcard 21 times): reverse lexicographic order.
    expect(vocabularies[0]).toEqual(['Cash', 'Credit Card', 'No Charge', 'Dispute', 'Unknown', 'Prcard'])
    expect(vocabularies[1]).toEqual(vocabularyOf(column('company')))
    expect(vocabularies[1]).not.toContain('')
    expect(vocabularies[1]).not.toContain('multi\nline')
    const vocab = vocabularies[0]!
    const rows = applyTransform(fitted, ROWS)
    expect(rows.map((r) => r.p)).toEqual(column('payment_type').map((t) => vocab.indexOf(t)))
    // Dropped and missing values: defaultValue -1 and null.
    expect(applyTransform(fitted, [{ payment_type: 'Bitcoin', company: '' }, { payment_type: null, company: undefined }])).toEqual([
      { p: -1, c: -1 },
      { p: null, c: null },
    ])
  })

  it('applies topK, frequencyThreshold, OOV buckets and defaultValue', async () => {
    const fitted = await fit((inputs) => ({
      top2: tft.computeAndApplyVocabulary(inputs.payment_type!, { topK: 2, numOovBuckets: 3 }),
      frequent: tft.computeAndApplyVocabulary(inputs.payment_type!, { frequencyThreshold: 30, defaultValue: 99 }),
      miles: tft.computeAndApplyVocabulary(inputs.trip_miles!, { topK: 5 }),
    }))
    const tokens = Object.values(fitted.analyzers).map((a) => (a.kind === 'vocabulary' ? a.tokens : undefined))
    expect(tokens[0]).toEqual(['Cash', 'Credit Card'])
    expect(tokens[1]).toEqual(vocabularyOf(column('payment_type'), { frequencyThreshold: 30 }))
    expect(tokens[1]).toEqual(['Cash', 'Credit Card'])
    expect(tokens[2]).toEqual(vocabularyOf(column('trip_miles').map(String), { topK: 5 }))
    const [dispute, cash] = applyTransform(fitted, [
      { payment_type: 'Dispute', trip_miles: 1000 },
      { payment_type: 'Cash', trip_miles: BigInt(tokens[2]![0]!) },
    ])
    expect(dispute).toEqual({ top2: 2 + hashBucket('Dispute', 3), frequent: 99, miles: -1 })
    expect(cash).toEqual({ top2: 0, frequent: 0, miles: 0 })
    const oov = applyTransform(fitted, ROWS.filter((r) => !['Cash', 'Credit Card'].includes(r.payment_type))).map((r) => r.top2 as number)
    expect(oov.every((i) => i >= 2 && i < 5)).toBe(true)
  })

  it('applies a literal vocabulary', () => {
    const fitted = fitTransform(traceTransform((inputs) => ({ v: tft.applyVocabulary(inputs.x!, ['a', 'b'], { numOovBuckets: 1 }) })), new Map())
    expect(applyTransform(fitted, [{ x: 'b' }, { x: 'a' }, { x: 'zzz' }])).toEqual([{ v: 1 }, { v: 0 }, { v: 2 }])
  })
})

describe('mappers', () => {
  it('scales to z-score, [0, 1] and [outMin, outMax]', async () => {
    const fitted = await fit((inputs) => ({
      z: tft.scaleToZScore(inputs.tips!),
      u: tft.scaleTo01(inputs.tips!),
      s: tft.scaleByMinMax(inputs.trip_miles!, -1, 1),
    }))
    const rows = applyTransform(fitted, ROWS)
    const tips = column('tips')
    const m = mean(tips)
    const sd = Math.sqrt(variance(tips))
    rows.forEach((r, i) => expect(r.z).toBeCloseTo((tips[i]! - m) / sd, 9))
    expect(Math.min(...rows.map((r) => r.u as number))).toBe(0)
    expect(Math.max(...rows.map((r) => r.u as number))).toBe(1)
    rows.forEach((r, i) => expect(r.u).toBeCloseTo(tips[i]! / Math.max(...tips), 12))
    const miles = column('trip_miles')
    rows.forEach((r, i) => expect(r.s).toBeCloseTo((miles[i]! / 22) * 2 - 1, 12))
  })

  it('handles a constant column as TFT does: z-score x - mean, min-max scaling sigmoid(x)', () => {
    const graph = traceTransform((inputs) => ({ z: tft.scaleToZScore(inputs.x!), u: tft.scaleTo01(inputs.x!), s: tft.scaleByMinMax(inputs.x!, 10, 20) }))
    const fitted = fitTransform(
      graph,
      new Map([
        ['{"kind":"mean","input":{"op":"input","name":"x"}}', { kind: 'mean', value: 3 }],
        ['{"kind":"var","input":{"op":"input","name":"x"}}', { kind: 'var', value: 0 }],
        ['{"kind":"min","input":{"op":"input","name":"x"}}', { kind: 'min', value: 3 }],
        ['{"kind":"max","input":{"op":"input","name":"x"}}', { kind: 'max', value: 3 }],
      ]),
    )
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
    expect(applyTransform(fitted, [{ x: 3 }, { x: 5 }])).toEqual([
      { z: 0, u: sigmoid(3), s: 10 + 10 * sigmoid(3) },
      { z: 2, u: sigmoid(5), s: 10 + 10 * sigmoid(5) },
    ])
  })

  it('applies bucket boundaries: x < b0 → 0, b[i-1] <= x < b[i] → i, NaN → last bucket', () => {
    expect([-1, 0, 0.5, 1, 1.5, 2, 3, Number.NaN].map((x) => bucketOf(x, [0, 1, 2]))).toEqual([0, 1, 1, 2, 2, 3, 3, 3])
    expect(bucketOf(5, [])).toBe(0)
    const fitted = fitTransform(traceTransform((inputs) => ({ b: tft.applyBuckets(inputs.x!, [0, 1, 2]) })), new Map())
    expect(applyTransform(fitted, [{ x: -5 }, { x: 1 }, { x: null }, { x: Number.NaN }])).toEqual([{ b: 0 }, { b: 2 }, { b: null }, { b: 3 }])
    expect(() => tft.applyBuckets(tft.constant(1), [2, 1])).toThrow(RangeError)
  })

  it('fills missing values (null, undefined, NaN) before analysis and application', async () => {
    const fitted = await fit((inputs) => ({
      fare: tft.fillMissing(inputs.fare!, 0),
      meanFilled: tft.mean(tft.fillMissing(inputs.fare!, 0)),
      company: tft.fillMissing(inputs.company!, 'none'),
      raw: inputs.fare!,
    }))
    const fares = column('fare')
    expect(analyzerValue(fitted, 'meanFilled')).toEqual({ kind: 'mean', value: expect.closeTo(mean(fares.map((f) => f ?? 0)), 9) })
    const rows = applyTransform(fitted, ROWS)
    expect(rows.map((r) => r.fare)).toEqual(fares.map((f) => f ?? 0))
    expect(rows.map((r) => r.raw)).toEqual(fares)
    expect(rows.map((r) => r.company)).toEqual(column('company').map((c) => c ?? 'none'))
    expect(applyTransform(fitted, [{ fare: Number.NaN }, {}]).map((r) => r.fare)).toEqual([0, 0])
  })

  it('hashes strings with 32-bit FNV-1a', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5)
    expect(fnv1a32('a')).toBe(0xe40c292c)
    expect(fnv1a32('foobar')).toBe(0xbf9cf968)
    const fitted = fitTransform(traceTransform((inputs) => ({ h: tft.hashStrings(inputs.x!, 10) })), new Map())
    expect(applyTransform(fitted, [{ x: 'foobar' }, { x: 7 }, { x: null }])).toEqual([{ h: 0xbf9cf968 % 10 }, { h: fnv1a32('7') % 10 }, { h: null }])
  })

  it('expresses the taxi label: tips > 0.2 × fare, 0 when fare is missing', async () => {
    const fitted = await fit((inputs) => {
      const fare = tft.fillMissing(inputs.fare!, Number.NaN)
      return { tips_xf: tft.where(tft.gt(inputs.tips!, tft.mul(fare, 0.2)), 1, 0), label: tft.cast(tft.gt(inputs.tips!, tft.mul(inputs.fare!, 0.2)), 'int') }
    })
    const rows = applyTransform(fitted, ROWS)
    expect(rows.map((r) => r.tips_xf)).toEqual(ROWS.map((r) => (r.fare !== null && r.tips > r.fare * 0.2 ? 1 : 0)))
    expect(rows.map((r) => r.label)).toEqual(ROWS.map((r) => (r.fare === null ? null : r.tips > r.fare * 0.2 ? 1 : 0)))
    expect(rows.some((r) => r.tips_xf === 1) && rows.some((r) => r.tips_xf === 0)).toBe(true)
  })

  it('evaluates operators with SQL-like missing-value semantics', () => {
    const fitted = fitTransform(
      traceTransform((inputs) => ({
        add: tft.add(inputs.a!, inputs.b!),
        sub: tft.sub(inputs.a!, 1),
        div: tft.div(inputs.a!, inputs.b!),
        le: tft.le(inputs.a!, inputs.b!),
        eq: tft.eq(inputs.s!, 'x'),
        and: tft.and(tft.ge(inputs.a!, 1), tft.lt(inputs.b!, 0)),
        or: tft.or(tft.ge(inputs.a!, 1), tft.lt(inputs.b!, 0)),
        not: tft.not(tft.gt(inputs.a!, 1)),
        int: tft.cast(tft.div(inputs.a!, 2), 'int'),
        str: tft.cast(inputs.a!, 'string'),
      })),
      new Map(),
    )
    expect(applyTransform(fitted, [{ a: 3, b: 0, s: 'x' }, { a: null, b: -1, s: 'y' }, { a: 0, b: null, s: null }])).toEqual([
      { add: 3, sub: 2, div: null, le: false, eq: true, and: false, or: true, not: false, int: 1, str: '3' },
      { add: null, sub: null, div: null, le: null, eq: false, and: null, or: true, not: null, int: null, str: null },
      { add: null, sub: -1, div: null, le: null, eq: null, and: false, or: null, not: true, int: 0, str: '0' },
    ])
  })
})

describe('per-key mappers', () => {
  const byKey = <T>(key: (r: Row) => string | null, value: (r: Row) => T | null) => {
    const groups = new Map<string, T[]>()
    for (const r of ROWS) {
      const k = key(r)
      const v = value(r)
      if (k === null || v === null) continue
      groups.set(k, [...(groups.get(k) ?? []), v])
    }
    return groups
  }

  it('compute their statistics per key value over the analysed split, in one GROUP BY per key', async () => {
    const queries: string[] = []
    const fitted = await fitOnSplits(
      db.connection,
      examplesUri,
      'train',
      (inputs) => ({
        z: tft.scaleToZScorePerKey(inputs.tips!, inputs.payment_type!),
        unit: tft.scaleTo01PerKey(inputs.tips!, inputs.payment_type!),
        range: tft.scaleByMinMaxPerKey(inputs.fare!, inputs.payment_type!, -1, 1),
        buckets: tft.bucketizePerKey(inputs.trip_miles!, inputs.payment_type!, 3),
        count: tft.countPerKey(inputs.payment_type!),
      }),
      { onQuery: (q) => queries.push(q) },
    )
    // One GROUP BY for the three analyzers keyed by payment_type (plus the key's type probe).
    expect(queries.filter((q) => q.includes('GROUP BY'))).toHaveLength(1)
    const tips = byKey((r) => r.payment_type, (r) => r.tips)
    const fares = byKey((r) => r.payment_type, (r) => r.fare)
    const miles = byKey((r) => r.payment_type, (r) => r.trip_miles)
    const rows = applyTransform(fitted, ROWS)
    ROWS.forEach((r, i) => {
      const t = tips.get(r.payment_type)!
      const sd = Math.sqrt(variance(t))
      expect(rows[i]!.z).toBeCloseTo(sd > 0 ? (r.tips - mean(t)) / sd : r.tips - mean(t), 9)
      expect(rows[i]!.unit).toBeCloseTo((r.tips - Math.min(...t)) / (Math.max(...t) - Math.min(...t)), 12)
      const f = fares.get(r.payment_type)!
      if (r.fare === null) expect(rows[i]!.range).toBeNull()
      else expect(rows[i]!.range).toBeCloseTo(((r.fare - Math.min(...f)) / (Math.max(...f) - Math.min(...f))) * 2 - 1, 12)
      const boundaries = quantileBoundaries(miles.get(r.payment_type)!, 3)
      expect(rows[i]!.buckets).toBe(bucketOf(r.trip_miles, boundaries))
      expect(rows[i]!.count).toBe(t.length)
    })
    for (const a of Object.values(fitted.analyzers)) {
      if (a.kind === 'perKey' || a.kind === 'quantilesPerKey') expect(a.keys).toEqual([...new Set(column('payment_type'))].sort())
    }
  })

  it("give TFT's fallbacks for a key value the analysis never saw, and missing outputs for a missing key", async () => {
    const fitted = await fit((inputs) => ({
      z: tft.scaleToZScorePerKey(inputs.tips!, inputs.payment_type!),
      unit: tft.scaleTo01PerKey(inputs.tips!, inputs.payment_type!),
      range: tft.scaleByMinMaxPerKey(inputs.tips!, inputs.payment_type!, 10, 20),
      buckets: tft.bucketizePerKey(inputs.tips!, inputs.payment_type!, 4),
      count: tft.countPerKey(inputs.payment_type!),
    }))
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
    expect(applyTransform(fitted, [{ tips: 3, payment_type: 'Bitcoin' }, { tips: 3, payment_type: null }, { tips: Number.NaN, payment_type: 'Cash' }])).toEqual([
      { z: 3, unit: sigmoid(3), range: 10 + 10 * sigmoid(3), buckets: -1, count: 0 },
      { z: null, unit: null, range: null, buckets: null, count: null },
      { z: Number.NaN, unit: Number.NaN, range: Number.NaN, buckets: 3, count: ROWS.filter((r) => r.payment_type === 'Cash').length },
    ])
  })

  it('use the key as its vocabulary token: numbers and their string form are one key', async () => {
    const fitted = await fit((inputs) => ({ count: tft.countPerKey(inputs.hour!) }))
    const [a, b] = applyTransform(fitted, [{ hour: 5 }, { hour: '5' }])
    expect(a!.count).toBe(ROWS.filter((r) => r.hour === 5).length)
    expect(b!.count).toBe(a!.count)
  })
})

describe('fitted transform', () => {
  const taxi = (inputs: TransformInputs) => ({
    fare_xf: tft.scaleToZScore(tft.fillMissing(inputs.fare!, 0)),
    trip_miles_xf: tft.scaleTo01(inputs.trip_miles!),
    payment_type_xf: tft.computeAndApplyVocabulary(inputs.payment_type!, { topK: 1000, numOovBuckets: 10 }),
    company_xf: tft.computeAndApplyVocabulary(tft.fillMissing(inputs.company!, ''), { topK: 1000, numOovBuckets: 10 }),
    tips_bucket_xf: tft.bucketize(inputs.tips!, 10),
    hour_xf: tft.fillMissing(inputs.hour!, 0),
    company_hash_xf: tft.hashStrings(tft.fillMissing(inputs.company!, ''), 100),
    tips_xf: tft.where(tft.gt(inputs.tips!, tft.mul(tft.fillMissing(inputs.fare!, Number.NaN), 0.2)), 1, 0),
  })

  it('round-trips: fit on a Parquet split, serialise, parse, apply to rows', async () => {
    const fitted = await fit(taxi)
    const text = serializeFittedTransform(fitted)
    const parsed = parseFittedTransform(text)
    expect(parsed).toEqual(fitted)
    expect(parsed.inputs).toEqual(['company', 'fare', 'hour', 'payment_type', 'tips', 'trip_miles'])
    expect(Object.keys(parsed.outputs)).toEqual(Object.keys(taxi(new Proxy({}, { get: () => tft.constant(0) }))))
    const rows = applyTransform(parsed, ROWS)
    expect(rows).toEqual(applyTransform(fitted, ROWS))
    expect(rows).toHaveLength(ROWS.length)
    const fares = column('fare').map((f) => f ?? 0)
    rows.forEach((r, i) => expect(r.fare_xf).toBeCloseTo((fares[i]! - mean(fares)) / Math.sqrt(variance(fares)), 9))
    const paymentVocab = vocabularyOf(column('payment_type'))
    expect(rows.map((r) => r.payment_type_xf)).toEqual(column('payment_type').map((p) => paymentVocab.indexOf(p)))
    expect(rows.every((r) => Object.values(r).every((v) => typeof v === 'number' && Number.isFinite(v)))).toBe(true)
  })

  it('agrees with its SQL form on the split (no train/serve skew between analysis and application)', async () => {
    const graph = traceTransform((inputs) => ({
      z: tft.scaleToZScore(inputs.fare!),
      b: tft.bucketize(inputs.tips!, 5),
      label: tft.where(tft.gt(inputs.tips!, tft.mul(tft.fillMissing(inputs.fare!, Number.NaN), 0.2)), 1, 0),
      f: tft.fillMissing(inputs.company!, 'none'),
      c: tft.cast(tft.ge(inputs.hour!, 12), 'int'),
      nan: tft.cast(tft.lt(inputs.tips!, tft.fillMissing(inputs.fare!, Number.NaN)), 'int'),
    }))
    const relation = `read_parquet(${sqlString(path.join(examplesUri, 'Split-train', '*.parquet'))})`
    const values = await analyzeGraph(db.connection, relation, graph)
    const columns = Object.entries(graph.outputs).map(([name, e]) => `${toSql(e, values)} AS ${sqlIdentifier(name)}`)
    const sqlRows = (await db.connection.runAndReadAll(`SELECT ${columns.join(', ')} FROM (${ROWS_SQL})`)).getRowObjectsJS()
    const jsRows = applyTransform(fitTransform(graph, values), ROWS)
    expect(sqlRows).toHaveLength(jsRows.length)
    sqlRows.forEach((s, i) => {
      const j = jsRows[i]!
      const norm = (v: unknown) => (v === null || typeof v === 'string' ? v : Number(v))
      for (const name of ['b', 'label', 'f', 'c', 'nan']) expect(norm(s[name]), name).toEqual(norm(j[name]))
      if (j.z === null) expect(s.z).toBeNull()
      else expect(s.z as number).toBeCloseTo(j.z as number, 9)
    })
  })

  it('rejects another format, version or a dangling analyzer reference', async () => {
    const fitted = await fit((inputs) => ({ m: tft.scaleToZScore(inputs.tips!) }))
    expect(() => parseFittedTransform({ ...fitted, version: 2 })).toThrow(/version 2 is not supported/)
    expect(() => parseFittedTransform({ ...fitted, format: 'other' })).toThrow(TransformError)
    expect(() => parseFittedTransform({ ...fitted, analyzers: {} })).toThrow(/does not hold/)
    expect(() => parseFittedTransform('{"format":"sluice.fitted_transform","version":1,"inputs":[],"outputs":{"x":{"op":"eval"}},"analyzers":{}}')).toThrow(/Unknown operation/)
  })

  it('rejects an unknown input and a non-column output while tracing', async () => {
    await expect(fit((inputs) => ({ x: inputs.nope! }))).rejects.toThrow(/reads input "nope"/)
    expect(() => traceTransform(() => ({ x: 3 as never }))).toThrow(/output "x" of preprocessingFn is not a column: got number 3/)
    expect(() => tft.bucketize(tft.constant(1), 0)).toThrow(RangeError)
  })
})
