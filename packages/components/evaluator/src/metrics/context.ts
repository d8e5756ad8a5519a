// What metrics read: one model's labels, predictions and weights on one slice. Everything that does
// not depend on the weights (label/score views, sort orders) is cached on the SliceData and shared by
// every bootstrap replicate; sums, curves and confusion counts are cached per weighting.
import { EvaluatorError } from '../errors.js'
import type { Confusion, Curve } from './curves.js'
import { binaryCurve, confusionAt, orderByScoreDescending } from './curves.js'

/** One model's data on one slice, in slice-local positions. */
export class SliceData {
  /** Scalar (label, score) views by class id (`-1`: no class id). */
  private readonly views = new Map<number, { labels: Float64Array; scores: Float64Array; binaryChecked: boolean }>()
  private readonly orders = new Map<number, Int32Array>()
  private topKHits?: Map<number, Uint8Array>

  /**
   * @param labels Label per example (0/1 for binary, a class index for multi-class, any number for regression).
   * @param predictions `n × width` scores, row-major.
   * @param width Scores per example: 1 for a binary probability or a regression value, k for k classes.
   * @param baseWeights Example weights (1 without an example weight key).
   * @param model The model's name, for messages.
   */
  constructor(
    readonly labels: Float64Array,
    readonly predictions: Float64Array,
    readonly width: number,
    readonly baseWeights: Float64Array,
    readonly model: string,
  ) {}

  get size(): number {
    return this.labels.length
  }

  /**
   * Labels and scores as one number per example: the prediction itself (width 1), the positive
   * class's score (width 2), or for `classId` one-vs-rest (label == classId, that class's score).
   */
  scalar(classId: number | undefined, metric: string, binary: boolean): { labels: Float64Array; scores: Float64Array } {
    const id = classId ?? -1
    let view = this.views.get(id)
    if (!view) {
      view = { ...this.buildScalar(classId, metric), binaryChecked: false }
      this.views.set(id, view)
    }
    if (binary && !view.binaryChecked) {
      const bad = view.labels.findIndex((v) => v !== 0 && v !== 1)
      if (bad >= 0) {
        throw new EvaluatorError('SLUICE_EVALUATOR_BAD_VALUE', `Metric "${metric}" (model "${this.model}") needs 0/1 labels, but a label is ${view.labels[bad]}.`, {
          fix: 'For a multi-class label, compute one-vs-rest metrics with metricsSpecs[].binarize: { classIds: [...] }; for a regression label use regression metrics.',
        })
      }
      view.binaryChecked = true
    }
    return view
  }

  private buildScalar(classId: number | undefined, metric: string): { labels: Float64Array; scores: Float64Array } {
    const n = this.size
    const { width, predictions } = this
    if (classId === undefined) {
      if (width === 1) return { labels: this.labels, scores: predictions }
      if (width === 2) {
        const scores = new Float64Array(n)
        for (let i = 0; i < n; i++) scores[i] = predictions[i * 2 + 1]!
        return { labels: this.labels, scores }
      }
      throw new EvaluatorError('SLUICE_EVALUATOR_BAD_CONFIG', `Metric "${metric}" takes one score per example, but model "${this.model}" predicts ${width} classes.`, {
        fix: 'Add binarize: { classIds: [...] } to its metricsSpec for one-vs-rest values per class, or use the multi-class metrics (SparseCategoricalAccuracy, …).',
      })
    }
    if (width === 1 && classId > 1) {
      throw new EvaluatorError('SLUICE_EVALUATOR_BAD_CONFIG', `Metric "${metric}": class id ${classId} does not exist: model "${this.model}" predicts one probability (classes 0 and 1).`)
    }
    if (width > 1 && classId >= width) {
      throw new EvaluatorError('SLUICE_EVALUATOR_BAD_CONFIG', `Metric "${metric}": class id ${classId} does not exist: model "${this.model}" predicts ${width} classes (0–${width - 1}).`)
    }
    const labels = new Float64Array(n)
    const scores = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      labels[i] = this.labels[i] === classId ? 1 : 0
      scores[i] = width === 1 ? (classId === 1 ? predictions[i]! : 1 - predictions[i]!) : predictions[i * width + classId]!
    }
    return { labels, scores }
  }

  /** Slice positions sorted by the scalar score, highest first. */
  order(classId: number | undefined, metric: string): Int32Array {
    const id = classId ?? -1
    let order = this.orders.get(id)
    if (!order) {
      order = orderByScoreDescending(this.scalar(classId, metric, false).scores)
      this.orders.set(id, order)
    }
    return order
  }

  /** The class scores of example `i` (width 1 expanded to `[1 − p, p]`). */
  classScores(i: number): ArrayLike<number> {
    if (this.width === 1) return [1 - this.predictions[i]!, this.predictions[i]!]
    return this.predictions.subarray(i * this.width, (i + 1) * this.width)
  }

  /** Per example, 1 when its label is among its `k` highest-scoring classes (ties broken by lower class index). */
  topKHit(k: number): Uint8Array {
    this.topKHits ??= new Map()
    let hits = this.topKHits.get(k)
    if (!hits) {
      hits = new Uint8Array(this.size)
      for (let i = 0; i < this.size; i++) {
        const scores = this.classScores(i)
        const label = this.labels[i]!
        if (!Number.isInteger(label) || label < 0 || label >= scores.length) continue
        const own = scores[label]!
        let better = 0
        for (let c = 0; c < scores.length; c++) if (scores[c]! > own || (scores[c] === own && c < label)) better++
        hits[i] = better < k ? 1 : 0
      }
      this.topKHits.set(k, hits)
    }
    return hits
  }
}

/** One evaluation of metrics on a slice: its data and a weighting (the example weights, or a bootstrap replicate's). */
export class MetricContext {
  private readonly curves = new Map<number, Curve>()
  private readonly confusions = new Map<string, Confusion>()
  private sums?: { w: number; wLabel: number; wPrediction: number }

  /**
   * @param data The slice's data.
   * @param weights Effective weight per example.
   * @param multiplicity How many times each example counts (1, or a bootstrap draw): ExampleCount sums it.
   */
  constructor(
    readonly data: SliceData,
    readonly weights: Float64Array,
    readonly multiplicity: Float64Array | undefined,
  ) {}

  /** The number of examples (resampled count in a bootstrap replicate). */
  exampleCount(): number {
    if (!this.multiplicity) return this.data.size
    let total = 0
    for (const m of this.multiplicity) total += m
    return total
  }

  /** Total weight. */
  weightSum(): number {
    let total = 0
    for (const w of this.weights) total += w
    return total
  }

  /** Weighted sums of the scalar label and score. */
  scalarSums(classId: number | undefined, metric: string): { w: number; wLabel: number; wPrediction: number } {
    if (classId === undefined && this.sums) return this.sums
    const { labels, scores } = this.data.scalar(classId, metric, false)
    let w = 0
    let wLabel = 0
    let wPrediction = 0
    for (let i = 0; i < labels.length; i++) {
      const weight = this.weights[i]!
      w += weight
      wLabel += weight * labels[i]!
      wPrediction += weight * scores[i]!
    }
    const sums = { w, wLabel, wPrediction }
    if (classId === undefined) this.sums = sums
    return sums
  }

  /** The exact ROC/PR curve of the scalar view. */
  curve(classId: number | undefined, metric: string): Curve {
    const id = classId ?? -1
    let curve = this.curves.get(id)
    if (!curve) {
      const { labels, scores } = this.data.scalar(classId, metric, true)
      curve = binaryCurve(labels, scores, this.weights, this.data.order(classId, metric))
      this.curves.set(id, curve)
    }
    return curve
  }

  /** Confusion counts at `threshold` (score > threshold is positive). */
  confusion(threshold: number, classId: number | undefined, metric: string): Confusion {
    const key = `${threshold}/${classId ?? -1}`
    let confusion = this.confusions.get(key)
    if (!confusion) {
      const { labels, scores } = this.data.scalar(classId, metric, true)
      confusion = confusionAt(labels, scores, this.weights, threshold)
      this.confusions.set(key, confusion)
    }
    return confusion
  }

  /**
   * Micro-averaged top-k confusion counts over all classes, each example predicting its k best classes:
   * tp = examples whose label is among them, fp = the other predicted classes, fn = examples whose label is not.
   */
  topKConfusion(k: number): Confusion {
    const key = `top${k}`
    let confusion = this.confusions.get(key)
    if (!confusion) {
      const hits = this.data.topKHit(k)
      const classes = Math.max(2, this.data.width)
      const kk = Math.min(k, classes)
      let tp = 0
      let w = 0
      for (let i = 0; i < hits.length; i++) {
        w += this.weights[i]!
        if (hits[i]) tp += this.weights[i]!
      }
      const fn = w - tp
      const fp = w * kk - tp
      confusion = { tp, fp, fn, tn: w * classes - tp - fp - fn }
      this.confusions.set(key, confusion)
    }
    return confusion
  }
}
