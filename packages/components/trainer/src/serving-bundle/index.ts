// @sluice/component-trainer/bundle: the serving bundle a Trainer writes under a Model's
// `Format-Serving/` (tfjs LayersModel, its ONNX export, fitted transform, serving signature), on its
// own so that a model server can load and run models without the Trainer's training code, DuckDB or
// the pipeline. Nothing here imports tfjs or onnxruntime-node until a bundle needs one of them.
export { fileSystemHandler, MODEL_JSON_FILE, WEIGHTS_FILE } from './file-system-handler.js'
export { saveServingBundle, SIGNATURE_FILE, BUNDLE_TRANSFORM_FILE, ONNX_MODEL_FILE } from './save.js'
export type { OnnxBundleOptions, SaveServingBundleOptions } from './save.js'
export { loadServingBundle, DEFAULT_PREDICT_BATCH_SIZE } from './load.js'
export type { LoadServingBundleOptions, PredictOptions, RuntimePreference, ServingBundle } from './load.js'
export { exportOnnx, ONNX_SUPPORTED_ACTIVATIONS, ONNX_SUPPORTED_LAYERS } from './onnx-export.js'
export type { ExportOnnxOptions, OnnxExport, OnnxExported, OnnxGraphInput, OnnxUnsupported } from './onnx-export.js'
export { ONNX_IR_VERSION, ONNX_OPSET } from './onnx-graph.js'
export { checkOnnxParity, DEFAULT_ONNX_PARITY_TOLERANCE, MAX_PARITY_ROWS } from './onnx-parity.js'
export type { OnnxParityOptions, OnnxParityResult } from './onnx-parity.js'
export { defaultOnnxThreads, loadOnnxRuntime } from './onnx-runtime.js'
export type { OrtModule } from './onnx-runtime.js'
export { buildServingSignature, modelInputNames, parseServingSignature, pruneFittedTransform, rawInputsOf, signatureTypesOfSchema, SERVING_SIGNATURE_FORMAT, SERVING_SIGNATURE_VERSION } from './signature.js'
export type {
  BundleRuntime,
  OutputKind,
  ServingSignature,
  ServingSignatureOptions,
  SignatureInput,
  SignatureModelInput,
  SignatureOnnx,
  SignatureOnnxInput,
  SignatureOnnxParity,
  SignatureOutput,
  SignatureValueType,
} from './signature.js'
export { selectBackend, loadTfjs } from '../backend.js'
export type { BackendName, BackendPreference, SelectBackendOptions, SelectedBackend, TfModule } from '../backend.js'
export { TrainerError } from '../errors.js'
export type { TrainerErrorCode } from '../errors.js'
export type { FeatureInputs, InputDType } from '../data-accessor/data-accessor.js'
