import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Logger } from '@sluice/core'
import { createTempDirectory } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { hp, validateTunerFnResult } from '@sluice/component-tuner'
import type { SearchSpace, TrialFunction, TunerConfig } from '@sluice/component-tuner'
import { runSearch, violatesMedianRule } from '../src/search.js'
import { inlineTrialRunner } from '../src/trial-runner.js'

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }
let tmp: TempDirectory
beforeAll(async () => {
  tmp = await createTempDirectory('sluice-tuner-search-')
})
afterAll(async () => {
  await tmp?.remove()
})

function search(searchSpace: SearchSpace, trial: TrialFunction, tuner: TunerConfig, seed = 0) {
  const { config } = validateTunerFnResult('tuning.ts', { searchSpace, trial, tuner })
  const signal = new AbortController().signal
  return runSearch({ searchSpace, config, seed, runner: inlineTrialRunner(trial, signal, silent), moduleFile: 'tuning.ts', workDirectory: tmp.path, signal, logger: silent })
}

const space = { a: hp.float(0, 1), units: hp.int(1, 64, { step: 2, log: true }), activation: hp.choice(['relu', 'tanh']) }
const quadratic: TrialFunction = (v) => -(((v.a as number) - 0.3) ** 2) + (v.activation === 'relu' ? 0.01 : 0)

describe('random search', () => {
  it('is reproducible given the seed', async () => {
    const tuner: TunerConfig = { algorithm: 'random', maxTrials: 8, objective: 'score', direction: 'max' }
    const first = await search(space, quadratic, tuner, 7)
    const again = await search(space, quadratic, tuner, 7)
    const other = await search(space, quadratic, tuner, 8)
    expect(first.trials.map((t) => t.values)).toEqual(again.trials.map((t) => t.values))
    expect(first.trials.map((t) => t.values)).not.toEqual(other.trials.map((t) => t.values))
    expect(first.trials.map((t) => t.trialId)).toEqual(['0000', '0001', '0002', '0003', '0004', '0005', '0006', '0007'])
  })

  it('picks the best trial for max and for min', async () => {
    const max = await search(space, quadratic, { algorithm: 'random', maxTrials: 12, objective: 'score', direction: 'max' })
    const scores = max.trials.map((t) => t.score!)
    expect(max.best!.score).toBe(Math.max(...scores))
    const min = await search(space, quadratic, { algorithm: 'random', maxTrials: 12, objective: 'loss', direction: 'min' })
    expect(min.best!.score).toBe(Math.min(...scores))
    expect(min.best!.trialId).not.toBe(max.best!.trialId)
  })

  it('stops after the distinct points of a small space are exhausted', async () => {
    const result = await search({ act: hp.choice(['a', 'b', 'c']), n: hp.fixed(3) }, () => 1, { algorithm: 'random', maxTrials: 10, objective: 's', direction: 'max' })
    expect(result.trials.map((t) => t.values.act).sort()).toEqual(['a', 'b', 'c'])
    expect(result.trials.every((t) => t.values.n === 3)).toBe(true)
  })

  it('early stopping stops a clearly bad trial (median rule), and report() ends a trial at its budget', async () => {
    // Trial 0004 learns nothing; the others improve every epoch.
    const trial: TrialFunction = async (_values, context) => {
      let value = 0
      for (let step = 1; ; step++) {
        value = context.trialId === '0004' ? 0.05 : 0.5 + step * 0.05
        if (context.report(step, value)) break
      }
      return value
    }
    const result = await search({ a: hp.float(0, 1) }, trial, { algorithm: 'random', maxTrials: 6, maxEpochs: 5, objective: 'val_auc', direction: 'max', earlyStopping: { minSteps: 2, minTrials: 3 } })
    const statuses = Object.fromEntries(result.trials.map((t) => [t.trialId, t.status]))
    expect(statuses).toEqual({ '0000': 'COMPLETED', '0001': 'COMPLETED', '0002': 'COMPLETED', '0003': 'COMPLETED', '0004': 'STOPPED_EARLY', '0005': 'COMPLETED' })
    const stopped = result.trials[4]!
    expect(stopped.intermediateValues!.map((p) => p.step)).toEqual([1, 2]) // stopped at minSteps
    expect(result.trials[0]!.intermediateValues!.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]) // budget 5
    expect(result.trials.every((t) => t.budget === 5)).toBe(true)
    expect(result.best!.status).toBe('COMPLETED')
  })

  it('records a throwing trial and a bad return value as FAILED and goes on', async () => {
    const trial: TrialFunction = (_v, context) => {
      if (context.trialId === '0001') throw new RangeError('diverged')
      if (context.trialId === '0002') return Number.NaN
      if (context.trialId === '0003') return 'high' as never
      if (context.trialId === '0004') return { metrics: { val_auc: 0.9 } }
      return 0.5
    }
    const result = await search({ a: hp.float(0, 1) }, trial, { algorithm: 'random', maxTrials: 5, objective: 'val_auc', direction: 'max' })
    expect(result.trials.map((t) => t.status)).toEqual(['COMPLETED', 'FAILED', 'FAILED', 'FAILED', 'COMPLETED'])
    expect(result.trials[1]!.error).toBe('RangeError: diverged')
    expect(result.trials[2]!.error).toMatch(/The trial of tunerFn in tuning\.ts returned NaN; the score must be a finite number/)
    expect(result.trials[3]!.error).toMatch(/tuning\.ts returned the string "high" instead of a score/)
    expect(result.best).toMatchObject({ trialId: '0004', score: 0.9, metrics: { val_auc: 0.9 } })
    const none = await search({ a: hp.float(0, 1) }, () => { throw new Error('no') }, { algorithm: 'random', maxTrials: 2, objective: 's', direction: 'max' })
    expect(none.best).toBeUndefined()
    expect(none.trials.map((t) => t.status)).toEqual(['FAILED', 'FAILED'])
  })
})

describe('Hyperband', () => {
  it("runs KerasTuner's brackets and rounds, promoting the best and handing over their state", async () => {
    const seen: { id: string; budget: number; initial: number; resumed: unknown }[] = []
    const trial: TrialFunction = (values, context) => {
      seen.push({ id: context.trialId, budget: context.budget!, initial: context.initialEpoch, resumed: context.resumeFrom?.state })
      if (context.resumeFrom) expect(context.resumeFrom.state).toEqual({ trainedTo: context.initialEpoch })
      return { score: -(((values.a as number) - 0.3) ** 2) - 1 / context.budget!, state: { trainedTo: context.budget } }
    }
    const result = await search({ a: hp.float(0, 1) }, trial, { algorithm: 'hyperband', maxEpochs: 9, factor: 3, objective: 'score', direction: 'max' })
    // Brackets 2, 1, 0 of max_epochs=9, factor=3: 9×1 → 3×3 → 1×9, 5×3 → 2×9, 3×9.
    const shape = result.trials.map((t) => `${t.bracket}/${t.round}:${t.budget}`)
    expect(shape).toEqual([
      ...Array(9).fill('2/0:1'), ...Array(3).fill('2/1:3'), '2/2:9',
      ...Array(5).fill('1/0:3'), ...Array(2).fill('1/1:9'),
      ...Array(3).fill('0/0:9'),
    ])
    // Round 1 of bracket 2 continues the three best of round 0, best first.
    const round0 = result.trials.slice(0, 9).sort((x, y) => y.score! - x.score!)
    expect(result.trials.slice(9, 12).map((t) => t.resumedFrom)).toEqual(round0.slice(0, 3).map((t) => t.trialId))
    expect(result.trials.slice(9, 12).map((t) => t.values)).toEqual(round0.slice(0, 3).map((t) => t.values))
    expect(result.trials[9]!.initialEpoch).toBe(1)
    expect(seen.filter((s) => s.resumed !== undefined)).toHaveLength(3 + 1 + 2)
    expect(result.best!.budget).toBe(9)
  })

  it('maxTrials caps the trials run', async () => {
    const result = await search({ a: hp.float(0, 1) }, () => 1, { algorithm: 'hyperband', maxEpochs: 9, maxTrials: 11, objective: 's', direction: 'min' })
    expect(result.trials).toHaveLength(11)
  })
})

describe('median rule', () => {
  const curve = (...values: number[]) => values.map((value, i) => ({ step: i + 1, value }))
  it('compares the best value so far with the median of completed trials at that step', () => {
    const completed = [curve(0.5, 0.6, 0.7), curve(0.4, 0.5, 0.6), curve(0.45, 0.55, 0.9)]
    const rule = { minSteps: 2, minTrials: 3 }
    expect(violatesMedianRule(curve(0.1, 0.2), completed, 2, 'max', rule)).toBe(true)
    expect(violatesMedianRule(curve(0.1), completed, 1, 'max', rule)).toBe(false) // before minSteps
    expect(violatesMedianRule(curve(0.6, 0.2), completed, 2, 'max', rule)).toBe(false) // best so far counts
    expect(violatesMedianRule(curve(0.1, 0.2), completed.slice(0, 2), 2, 'max', rule)).toBe(false) // too few completed
    expect(violatesMedianRule(curve(0.9, 0.8), completed, 2, 'min', rule)).toBe(true)
  })
})
