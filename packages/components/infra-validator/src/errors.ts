import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link InfraValidatorError}. */
export type InfraValidatorErrorCode =
  /** The model server (`sluice-model-server` of @sluice/serving) cannot be found or started. */
  | 'SLUICE_INFRA_SERVER_UNAVAILABLE'
  /** The `examples` do not have a raw feature the model's serving signature asks for, or the rows cannot be read. */
  | 'SLUICE_INFRA_EXAMPLES_INVALID'
  /** The Model artifact has no serving bundle to copy. */
  | 'SLUICE_INFRA_MODEL_MISSING'

/**
 * An error that stops InfraValidator before it can judge the model: the server software or the
 * examples are missing or unusable. A model that fails to load or answer is not an error: it is
 * written as INFRA_NOT_BLESSED.
 */
export class InfraValidatorError extends SluiceError {
  override name = 'InfraValidatorError'
  declare readonly code: InfraValidatorErrorCode
  constructor(code: InfraValidatorErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}
