// Hand-written statistics fixtures: small, readable column values turned into
// DatasetFeatureStatistics in the proto3 JSON shape StatisticsGen writes (FeatureStats.json).
// Shared by the component tests of schema-gen and example-validator.

import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList, FeatureNameStatistics, Histogram } from '../src/statistics.js'

/** One example's value: missing (null), one value, or a list of values. */
export type Cell<T> = T | T[] | null

function lists<T>(cells: readonly Cell<T>[]): T[][] {
  return cells.filter((c): c is T | T[] => c !== null).map((c) => (Array.isArray(c) ? c : [c]))
}

function common<T>(cells: readonly Cell<T>[]) {
  const present = lists(cells)
  const lengths = present.map((l) => l.length)
  const tot = lengths.reduce((a, b) => a + b, 0)
  return {
    numNonMissing: present.length,
    numMissing: cells.length - present.length,
    minNumValues: lengths.length ? Math.min(...lengths) : 0,
    maxNumValues: lengths.length ? Math.max(...lengths) : 0,
    avgNumValues: present.length ? tot / present.length : 0,
    totNumValues: tot,
  }
}

function standardHistogram(values: number[], numNan: number): Histogram {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return { numNan, numUndefined: 0, buckets: [], type: 'STANDARD' }
  const min = Math.min(...finite)
  const max = Math.max(...finite)
  if (min === max) return { numNan, numUndefined: 0, buckets: [{ lowValue: min, highValue: max, sampleCount: finite.length }], type: 'STANDARD' }
  const width = (max - min) / 10
  const buckets = Array.from({ length: 10 }, (_, i) => ({ lowValue: min + i * width, highValue: i === 9 ? max : min + (i + 1) * width, sampleCount: 0 }))
  for (const v of finite) buckets[Math.min(9, Math.floor((v - min) / width))]!.sampleCount++
  return { numNan, numUndefined: 0, buckets, type: 'STANDARD' }
}

function quantilesHistogram(values: number[], numNan: number): Histogram {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return { numNan, numUndefined: 0, buckets: [], type: 'QUANTILES' }
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!
  const buckets = Array.from({ length: 10 }, (_, i) => ({ lowValue: at(i / 10), highValue: at((i + 1) / 10), sampleCount: sorted.length / 10 }))
  return { numNan, numUndefined: 0, buckets, type: 'QUANTILES' }
}

/** Statistics of a numeric (INT or FLOAT) feature from its cells. */
export function numericFeature(name: string, cells: readonly Cell<number>[], type: 'INT' | 'FLOAT' = 'FLOAT'): FeatureNameStatistics {
  const values = lists(cells).flat()
  const nonNan = values.filter((v) => !Number.isNaN(v))
  const finite = nonNan.filter((v) => Number.isFinite(v))
  const numNan = values.length - nonNan.length
  const mean = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : 0
  const sorted = [...finite].sort((a, b) => a - b)
  return {
    path: { step: [name] },
    type,
    numStats: {
      commonStats: common(cells),
      mean,
      stdDev: finite.length ? Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length) : 0,
      numZeros: values.filter((v) => v === 0).length,
      min: nonNan.length ? Math.min(...nonNan) : 0,
      median: sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0,
      max: nonNan.length ? Math.max(...nonNan) : 0,
      histograms: [standardHistogram(values, numNan), quantilesHistogram(values, numNan)],
    },
  }
}

/** Statistics of a STRING feature from its cells. */
export function stringFeature(name: string, cells: readonly Cell<string>[]): FeatureNameStatistics {
  const values = lists(cells).flat()
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
  return {
    path: { step: [name] },
    type: 'STRING',
    stringStats: {
      commonStats: common(cells),
      unique: counts.size,
      topValues: ranked.slice(0, 20).map(([value, frequency]) => ({ value, frequency })),
      avgLength: values.length ? values.reduce((s, v) => s + Buffer.byteLength(v), 0) / values.length : 0,
      rankHistogram: { buckets: ranked.slice(0, 1000).map(([label, sampleCount], rank) => ({ lowRank: rank, highRank: rank, label, sampleCount })) },
    },
  }
}

/** One split's statistics. */
export function dataset(name: string, numExamples: number, features: FeatureNameStatistics[]): DatasetFeatureStatistics {
  return { name, numExamples, features }
}

/** A DatasetFeatureStatisticsList holding one split, as in FeatureStats.json. */
export function statisticsList(data: DatasetFeatureStatistics): DatasetFeatureStatisticsList {
  return { datasets: [data] }
}

/** A deterministic pseudo-random generator (LCG) for fixture data. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

export const PAYMENT_TYPES = ['Cash', 'Credit Card', 'Dispute', 'No Charge', 'Unknown'] as const

/** Options of {@link taxiColumns}. */
export interface TaxiOptions {
  rows?: number
  seed?: number
  /** Multiplies fares (drift). */
  fareScale?: number
  /** Payment types drawn instead of the usual mix. */
  paymentTypes?: readonly string[]
  /** Weights of `paymentTypes`. */
  paymentWeights?: readonly number[]
}

/** Column cells of a small Chicago-taxi-like dataset. */
export function taxiColumns(options: TaxiOptions = {}) {
  const rows = options.rows ?? 200
  const next = random(options.seed ?? 7)
  const paymentTypes = options.paymentTypes ?? PAYMENT_TYPES
  const weights = options.paymentWeights ?? [0.6, 0.3, 0.04, 0.04, 0.02]
  const pick = () => {
    let r = next() * weights.reduce((a, b) => a + b, 0)
    for (const [i, w] of weights.entries()) {
      if ((r -= w) < 0) return paymentTypes[i]!
    }
    return paymentTypes[paymentTypes.length - 1]!
  }
  const fare: Cell<number>[] = []
  const tripMiles: Cell<number>[] = []
  const tripSeconds: Cell<number>[] = []
  const hour: Cell<number>[] = []
  const tips: Cell<number>[] = []
  const payment: Cell<string>[] = []
  const company: Cell<string>[] = []
  const tripId: Cell<string>[] = []
  for (let i = 0; i < rows; i++) {
    const miles = Math.round(next() * 200) / 10
    tripMiles.push(miles)
    fare.push(Math.round((3.25 + miles * 2.25) * (options.fareScale ?? 1) * 100) / 100)
    tripSeconds.push(i % 25 === 3 ? null : Math.round(60 + miles * 180))
    hour.push(Math.floor(next() * 24))
    tips.push(Math.round(next() * 500) / 100)
    payment.push(pick())
    company.push(i % 3 === 0 ? null : `Company ${String(Math.floor(next() * 12)).padStart(2, '0')}`)
    tripId.push(`trip-${options.seed ?? 7}-${i}`)
  }
  return { fare, tripMiles, tripSeconds, hour, tips, payment, company, tripId, rows }
}

/** The statistics of a taxi-like split. */
export function taxiStatistics(name: string, options: TaxiOptions = {}): DatasetFeatureStatistics {
  const c = taxiColumns(options)
  return dataset(name, c.rows, [
    numericFeature('fare', c.fare),
    numericFeature('trip_miles', c.tripMiles),
    numericFeature('trip_seconds', c.tripSeconds, 'INT'),
    numericFeature('trip_start_hour', c.hour, 'INT'),
    numericFeature('tips', c.tips),
    stringFeature('payment_type', c.payment),
    stringFeature('company', c.company),
    stringFeature('trip_id', c.tripId),
  ])
}

/** Replaces (or adds) one feature's statistics in a dataset. */
export function withFeature(data: DatasetFeatureStatistics, feature: FeatureNameStatistics): DatasetFeatureStatistics {
  const name = feature.path.step.join('.')
  const others = data.features.filter((f) => f.path.step.join('.') !== name)
  const index = data.features.findIndex((f) => f.path.step.join('.') === name)
  const features = [...others]
  features.splice(index < 0 ? features.length : index, 0, feature)
  return { ...data, features }
}

/** Removes one feature's statistics from a dataset. */
export function withoutFeature(data: DatasetFeatureStatistics, name: string): DatasetFeatureStatistics {
  return { ...data, features: data.features.filter((f) => f.path.step.join('.') !== name) }
}
