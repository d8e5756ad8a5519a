// @sluice/component-trainer: TFX's Trainer for TensorFlow.js. A user module's `runFn(fnArgs)` trains a
// LayersModel on batches from the data accessor and saves a serving bundle (model, fitted transform,
// signature) under the Model's `Format-Serving/`. Nothing here imports tfjs or DuckDB at load time:
// the executor, the backend and the data are loaded when the node runs.
import { defineComponent } from '@sluice/core'
import { trainerInputs, trainerOutputs, trainerParameters } from './spec.js'

export type { TrainerArgs } from './spec.js'
export { MODEL_RUN_METRICS_FILE, SERVING_MODEL_DIR } from './model-run.js'
export type { ModelRunMetrics } from './model-run.js'
export type { RunFn, RunFnResult, SaveModelOptions, TrainerFnArgs } from './fn-args.js'
export { readHyperparameters } from './fn-args.js'
export { buildTrainingFnArgs } from './training-inputs.js'
export type { BuildTrainingFnArgsOptions, TrainingFnArgs, TrainingInputsRequest } from './training-inputs.js'
export { createDataAccessor } from './data-accessor/data-accessor.js'
export type {
  BatchFeatures,
  DataAccessor,
  DataAccessorOptions,
  DatasetDescription,
  DatasetElement,
  FeatureInputs,
  InputDType,
  TfDatasetOptions,
} from './data-accessor/data-accessor.js'
export { createTrainingRecorder, epochsFromHistory } from './training-recorder.js'
export type { EpochRecord, TrainingRecord, TrainingRecorderOptions } from './training-recorder.js'
export { loadTfjs, selectBackend } from './backend.js'
export type { BackendName, BackendPreference, SelectBackendOptions, SelectedBackend, TfModule } from './backend.js'
export { TrainerError } from './errors.js'
export type { TrainerErrorCode } from './errors.js'
export {
  BUNDLE_TRANSFORM_FILE,
  DEFAULT_ONNX_PARITY_TOLERANCE,
  DEFAULT_PREDICT_BATCH_SIZE,
  MODEL_JSON_FILE,
  ONNX_MODEL_FILE,
  ONNX_OPSET,
  ONNX_SUPPORTED_ACTIVATIONS,
  ONNX_SUPPORTED_LAYERS,
  SERVING_SIGNATURE_FORMAT,
  SERVING_SIGNATURE_VERSION,
  SIGNATURE_FILE,
  WEIGHTS_FILE,
  buildServingSignature,
  checkOnnxParity,
  exportOnnx,
  fileSystemHandler,
  loadServingBundle,
  modelInputNames,
  parseServingSignature,
  pruneFittedTransform,
  rawInputsOf,
  saveServingBundle,
  signatureTypesOfSchema,
} from './serving-bundle/index.js'
export type {
  BundleRuntime,
  ExportOnnxOptions,
  LoadServingBundleOptions,
  OnnxBundleOptions,
  OnnxExport,
  OnnxParityOptions,
  OnnxParityResult,
  OutputKind,
  PredictOptions,
  RuntimePreference,
  SaveServingBundleOptions,
  ServingBundle,
  ServingSignature,
  ServingSignatureOptions,
  SignatureInput,
  SignatureModelInput,
  SignatureOnnx,
  SignatureOutput,
  SignatureValueType,
} from './serving-bundle/index.js'

/**
 * TFX's Trainer: loads `runFn(fnArgs)` from `moduleFile` and calls it with the train/eval files, a
 * data accessor yielding batched tensors, the transform output, schema, hyperparameters, steps,
 * `customConfig`, `servingModelDir`, `modelRunDir` and a `baseModel` for warm start. `runFn` must save
 * the model (`fnArgs.saveModel`); the ModelRun gets per-epoch metrics, training time, backend and
 * examples/s in `metrics.json`.
 *
 * @example
 * const trainer = Trainer({
 *   examples: transform.outputs.transformedExamples,
 *   transformGraph: transform.outputs.transformGraph,
 *   moduleFile: './model.ts',
 *   trainArgs: { numSteps: 2000 },
 * })
 */
export const Trainer = defineComponent({
  name: 'Trainer',
  description: 'Trains a TensorFlow.js model with a user runFn and writes a serving bundle with the fitted transform.',
  version: '0.1.0',
  executionType: 'Train',
  inputs: trainerInputs,
  outputs: trainerOutputs,
  parameters: trainerParameters,
  executor: () => import('./executor.js'),
})
