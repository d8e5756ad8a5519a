// Distances between two distributions, as TFDV's anomalies/metrics.cc computes them for drift and
// skew comparators.

import type { Histogram } from '../statistics.js'
import { compareBytes, num } from '../schema/stats-view.js'

/** A value count map normalized to probabilities (all zero when the total is zero). */
function normalize(counts: ReadonlyMap<string, number>): Map<string, number> {
  let total = 0
  for (const count of counts.values()) total += count
  const result = new Map<string, number>()
  for (const [key, count] of counts) result.set(key, total > 0 ? count / total : 0)
  return result
}

function unionKeys(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort(compareBytes)
}

/**
 * The L-infinity distance between two categorical distributions: each side's value counts are
 * normalized by their own total, and the largest absolute difference over all values is returned
 * with the value where it occurs (on ties, the last value in byte order, as TFDV).
 */
export function lInfinityDistance(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): { distance: number; value: string } {
  const pa = normalize(a)
  const pb = normalize(b)
  let best = { distance: 0, value: '' }
  for (const key of unionKeys(pa, pb)) {
    const difference = Math.abs((pa.get(key) ?? 0) - (pb.get(key) ?? 0))
    if (difference >= best.distance) best = { distance: difference, value: key }
  }
  return best
}

/**
 * The largest absolute count difference over all values divided by both sides' combined count
 * (TFDV's normalized_abs_difference), with the value where it occurs.
 */
export function normalizedAbsoluteDifference(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): { distance: number; value: string } {
  let total = 0
  for (const count of a.values()) total += count
  for (const count of b.values()) total += count
  let best = { distance: 0, value: '' }
  if (total === 0) return best
  for (const key of unionKeys(a, b)) {
    const difference = Math.abs((a.get(key) ?? 0) - (b.get(key) ?? 0)) / total
    if (difference >= best.distance) best = { distance: difference, value: key }
  }
  return best
}

/** JSD(P, Q) = (KL(P‖M) + KL(Q‖M)) / 2 with M = (P + Q) / 2, in bits, capped at 1. */
function jensenShannon(p: number[], q: number[]): number {
  const kl = (x: number[], m: number[]) => x.reduce((sum, xi, i) => (xi > 0 && m[i]! > 0 ? sum + xi * Math.log2(xi / m[i]!) : sum), 0)
  const m = p.map((pi, i) => (pi + q[i]!) / 2)
  return Math.min(1, Math.max(0, (kl(p, m) + kl(q, m)) / 2))
}

function normalizeVector(values: number[]): number[] | undefined {
  const total = values.reduce((a, b) => a + b, 0)
  if (!(total > 0)) return undefined
  return values.map((v) => v / total)
}

/** The Jensen-Shannon divergence of two categorical distributions given as value counts; undefined when either is empty. */
export function categoricalJensenShannonDivergence(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number | undefined {
  const keys = unionKeys(a, b)
  const p = normalizeVector(keys.map((k) => a.get(k) ?? 0))
  const q = normalizeVector(keys.map((k) => b.get(k) ?? 0))
  if (!p || !q) return undefined
  return jensenShannon(p, q)
}

interface Cells {
  /** Mass per segment between consecutive common boundaries. */
  segments: number[]
  /** Mass of point buckets (low == high) by value. */
  points: Map<number, number>
  /** Mass of buckets with an infinite bound, by their bounds. */
  infinite: Map<string, number>
  nan: number
}

/**
 * The approximate Jensen-Shannon divergence of two numeric distributions given as histograms
 * (TFDV's approach): both histograms are rebucketed to the union of their bucket boundaries,
 * assuming values are spread uniformly within a bucket; point buckets (low == high), buckets with
 * an infinite bound and NaN counts are kept as separate cells. Undefined when either histogram is
 * empty.
 */
export function histogramJensenShannonDivergence(a: Partial<Histogram>, b: Partial<Histogram>): number | undefined {
  const boundaries = [...new Set([...rangeBounds(a), ...rangeBounds(b)])].sort((x, y) => x - y)
  const ca = cells(a, boundaries)
  const cb = cells(b, boundaries)
  const points = [...new Set([...ca.points.keys(), ...cb.points.keys()])].sort((x, y) => x - y)
  const infinite = [...new Set([...ca.infinite.keys(), ...cb.infinite.keys()])].sort()
  const vector = (c: Cells) => [...c.segments, ...points.map((v) => c.points.get(v) ?? 0), ...infinite.map((k) => c.infinite.get(k) ?? 0), c.nan]
  const p = normalizeVector(vector(ca))
  const q = normalizeVector(vector(cb))
  if (!p || !q) return undefined
  return jensenShannon(p, q)
}

function buckets(h: Partial<Histogram>) {
  return (h.buckets ?? []).map((bucket) => ({ low: num(bucket.lowValue), high: num(bucket.highValue), count: num(bucket.sampleCount) }))
}

function rangeBounds(h: Partial<Histogram>): number[] {
  return buckets(h)
    .filter((b) => Number.isFinite(b.low) && Number.isFinite(b.high) && b.high > b.low)
    .flatMap((b) => [b.low, b.high])
}

function cells(h: Partial<Histogram>, boundaries: number[]): Cells {
  const result: Cells = { segments: new Array<number>(Math.max(0, boundaries.length - 1)).fill(0), points: new Map(), infinite: new Map(), nan: num(h.numNan) }
  for (const bucket of buckets(h)) {
    if (bucket.count <= 0) continue
    if (!Number.isFinite(bucket.low) || !Number.isFinite(bucket.high)) {
      const key = `${bucket.low}:${bucket.high}`
      result.infinite.set(key, (result.infinite.get(key) ?? 0) + bucket.count)
    } else if (bucket.high <= bucket.low) {
      result.points.set(bucket.low, (result.points.get(bucket.low) ?? 0) + bucket.count)
    } else {
      const width = bucket.high - bucket.low
      for (let i = 0; i + 1 < boundaries.length; i++) {
        const lo = boundaries[i]!
        const hi = boundaries[i + 1]!
        if (lo >= bucket.low && hi <= bucket.high) result.segments[i]! += ((hi - lo) / width) * bucket.count
      }
    }
  }
  return result
}
