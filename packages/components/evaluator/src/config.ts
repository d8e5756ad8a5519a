// TFMA's EvalConfig in camelCase JSON: the zod schema users write against, the semantic checks that
// name the offending path (unknown metric, threshold without a bound, per-slice threshold on a slice
// that is never computed), and its resolution into metric keys and threshold rules.
import { z } from '@sluice/core'
import { EvaluatorError } from './errors.js'
import type { ExpandedParameters, MetricDefinition } from './metrics/definitions.js'
import { camelCaseConfig, closestClassName, metricDefinition, metricDefinitions } from './metrics/definitions.js'

const featureValue = z.union([z.string(), z.number(), z.boolean()])

/** A slicing spec: `{}` is Overall; `featureKeys` one slice per value (several keys: their cross); `featureValues` pins values. */
export const slicingSpecSchema = z.strictObject({
  featureKeys: z.array(z.string().min(1)).optional(),
  featureValues: z.record(z.string().min(1), featureValue).optional(),
})

/** `lowerBound ≤ value ≤ upperBound` (an unset bound is ∓∞). */
export const valueThresholdSchema = z.strictObject({ lowerBound: z.number().optional(), upperBound: z.number().optional() })

/** A bound on candidate − baseline (`absolute`) and on (candidate − baseline) / baseline (`relative`). */
export const changeThresholdSchema = z.strictObject({
  direction: z.enum(['HIGHER_IS_BETTER', 'LOWER_IS_BETTER']),
  absolute: z.number().optional(),
  relative: z.number().optional(),
})

/** TFMA's MetricThreshold. */
export const metricThresholdSchema = z.strictObject({ valueThreshold: valueThresholdSchema.optional(), changeThreshold: changeThresholdSchema.optional() })

/** A threshold that applies only to the slices matching one of `slicingSpecs`. */
export const perSliceThresholdSchema = z.strictObject({ slicingSpecs: z.array(slicingSpecSchema).min(1), threshold: metricThresholdSchema })

/** TFMA's MetricConfig: a metric class, its config, and thresholds on it. */
export const metricConfigSchema = z.strictObject({
  className: z.string().min(1),
  /** The metric's options, e.g. `{ thresholds: [0.3, 0.5] }`, `{ topK: 3 }`, `{ curve: 'PR' }`, `{ name: 'my_auc' }`. */
  config: z.record(z.string(), z.unknown()).optional(),
  /** Applies to every slice (like TFMA). */
  threshold: metricThresholdSchema.optional(),
  perSliceThresholds: z.array(perSliceThresholdSchema).optional(),
})

/** TFMA's MetricsSpec. */
export const metricsSpecSchema = z.strictObject({
  metrics: z.array(metricConfigSchema),
  /** Thresholds by metric key (e.g. `auc`, `precision@0.3`), applying to every slice. */
  thresholds: z.record(z.string(), metricThresholdSchema).optional(),
  /** Per-slice thresholds by metric key. */
  perSliceThresholds: z.record(z.string(), z.array(perSliceThresholdSchema)).optional(),
  /** One-vs-rest metrics for these classes of a multi-class model: keys `name/classId:N`. */
  binarize: z.strictObject({ classIds: z.array(z.number().int().min(0)).min(1) }).optional(),
  /** Accepted for TFMA configs: metrics are computed for every model. */
  modelNames: z.array(z.string()).optional(),
})

/** TFMA's ModelSpec. */
export const modelSpecSchema = z.strictObject({
  /** `candidate` / `baseline` when left out. */
  name: z.string().min(1).optional(),
  /** The label column, or an output of the model's fitted transform (e.g. `tips_xf`). @default the serving signature's labelKey */
  labelKey: z.string().min(1).optional(),
  /** With a model: the output to evaluate (default its first). Without one: the examples column holding predictions. */
  predictionKey: z.string().min(1).optional(),
  /** A numeric column weighting each example. */
  exampleWeightKey: z.string().min(1).optional(),
  /** `['transform_features']`: apply the model's fitted transform to the rows first (done anyway when a key needs it). */
  preprocessingFunctionNames: z.array(z.string()).optional(),
  /** Marks the baseline model's spec. */
  isBaseline: z.boolean().optional(),
  /** Accepted for TFMA configs; a serving bundle has one signature. */
  signatureName: z.string().optional(),
})

/** TFMA's Options. */
export const evalOptionsSchema = z.strictObject({
  /** Slices with fewer examples are not reported nor validated. @default 1 */
  minSliceSize: z.number().int().min(1).optional(),
  /** Poisson-bootstrap confidence intervals for every numeric metric. @default false */
  computeConfidenceIntervals: z.boolean().optional(),
  /** Bootstrap replicates. @default 100 */
  bootstrapSamples: z.number().int().min(2).max(10_000).optional(),
  /** @default 0.95 */
  confidenceLevel: z.number().gt(0).lt(1).optional(),
  /** Seed of the bootstrap draws. @default 0 */
  seed: z.number().int().optional(),
  /** Outputs not to write. */
  disabledOutputs: z.array(z.enum(['plots'])).optional(),
})

/** TFMA's EvalConfig, camelCase. */
export const evalConfigSchema = z.strictObject({
  modelSpecs: z.array(modelSpecSchema).min(1).max(2),
  /** @default [{}] (Overall only) */
  slicingSpecs: z.array(slicingSpecSchema).optional(),
  metricsSpecs: z.array(metricsSpecSchema).optional(),
  options: evalOptionsSchema.optional(),
})

/** Fairness Indicators: false positive / negative rates per value of sensitive features and their gap to Overall. */
export const fairnessSchema = z.strictObject({
  sensitiveFeatures: z.array(z.string().min(1)).min(1),
  /** Largest allowed |slice rate − overall rate|. */
  thresholds: z.strictObject({ fprGap: z.number().min(0).optional(), fnrGap: z.number().min(0).optional() }).optional(),
  /** Scores above it are predicted positive. @default 0.5 */
  decisionThreshold: z.number().min(0).max(1).optional(),
})

export type SlicingSpec = z.input<typeof slicingSpecSchema>
export type ValueThreshold = z.input<typeof valueThresholdSchema>
export type ChangeThreshold = z.input<typeof changeThresholdSchema>
export type MetricThreshold = z.input<typeof metricThresholdSchema>
export type PerSliceThreshold = z.input<typeof perSliceThresholdSchema>
export type MetricConfig = z.input<typeof metricConfigSchema>
export type MetricsSpec = z.input<typeof metricsSpecSchema>
export type ModelSpec = z.input<typeof modelSpecSchema>
export type EvalOptions = z.input<typeof evalOptionsSchema>
/** TFMA's EvalConfig in camelCase JSON (see docs/components/evaluator.md). */
export type EvalConfig = z.input<typeof evalConfigSchema>
/** The Evaluator's `fairness` parameter. */
export type FairnessConfig = z.input<typeof fairnessSchema>

/** The preprocessing function a model spec may name. */
export const TRANSFORM_FEATURES = 'transform_features'

/** Metric keys of the fairness metrics. */
export const FAIRNESS_METRICS = {
  falsePositiveRate: 'fairness/false_positive_rate',
  falseNegativeRate: 'fairness/false_negative_rate',
  falsePositiveRateGap: 'fairness/false_positive_rate_gap',
  falseNegativeRateGap: 'fairness/false_negative_rate_gap',
} as const

/** One metric key to compute. */
export interface MetricInstance {
  readonly key: string
  readonly definition: MetricDefinition
  readonly parameters: ExpandedParameters
  /** Where it was configured, e.g. `metricsSpecs[0].metrics[2]`. */
  readonly source: string
}

/** One threshold on one metric key, for every slice or the slices matching `slicingSpec`. */
export interface ThresholdRule {
  readonly metric: string
  readonly threshold: MetricThreshold
  readonly slicingSpec?: SlicingSpec
  /** Where it was configured, e.g. `metricsSpecs[0].metrics[1].threshold`. */
  readonly source: string
}

/** An EvalConfig resolved into what the evaluation computes and checks. */
export interface ResolvedEvalConfig {
  readonly config: EvalConfig
  readonly instances: readonly MetricInstance[]
  readonly rules: readonly ThresholdRule[]
  /** The slicing specs evaluated: the configured ones (default Overall), plus Overall and one per sensitive feature with fairness. */
  readonly slicingSpecs: readonly SlicingSpec[]
  readonly minSliceSize: number
  readonly confidenceIntervals?: { readonly samples: number; readonly level: number; readonly seed: number }
  readonly plots: false | { readonly numBuckets: number }
  readonly fairness?: { readonly sensitiveFeatures: readonly string[]; readonly decisionThreshold: number }
}

/** A problem in the config: where, and what. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/** `['metricsSpecs', 0, 'metrics', 2]` → `metricsSpecs[0].metrics[2]`. */
export function formatConfigPath(path: readonly (string | number)[], root = ''): string {
  let out = root
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`
  return out
}

/** The features a slicing spec slices by (keys, then pinned). */
export function sliceFeatures(spec: SlicingSpec): string[] {
  return [...new Set([...(spec.featureKeys ?? []), ...Object.keys(spec.featureValues ?? {})])]
}

function sameFeatureSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f))
}

function describeSpec(spec: SlicingSpec): string {
  return sliceFeatures(spec).length === 0 ? '{} (Overall)' : JSON.stringify(spec)
}

/**
 * Checks an EvalConfig (already of the schema's shape) and the fairness parameter, and resolves them.
 * Returns every problem found; `resolved` only when there is none.
 */
export function analyzeEvalConfig(config: EvalConfig, fairness?: FairnessConfig): { resolved?: ResolvedEvalConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const issue = (path: (string | number)[], message: string) => issues.push({ path, message })

  // Model specs: one candidate, at most one baseline.
  const specs = config.modelSpecs
  const baselines = specs.filter((s) => s.isBaseline)
  if (baselines.length > 1) issue(['modelSpecs'], 'at most one model spec can be the baseline (isBaseline: true)')
  if (specs.length === 2 && baselines.length !== 1) issue(['modelSpecs'], 'with two model specs, exactly one must have isBaseline: true')
  if (specs.length === 1 && baselines.length === 1) issue(['modelSpecs', 0, 'isBaseline'], 'the only model spec cannot be the baseline: the candidate is evaluated')
  const names = specs.map((s) => s.name).filter((n): n is string => n !== undefined)
  if (new Set(names).size !== names.length) issue(['modelSpecs'], `model spec names must differ (got ${names.map((n) => `"${n}"`).join(', ')})`)
  specs.forEach((spec, i) => {
    spec.preprocessingFunctionNames?.forEach((fn, j) => {
      if (fn !== TRANSFORM_FEATURES) issue(['modelSpecs', i, 'preprocessingFunctionNames', j], `unknown preprocessing function "${fn}"; known: "${TRANSFORM_FEATURES}" (the model's fitted transform)`)
    })
  })

  const checkSlicingSpec = (spec: SlicingSpec, path: (string | number)[]) => {
    const keys = spec.featureKeys ?? []
    if (new Set(keys).size !== keys.length) issue([...path, 'featureKeys'], 'a feature is listed twice')
    for (const key of keys) if (spec.featureValues && key in spec.featureValues) issue([...path, 'featureValues', key], `"${key}" is both in featureKeys and pinned in featureValues; keep one`)
  }
  const configured = config.slicingSpecs ?? []
  configured.forEach((spec, i) => checkSlicingSpec(spec, ['slicingSpecs', i]))

  // Metrics, expanded into keys.
  const instances: MetricInstance[] = []
  const rules: ThresholdRule[] = []
  const pendingRules: { metric: string; threshold: MetricThreshold; slicingSpec?: SlicingSpec; path: (string | number)[] }[] = []
  const keySources = new Map<string, string>()
  let numBuckets: number | undefined
  const structuredKeys = new Set<string>()

  const checkThreshold = (threshold: MetricThreshold, path: (string | number)[]) => {
    if (!threshold.valueThreshold && !threshold.changeThreshold) issue(path, 'a threshold needs valueThreshold or changeThreshold')
    const v = threshold.valueThreshold
    if (v) {
      if (v.lowerBound === undefined && v.upperBound === undefined) issue([...path, 'valueThreshold'], 'give lowerBound, upperBound or both')
      if (v.lowerBound !== undefined && v.upperBound !== undefined && v.lowerBound > v.upperBound) issue([...path, 'valueThreshold'], `lowerBound ${v.lowerBound} is above upperBound ${v.upperBound}`)
    }
    const c = threshold.changeThreshold
    if (c && c.absolute === undefined && c.relative === undefined) issue([...path, 'changeThreshold'], 'give absolute, relative or both')
  }

  ;(config.metricsSpecs ?? []).forEach((metricsSpec, i) => {
    const classIds = metricsSpec.binarize?.classIds
    metricsSpec.metrics.forEach((metric, j) => {
      const path: (string | number)[] = ['metricsSpecs', i, 'metrics', j]
      const definition = metricDefinition(metric.className)
      if (!definition) {
        const near = closestClassName(metric.className)
        issue([...path, 'className'], `unknown metric "${metric.className}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${metricDefinitions().map((d) => d.className).join(', ')}`)
        return
      }
      const parsed = definition.config.safeParse(camelCaseConfig(metric.config))
      if (!parsed.success) {
        for (const zodIssue of parsed.error.issues) issue([...path, 'config', ...(zodIssue.path as (string | number)[])], zodIssue.message)
        return
      }
      const options = parsed.data as Record<string, unknown> & { name?: string; thresholds?: number[]; threshold?: number; topK?: number; classId?: number; k?: number; curve?: 'ROC' | 'PR'; summationMethod?: ExpandedParameters['summationMethod']; numBuckets?: number }
      if (options.topK !== undefined && !definition.topK) issue([...path, 'config', 'topK'], `${definition.className} does not take topK (Precision, Recall and F1Score do)`)
      if (options.topK !== undefined && (classIds || options.classId !== undefined)) issue([...path, 'config', 'topK'], 'topK is micro-averaged over all classes: it cannot be combined with a class id or binarize')
      if (options.classId !== undefined && classIds) issue([...path, 'config', 'classId'], 'give a class id either here or in the metrics spec\'s binarize, not both')
      if (options.thresholds && options.threshold !== undefined) issue([...path, 'config'], 'give threshold or thresholds, not both')
      if (definition.kind === 'plot') {
        if (definition.className === 'CalibrationPlot') numBuckets ??= options.numBuckets
        if (metric.threshold || metric.perSliceThresholds) issue([...path, 'threshold'], `${definition.className} is a plot: it has no value to check`)
        return
      }
      const name = options.name ?? definition.name
      const thresholds = options.thresholds ?? [options.threshold ?? 0.5]
      const expandedClassIds: (number | undefined)[] = definition.binarizable && classIds ? classIds : [options.classId]
      const thresholdList = definition.structured || options.topK !== undefined || definition.kind !== 'binary' || definition.compute === undefined ? [thresholds[0]!] : thresholds
      const keys: string[] = []
      for (const classId of expandedClassIds) {
        for (const threshold of thresholdList) {
          const thresholdSuffix = !definition.structured && thresholdList.length > 1 ? `@${threshold}` : ''
          const subKey = options.topK !== undefined ? `/topK:${options.topK}` : classId !== undefined ? `/classId:${classId}` : ''
          const key = `${name}${thresholdSuffix}${subKey}`
          const source = formatConfigPath(path)
          const previous = keySources.get(key)
          if (previous) {
            issue(path, `metric key "${key}" is already computed by ${previous}; give this one another config.name`)
            continue
          }
          keySources.set(key, source)
          if (definition.structured) structuredKeys.add(key)
          keys.push(key)
          instances.push({
            key,
            definition,
            source,
            parameters: {
              key,
              threshold,
              thresholds,
              ...(classId !== undefined ? { classId } : {}),
              ...(options.topK !== undefined ? { topK: options.topK } : {}),
              k: options.k ?? 5,
              curve: options.curve ?? (definition.className === 'AUCPrecisionRecall' ? 'PR' : 'ROC'),
              summationMethod: options.summationMethod ?? 'interpolation',
              numBuckets: options.numBuckets ?? 10,
            },
          })
        }
      }
      if (metric.threshold) {
        checkThreshold(metric.threshold, [...path, 'threshold'])
        if (definition.structured) issue([...path, 'threshold'], `${definition.className} is structured: it has no single value to check`)
        for (const key of keys) pendingRules.push({ metric: key, threshold: metric.threshold, path: [...path, 'threshold'] })
      }
      metric.perSliceThresholds?.forEach((perSlice, k) => {
        const at = [...path, 'perSliceThresholds', k]
        checkThreshold(perSlice.threshold, [...at, 'threshold'])
        if (definition.structured) issue([...at, 'threshold'], `${definition.className} is structured: it has no single value to check`)
        perSlice.slicingSpecs.forEach((slicingSpec, s) => {
          checkSlicingSpec(slicingSpec, [...at, 'slicingSpecs', s])
          for (const key of keys) pendingRules.push({ metric: key, threshold: perSlice.threshold, slicingSpec, path: [...at, 'slicingSpecs', s] })
        })
      })
    })
  })

  // Fairness metrics are keys too, so thresholds maps may name them.
  const decisionThreshold = fairness?.decisionThreshold ?? 0.5
  const fairnessKeys = fairness ? Object.values(FAIRNESS_METRICS) : []
  const knownKey = (key: string) => keySources.has(key) || (fairnessKeys as string[]).includes(key)
  const unknownKey = (key: string) => {
    const known = [...keySources.keys(), ...fairnessKeys]
    return `no metric computes "${key}"; the metric keys are ${known.length > 0 ? known.map((k) => `"${k}"`).join(', ') : '(none: add metrics)'}`
  }
  ;(config.metricsSpecs ?? []).forEach((metricsSpec, i) => {
    for (const [key, threshold] of Object.entries(metricsSpec.thresholds ?? {})) {
      const path = ['metricsSpecs', i, 'thresholds', key]
      if (!knownKey(key)) issue(path, unknownKey(key))
      else if (structuredKeys.has(key)) issue(path, `"${key}" is structured: it has no single value to check`)
      checkThreshold(threshold, path)
      pendingRules.push({ metric: key, threshold, path })
    }
    for (const [key, list] of Object.entries(metricsSpec.perSliceThresholds ?? {})) {
      if (!knownKey(key)) issue(['metricsSpecs', i, 'perSliceThresholds', key], unknownKey(key))
      list.forEach((perSlice, k) => {
        const at = ['metricsSpecs', i, 'perSliceThresholds', key, k]
        checkThreshold(perSlice.threshold, [...at, 'threshold'])
        perSlice.slicingSpecs.forEach((slicingSpec, s) => {
          checkSlicingSpec(slicingSpec, [...at, 'slicingSpecs', s])
          pendingRules.push({ metric: key, threshold: perSlice.threshold, slicingSpec, path: [...at, 'slicingSpecs', s] })
        })
      })
    }
  })

  // The slices evaluated.
  const slicingSpecs: SlicingSpec[] = configured.length > 0 ? [...configured] : [{}]
  if (fairness) {
    const sensitive = fairness.sensitiveFeatures
    if (new Set(sensitive).size !== sensitive.length) issue(['fairness', 'sensitiveFeatures'], 'a feature is listed twice')
    if (!slicingSpecs.some((s) => sliceFeatures(s).length === 0)) slicingSpecs.unshift({})
    instances.push(...fairnessInstances(decisionThreshold))
    for (const feature of new Set(sensitive)) {
      if (!slicingSpecs.some((s) => sameFeatureSet(sliceFeatures(s), [feature]) && !s.featureValues)) slicingSpecs.push({ featureKeys: [feature] })
      const gaps = fairness.thresholds ?? {}
      if (gaps.fprGap !== undefined) {
        pendingRules.push({ metric: FAIRNESS_METRICS.falsePositiveRateGap, threshold: { valueThreshold: { lowerBound: -gaps.fprGap, upperBound: gaps.fprGap } }, slicingSpec: { featureKeys: [feature] }, path: ['fairness', 'thresholds', 'fprGap'] })
      }
      if (gaps.fnrGap !== undefined) {
        pendingRules.push({ metric: FAIRNESS_METRICS.falseNegativeRateGap, threshold: { valueThreshold: { lowerBound: -gaps.fnrGap, upperBound: gaps.fnrGap } }, slicingSpec: { featureKeys: [feature] }, path: ['fairness', 'thresholds', 'fnrGap'] })
      }
    }
  }

  // A per-slice threshold must name slices some slicing spec produces: TFMA would only report them
  // missing after the whole evaluation ran.
  for (const rule of pendingRules) {
    if (rule.slicingSpec) {
      const features = sliceFeatures(rule.slicingSpec)
      const producible = slicingSpecs.some((s) => {
        if (!sameFeatureSet(sliceFeatures(s), features)) return false
        return Object.entries(s.featureValues ?? {}).every(([f, v]) => rule.slicingSpec!.featureValues?.[f] === undefined || String(rule.slicingSpec!.featureValues[f]) === String(v))
      })
      if (!producible) {
        issue(rule.path, `the slicing spec ${describeSpec(rule.slicingSpec)} matches no slice the evaluation computes; add ${features.length === 0 ? '{}' : JSON.stringify({ featureKeys: features })} to evalConfig.slicingSpecs`)
      }
    }
    rules.push({ metric: rule.metric, threshold: rule.threshold, ...(rule.slicingSpec ? { slicingSpec: rule.slicingSpec } : {}), source: formatConfigPath(rule.path) })
  }

  if (issues.length > 0) return { issues }
  const options = config.options ?? {}
  return {
    issues,
    resolved: {
      config,
      instances,
      rules,
      slicingSpecs,
      minSliceSize: options.minSliceSize ?? 1,
      ...(options.computeConfidenceIntervals ? { confidenceIntervals: { samples: options.bootstrapSamples ?? 100, level: options.confidenceLevel ?? 0.95, seed: options.seed ?? 0 } } : {}),
      plots: options.disabledOutputs?.includes('plots') ? false : { numBuckets: numBuckets ?? 10 },
      ...(fairness ? { fairness: { sensitiveFeatures: [...new Set(fairness.sensitiveFeatures)], decisionThreshold } } : {}),
    },
  }
}

function fairnessInstances(threshold: number): MetricInstance[] {
  const make = (key: string, className: 'FallOut' | 'MissRate'): MetricInstance => ({
    key,
    definition: metricDefinition(className)!,
    source: 'fairness',
    parameters: { key, threshold, thresholds: [threshold], k: 5, curve: 'ROC', summationMethod: 'interpolation', numBuckets: 10 },
  })
  return [make(FAIRNESS_METRICS.falsePositiveRate, 'FallOut'), make(FAIRNESS_METRICS.falseNegativeRate, 'MissRate')]
}

/**
 * Parses and checks an EvalConfig (camelCase; see {@link fromTfmaEvalConfig} for TFMA's JSON) and
 * the fairness parameter, and resolves them.
 *
 * @throws EvaluatorError `SLUICE_EVALUATOR_BAD_CONFIG` naming every offending path, e.g.
 *   `evalConfig.metricsSpecs[0].metrics[2].className: unknown metric "AUCC" (did you mean "AUC"?); known: …`
 */
export function resolveEvalConfig(evalConfig: unknown, fairness?: unknown): ResolvedEvalConfig {
  const config = evalConfigSchema.safeParse(evalConfig)
  const fair = fairness === undefined ? undefined : fairnessSchema.safeParse(fairness)
  const issues: string[] = []
  if (!config.success) for (const i of config.error.issues) issues.push(`${formatConfigPath(i.path as (string | number)[], 'evalConfig')}: ${i.message}`)
  if (fair && !fair.success) for (const i of fair.error.issues) issues.push(`${formatConfigPath(i.path as (string | number)[], 'fairness')}: ${i.message}`)
  if (issues.length === 0) {
    const analysis = analyzeEvalConfig(config.data!, fair?.data)
    for (const i of analysis.issues) issues.push(`${i.path[0] === 'fairness' ? formatConfigPath(i.path) : formatConfigPath(i.path, 'evalConfig')}: ${i.message}`)
    if (analysis.resolved) return analysis.resolved
  }
  throw new EvaluatorError('SLUICE_EVALUATOR_BAD_CONFIG', issues.join('\n'), { fix: 'See docs/components/evaluator.md for the EvalConfig reference.' })
}

// ---------------------------------------------------------------------------------------------
// TFMA's JSON (snake_case, DoubleValue wrappers, per-slice threshold maps, string configs).

function unwrap(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'value' in value && Object.keys(value).length === 1 ? (value as { value: unknown }).value : value
}

function pick(object: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (object[key] !== undefined) return object[key]
  return undefined
}

function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function convertSlicingSpec(value: unknown): SlicingSpec {
  const s = asObject(value)
  return defined({ featureKeys: pick(s, 'featureKeys', 'feature_keys') as string[] | undefined, featureValues: pick(s, 'featureValues', 'feature_values') as Record<string, string> | undefined })
}

function convertThreshold(value: unknown): MetricThreshold {
  const t = asObject(value)
  const v = pick(t, 'valueThreshold', 'value_threshold')
  const c = pick(t, 'changeThreshold', 'change_threshold')
  const direction = (d: unknown): 'HIGHER_IS_BETTER' | 'LOWER_IS_BETTER' => (d === 1 || d === 'LOWER_IS_BETTER' ? 'LOWER_IS_BETTER' : d === 2 || d === 'HIGHER_IS_BETTER' ? 'HIGHER_IS_BETTER' : (d as 'HIGHER_IS_BETTER'))
  return defined({
    valueThreshold: v === undefined ? undefined : defined({ lowerBound: unwrap(pick(asObject(v), 'lowerBound', 'lower_bound')) as number | undefined, upperBound: unwrap(pick(asObject(v), 'upperBound', 'upper_bound')) as number | undefined }),
    changeThreshold:
      c === undefined
        ? undefined
        : defined({ direction: direction(asObject(c).direction), absolute: unwrap(asObject(c).absolute) as number | undefined, relative: unwrap(asObject(c).relative) as number | undefined }),
  })
}

function convertPerSlice(value: unknown): PerSliceThreshold {
  const p = asObject(value)
  return { slicingSpecs: ((pick(p, 'slicingSpecs', 'slicing_specs') as unknown[] | undefined) ?? []).map(convertSlicingSpec), threshold: convertThreshold(p.threshold) }
}

function convertMetricConfig(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'string') {
    // TFMA keeps a metric's kwargs as a JSON string, usually without the braces: '"thresholds": [0.5]'.
    const text = value.trim()
    return JSON.parse(text.startsWith('{') ? text : `{${text}}`) as Record<string, unknown>
  }
  return asObject(value)
}

/**
 * Converts TFMA's EvalConfig JSON (`json_format.MessageToJson` output or the Python dict: snake_case
 * or camelCase keys, `{ "value": x }` wrappers, `per_slice_thresholds` maps of `{ thresholds: [...] }`,
 * metric configs as JSON strings, numeric enum directions) into the Evaluator's camelCase EvalConfig.
 *
 * @example
 * Evaluator({ examples, model, evalConfig: fromTfmaEvalConfig(JSON.parse(fs.readFileSync('eval_config.json', 'utf8'))) })
 */
export function fromTfmaEvalConfig(json: unknown): EvalConfig {
  const c = asObject(json)
  const modelSpecs = ((pick(c, 'modelSpecs', 'model_specs') as unknown[] | undefined) ?? [{}]).map((value) => {
    const m = asObject(value)
    return defined({
      name: (m.name as string | undefined) || undefined,
      labelKey: pick(m, 'labelKey', 'label_key') as string | undefined,
      predictionKey: pick(m, 'predictionKey', 'prediction_key') as string | undefined,
      exampleWeightKey: pick(m, 'exampleWeightKey', 'example_weight_key') as string | undefined,
      preprocessingFunctionNames: pick(m, 'preprocessingFunctionNames', 'preprocessing_function_names') as string[] | undefined,
      isBaseline: pick(m, 'isBaseline', 'is_baseline') as boolean | undefined,
      signatureName: pick(m, 'signatureName', 'signature_name') as string | undefined,
    })
  })
  const slicingSpecs = (pick(c, 'slicingSpecs', 'slicing_specs') as unknown[] | undefined)?.map(convertSlicingSpec)
  const metricsSpecs = (pick(c, 'metricsSpecs', 'metrics_specs') as unknown[] | undefined)?.map((value) => {
    const s = asObject(value)
    const thresholds = asObject(s.thresholds)
    const perSlice = asObject(pick(s, 'perSliceThresholds', 'per_slice_thresholds'))
    const binarize = asObject(s.binarize)
    const classIds = pick(binarize, 'classIds', 'class_ids')
    return defined({
      metrics: ((s.metrics as unknown[] | undefined) ?? []).map((metricValue) => {
        const m = asObject(metricValue)
        return defined({
          className: pick(m, 'className', 'class_name') as string,
          config: convertMetricConfig(m.config),
          threshold: m.threshold === undefined ? undefined : convertThreshold(m.threshold),
          perSliceThresholds: (pick(m, 'perSliceThresholds', 'per_slice_thresholds') as unknown[] | undefined)?.map(convertPerSlice),
        })
      }),
      thresholds: s.thresholds === undefined ? undefined : Object.fromEntries(Object.entries(thresholds).map(([k, v]) => [k, convertThreshold(v)])),
      perSliceThresholds:
        Object.keys(perSlice).length === 0
          ? undefined
          : Object.fromEntries(Object.entries(perSlice).map(([k, v]) => [k, ((Array.isArray(v) ? v : (asObject(v).thresholds as unknown[] | undefined)) ?? []).map(convertPerSlice)])),
      binarize: classIds === undefined ? undefined : { classIds: (asObject(classIds).values as number[] | undefined) ?? (classIds as number[]) },
      modelNames: pick(s, 'modelNames', 'model_names') as string[] | undefined,
    })
  })
  const o = asObject(c.options)
  const options =
    c.options === undefined
      ? undefined
      : defined({
          minSliceSize: unwrap(pick(o, 'minSliceSize', 'min_slice_size')) as number | undefined,
          computeConfidenceIntervals: unwrap(pick(o, 'computeConfidenceIntervals', 'compute_confidence_intervals')) as boolean | undefined,
        })
  return defined({ modelSpecs, slicingSpecs, metricsSpecs, options }) as EvalConfig
}
