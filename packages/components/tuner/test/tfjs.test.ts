import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { Tuner, readTunerResults } from '@sluice/component-tuner'
import { SEARCH_SPACE_URL, runRoot, writeExamples, writeModule } from './helpers.js'

let tmp: TempDirectory
let examplesUri: string

// A real trial: a tiny MLP trained with tfjs on batches from the Trainer's data accessor, reporting
// the eval loss after every epoch.
const MODULE = `
import { hp } from '${SEARCH_SPACE_URL}'

export function tunerFn(fnArgs: any) {
  const { tf, dataAccessor, trainFiles, evalFiles } = fnArgs
  return {
    searchSpace: { learningRate: hp.float(1e-3, 0.3, { log: true }), units: hp.int(2, 16, { step: 2, log: true }) },
    async trial(values: { learningRate: number; units: number }, context: any) {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [1], units: values.units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: context.seed % 10000 }) }),
          tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: (context.seed + 1) % 10000 }) }),
        ],
      })
      model.compile({ optimizer: tf.train.adam(values.learningRate), loss: 'meanSquaredError' })
      const train = dataAccessor.tfDatasetFactory(trainFiles, { batchSize: 32, labelKey: 'y', inputs: ['x'], shuffleSeed: context.seed })
      const evaluation = dataAccessor.tfDatasetFactory(evalFiles, { batchSize: 256, labelKey: 'y', inputs: ['x'], shuffle: false })
      let loss = Number.NaN
      for (let epoch = context.initialEpoch; epoch < context.budget; epoch++) {
        await model.fitDataset(train, { epochs: 1, verbose: 0 })
        const result = await model.evaluateDataset(evaluation, {})
        loss = (await result.data())[0]
        result.dispose()
        if (context.report(epoch + 1, loss)) break
      }
      model.dispose()
      return { score: loss, metrics: { backend: fnArgs.backend === 'cpu' ? 0 : 1 } }
    },
    tuner: { algorithm: 'random', maxTrials: 4, maxEpochs: 4, objective: 'val_loss', direction: 'min' },
  }
}
`

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-tuner-tfjs-')
  examplesUri = await writeExamples(tmp.path)
})

afterAll(async () => {
  await tmp?.remove()
})

it('tunes a tiny tfjs model trained through the data accessor, in two worker threads', async () => {
  const moduleFile = await writeModule(tmp.path, 'mlp.ts', MODULE)
  const { outputs } = await runComponent(Tuner, {
    root: runRoot(tmp.path),
    inputs: { examples: { uri: examplesUri, properties: { splitNames: ['train', 'eval'] } } },
    parameters: { moduleFile, tuneArgs: { numParallelTrials: 2 }, seed: 3 },
  })
  const results = await readTunerResults(outputs.tunerResults.uri)
  expect(results.trials.map((t) => t.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED'])
  for (const t of results.trials) expect(t.intermediateValues!.map((p) => p.step)).toEqual([1, 2, 3, 4])
  const losses = results.trials.map((t) => t.score!)
  expect(results.summary.bestScore).toBe(Math.min(...losses))
  expect(Math.min(...losses)).toBeLessThan(Math.max(...losses))
  expect(results.summary.bestHyperparameters.learningRate).toBeGreaterThanOrEqual(1e-3)
  expect([2, 4, 8, 16]).toContain(results.summary.bestHyperparameters.units)
}, 120_000)
