// @sluice/component-trainer/bundle: the serving bundle a Trainer writes under a Model's
// `Format-Serving/` (tfjs LayersModel, fitted transform, serving signature), on its own so that a
// model server can load and run models without the Trainer's training code, DuckDB or the pipeline.
export { fileSystemHandler, MODEL_JSON_FILE, WEIGHTS_FILE } from './file-system-handler.js'
export { saveServingBundle, SIGNATURE_FILE, BUNDLE_TRANSFORM_FILE } from './save.js'
export type { SaveServingBundleOptions } from './save.js'
export { loadServingBundle, DEFAULT_PREDICT_BATCH_SIZE } from './load.js'
export type { LoadServingBundleOptions, PredictOptions, ServingBundle } from './load.js'
export { buildServingSignature, modelInputNames, parseServingSignature, pruneFittedTransform, rawInputsOf, signatureTypesOfSchema, SERVING_SIGNATURE_FORMAT, SERVING_SIGNATURE_VERSION } from './signature.js'
export type {
  OutputKind,
  ServingSignature,
  ServingSignatureOptions,
  SignatureInput,
  SignatureModelInput,
  SignatureOutput,
  SignatureValueType,
} from './signature.js'
export { selectBackend, loadTfjs } from '../backend.js'
export type { BackendName, BackendPreference, SelectBackendOptions, SelectedBackend, TfModule } from '../backend.js'
export { TrainerError } from '../errors.js'
export type { TrainerErrorCode } from '../errors.js'
export type { FeatureInputs, InputDType } from '../data-accessor/data-accessor.js'
