// The Tuner's output files, with TFX's names: `best_hyperparameters.txt` (the JSON object the Trainer
// reads as fnArgs.hyperparameters) and `tuner_results.json` (every trial).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { HyperParameterValue } from './search-space.js'
import type { TrialRecord } from './search.js'

/** The file in the HyperParameters artifact (TFX's name); the Trainer reads the first file there. */
export const BEST_HYPERPARAMETERS_FILE = 'best_hyperparameters.txt'
/** The file in the TunerResults artifact (TFX's name). */
export const TUNER_RESULTS_FILE = 'tuner_results.json'

/** The run as a whole, at the top of `tuner_results.json`. */
export interface TunerResultsSummary {
  readonly algorithm: 'random' | 'hyperband'
  readonly objective: string
  readonly direction: 'max' | 'min'
  readonly seed: number
  readonly bestTrialId: string
  readonly bestScore: number
  readonly bestHyperparameters: Record<string, HyperParameterValue>
  readonly numTrials: number
  readonly numCompleted: number
  readonly numStoppedEarly: number
  readonly numFailed: number
}

/** The content of `tuner_results.json`. */
export interface TunerResultsFile {
  readonly summary: TunerResultsSummary
  /** Every trial, in trial id order, failed ones included. */
  readonly trials: readonly TrialRecord[]
}

/** Reads `best_hyperparameters.txt` of a HyperParameters artifact: `{ name: value }`. */
export async function readBestHyperparameters(uri: string): Promise<Record<string, HyperParameterValue>> {
  return JSON.parse(await readFile(path.join(uri, BEST_HYPERPARAMETERS_FILE), 'utf8')) as Record<string, HyperParameterValue>
}

/** Reads `tuner_results.json` of a TunerResults artifact. */
export async function readTunerResults(uri: string): Promise<TunerResultsFile> {
  return JSON.parse(await readFile(path.join(uri, TUNER_RESULTS_FILE), 'utf8')) as TunerResultsFile
}
