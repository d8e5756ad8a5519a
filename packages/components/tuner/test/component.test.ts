import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { isComponent } from '@sluice/core'
import type { TunerConfig, TrialRecord } from '@sluice/component-tuner'
import { BEST_HYPERPARAMETERS_FILE, Tuner, readBestHyperparameters, readTunerResults } from '@sluice/component-tuner'
import { SEARCH_SPACE_URL, runRoot, writeExamples, writeModule } from './helpers.js'

let tmp: TempDirectory
let examples: { uri: string; properties: { splitNames: string[] } }
let moduleFile: string

// The tuner configuration comes from customConfig so that one module serves every test. Each trial
// reports an improving curve until report() says stop (its budget), and records the thread it ran on.
const MODULE = `
import { threadId } from 'node:worker_threads'
import { hp } from '${SEARCH_SPACE_URL}'

export function tunerFn(fnArgs: any) {
  const files = fnArgs.trainFiles.length + fnArgs.evalFiles.length
  return {
    searchSpace: { a: hp.float(0, 1), units: hp.int(4, 64, { step: 2, log: true }), activation: hp.choice(['relu', 'tanh']), batch: hp.fixed(32) },
    trial: async (values: { a: number; units: number; activation: string }, context: { budget: number; report(step: number, value: number): boolean }) => {
      const final = -((values.a - 0.3) ** 2) + (values.activation === 'relu' ? 0.01 : 0) + values.units / 1000
      let step = 1
      while (!context.report(step, final - 1 / (step + 1))) step++
      return { score: final - 1 / (step + 1), metrics: { threadId, files, steps: step } }
    },
    tuner: fnArgs.customConfig.tuner,
  }
}
`

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-tuner-component-')
  examples = { uri: await writeExamples(tmp.path), properties: { splitNames: ['train', 'eval'] } }
  moduleFile = await writeModule(tmp.path, 'tuning.ts', MODULE)
})

afterAll(async () => {
  await tmp?.remove()
})

function tune(tuner: TunerConfig, numParallelTrials = 1, extra: Record<string, unknown> = {}) {
  return runComponent(Tuner, { root: runRoot(tmp.path), inputs: { examples }, parameters: { moduleFile, customConfig: { tuner: tuner as never }, tuneArgs: { numParallelTrials }, backend: 'cpu', ...extra } })
}

const comparable = (t: TrialRecord) => ({ ...t, durationMs: 0, metrics: { ...t.metrics, threadId: 0 } })

describe('Tuner', () => {
  it('is a component', () => {
    expect(isComponent(Tuner)).toBe(true)
  })

  it('writes best_hyperparameters.txt and tuner_results.json with every trial', async () => {
    const { outputs } = await tune({ algorithm: 'random', maxTrials: 8, maxEpochs: 3, objective: 'val_score', direction: 'max' }, 1, { seed: 5 })
    expect(await readdir(outputs.bestHyperparameters.uri)).toEqual([BEST_HYPERPARAMETERS_FILE])
    const best = await readBestHyperparameters(outputs.bestHyperparameters.uri)
    const results = await readTunerResults(outputs.tunerResults.uri)
    expect(results.trials).toHaveLength(8)
    const top = [...results.trials].sort((x, y) => y.score! - x.score!)[0]!
    expect(best).toEqual(top.values)
    expect(Object.keys(best)).toEqual(['a', 'units', 'activation', 'batch'])
    expect(best.batch).toBe(32)
    expect(results.summary).toMatchObject({ algorithm: 'random', objective: 'val_score', direction: 'max', seed: 5, bestTrialId: top.trialId, bestScore: top.score, numTrials: 8, numCompleted: 8, numFailed: 0 })
    for (const t of results.trials) {
      expect(t).toMatchObject({ status: 'COMPLETED', budget: 3, metrics: { threadId: 0, files: 2, steps: 3 } })
      expect(t.intermediateValues!.map((p) => p.step)).toEqual([1, 2, 3])
      expect(t.durationMs).toBeGreaterThanOrEqual(0)
    }
    expect(outputs.bestHyperparameters.customProperties).toMatchObject({ objective: 'val_score', best_score: top.score, best_trial_id: top.trialId })
    expect(outputs.tunerResults.customProperties).toMatchObject({ algorithm: 'random', num_trials: 8, num_failed: 0 })
    // Plain JSON the Trainer reads as fnArgs.hyperparameters.
    expect(JSON.parse(await readFile(path.join(outputs.bestHyperparameters.uri, BEST_HYPERPARAMETERS_FILE), 'utf8'))).toEqual(best)
  })

  it('runs trials in worker threads with the same results as sequentially', async () => {
    // Hyperband: rounds depend on earlier scores, and every report() crosses threads.
    const tuner: TunerConfig = { algorithm: 'hyperband', maxEpochs: 9, factor: 3, objective: 'score', direction: 'max' }
    const sequential = await readTunerResults((await tune(tuner, 1)).outputs.tunerResults.uri)
    const parallel = await readTunerResults((await tune(tuner, 2)).outputs.tunerResults.uri)
    expect(parallel.trials).toHaveLength(23)
    expect(parallel.trials.map(comparable)).toEqual(sequential.trials.map(comparable))
    expect(parallel.summary).toEqual(sequential.summary)
    const threads = new Set(parallel.trials.map((t) => t.metrics!.threadId))
    expect(threads.has(0)).toBe(false)
    expect(threads.size).toBe(2)
    expect(new Set(sequential.trials.map((t) => t.metrics!.threadId))).toEqual(new Set([0]))
  })
})

describe('Tuner with a bad module', () => {
  const cases: [string, string, RegExp, string][] = [
    ['missing-export.ts', 'export const nothing = 1\n', /Tuner: module file .*missing-export\.ts must export a function "tunerFn", but it has no such export/, 'SLUICE_MODULE_FILE_MISSING_EXPORT'],
    ['throwing.ts', 'export function tunerFn() { throw new Error("no data for you") }\n', /Tuner: tunerFn in .*throwing\.ts threw: no data for you/, 'SLUICE_TUNER_FN_FAILED'],
    ['wrong-type.ts', 'export const tunerFn = () => 42\n', /tunerFn in .*wrong-type\.ts returned the number 42 instead of \{ searchSpace, trial, tuner \}/, 'SLUICE_TUNER_BAD_TUNER_FN_RESULT'],
    [
      'no-trial.ts',
      `import { hp } from '${SEARCH_SPACE_URL}'\nexport const tunerFn = async () => ({ searchSpace: { a: hp.int(1, 2) }, tuner: { algorithm: 'random', objective: 'x', direction: 'max' } })\n`,
      /tunerFn in .*no-trial\.ts returned an object without "trial"/,
      'SLUICE_TUNER_BAD_TUNER_FN_RESULT',
    ],
    [
      'min-max.ts',
      `import { hp } from '${SEARCH_SPACE_URL}'\nexport const tunerFn = () => ({ searchSpace: { lr: hp.float(1e-3, 1e-1, { log: true }), units: hp.int(64, 8) }, trial: () => 1, tuner: { algorithm: 'random', objective: 'x', direction: 'max' } })\n`,
      /tunerFn in .*min-max\.ts has a bad search space entry "units": hp\.int\(64, 8\): min is greater than max/,
      'SLUICE_TUNER_BAD_SEARCH_SPACE',
    ],
    [
      'not-hp.ts',
      `export const tunerFn = () => ({ searchSpace: { lr: 0.1 }, trial: () => 1, tuner: { algorithm: 'random', objective: 'x', direction: 'max' } })\n`,
      /tunerFn in .*not-hp\.ts has a bad search space entry "lr": it is the number 0\.1, not a hyperparameter/,
      'SLUICE_TUNER_BAD_SEARCH_SPACE',
    ],
    [
      'bad-tuner.ts',
      `import { hp } from '${SEARCH_SPACE_URL}'\nexport const tunerFn = () => ({ searchSpace: { a: hp.boolean() }, trial: () => 1, tuner: { algorithm: 'grid', objective: 'x', direction: 'max' } })\n`,
      /tunerFn in .*bad-tuner\.ts returned a bad "tuner" configuration: tuner\.algorithm/,
      'SLUICE_TUNER_BAD_CONFIG',
    ],
    [
      'all-fail.ts',
      `import { hp } from '${SEARCH_SPACE_URL}'\nexport const tunerFn = () => ({ searchSpace: { a: hp.int(1, 9) }, trial: (v: { a: number }) => { throw new Error('nope ' + v.a) }, tuner: { algorithm: 'random', maxTrials: 3, objective: 'x', direction: 'max' } })\n`,
      /Tuner: every trial of tunerFn in .*all-fail\.ts failed \(3 trial\(s\)\); the first, trial 0000, with: Error: nope \d/,
      'SLUICE_TUNER_ALL_TRIALS_FAILED',
    ],
  ]
  it.each(cases)('%s fails the node naming the module and the problem', async (name, source, message, code) => {
    const file = await writeModule(tmp.path, name, source)
    const run = runComponent(Tuner, { root: runRoot(tmp.path), inputs: { examples }, parameters: { moduleFile: file, backend: 'cpu' } })
    await expect(run).rejects.toThrow(message)
    await expect(run).rejects.toMatchObject({ code })
  })

  it('an unknown split fails before the module is loaded', async () => {
    const run = runComponent(Tuner, { root: runRoot(tmp.path), inputs: { examples }, parameters: { moduleFile, evalArgs: { splits: ['test'] } } })
    await expect(run).rejects.toThrow(/split "test"/)
    await expect(run).rejects.toMatchObject({ code: 'SLUICE_TUNER_UNKNOWN_SPLIT' })
  })
})
