// Threshold checks with TFMA's semantics (metrics_validator.py): value thresholds `lower ≤ v ≤ upper`;
// change thresholds on candidate − baseline (absolute) and on that difference divided by the baseline
// (relative), compared according to the direction; a metric's threshold applies to every slice, a
// per-slice threshold to the matching slices; a threshold whose metric is absent fails ("Metric not
// found."); per-slice thresholds that match no slice are reported missing and fail; without a baseline,
// change thresholds are rubber-stamped and value thresholds still apply.
import type { EvalConfig, MetricThreshold, ResolvedEvalConfig, SlicingSpec, ThresholdRule } from './config.js'
import { resolveEvalConfig, sliceFeatures } from './config.js'
import { sliceMatches } from './slicing.js'
import type { MetricsFile, MetricValue, SliceMetrics, SlicingSpecJson, ValidationFailure, ValidationResult } from './types.js'

/** Options of {@link validateMetrics}. */
export interface ValidateOptions {
  /**
   * Whether a baseline model was evaluated. Without one, change thresholds are not checked (the
   * "rubber stamp" of a first run). @default whether the slices carry baseline metrics
   */
  readonly hasBaseline?: boolean
}

/** Up to 6 significant digits, for messages. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'undefined (NaN)'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞'
  return String(Number(value.toPrecision(6)))
}

/** The number a threshold compares: the point estimate of an interval; NaN when missing or undefined. */
function numberOf(value: MetricValue | undefined): number | undefined {
  if (value === undefined) return undefined
  if (value === null) return Number.NaN
  if (typeof value === 'number') return value
  if ('value' in value && 'lower' in value && 'upper' in value) return value.value === null ? Number.NaN : (value.value as number)
  return undefined
}

interface Check {
  readonly rule: ThresholdRule
  readonly part: 'value' | 'change'
}

function thresholdJson(threshold: MetricThreshold, part: 'value' | 'change'): MetricThreshold {
  return part === 'value' ? { valueThreshold: threshold.valueThreshold! } : { changeThreshold: threshold.changeThreshold! }
}

function checkValue(metric: string, value: number, threshold: NonNullable<MetricThreshold['valueThreshold']>): { ok: boolean; bound: string; message: string } {
  const lower = threshold.lowerBound ?? Number.NEGATIVE_INFINITY
  const upper = threshold.upperBound ?? Number.POSITIVE_INFINITY
  const bound = [threshold.lowerBound !== undefined ? `>= ${formatNumber(lower)}` : '', threshold.upperBound !== undefined ? `<= ${formatNumber(upper)}` : ''].filter(Boolean).join(' and ')
  const ok = value >= lower && value <= upper
  let message = ''
  if (!ok) {
    if (Number.isNaN(value)) message = `${metric} is undefined (NaN) on this slice; the threshold needs ${bound}.`
    else if (value < lower) message = `${metric} is ${formatNumber(value)}, below the lower bound ${formatNumber(lower)}.`
    else message = `${metric} is ${formatNumber(value)}, above the upper bound ${formatNumber(upper)}.`
  }
  return { ok, bound, message }
}

function checkChange(
  metric: string,
  diff: number,
  baseline: number,
  threshold: NonNullable<MetricThreshold['changeThreshold']>,
): { ok: boolean; bound: string; message: string } {
  const higher = threshold.direction === 'HIGHER_IS_BETTER'
  const cmp = higher ? '>=' : '<='
  const passes = (x: number, bound: number) => (higher ? x >= bound : x <= bound)
  const parts: string[] = []
  const bounds: string[] = []
  let ok = true
  if (threshold.absolute !== undefined) {
    bounds.push(`change ${cmp} ${formatNumber(threshold.absolute)}`)
    if (!passes(diff, threshold.absolute)) {
      ok = false
      parts.push(`${metric} changed by ${formatNumber(diff)} (candidate ${formatNumber(baseline + diff)}, baseline ${formatNumber(baseline)}); ${threshold.direction} needs a change ${cmp} ${formatNumber(threshold.absolute)}.`)
    }
  }
  if (threshold.relative !== undefined) {
    // TFMA: relative change = diff / baseline, undefined (so failing) when the baseline is 0.
    const relative = baseline === 0 ? Number.NaN : diff / baseline
    bounds.push(`relative change ${cmp} ${formatNumber(threshold.relative)}`)
    if (!passes(relative, threshold.relative)) {
      ok = false
      parts.push(
        Number.isNaN(relative)
          ? `${metric}'s relative change is undefined (baseline ${formatNumber(baseline)}); ${threshold.direction} needs a relative change ${cmp} ${formatNumber(threshold.relative)}.`
          : `${metric} changed by ${formatNumber(relative * 100)}% relative to the baseline ${formatNumber(baseline)}; ${threshold.direction} needs a relative change ${cmp} ${formatNumber(threshold.relative)}.`,
      )
    }
  }
  return { ok, bound: bounds.join(' and '), message: parts.join(' ') }
}

function specJson(spec: SlicingSpec): SlicingSpecJson {
  return { ...(spec.featureKeys ? { featureKeys: [...spec.featureKeys] } : {}), ...(spec.featureValues ? { featureValues: { ...spec.featureValues } } : {}) }
}

/**
 * Checks sliced metrics against the thresholds of an EvalConfig (or an already resolved one, which
 * also carries fairness thresholds). Returns TFMA's ValidationResult as JSON: `validationOk` is true
 * only when thresholds exist and none failed and no per-slice threshold went unmatched.
 *
 * @example
 * const result = validateMetrics(metrics, evalConfig, { hasBaseline: true })
 * if (!result.validationOk) console.log(result.failures.map((f) => `${f.sliceName}: ${f.message}`))
 */
export function validateMetrics(metrics: MetricsFile | readonly SliceMetrics[], config: EvalConfig | ResolvedEvalConfig, options: ValidateOptions = {}): ValidationResult {
  const slices = 'slices' in metrics ? metrics.slices : metrics
  const resolved = 'rules' in config ? config : resolveEvalConfig(config)
  const hasBaseline = options.hasBaseline ?? slices.some((s) => s.baseline !== undefined)
  const rubberStamp = !hasBaseline
  const checks: Check[] = []
  let rubberStamped = 0
  for (const rule of resolved.rules) {
    if (rule.threshold.valueThreshold) checks.push({ rule, part: 'value' })
    if (rule.threshold.changeThreshold) {
      if (rubberStamp) rubberStamped++
      else checks.push({ rule, part: 'change' })
    }
  }

  const failures: ValidationFailure[] = []
  const matched = new Set<string>()
  let count = 0
  for (const slice of slices) {
    const reported = new Set<string>()
    for (const { rule, part } of checks) {
      if (rule.slicingSpec && !sliceMatches(rule.slicingSpec, slice.slice)) continue
      matched.add(rule.slicingSpec ? JSON.stringify(rule.slicingSpec) : '*')
      count++
      const threshold = thresholdJson(rule.threshold, part)
      const fail = (failure: Omit<ValidationFailure, 'slice' | 'sliceName' | 'metric' | 'threshold'>) => {
        // The same threshold reached through several matching specs is reported once (as TFMA).
        const id = `${rule.metric}\u0000${JSON.stringify(threshold)}`
        if (reported.has(id)) return
        reported.add(id)
        failures.push({ slice: slice.slice, sliceName: slice.sliceName, metric: rule.metric, ...failure, threshold })
      }
      const candidate = slice.metrics[rule.metric]
      if (part === 'value') {
        const value = numberOf(candidate)
        const bound = checkValue(rule.metric, 0, threshold.valueThreshold!).bound
        if (value === undefined) {
          fail({ value: null, bound, message: candidate === undefined ? `Metric not found: ${rule.metric} was not computed on this slice.` : `${rule.metric} has no single value to compare.` })
          continue
        }
        const result = checkValue(rule.metric, value, threshold.valueThreshold!)
        if (!result.ok) fail({ value: Number.isNaN(value) ? null : value, bound: result.bound, message: result.message })
        continue
      }
      const change = threshold.changeThreshold!
      const diff = numberOf(slice.diff?.[rule.metric])
      const base = numberOf(slice.baseline?.[rule.metric])
      const bound = checkChange(rule.metric, 0, 1, change).bound
      if (diff === undefined || base === undefined) {
        fail({ value: null, bound, message: `Metric not found: ${rule.metric} has no ${slice.baseline ? 'baseline value' : 'baseline'} on this slice.` })
        continue
      }
      const result = checkChange(rule.metric, diff, base, change)
      if (!result.ok) fail({ value: Number.isNaN(diff) ? null : diff, baselineValue: Number.isNaN(base) ? null : base, bound: result.bound, message: result.message })
    }
  }

  const missingSlices: SlicingSpecJson[] = []
  const missing = new Set<string>()
  for (const { rule } of checks) {
    // A metric's plain threshold (all slices) only goes missing when no slice at all was evaluated;
    // TFMA then reports the Overall spec.
    const spec = rule.slicingSpec ?? {}
    const id = rule.slicingSpec ? JSON.stringify(spec) : '*'
    if (matched.has(id) || missing.has(id)) continue
    missing.add(id)
    missingSlices.push(specJson(sliceFeatures(spec).length === 0 ? {} : spec))
  }
  return {
    validationOk: resolved.rules.length > 0 && failures.length === 0 && missingSlices.length === 0,
    rubberStamp,
    missingThresholds: resolved.rules.length === 0,
    thresholdCount: resolved.rules.length,
    rubberStampedThresholds: rubberStamped,
    checks: count,
    failures,
    missingSlices,
  }
}
