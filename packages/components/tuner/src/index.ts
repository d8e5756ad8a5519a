// @sluice/component-tuner: TFX's Tuner. A module's `tunerFn(fnArgs)` returns a search space built with
// `hp`, a trial function and the algorithm; the Tuner runs random search or Hyperband (optionally with
// trials in worker threads) and writes the best hyperparameters for the Trainer.
import { defineComponent } from '@sluice/core'
import { tunerInputs, tunerOutputs, tunerParameters } from './spec.js'
export { hp, defineSearchSpace, isHyperParameter, valueAt, sampleValues } from './search-space.js'
export type {
  HyperParameter,
  HyperParameterValue,
  HyperParameterValues,
  IntHyperParameter,
  FloatHyperParameter,
  ChoiceHyperParameter,
  FixedHyperParameter,
  BooleanHyperParameter,
  IntOptions,
  FloatOptions,
  SearchSpace,
  ValueOfHyperParameter,
} from './search-space.js'
export { defineTunerFnResult, validateTunerFnResult } from './tuner-fn.js'
export type {
  TunerFn,
  TunerFnResult,
  TunerConfig,
  RandomSearchConfig,
  HyperbandConfig,
  EarlyStoppingConfig,
  TrialContext,
  TrialFunction,
  TrialReturn,
  ResumeFrom,
} from './tuner-fn.js'
export type { TunerFnArgs } from './fn-args.js'
export { hyperbandSchedule, hyperbandBracketCount, hyperbandRoundSize, hyperbandRoundEpochs } from './hyperband.js'
export type { HyperbandBracket, HyperbandRound } from './hyperband.js'
export { bestTrial, violatesMedianRule } from './search.js'
export type { TrialRecord, TrialStatus, IntermediateValue } from './search.js'
export { BEST_HYPERPARAMETERS_FILE, TUNER_RESULTS_FILE, readBestHyperparameters, readTunerResults } from './results.js'
export type { TunerResultsFile, TunerResultsSummary } from './results.js'
export type { TunerArgs } from './spec.js'

/**
 * TFX's Tuner: loads `tunerFn(fnArgs)` from `moduleFile`, runs its trials with random search or
 * Hyperband (KerasTuner's schedule), and writes the best values to `bestHyperparameters`
 * (`best_hyperparameters.txt`) and every trial to `tunerResults` (`tuner_results.json`). Wire
 * `bestHyperparameters` into the Trainer's `hyperparameters` input.
 *
 * @example
 * const tuner = Tuner({ examples: transform.outputs.transformedExamples, transformGraph: transform.outputs.transformGraph, moduleFile: './tuning.ts' })
 * const trainer = Trainer({ examples: transform.outputs.transformedExamples, hyperparameters: tuner.outputs.bestHyperparameters, moduleFile: './model.ts' })
 */
export const Tuner = defineComponent({
  name: 'Tuner',
  description: 'Searches hyperparameters (random search or Hyperband) with a user trial function and outputs the best.',
  version: '0.1.0',
  executionType: 'Train',
  inputs: tunerInputs,
  outputs: tunerOutputs,
  parameters: tunerParameters,
  executor: () => import('./executor.js'),
})
