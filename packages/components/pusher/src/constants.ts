/** The marker a PushedModel holds when the model was not pushed; its text says why. */
export const NOT_PUSHED_FILE = 'NOT_PUSHED'

/** The serving directory inside a Model artifact (TFX's `Format-Serving`). */
export const SERVING_DIR = 'Format-Serving'
