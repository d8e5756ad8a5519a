import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link EvaluatorError}. */
export type EvaluatorErrorCode =
  /** The EvalConfig (or the fairness parameter) is malformed: unknown metric, bad threshold, bad slicing spec. */
  | 'SLUICE_EVALUATOR_BAD_CONFIG'
  /** A key the config names (label, prediction, weight, slicing feature) is not in the examples or the model's outputs. */
  | 'SLUICE_EVALUATOR_MISSING_KEY'
  /** A label, prediction or weight value cannot be used (missing, not a number, not 0/1 for a binary metric). */
  | 'SLUICE_EVALUATOR_BAD_VALUE'
  /** An example split named in exampleSplits does not exist. */
  | 'SLUICE_EVALUATOR_MISSING_SPLIT'
  /** The model cannot predict the examples (bundle unreadable, inputs missing). */
  | 'SLUICE_EVALUATOR_PREDICT_FAILED'
  /** An evaluation directory or metrics.json cannot be read. */
  | 'SLUICE_EVALUATOR_BAD_EVALUATION'

/** An error of the Evaluator: its configuration, its data or its outputs. */
export class EvaluatorError extends SluiceError {
  override name = 'EvaluatorError'
  declare readonly code: EvaluatorErrorCode
  constructor(code: EvaluatorErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}
