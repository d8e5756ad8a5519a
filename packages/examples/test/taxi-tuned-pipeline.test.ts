import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { LocalDagRunner } from '@sluice/runner'
import { taxiPipeline } from '../src/taxi/pipeline.js'

describe('taxi example pipeline with tuning', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-taxi-tuned-'))

  test('Hyperband picks hyperparameters in worker threads and the Trainer trains with them', async () => {
    // A small Hyperband (max 3 epochs: brackets of 3×1→1×3 and 2×3 epochs) keeps the test short.
    const pipeline = taxiPipeline({ tune: true, maxTuningEpochs: 3, parallelTrials: 2, servingDirectory: path.join(cwd, 'serving') })
    const run = await new LocalDagRunner().run(pipeline, { cwd })
    expect(run.status, JSON.stringify(Object.values(run.nodes).map((n) => n.error?.message).filter(Boolean))).toBe('COMPLETE')

    const best = run.nodes.Tuner!.outputs.bestHyperparameters![0]!
    const values = JSON.parse(fs.readFileSync(path.join(best.uri, 'best_hyperparameters.txt'), 'utf8')) as Record<string, number>
    expect(Object.keys(values).sort()).toEqual(['dropout', 'hiddenUnits', 'learningRate'])
    expect(values.learningRate).toBeGreaterThanOrEqual(3e-4)
    expect(values.learningRate).toBeLessThanOrEqual(1e-2)

    const results = JSON.parse(fs.readFileSync(path.join(run.nodes.Tuner!.outputs.tunerResults![0]!.uri, 'tuner_results.json'), 'utf8')) as {
      trials: { status: string; score: number | null; values: Record<string, number> }[]
    }
    const completed = results.trials.filter((t) => t.status === 'COMPLETED')
    expect(completed.length).toBeGreaterThanOrEqual(3)
    const bestScore = Math.min(...completed.map((t) => t.score!))
    expect(completed.find((t) => t.score === bestScore)!.values).toEqual(values)

    // The Trainer received exactly the Tuner's best values, and the tuned model still clears the bar.
    const modelRun = run.nodes.Trainer!.outputs.modelRun![0]!
    const metrics = JSON.parse(fs.readFileSync(path.join(modelRun.uri, 'metrics.json'), 'utf8')) as { hyperparameters: Record<string, number> }
    expect(metrics.hyperparameters).toEqual(values)
    const overall = (JSON.parse(fs.readFileSync(path.join(run.nodes.Evaluator!.outputs.evaluation![0]!.uri, 'metrics.json'), 'utf8')) as { slices: { sliceName: string; metrics: Record<string, number> }[] }).slices.find((s) => s.sliceName === 'Overall')!
    expect(overall.metrics.auc).toBeGreaterThanOrEqual(0.9)
  }, 300_000)
})
