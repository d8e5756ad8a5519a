import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ExecutorError } from '@sluice/core'
import { examplesSplitNames } from '@sluice/data/examples'
import { buildTunerFnArgs, tunerFnArgsRequest } from './fn-args.js'
import { hyperbandSchedule } from './hyperband.js'
import { loadTuning } from './load-tuning.js'
import type { TunerResultsFile } from './results.js'
import { BEST_HYPERPARAMETERS_FILE, TUNER_RESULTS_FILE } from './results.js'
import { runSearch } from './search.js'
import type { TunerArgs } from './spec.js'
import type { TrialRunner } from './trial-runner.js'
import { inlineTrialRunner } from './trial-runner.js'
import type { ResolvedTunerConfig } from './tuner-fn.js'
import { createWorkerPool } from './worker-pool.js'

/**
 * The Tuner's executor: builds fnArgs, loads `tunerFn` from the module file and validates what it
 * returns, runs the search (trials inline, or in worker threads when `numParallelTrials > 1`), and
 * writes `best_hyperparameters.txt` and `tuner_results.json`. Failed trials are recorded and skipped;
 * the node fails only when every trial failed.
 */
export default async function tunerExecutor({ inputs, outputs, parameters, context }: TunerArgs): Promise<void> {
  const moduleFile = parameters.moduleFile
  const available = await examplesSplitNames(inputs.examples)
  for (const split of [...parameters.trainArgs.splits, ...parameters.evalArgs.splits]) {
    if (!available.includes(split)) {
      throw new ExecutorError(`Tuner: trainArgs/evalArgs name split "${split}", which the examples at ${inputs.examples.uri} do not have (they have ${available.join(', ') || 'none'}).`, {
        code: 'SLUICE_TUNER_UNKNOWN_SPLIT',
        fix: 'Name existing splits in trainArgs.splits and evalArgs.splits.',
      })
    }
  }
  const request = tunerFnArgsRequest(inputs, parameters, context.tmpDir)
  const fnArgs = await buildTunerFnArgs(request, { logger: context.logger, signal: context.signal })
  const { searchSpace, trial, config } = await loadTuning(moduleFile, fnArgs)
  context.logger.info(`${config.algorithm === 'random' ? 'Random search' : 'Hyperband'} over ${Object.keys(searchSpace).join(', ')}; objective ${config.objective} (${config.direction}), seed ${parameters.seed}.`)

  const workers = Math.min(parameters.tuneArgs.numParallelTrials, widestBatch(config))
  let runner: TrialRunner
  if (workers > 1) {
    context.logger.info(`Running up to ${workers} trials at once in worker threads.`)
    runner = await createWorkerPool({ size: workers, moduleFile, fnArgs: request, logger: context.logger, signal: context.signal })
  } else {
    runner = inlineTrialRunner(trial, context.signal, context.logger)
  }
  let search: Awaited<ReturnType<typeof runSearch>>
  try {
    search = await runSearch({
      searchSpace,
      config,
      seed: parameters.seed,
      runner,
      moduleFile,
      workDirectory: context.tmpDir,
      signal: context.signal,
      logger: context.logger,
      onTrialEnd: (done, planned) => context.progress(done / planned, `trial ${done} of ${planned}`),
    })
  } finally {
    await runner.close()
  }

  const { trials, best } = search
  if (best === undefined) {
    const first = trials.find((t) => t.status === 'FAILED')
    throw new ExecutorError(`Tuner: every trial of tunerFn in ${moduleFile} failed (${trials.length} trial(s)); the first, trial ${first?.trialId}, with: ${first?.error ?? 'no trial ran'}`, {
      code: 'SLUICE_TUNER_ALL_TRIALS_FAILED',
      fix: 'Fix the trial function; tuner_results would list every error (each trial is also logged).',
    })
  }
  const count = (status: string) => trials.filter((t) => t.status === status).length
  const file: TunerResultsFile = {
    summary: {
      algorithm: config.algorithm,
      objective: config.objective,
      direction: config.direction,
      seed: parameters.seed,
      bestTrialId: best.trialId,
      bestScore: best.score!,
      bestHyperparameters: best.values,
      numTrials: trials.length,
      numCompleted: count('COMPLETED'),
      numStoppedEarly: count('STOPPED_EARLY'),
      numFailed: count('FAILED'),
    },
    trials,
  }
  await mkdir(outputs.bestHyperparameters.uri, { recursive: true })
  await writeFile(path.join(outputs.bestHyperparameters.uri, BEST_HYPERPARAMETERS_FILE), `${JSON.stringify(best.values, null, 2)}\n`)
  await mkdir(outputs.tunerResults.uri, { recursive: true })
  await writeFile(path.join(outputs.tunerResults.uri, TUNER_RESULTS_FILE), `${JSON.stringify(file, null, 2)}\n`)

  const scoreProperties = { objective: config.objective, direction: config.direction, best_score: best.score!, best_trial_id: best.trialId }
  Object.assign(outputs.bestHyperparameters.customProperties, scoreProperties)
  Object.assign(outputs.tunerResults.customProperties, scoreProperties, {
    algorithm: config.algorithm,
    num_trials: trials.length,
    num_failed: file.summary.numFailed,
    num_stopped_early: file.summary.numStoppedEarly,
  })
  context.logger.info(`Best: trial ${best.trialId}, ${config.objective} = ${best.score} with ${JSON.stringify(best.values)} (${trials.length} trial(s), ${file.summary.numFailed} failed, ${file.summary.numStoppedEarly} stopped early).`)
}

/** The most trials the search ever has in flight at once: more workers than that would idle. */
function widestBatch(config: ResolvedTunerConfig): number {
  if (config.algorithm === 'random') return config.maxTrials ?? 10
  const widest = Math.max(...hyperbandSchedule(config.maxEpochs!, config.factor).flatMap((b) => b.rounds.map((r) => r.size)))
  return Math.min(config.maxTrials ?? widest, widest)
}
