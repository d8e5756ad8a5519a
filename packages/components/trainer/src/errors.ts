import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link TrainerError}. */
export type TrainerErrorCode =
  /** A tfjs backend was asked for by name and is not installed or failed to initialise. */
  | 'SLUICE_TRAINER_BACKEND_UNAVAILABLE'
  /** The data accessor was asked for a feature the files do not have, or one it cannot feed. */
  | 'SLUICE_TRAINER_BAD_FEATURE'
  /** A feature the data accessor feeds has a missing value and no `fillMissing` was given. */
  | 'SLUICE_TRAINER_MISSING_VALUE'
  /** Data accessor options are inconsistent (batch size, inputs, raw without a transform…). */
  | 'SLUICE_TRAINER_BAD_OPTIONS'
  /** A serving bundle cannot be written from the model and options given. */
  | 'SLUICE_TRAINER_BAD_BUNDLE'
  /** A serving bundle on disk is missing files or has an unreadable signature. */
  | 'SLUICE_SERVING_BUNDLE_INVALID'
  /** `predict` was called on a serving bundle after `dispose()`. */
  | 'SLUICE_SERVING_BUNDLE_DISPOSED'
  /** The runtime asked for (onnxruntime-node) cannot be loaded. */
  | 'SLUICE_SERVING_RUNTIME_UNAVAILABLE'
  /** Rows given to a serving bundle's `predict` do not match its signature. */
  | 'SLUICE_SERVING_BAD_INPUT'
  /** The HyperParameters input holds no file, or its first file is not a JSON object. */
  | 'SLUICE_TRAINER_BAD_HYPERPARAMETERS'

/**
 * An error of the Trainer's library code: backend selection, the data accessor, the serving bundle.
 * Executor failures (the user module, nothing saved) are {@link ExecutorError}s.
 */
export class TrainerError extends SluiceError {
  override name = 'TrainerError'
  declare readonly code: TrainerErrorCode
  constructor(code: TrainerErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}
