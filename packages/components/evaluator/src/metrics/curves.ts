// Exact binary-classification curves: one point per distinct score, from examples sorted by score.
// TFMA approximates AUC with 10,000 fixed thresholds; sorting gives the exact value (ties count
// half, as the Mann-Whitney statistic) in O(n log n), and the sort is shared by every metric and
// every bootstrap replicate of a slice.

/** Confusion counts (weighted) at one decision threshold. */
export interface Confusion {
  readonly tp: number
  readonly fp: number
  readonly tn: number
  readonly fn: number
}

/**
 * The ROC / PR curve of a slice: after the k-th distinct score (highest first), `tp[k]` and `fp[k]`
 * are the weighted positives and negatives scoring at or above `thresholds[k]`. Index 0 is the
 * empty prediction (threshold +∞): tp = fp = 0.
 */
export interface Curve {
  readonly thresholds: Float64Array
  readonly tp: Float64Array
  readonly fp: Float64Array
  /** Total positive weight. */
  readonly positives: number
  /** Total negative weight. */
  readonly negatives: number
}

/** How the area under a curve is summed between two points (Keras' `summation_method`). */
export type SummationMethod = 'interpolation' | 'minoring' | 'majoring'

/** Positions `0..n-1` sorted by `scores` descending (a stable order for ties). */
export function orderByScoreDescending(scores: Float64Array): Int32Array {
  const order = new Int32Array(scores.length)
  for (let i = 0; i < order.length; i++) order[i] = i
  // Typed-array sort with a comparator is stable in V8, so ties keep row order (deterministic output).
  return order.sort((a, b) => scores[b]! - scores[a]!)
}

/** The curve of `labels` (0/1) and `scores` weighted by `weights`, given the descending `order`. */
export function binaryCurve(labels: Float64Array, scores: Float64Array, weights: Float64Array, order: Int32Array): Curve {
  const n = order.length
  const thresholds: number[] = [Number.POSITIVE_INFINITY]
  const tp: number[] = [0]
  const fp: number[] = [0]
  let cumTp = 0
  let cumFp = 0
  for (let i = 0; i < n; ) {
    const score = scores[order[i]!]!
    let j = i
    while (j < n && scores[order[j]!] === score) {
      const r = order[j]!
      const w = weights[r]!
      if (labels[r] === 1) cumTp += w
      else cumFp += w
      j++
    }
    thresholds.push(score)
    tp.push(cumTp)
    fp.push(cumFp)
    i = j
  }
  return { thresholds: Float64Array.from(thresholds), tp: Float64Array.from(tp), fp: Float64Array.from(fp), positives: cumTp, negatives: cumFp }
}

/**
 * Area under the ROC curve. `interpolation` is the trapezoid rule over the exact curve, which equals
 * the probability that a random positive scores above a random negative, ties counting half.
 * NaN when the slice lacks positives or negatives.
 */
export function rocAuc(curve: Curve, method: SummationMethod = 'interpolation'): number {
  const { tp, fp, positives, negatives } = curve
  if (!(positives > 0) || !(negatives > 0)) return Number.NaN
  let area = 0
  for (let k = 1; k < tp.length; k++) {
    const dx = fp[k]! - fp[k - 1]!
    if (dx === 0) continue
    const height = method === 'interpolation' ? (tp[k]! + tp[k - 1]!) / 2 : method === 'minoring' ? Math.min(tp[k]!, tp[k - 1]!) : Math.max(tp[k]!, tp[k - 1]!)
    area += dx * height
  }
  return area / (positives * negatives)
}

/**
 * Area under the precision-recall curve. `interpolation` is Davis & Goadrich's interpolation between
 * consecutive points, as Keras' `AUC(curve='PR')` (and so TFMA's `AUCPrecisionRecall`) computes it,
 * here on the exact curve instead of 10,000 fixed thresholds. `minoring`/`majoring` use the lower /
 * higher precision of each step (the empty prediction taking the first point's precision).
 * NaN when the slice has no positives.
 */
export function prAuc(curve: Curve, method: SummationMethod = 'interpolation'): number {
  const { tp, fp, positives } = curve
  if (!(positives > 0)) return Number.NaN
  let area = 0
  if (method === 'interpolation') {
    for (let k = 1; k < tp.length; k++) {
      const dtp = tp[k]! - tp[k - 1]!
      const p0 = tp[k - 1]! + fp[k - 1]!
      const p1 = tp[k]! + fp[k]!
      const dp = p1 - p0
      if (dp <= 0) continue
      const slope = dtp / dp
      const intercept = tp[k - 1]! - slope * p0
      const ratio = p0 > 0 && p1 > 0 ? p1 / p0 : 1
      area += (slope * (dtp + intercept * Math.log(ratio))) / positives
    }
    return area
  }
  const precisionAt = (k: number) => {
    const p = tp[k]! + fp[k]!
    return p > 0 ? tp[k]! / p : Number.NaN
  }
  let previous = Number.NaN
  for (let k = 1; k < tp.length; k++) {
    const precision = precisionAt(k)
    if (Number.isNaN(precision)) continue
    const before = Number.isNaN(previous) ? precision : previous
    const dRecall = (tp[k]! - tp[k - 1]!) / positives
    area += dRecall * (method === 'minoring' ? Math.min(before, precision) : Math.max(before, precision))
    previous = precision
  }
  return area
}

/**
 * Weighted confusion counts when examples scoring strictly above `threshold` are predicted positive
 * (Keras' and TFMA's rule: a score of exactly 0.5 is negative at threshold 0.5).
 */
export function confusionAt(labels: Float64Array, scores: Float64Array, weights: Float64Array, threshold: number): Confusion {
  let tp = 0
  let fp = 0
  let tn = 0
  let fn = 0
  for (let i = 0; i < labels.length; i++) {
    const w = weights[i]!
    if (w === 0) continue
    const positive = scores[i]! > threshold
    if (labels[i] === 1) {
      if (positive) tp += w
      else fn += w
    } else if (positive) fp += w
    else tn += w
  }
  return { tp, fp, tn, fn }
}

/** `a / b`, NaN unless `b > 0` (TFMA leaves undefined ratios undefined rather than 0). */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN
}

/** Every `step`-th index of `0..length-1`, always including both ends: at most `max` indices. */
export function downsampleIndices(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i)
  const out: number[] = []
  const step = (length - 1) / (max - 1)
  for (let k = 0; k < max; k++) out.push(Math.round(k * step))
  return [...new Set(out)]
}
