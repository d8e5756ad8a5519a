// The one error class of the transform library and component. Messages name what is concerned (the
// module file, the output, the feature, the analyzer) and end with the fix when one is known.
import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link TransformError}. */
export type TransformErrorCode =
  /** The preprocessing function threw while it was traced. */
  | 'SLUICE_TRANSFORM_PREPROCESSING_FN_FAILED'
  /** The preprocessing function returned something that is not an object of columns. */
  | 'SLUICE_TRANSFORM_BAD_OUTPUT'
  /** The preprocessing function read a feature the examples do not have. */
  | 'SLUICE_TRANSFORM_UNKNOWN_INPUT'
  /** An analyzer got an input it cannot analyse (e.g. the mean of a string feature), or its query failed. */
  | 'SLUICE_TRANSFORM_ANALYZER_FAILED'
  /** The transform reads a list (multivalent) feature. */
  | 'SLUICE_TRANSFORM_LIST_FEATURE'
  /** A fitted transform file is not valid (format, version, references). */
  | 'SLUICE_TRANSFORM_INVALID_FITTED'
  /** Applying the fitted transform to a row failed (an unsupported raw value). */
  | 'SLUICE_TRANSFORM_APPLY_FAILED'
  /** Anything else wrong with a transform graph. */
  | 'SLUICE_TRANSFORM_INVALID'

/** An error in tracing, fitting, reading or applying a transform. */
export class TransformError extends SluiceError {
  override name = 'TransformError'
  declare readonly code: TransformErrorCode
  constructor(message: string, options: SluiceErrorOptions & { code?: TransformErrorCode } = {}) {
    super(options.code ?? 'SLUICE_TRANSFORM_INVALID', message, options)
  }
}
