import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Artifact, Model } from '@sluice/core'
import { applyTransform } from '@sluice/component-transform'
import type { TransformedRow } from '@sluice/component-transform'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import type { ServingBundle } from '@sluice/component-trainer/bundle'
import { examplesSplitNames, openDuckDB, openSplitView, sqlIdentifier } from '@sluice/data/examples'
import { BLESSED_FILE, NOT_BLESSED_FILE, NO_THRESHOLDS_REASON } from './blessing.js'
import type { ModelSpec, ResolvedEvalConfig } from './config.js'
import { TRANSFORM_FEATURES, resolveEvalConfig, sliceFeatures } from './config.js'
import { EvaluatorError } from './errors.js'
import type { ModelPredictions } from './evaluate.js'
import { evaluate, numericColumn, predictionColumn, predictionColumns } from './evaluate.js'
import { EVAL_CONFIG_FILE, METRICS_FILE, PLOTS_FILE, VALIDATIONS_FILE } from './report.js'
import { missingSliceFeature } from './slicing.js'
import type { EvaluatorArgs } from './spec.js'
import type { ValidationResult } from './types.js'
import { formatNumber, validateMetrics } from './validate.js'

const NAME = 'Evaluator'

type Row = Record<string, unknown>

/** Which spec each model is evaluated with. */
interface ModelPlan {
  readonly name: string
  readonly spec: ModelSpec
  readonly artifact?: Artifact<typeof Model>
  /** A copy of the candidate's spec made for a baseline model (TFX's normalisation). */
  readonly copied?: boolean
}

/**
 * Pairs the model specs with the model inputs as TFX's `update_eval_config_with_defaults` does: the
 * non-baseline spec is the candidate; with a baseline model and no baseline spec, the candidate's spec
 * is copied for it. Without a baseline model a baseline spec is dropped (its change thresholds are
 * rubber-stamped), unless no model is given at all and it names a column of baseline predictions.
 */
function planModels(config: ResolvedEvalConfig['config'], model: Artifact<typeof Model> | undefined, baselineModel: Artifact<typeof Model> | undefined): { candidate: ModelPlan; baseline?: ModelPlan } {
  const candidateSpec = config.modelSpecs.find((s) => !s.isBaseline)!
  const baselineSpec = config.modelSpecs.find((s) => s.isBaseline)
  const candidate: ModelPlan = { name: candidateSpec.name ?? 'candidate', spec: candidateSpec, ...(model ? { artifact: model } : {}) }
  if (baselineModel) {
    return { candidate, baseline: { name: baselineSpec?.name ?? 'baseline', spec: baselineSpec ?? { ...candidateSpec, isBaseline: true }, artifact: baselineModel, ...(baselineSpec ? {} : { copied: true }) } }
  }
  if (!model && baselineSpec?.predictionKey) return { candidate, baseline: { name: baselineSpec.name ?? 'baseline', spec: baselineSpec } }
  return { candidate }
}

/** One model's rows as the metrics see them: raw columns, and the transform's outputs when needed. */
interface ModelView {
  readonly predictions: ModelPredictions
  readonly column: (key: string) => unknown[]
  readonly keys: readonly string[]
}

function sigmoidOrSoftmax(values: Float32Array, width: number): Float64Array {
  const out = new Float64Array(values.length)
  if (width === 1) {
    for (let i = 0; i < values.length; i++) out[i] = 1 / (1 + Math.exp(-values[i]!))
    return out
  }
  for (let r = 0; r < values.length / width; r++) {
    let max = Number.NEGATIVE_INFINITY
    for (let k = 0; k < width; k++) max = Math.max(max, values[r * width + k]!)
    let sum = 0
    for (let k = 0; k < width; k++) sum += out[r * width + k] = Math.exp(values[r * width + k]! - max)
    for (let k = 0; k < width; k++) out[r * width + k] = out[r * width + k]! / sum
  }
  return out
}

async function loadBundle(plan: ModelPlan): Promise<ServingBundle> {
  const dir = path.join(plan.artifact!.uri, 'Format-Serving')
  try {
    return await loadServingBundle(dir)
  } catch (cause) {
    throw new EvaluatorError('SLUICE_EVALUATOR_PREDICT_FAILED', `${NAME}: the ${plan.name} model (#${plan.artifact!.id ?? '?'}) cannot be loaded from ${dir}: ${(cause as Error).message}`, {
      cause,
      fix: 'Give the Evaluator a Model written by the Trainer (a serving bundle under Format-Serving/).',
    })
  }
}

/**
 * Builds one model's labels, predictions and weights over the rows. With a model: predicts the raw
 * rows with its serving bundle, and applies its fitted transform when a key names a transformed
 * feature (or `preprocessingFunctionNames` asks for it). Without: reads the prediction column.
 */
async function modelView(plan: ModelPlan, rows: readonly Row[], rawColumns: ReadonlySet<string>, extraKeys: readonly string[], log: (m: string) => void): Promise<ModelView> {
  const { spec, name } = plan
  const where = `model spec "${name}"`
  const bundle = plan.artifact ? await loadBundle(plan) : undefined
  try {
    const labelKey = spec.labelKey ?? bundle?.signature.labelKey
    if (!labelKey) {
      throw new EvaluatorError('SLUICE_EVALUATOR_MISSING_KEY', `${NAME}: ${where} has no labelKey${bundle ? " and the model's signature records none" : ''}.`, { fix: 'Set evalConfig.modelSpecs[].labelKey to the label column (or a transformed feature such as "tips_xf").' })
    }
    const transformOutputs = new Set(Object.keys(bundle?.transform?.outputs ?? {}))
    const wanted = [labelKey, ...(spec.exampleWeightKey ? [spec.exampleWeightKey] : []), ...extraKeys]
    const requested = spec.preprocessingFunctionNames?.includes(TRANSFORM_FEATURES) ?? false
    if (requested && !bundle?.transform) {
      throw new EvaluatorError('SLUICE_EVALUATOR_BAD_CONFIG', `${NAME}: ${where} asks for "${TRANSFORM_FEATURES}", but ${bundle ? 'the model has no fitted transform' : 'no model is given to take it from'}.`, {
        fix: 'Remove preprocessingFunctionNames, or evaluate a model trained with a Transform.',
      })
    }
    for (const key of wanted) {
      if (!rawColumns.has(key) && !transformOutputs.has(key)) {
        if (extraKeys.includes(key) && key !== labelKey && key !== spec.exampleWeightKey) throw missingSliceFeature(key, [...rawColumns, ...transformOutputs])
        const role = key === labelKey ? 'labelKey' : 'exampleWeightKey'
        throw new EvaluatorError('SLUICE_EVALUATOR_MISSING_KEY', `${NAME}: ${where}: ${role} "${key}" is not a column of the examples${bundle?.transform ? " nor an output of the model's transform" : ''}.`, {
          fix: `Use one of: ${[...rawColumns, ...transformOutputs].slice(0, 40).join(', ')}.`,
        })
      }
    }
    const needsTransform = requested || wanted.some((k) => !rawColumns.has(k))
    let transformed: TransformedRow[] | undefined
    if (needsTransform && bundle?.transform) {
      log(`${name}: applying the model's fitted transform to ${rows.length} rows (${wanted.filter((k) => !rawColumns.has(k)).join(', ') || TRANSFORM_FEATURES})`)
      transformed = applyTransform(bundle.transform, rows)
    }
    // With the transform requested, its outputs win over raw columns of the same name (TFMA's order).
    const column = (key: string): unknown[] => {
      const fromTransform = transformed !== undefined && transformOutputs.has(key) && (requested || !rawColumns.has(key))
      return fromTransform ? transformed!.map((r) => r[key]) : rows.map((r) => r[key])
    }

    let predictions: Float64Array
    let width: number
    if (bundle) {
      let outputs: Record<string, Float32Array>
      try {
        outputs = await bundle.predict(rows)
      } catch (cause) {
        throw new EvaluatorError('SLUICE_EVALUATOR_PREDICT_FAILED', `${NAME}: the ${name} model cannot predict the examples: ${(cause as Error).message}`, {
          cause,
          fix: "The examples must carry every raw input of the model's serving signature (signature.json).",
        })
      }
      const names = bundle.signature.outputs.map((o) => o.name)
      let output = spec.predictionKey ?? names[0]!
      if (!(output in outputs)) {
        if (plan.copied) output = names[0]!
        else {
          throw new EvaluatorError('SLUICE_EVALUATOR_MISSING_KEY', `${NAME}: ${where}: predictionKey "${output}" is not an output of the model (its outputs: ${names.join(', ')}).`, {
            fix: 'Name one of the outputs, or leave predictionKey out to use the first.',
          })
        }
      }
      const values = outputs[output]!
      const shape = bundle.signature.outputs.find((o) => o.name === output)?.shape
      const last = shape?.[shape.length - 1]
      width = rows.length > 0 ? values.length / rows.length : typeof last === 'number' ? last : 1
      const kind = bundle.signature.outputs.find((o) => o.name === output)?.kind
      predictions = kind === 'logits' ? sigmoidOrSoftmax(values, width) : Float64Array.from(values)
    } else {
      const key = spec.predictionKey
      if (!key) {
        throw new EvaluatorError('SLUICE_EVALUATOR_MISSING_KEY', `${NAME}: no model is connected, so ${where} needs predictionKey naming the column of pre-computed predictions.`, {
          fix: 'Connect the model input, or set evalConfig.modelSpecs[].predictionKey (e.g. the BulkInferrer\'s prediction column).',
        })
      }
      if (rawColumns.has(key)) {
        ;({ predictions, width } = predictionColumn(column(key), `prediction "${key}"`))
      } else {
        // The BulkInferrer writes an output with several values as `{key}_0`, `{key}_1`, …
        const parts: string[] = []
        while (rawColumns.has(`${key}_${parts.length}`)) parts.push(`${key}_${parts.length}`)
        if (parts.length === 0) {
          throw new EvaluatorError('SLUICE_EVALUATOR_MISSING_KEY', `${NAME}: ${where}: predictionKey "${key}" is not a column of the examples (nor are "${key}_0", "${key}_1", …).`, {
            fix: `Use one of: ${[...rawColumns].slice(0, 40).join(', ')}.`,
          })
        }
        ;({ predictions, width } = predictionColumns(parts.map(column), `prediction "${key}"`))
      }
    }
    return {
      predictions: {
        name,
        labels: numericColumn(column(labelKey), `label "${labelKey}"`),
        predictions,
        width,
        ...(spec.exampleWeightKey ? { weights: numericColumn(column(spec.exampleWeightKey), `example weight "${spec.exampleWeightKey}"`) } : {}),
      },
      column,
      keys: [...rawColumns, ...transformOutputs],
    }
  } finally {
    bundle?.dispose()
  }
}

function failureSummary(validation: ValidationResult): string {
  const items = [
    ...validation.failures.map((f) => `${f.sliceName}: ${f.metric} ${f.value === null ? 'missing/undefined' : formatNumber(f.value)} (needs ${f.bound})`),
    ...validation.missingSlices.map((s) => `no slice matches ${JSON.stringify(s)}`),
  ]
  const shown = items.slice(0, 5)
  return `${items.length} threshold check${items.length === 1 ? '' : 's'} failed: ${shown.join('; ')}${items.length > shown.length ? `; and ${items.length - shown.length} more (see validations.json)` : ''}`
}

async function writeJson(dir: string, file: string, value: unknown): Promise<void> {
  await writeFile(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`)
}

/**
 * The Evaluator's executor: reads the example splits with DuckDB, predicts them with the candidate
 * (and baseline) serving bundle or reads pre-computed predictions, computes the sliced metrics,
 * checks the thresholds, and writes the ModelEvaluation files and the ModelBlessing. Exported so that
 * it can be extended (`Evaluator.withExecutor(…)`).
 */
export default async function evaluatorExecutor({ inputs, outputs, parameters, context }: EvaluatorArgs): Promise<void> {
  const { logger } = context
  const resolved = resolveEvalConfig(parameters.evalConfig, parameters.fairness)
  const plan = planModels(resolved.config, inputs.model, inputs.baselineModel)
  if (!plan.baseline && resolved.rules.some((r) => r.threshold.changeThreshold)) {
    logger.info('No baseline model: change thresholds are rubber-stamped (value thresholds still apply).')
  }

  const available = await examplesSplitNames(inputs.examples)
  for (const split of parameters.exampleSplits) {
    if (!available.includes(split)) {
      throw new EvaluatorError('SLUICE_EVALUATOR_MISSING_SPLIT', `${NAME}: the examples have no split "${split}" (they have ${available.map((s) => `"${s}"`).join(', ') || 'none'}).`, {
        fix: 'Set exampleSplits to splits the examples have.',
      })
    }
  }
  context.progress(0.05, 'reading examples')
  let rows: Row[]
  const rawColumns = new Set<string>()
  {
    // One thread: rows come back in file order, so results (and bootstrap draws) repeat exactly.
    await using db = await openDuckDB({ threads: 1, tempDirectory: context.tmpDir, signal: context.signal })
    const views = []
    for (const [i, split] of parameters.exampleSplits.entries()) views.push(await openSplitView(db.connection, inputs.examples.uri, split, { view: `evaluator_split_${i}` }))
    for (const view of views) for (const c of view.columns) rawColumns.add(c.name)
    const reader = await db.connection.runAndReadAll(views.map((v) => `SELECT * FROM ${sqlIdentifier(v.view)}`).join(' UNION ALL BY NAME '))
    rows = reader.getRowObjectsJS() as Row[]
  }
  logger.info(`Evaluating ${rows.length} examples of split${parameters.exampleSplits.length === 1 ? '' : 's'} ${parameters.exampleSplits.join(', ')}.`)

  const sliceKeys = [...new Set(resolved.slicingSpecs.flatMap(sliceFeatures))]
  context.progress(0.15, plan.candidate.artifact ? 'predicting with the candidate model' : 'reading predictions')
  const candidate = await modelView(plan.candidate, rows, rawColumns, sliceKeys, (m) => logger.info(m))
  context.signal.throwIfAborted()
  let baseline: ModelView | undefined
  if (plan.baseline) {
    context.progress(0.35, plan.baseline.artifact ? 'predicting with the baseline model' : 'reading baseline predictions')
    baseline = await modelView(plan.baseline, rows, rawColumns, [], (m) => logger.info(m))
  }
  context.signal.throwIfAborted()

  context.progress(0.5, resolved.confidenceIntervals ? `computing metrics with ${resolved.confidenceIntervals.samples} bootstrap samples` : 'computing metrics')
  const { metrics, plots } = evaluate({ n: rows.length, candidate: candidate.predictions, ...(baseline ? { baseline: baseline.predictions } : {}), column: (f) => candidate.column(f) }, resolved)
  const validation = validateMetrics(metrics, resolved, { hasBaseline: baseline !== undefined })

  context.progress(0.9, 'writing the evaluation')
  const evaluationDir = outputs.evaluation.uri
  await mkdir(evaluationDir, { recursive: true })
  await writeJson(evaluationDir, METRICS_FILE, metrics)
  if (resolved.plots) await writeJson(evaluationDir, PLOTS_FILE, plots)
  await writeJson(evaluationDir, VALIDATIONS_FILE, validation)
  await writeJson(evaluationDir, EVAL_CONFIG_FILE, {
    version: 1,
    evalConfig: {
      ...resolved.config,
      modelSpecs: [{ ...plan.candidate.spec, name: plan.candidate.name }, ...(plan.baseline ? [{ ...plan.baseline.spec, name: plan.baseline.name, isBaseline: true }] : [])],
      slicingSpecs: resolved.slicingSpecs,
    },
    ...(parameters.fairness ? { fairness: parameters.fairness } : {}),
    dataLocation: inputs.examples.uri,
    exampleSplits: parameters.exampleSplits,
    modelLocations: {
      [plan.candidate.name]: plan.candidate.artifact?.uri ?? null,
      ...(plan.baseline ? { [plan.baseline.name]: plan.baseline.artifact?.uri ?? null } : {}),
    },
    rubberStamp: validation.rubberStamp,
  })
  outputs.evaluation.customProperties.validation_ok = validation.validationOk ? 1 : 0

  // The blessing. No thresholds at all blesses nothing: TFX would leave the artifact empty, which
  // reads as "not blessed" to a Pusher anyway; here it says so.
  const blessed = validation.validationOk
  const reason = validation.missingThresholds
    ? NO_THRESHOLDS_REASON
    : blessed
      ? `all ${validation.checks} threshold checks passed${validation.rubberStampedThresholds > 0 ? `; ${validation.rubberStampedThresholds} change threshold${validation.rubberStampedThresholds === 1 ? '' : 's'} rubber-stamped (no baseline model)` : ''}`
      : failureSummary(validation)
  const blessingDir = outputs.blessing.uri
  await mkdir(blessingDir, { recursive: true })
  await writeFile(path.join(blessingDir, blessed ? BLESSED_FILE : NOT_BLESSED_FILE), '')
  const properties = outputs.blessing.customProperties
  properties.blessed = blessed ? 1 : 0
  properties.reason = reason
  if (inputs.model) {
    properties.current_model = inputs.model.uri
    if (inputs.model.id !== undefined) properties.current_model_id = inputs.model.id
  }
  if (inputs.baselineModel) {
    properties.baseline_model = inputs.baselineModel.uri
    if (inputs.baselineModel.id !== undefined) properties.baseline_model_id = inputs.baselineModel.id
  }
  const overall = metrics.slices.find((s) => Object.keys(s.slice).length === 0)
  if (overall) {
    const shown = Object.entries(overall.metrics)
      .filter(([, v]) => typeof v === 'number' || v === null || (typeof v === 'object' && 'lower' in v))
      .slice(0, 6)
      .map(([k, v]) => `${k} ${formatNumber(typeof v === 'object' && v !== null ? (v.value as number | null) : (v as number | null))}`)
    logger.info(`Overall: ${shown.join(', ')} (${metrics.slices.length} slice${metrics.slices.length === 1 ? '' : 's'})`)
  }
  if (blessed) logger.info(`BLESSED: ${reason}`)
  else logger.warn(`NOT_BLESSED: ${reason}`)
  context.progress(1, blessed ? 'BLESSED' : 'NOT_BLESSED')
}
