// What the Trainer writes besides the serving bundle: where the bundle goes inside the Model artifact
// and the ModelRun's metrics file. Kept apart from the executor so that readers (Evaluator, CLI) can
// import the names without loading it.
import type { JsonValue } from '@sluice/core'
import type { EpochRecord } from './training-recorder.js'

/** The serving bundle's directory inside a Model artifact (TFX's `Format-Serving`). */
export const SERVING_MODEL_DIR = 'Format-Serving'
/** The ModelRun file holding per-epoch metrics, timing and backend. */
export const MODEL_RUN_METRICS_FILE = 'metrics.json'

/** `{modelRun}/metrics.json`. */
export interface ModelRunMetrics {
  readonly backend: string
  /** Wall time of runFn. */
  readonly trainingTimeMs: number
  /** Training examples per second inside fit calls; null when no training was observed. */
  readonly examplesPerSecond: number | null
  readonly numTrainExamples: number
  /** Examples per train and eval split. */
  readonly numExamples: Readonly<Record<string, number>>
  readonly epochs: readonly EpochRecord[]
  /** The HyperParameters input the run trained with (the Tuner's best values), when wired. */
  readonly hyperparameters?: Readonly<Record<string, JsonValue>>
  /** The metrics runFn returned. */
  readonly evaluation?: Readonly<Record<string, number>>
}
