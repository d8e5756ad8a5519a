// The contract between the Tuner and a user module: `tunerFn(fnArgs)` returns a search space, a trial
// function and the tuner's configuration (TFX's `TunerFnResult`, with the KerasTuner tuner replaced by
// plain data so that trials can run in worker threads). Everything a module returns is validated here
// so that a mistake fails the node with the module file and the key.
import type { Logger } from '@sluice/core'
import { ExecutorError, z } from '@sluice/core'
import type { TunerFnArgs } from './fn-args.js'
import type { HyperParameterValue, HyperParameterValues, SearchSpace } from './search-space.js'
import { describe, hyperParameterProblem } from './search-space.js'

/** What an earlier trial left for the Hyperband trial that continues it. */
export interface ResumeFrom {
  /** The trial this one continues (KerasTuner's `tuner/trial_id`). */
  readonly trialId: string
  /** That trial's scratch directory: load a checkpoint it saved there. */
  readonly trialDir: string
  /** The `state` that trial returned (structured-cloned when trials run in workers), if any. */
  readonly state: unknown
}

/** The second argument of a trial. */
export interface TrialContext {
  /** `'0000'`, `'0001'`…: the id in `tuner_results.json`. */
  readonly trialId: string
  /**
   * Epochs to train to. Hyperband: the cumulative epochs of this round (KerasTuner's `tuner/epochs`);
   * random search: `tuner.maxEpochs`, or undefined when it is unset.
   */
  readonly budget: number | undefined
  /** Epochs already trained by the trial this one continues (Hyperband rounds after the first; else 0). */
  readonly initialEpoch: number
  /** Set on Hyperband trials that continue a trial of the previous round; undefined otherwise. */
  readonly resumeFrom: ResumeFrom | undefined
  /** A scratch directory for this trial's checkpoints, removed after the run. */
  readonly trialDir: string
  /** A seed derived from the Tuner's `seed` and the trial id, for the trial's own initialisation. */
  readonly seed: number
  /** Hyperband's bracket and round of this trial; undefined for random search. */
  readonly bracket: number | undefined
  readonly round: number | undefined
  /**
   * Reports the objective after `step` (an epoch, counted from 0 for a fresh trial, cumulatively for
   * a continued one). Returns true when the trial should stop: its budget is used up, or the
   * early-stopping rule judged it hopeless; return the score then.
   */
  report(step: number, value: number): boolean
  /** Aborted when the run is cancelled (in a worker, the worker is terminated instead). */
  readonly signal: AbortSignal
  readonly logger: Logger
}

/** A trial's result: the score, or the score with other metrics and state for a continuation. */
export type TrialReturn =
  | number
  | {
      /** The objective; when unset, `metrics[tuner.objective]` is used. */
      score?: number
      /** Other metrics, recorded in `tuner_results.json`. */
      metrics?: Record<string, number>
      /** Handed to the Hyperband trial that continues this one as `resumeFrom.state` (weights, optimizer step…). */
      state?: unknown
    }

/** A trial: trains with `values` and returns the objective. */
export type TrialFunction<V = Record<string, HyperParameterValue>> = (values: V, context: TrialContext) => Promise<TrialReturn> | TrialReturn

/** Optuna's MedianPruner / Vizier's median stopping rule, applied through `context.report`. */
export interface EarlyStoppingConfig {
  /** No trial is stopped before it reports this step. @default 1 */
  minSteps?: number
  /** The rule applies once this many trials have completed. @default 3 */
  minTrials?: number
}

interface TunerConfigBase {
  /** The objective's name (`val_auc`), recorded with the results; `metrics[objective]` is the score when a trial returns no `score`. */
  objective: string
  direction: 'max' | 'min'
  /** Stop trials whose intermediate objective is worse than the median of completed trials at the same step. */
  earlyStopping?: EarlyStoppingConfig
}

/** Random search (KerasTuner's RandomSearch). */
export interface RandomSearchConfig extends TunerConfigBase {
  algorithm: 'random'
  /** Trials to run; fewer when the space has fewer distinct points. @default 10 */
  maxTrials?: number
  /** The budget every trial receives (`context.budget`). */
  maxEpochs?: number
}

/** Hyperband (KerasTuner's Hyperband: same brackets, round sizes and epochs). */
export interface HyperbandConfig extends TunerConfigBase {
  algorithm: 'hyperband'
  /** The most epochs one model trains. */
  maxEpochs: number
  /** Reduction factor of trials and growth factor of epochs between rounds. @default 3 */
  factor?: number
  /** How many times to run the whole set of brackets. @default 1 */
  hyperbandIterations?: number
  /** An upper bound on trials run (continuations count); unset: the schedule decides. */
  maxTrials?: number
}

/** The `tuner` part of what `tunerFn` returns. */
export type TunerConfig = RandomSearchConfig | HyperbandConfig

/** What `tunerFn` returns (TFX's `TunerFnResult`). */
export interface TunerFnResult<S extends SearchSpace = SearchSpace> {
  /** Hyperparameter name to `hp.*` definition. */
  searchSpace: S
  /** Runs one trial. Declared as a method so a trial typed for one space fits the general type. */
  trial(values: HyperParameterValues<S>, context: TrialContext): Promise<TrialReturn> | TrialReturn
  tuner: TunerConfig
}

/** The function a module file exports as `tunerFn`. */
export type TunerFn = (fnArgs: TunerFnArgs) => TunerFnResult<any> | Promise<TunerFnResult<any>>

/**
 * Returns its argument, typed so that the trial's `values` are inferred from `searchSpace`.
 *
 * @example
 * export function tunerFn(fnArgs: TunerFnArgs) {
 *   return defineTunerFnResult({
 *     searchSpace: { units: hp.int(8, 64, { step: 8 }), learningRate: hp.float(1e-4, 1e-2, { log: true }) },
 *     trial: async (values, context) => trainAndEvaluate(fnArgs, values.units, values.learningRate, context),
 *     tuner: { algorithm: 'random', maxTrials: 20, objective: 'val_auc', direction: 'max' },
 *   })
 * }
 */
export function defineTunerFnResult<const S extends SearchSpace>(result: TunerFnResult<S>): TunerFnResult<S> {
  return result
}

/** The tuner configuration with every default filled in. */
export interface ResolvedTunerConfig {
  readonly algorithm: 'random' | 'hyperband'
  readonly objective: string
  readonly direction: 'max' | 'min'
  readonly maxTrials: number | undefined
  readonly maxEpochs: number | undefined
  readonly factor: number
  readonly hyperbandIterations: number
  readonly earlyStopping: { readonly minSteps: number; readonly minTrials: number } | undefined
}

/** A validated `tunerFn` result. */
export interface LoadedTuning {
  readonly searchSpace: SearchSpace
  readonly trial: TrialFunction
  readonly config: ResolvedTunerConfig
}

const positiveInt = z.number().int().min(1)
const earlyStoppingSchema = z.strictObject({ minSteps: z.number().min(0).default(1), minTrials: positiveInt.default(3) })
const common = {
  objective: z.string().min(1),
  direction: z.enum(['max', 'min']),
  earlyStopping: earlyStoppingSchema.optional(),
}
const tunerSchema = z.discriminatedUnion('algorithm', [
  z.strictObject({ algorithm: z.literal('random'), ...common, maxTrials: positiveInt.default(10), maxEpochs: positiveInt.optional() }),
  z.strictObject({
    algorithm: z.literal('hyperband'),
    ...common,
    maxEpochs: positiveInt,
    factor: z.number().int().min(2).default(3),
    hyperbandIterations: positiveInt.default(1),
    maxTrials: positiveInt.optional(),
  }),
])

/**
 * Checks what `tunerFn` returned: an object with `searchSpace` (every entry an `hp.*` value with
 * sound bounds), a `trial` function and a `tuner` configuration. Errors name the module and the key.
 */
export function validateTunerFnResult(moduleFile: string, value: unknown): LoadedTuning {
  const fail = (what: string, fix: string, code = 'SLUICE_TUNER_BAD_TUNER_FN_RESULT'): never => {
    throw new ExecutorError(`Tuner: tunerFn in ${moduleFile} ${what}.`, { code, fix })
  }
  const shape = 'Return { searchSpace: { name: hp.int(…) | hp.float(…) | hp.choice([…]) | hp.fixed(…) }, trial: async (values, context) => score, tuner: { algorithm, objective, direction, … } }.'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`returned ${describe(value)} instead of { searchSpace, trial, tuner }`, shape)
  const result = value as Record<string, unknown>
  const missing = ['searchSpace', 'trial', 'tuner'].filter((k) => result[k] === undefined)
  if (missing.length > 0) fail(`returned an object without ${missing.map((k) => `"${k}"`).join(', ')} (it has ${Object.keys(result).map((k) => `"${k}"`).join(', ') || 'no key'})`, shape)
  const space = result.searchSpace
  if (typeof space !== 'object' || space === null || Array.isArray(space)) fail(`returned "searchSpace" as ${describe(space)}, not an object of hyperparameters`, shape)
  const entries = Object.entries(space as Record<string, unknown>)
  if (entries.length === 0) fail('returned an empty "searchSpace"', 'Declare at least one hyperparameter, e.g. { units: hp.int(8, 64) }.', 'SLUICE_TUNER_BAD_SEARCH_SPACE')
  for (const [key, entry] of entries) {
    const problem = hyperParameterProblem(entry)
    if (problem !== undefined) {
      fail(`has a bad search space entry "${key}": ${problem}`, 'Build every entry with the hp helpers exported by @sluice/component-tuner, with min ≤ max and min > 0 for log sampling.', 'SLUICE_TUNER_BAD_SEARCH_SPACE')
    }
  }
  if (typeof result.trial !== 'function') fail(`returned "trial" as ${describe(result.trial)}, not a function`, 'Return trial: async (values, context) => score.')
  const parsed = tunerSchema.safeParse(result.tuner)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${['tuner', ...issue.path.map(String)].join('.')}: ${issue.message}`)
    fail(`returned a bad "tuner" configuration: ${issues.join('; ')}`, "Use { algorithm: 'random', maxTrials, objective, direction } or { algorithm: 'hyperband', maxEpochs, factor?, objective, direction }.", 'SLUICE_TUNER_BAD_CONFIG')
  }
  const tuner = parsed.data!
  const config: ResolvedTunerConfig =
    tuner.algorithm === 'random'
      ? { algorithm: 'random', objective: tuner.objective, direction: tuner.direction, maxTrials: tuner.maxTrials, maxEpochs: tuner.maxEpochs, factor: 3, hyperbandIterations: 1, earlyStopping: tuner.earlyStopping }
      : { algorithm: 'hyperband', objective: tuner.objective, direction: tuner.direction, maxTrials: tuner.maxTrials, maxEpochs: tuner.maxEpochs, factor: tuner.factor, hyperbandIterations: tuner.hyperbandIterations, earlyStopping: tuner.earlyStopping }
  return { searchSpace: space as SearchSpace, trial: result.trial as TrialFunction, config }
}

/** A trial's return value read as a score, or the reason it cannot be. */
export type ScoreReading = { ok: true; score: number; metrics: Record<string, number> | undefined; state: unknown } | { ok: false; problem: string }

/** Reads a trial's return value: a finite number, or `{ score?, metrics?, state? }` with a finite score or `metrics[objective]`. */
export function readTrialReturn(value: unknown, objective: string): ScoreReading {
  if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, score: value, metrics: undefined, state: undefined } : { ok: false, problem: `returned ${describe(value)}; the score must be a finite number` }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: `returned ${describe(value)} instead of a score (a number, or { score, metrics? })` }
  const { score, metrics, state } = value as { score?: unknown; metrics?: unknown; state?: unknown }
  let cleanMetrics: Record<string, number> | undefined
  if (metrics !== undefined) {
    if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return { ok: false, problem: `returned "metrics" as ${describe(metrics)}, not an object of numbers` }
    cleanMetrics = {}
    for (const [k, v] of Object.entries(metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false, problem: `returned metric "${k}" as ${describe(v)}; metrics must be finite numbers` }
      cleanMetrics[k] = v
    }
  }
  const chosen = score ?? cleanMetrics?.[objective]
  if (chosen === undefined) return { ok: false, problem: `returned an object with neither "score" nor metrics.${objective}` }
  if (typeof chosen !== 'number' || !Number.isFinite(chosen)) return { ok: false, problem: `returned "score" as ${describe(chosen)}; it must be a finite number` }
  return { ok: true, score: chosen, metrics: cleanMetrics, state }
}
