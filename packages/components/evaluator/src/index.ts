// @sluice/component-evaluator: TFX's Evaluator with TFMA's EvalConfig. Sliced metrics of a model (a
// serving bundle, tfjs or ONNX, or pre-computed predictions), value and change thresholds against a
// baseline, fairness gaps, bootstrap confidence intervals, and the ModelBlessing a Pusher checks.
import { defineComponent } from '@sluice/core'
import { evaluatorInputs, evaluatorOutputs, evaluatorParameters } from './spec.js'

export type { EvaluatorArgs } from './spec.js'
export { evaluatorInputs, evaluatorOutputs, evaluatorParameters } from './spec.js'
export { BLESSED_FILE, NOT_BLESSED_FILE, NO_THRESHOLDS_REASON } from './blessing.js'
export {
  FAIRNESS_METRICS,
  TRANSFORM_FEATURES,
  analyzeEvalConfig,
  changeThresholdSchema,
  evalConfigSchema,
  evalOptionsSchema,
  fairnessSchema,
  formatConfigPath,
  fromTfmaEvalConfig,
  metricConfigSchema,
  metricThresholdSchema,
  metricsSpecSchema,
  modelSpecSchema,
  perSliceThresholdSchema,
  resolveEvalConfig,
  sliceFeatures,
  slicingSpecSchema,
  valueThresholdSchema,
} from './config.js'
export type {
  ChangeThreshold,
  ConfigIssue,
  EvalConfig,
  EvalOptions,
  FairnessConfig,
  MetricConfig,
  MetricInstance,
  MetricThreshold,
  MetricsSpec,
  ModelSpec,
  PerSliceThreshold,
  ResolvedEvalConfig,
  SlicingSpec,
  ThresholdRule,
  ValueThreshold,
} from './config.js'
export { EvaluatorError } from './errors.js'
export type { EvaluatorErrorCode } from './errors.js'
export { MAX_CURVE_POINTS, computeMetrics, evalConfigOf, evaluate, numericColumn, numericValue, predictionColumn, predictionColumns } from './evaluate.js'
export type { ComputeMetricsSpec, Evaluation, EvaluationData, ModelPredictions } from './evaluate.js'
export { metricDefinition, metricDefinitions } from './metrics/definitions.js'
export type { ExpandedParameters, MetricDefinition, MetricKind } from './metrics/definitions.js'
export { binaryCurve, confusionAt, orderByScoreDescending, prAuc, rocAuc } from './metrics/curves.js'
export type { Confusion, Curve, SummationMethod } from './metrics/curves.js'
export { groupSlices, sliceMatches, sliceName } from './slicing.js'
export type { SliceGroup } from './slicing.js'
export { formatNumber, validateMetrics } from './validate.js'
export type { ValidateOptions } from './validate.js'
export { EVAL_CONFIG_FILE, METRICS_FILE, PLOTS_FILE, VALIDATIONS_FILE, formatSliceTable, readEvaluationFiles } from './report.js'
export type { EvaluationFiles, SliceTableOptions } from './report.js'
export type * from './types.js'


/**
 * TFX's Evaluator: computes TFMA-style metrics of a model on the `exampleSplits` of `examples`
 * (overall and per slice), checks the EvalConfig's value thresholds and its change thresholds against
 * `baselineModel`, and writes a ModelEvaluation (`metrics.json`, `plots.json`, `validations.json`,
 * `eval_config.json`) and a ModelBlessing (`BLESSED` or `NOT_BLESSED`, custom property `blessed` 1/0,
 * `reason`, `current_model_id`, `baseline_model_id`). Without a baseline (the first run), change
 * thresholds are rubber-stamped; with no threshold at all the model is NOT_BLESSED, saying why.
 *
 * @example
 * const baseline = Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing) })
 * const evaluator = Evaluator({
 *   examples: exampleGen.outputs.examples, model: trainer.outputs.model, baselineModel: baseline.outputs.model,
 *   evalConfig: {
 *     modelSpecs: [{ labelKey: 'tips_xf', preprocessingFunctionNames: ['transform_features'] }],
 *     slicingSpecs: [{}, { featureKeys: ['payment_type'] }],
 *     metricsSpecs: [{ metrics: [
 *       { className: 'ExampleCount' },
 *       { className: 'BinaryAccuracy', threshold: { valueThreshold: { lowerBound: 0.6 }, changeThreshold: { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 } } },
 *       { className: 'AUC', threshold: { valueThreshold: { lowerBound: 0.7 } } },
 *     ] }],
 *   },
 * })
 */
export const Evaluator = defineComponent({
  name: 'Evaluator',
  description: 'Computes sliced model metrics, validates them against thresholds and a baseline, and blesses the model.',
  version: '0.1.0',
  executionType: 'Evaluate',
  inputs: evaluatorInputs,
  outputs: evaluatorOutputs,
  parameters: evaluatorParameters,
  executor: () => import('./executor.js'),
})
