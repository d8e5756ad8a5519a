import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link BulkInferrerError}. */
export type BulkInferrerErrorCode =
  /** `dataSpec.exampleSplits` names a split the examples do not have. */
  | 'SLUICE_BULK_INFERRER_UNKNOWN_SPLIT'
  /** The examples lack a feature the model's signature takes, or hold it in a form it cannot take (a list). */
  | 'SLUICE_BULK_INFERRER_BAD_FEATURE'
  /** `modelSpec.outputNames` names an output the model does not have, or a prediction column clashes with a feature. */
  | 'SLUICE_BULK_INFERRER_BAD_OUTPUT'
  /** The model rejected a row (wrong type, missing value): the message names the split, file and row. */
  | 'SLUICE_BULK_INFERRER_BAD_ROW'

/** An error of the BulkInferrer: the splits, the features the model needs, its outputs, or a row it rejected. */
export class BulkInferrerError extends SluiceError {
  override name = 'BulkInferrerError'
  declare readonly code: BulkInferrerErrorCode
  constructor(code: BulkInferrerErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}
