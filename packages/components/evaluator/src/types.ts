// The JSON files the Evaluator writes into a ModelEvaluation (metrics.json, plots.json,
// validations.json). Type-only and free of dependencies, so that the CLI's slice table and other
// readers can use them without loading DuckDB or tfjs.

/** A value of a slicing feature. */
export type SliceValue = string | number | boolean

/**
 * A slice: feature name to value, in the order of the slicing spec that made it. `{}` is the whole
 * dataset ("Overall").
 */
export type SliceKey = { readonly [feature: string]: SliceValue }

/** A metric with a bootstrap confidence interval (`options.computeConfidenceIntervals`). */
export interface MetricInterval {
  /** The point estimate, computed on the unresampled data. */
  readonly value: number | null
  /** Lower bound of the interval. */
  readonly lower: number | null
  /** Upper bound of the interval. */
  readonly upper: number | null
  /** Standard deviation of the bootstrap replicates. */
  readonly stdErr: number | null
}

/** A structured metric value (e.g. `confusion_matrix_at_thresholds`). Not checked by thresholds. */
export interface StructuredMetric {
  readonly [key: string]: unknown
}

/**
 * One metric's value: a number (`null` when undefined on the slice, e.g. AUC of a slice with one
 * class: JSON has no NaN), a number with its interval, or a structured value.
 */
export type MetricValue = number | null | MetricInterval | StructuredMetric

/** The metrics of one slice. */
export interface SliceMetrics {
  readonly slice: SliceKey
  /** `Overall`, `payment_type:Cash`, or for a cross `payment_type_X_company:Cash_X_Flash Cab` (TFMA's form). */
  readonly sliceName: string
  /** Examples in the slice (unweighted). */
  readonly exampleCount: number
  /** The candidate model's metrics, by metric key. */
  readonly metrics: { readonly [key: string]: MetricValue }
  /** The baseline model's metrics, when there is a baseline. */
  readonly baseline?: { readonly [key: string]: MetricValue }
  /** Candidate minus baseline, for every numeric metric, when there is a baseline. */
  readonly diff?: { readonly [key: string]: MetricValue }
}

/** `metrics.json` of a ModelEvaluation. */
export interface MetricsFile {
  readonly version: 1
  /** The candidate model's name in the EvalConfig (`candidate`). */
  readonly candidate: string
  /** The baseline model's name (`baseline`), when there was one. */
  readonly baseline?: string
  /** The slices, Overall first, then in slicing-spec order. */
  readonly slices: readonly SliceMetrics[]
}

/** A point of a ROC curve. */
export interface RocPoint {
  /** Examples scoring at or above this are predicted positive. */
  readonly threshold: number
  readonly falsePositiveRate: number
  readonly truePositiveRate: number
}

/** A point of a precision-recall curve. */
export interface PrPoint {
  readonly threshold: number
  readonly recall: number
  readonly precision: number
}

/** One bucket of a calibration plot: examples whose prediction falls in `[lower, upper)`. */
export interface CalibrationBucket {
  readonly lower: number
  readonly upper: number
  /** Examples in the bucket (weighted). */
  readonly weightedCount: number
  readonly meanPrediction: number | null
  readonly meanLabel: number | null
}

/** The plots of one slice (candidate model). */
export interface SlicePlots {
  readonly slice: SliceKey
  readonly sliceName: string
  readonly calibration?: readonly CalibrationBucket[]
  /** From (0, 0) to (1, 1), at most 1,000 points. */
  readonly roc?: readonly RocPoint[]
  /** At most 1,000 points, highest threshold first. */
  readonly pr?: readonly PrPoint[]
}

/** `plots.json` of a ModelEvaluation. */
export interface PlotsFile {
  readonly version: 1
  readonly slices: readonly SlicePlots[]
}

/** A slicing spec as the validation result reports it. */
export interface SlicingSpecJson {
  readonly featureKeys?: readonly string[]
  readonly featureValues?: { readonly [feature: string]: string | number | boolean }
}

/** A threshold as the validation result reports it. */
export interface ThresholdJson {
  readonly valueThreshold?: { readonly lowerBound?: number; readonly upperBound?: number }
  readonly changeThreshold?: { readonly direction: 'HIGHER_IS_BETTER' | 'LOWER_IS_BETTER'; readonly absolute?: number; readonly relative?: number }
}

/** One failed threshold. */
export interface ValidationFailure {
  readonly slice: SliceKey
  readonly sliceName: string
  /** The metric key, e.g. `auc`, `precision@0.3`, `recall/classId:2`. */
  readonly metric: string
  /**
   * The value checked: the metric's value for a value threshold, candidate − baseline for a change
   * threshold; `null` when the metric is missing or undefined (NaN).
   */
  readonly value: number | null
  /** For change thresholds: the baseline's value of the metric. */
  readonly baselineValue?: number | null
  /** The bound that was not met, in words: `>= 0.7`, `change >= -1e-10`, `relative change >= -0.01`. */
  readonly bound: string
  readonly threshold: ThresholdJson
  readonly message: string
}

/** `validations.json` of a ModelEvaluation (TFMA's ValidationResult, as JSON). */
export interface ValidationResult {
  /** Whether every threshold passed on every slice it applies to (false with no thresholds at all). */
  readonly validationOk: boolean
  /** There was no baseline: change thresholds were not checked (value thresholds still were). */
  readonly rubberStamp: boolean
  /** The config has no threshold at all, so nothing could bless the model. */
  readonly missingThresholds: boolean
  /** Thresholds configured (each metric threshold counted once, however many slices it applies to). */
  readonly thresholdCount: number
  /** Change thresholds skipped because there was no baseline. */
  readonly rubberStampedThresholds: number
  /** Threshold checks made (threshold × slice). */
  readonly checks: number
  readonly failures: readonly ValidationFailure[]
  /** Slicing specs of per-slice thresholds that matched no evaluated slice. */
  readonly missingSlices: readonly SlicingSpecJson[]
}
