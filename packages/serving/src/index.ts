// @sluice/serving: a model server with TensorFlow Serving's REST API for Sluice serving bundles
// (tfjs and ONNX), with versioned base paths picked up without a restart, micro-batching of
// concurrent requests, Prometheus metrics and a graceful shutdown. `sluice-model-server` and
// `sluice serve` run it from the command line.
export { startModelServer, defaultLogger, parseRoute } from './server.js'
export type { ModelServer } from './server.js'
export type { BatchingOptions, ModelConfig, ModelServerOptions, VersionPolicy } from './options.js'
export { DEFAULT_BATCH_TIMEOUT_MICROS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_POLL_WAIT_SECONDS, DEFAULT_REST_PORT } from './options.js'
export { parseModelConfig, readModelConfigFile } from './config-file.js'
export { parseTextProto } from './text-proto.js'
export type { TextMessage, TextValue } from './text-proto.js'
export { modelServerOptionsFromArgs, modelServerUsage, parseModelServerArgs, processServerIo, runModelServerCli, streamLogger } from './cli.js'
export type { ModelServerArgs, ModelServerCliIo, RunModelServerCliOptions } from './cli.js'
export { chooseVersions, MODEL_ARTIFACT_SERVING_DIR } from './served-model.js'
export type { ServedVersion, VersionSelector, VersionState } from './served-model.js'
export { Batcher, Unbatched, sliceOutputs } from './batcher.js'
export type { BatchDone, BatcherOptions, Outputs, PredictQueue, RunBatch } from './batcher.js'
export { formatFloat32, metadataResponse } from './rest-format.js'
export { ServingError, httpStatusOf } from './errors.js'
export type { ServingErrorCode } from './errors.js'
