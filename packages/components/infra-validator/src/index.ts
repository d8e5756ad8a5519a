// @sluice/component-infra-validator: loads a candidate model in a real model server — the Sluice
// server in a child process, or in a container through @sluice/plugin-docker — and optionally queries
// it, before the model may be pushed. TFX's InfraValidator.
import { defineComponent } from '@sluice/core'
import { infraValidatorInputs, infraValidatorOutputs, infraValidatorParameters } from './spec.js'

export { DEFAULT_MODEL_NAME, DEFAULT_SERVING_IMAGE } from './spec.js'
export type { InfraValidatorArgs, InfraValidatorParameters } from './spec.js'
export { InfraValidatorError } from './errors.js'
export type { InfraValidatorErrorCode } from './errors.js'

/**
 * Serves the model's `Format-Serving/` bundle in `sluice-model-server` — a child process by default,
 * or a container with no network (`servingSpec: { docker: {} }`) — and waits until it is AVAILABLE
 * (`validationSpec.maxLoadingTimeSeconds`, up to `numTries` tries). With `requestSpec` and `examples`
 * it also sends `numExamples` rows of a split to `:predict` (LOAD_AND_QUERY). The output's directory
 * holds `INFRA_BLESSED` or `INFRA_NOT_BLESSED` (and `server.log` when a try failed); its `blessed`
 * custom property is 1 or 0, `failure_reason` says why not. Pusher refuses a model whose
 * infra blessing is 0. The server is always stopped, also on failure and cancellation.
 *
 * @example
 * const infra = InfraValidator({ model: trainer.outputs.model, examples: gen.outputs.examples, requestSpec: { numExamples: 5 } })
 */
export const InfraValidator = defineComponent({
  name: 'InfraValidator',
  description: 'Loads the model in a real model server (child process or Docker container) and queries it before it may be pushed.',
  version: '0.1.0',
  executionType: 'Process',
  inputs: infraValidatorInputs,
  outputs: infraValidatorOutputs,
  parameters: infraValidatorParameters,
  executor: () => import('./executor.js'),
})
