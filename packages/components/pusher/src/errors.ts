import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link PusherError}. */
export type PusherErrorCode =
  /** The Model has no serving directory (`Format-Serving/`) to push, or it is empty. */
  | 'SLUICE_PUSHER_MODEL_MISSING'
  /** The push destination's base directory cannot be created or written. */
  | 'SLUICE_PUSHER_DESTINATION_UNWRITABLE'
  /** Copying the model to the destination failed; nothing was published under a version. */
  | 'SLUICE_PUSHER_COPY_FAILED'

/** An error of the Pusher: the model to push, the destination, or the copy. */
export class PusherError extends SluiceError {
  override name = 'PusherError'
  declare readonly code: PusherErrorCode
  constructor(code: PusherErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}
