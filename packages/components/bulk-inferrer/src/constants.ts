/** The marker an InferenceResult holds when the model was not blessed and nothing was inferred; its text says why. */
export const NOT_BLESSED_FILE = 'NOT_BLESSED'

/** The schema annotation tag of prediction columns in the InferenceResult's schema. */
export const PREDICTION_TAG = 'sluice.prediction'

/** The serving directory inside a Model artifact (TFX's `Format-Serving`). */
export const SERVING_DIR = 'Format-Serving'

/** One prediction column: output `output` of the model, value `index` of its `width` values per row. */
export interface PredictionColumn {
  readonly column: string
  readonly output: string
  readonly index: number
  readonly width: number
}
