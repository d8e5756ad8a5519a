import { describe, expectTypeOf, test } from 'vitest'
import { Channel, Examples, HyperParameters, Model, TransformGraph, TunerResults } from '@sluice/core'
import { Trainer } from '@sluice/component-trainer'
import { Tuner, defineSearchSpace, defineTunerFnResult, hp } from '@sluice/component-tuner'
import type { HyperParameterValues, TrialContext, TunerFn, TunerFnArgs } from '@sluice/component-tuner'

describe('search space', () => {
  test('trial values are inferred from the space', () => {
    const space = defineSearchSpace({
      units: hp.int(8, 64, { step: 8 }),
      learningRate: hp.float(1e-4, 1e-1, { log: true }),
      activation: hp.choice(['relu', 'tanh']),
      batchSize: hp.fixed(32),
      batchNorm: hp.boolean(),
    })
    expectTypeOf<HyperParameterValues<typeof space>>().toEqualTypeOf<{ units: number; learningRate: number; activation: 'relu' | 'tanh'; batchSize: 32; batchNorm: boolean }>()
  })

  test('defineTunerFnResult types the trial from searchSpace', () => {
    defineTunerFnResult({
      searchSpace: { units: hp.int(8, 64), activation: hp.choice(['relu', 'tanh']), dropout: hp.choice([0, 0.2, 0.5]) },
      trial: (values, context) => {
        expectTypeOf(values).toEqualTypeOf<{ units: number; activation: 'relu' | 'tanh'; dropout: 0 | 0.2 | 0.5 }>()
        expectTypeOf(context).toEqualTypeOf<TrialContext>()
        expectTypeOf(context.report).parameters.toEqualTypeOf<[step: number, value: number]>()
        expectTypeOf(context.report).returns.toEqualTypeOf<boolean>()
        // @ts-expect-error not in the search space
        void values.learningRate
        return { score: values.units, metrics: { loss: 1 } }
      },
      tuner: { algorithm: 'random', maxTrials: 5, objective: 'val_auc', direction: 'max' },
    })
    // Method syntax, as in the docs, is inferred the same way.
    defineTunerFnResult({
      searchSpace: { lr: hp.float(1e-4, 1e-1, { log: true }), bn: hp.boolean() },
      async trial(values, context) {
        expectTypeOf(values).toEqualTypeOf<{ lr: number; bn: boolean }>()
        return context.budget ?? 0
      },
      tuner: { algorithm: 'hyperband', maxEpochs: 27, objective: 'val_loss', direction: 'min' },
    })
    defineTunerFnResult({
      searchSpace: { a: hp.int(1, 2) },
      trial: () => 1,
      // @ts-expect-error Hyperband needs maxEpochs
      tuner: { algorithm: 'hyperband', objective: 'x', direction: 'max' },
    })
    defineTunerFnResult({
      searchSpace: { a: hp.int(1, 2) },
      // @ts-expect-error a trial returns a number or { score, metrics?, state? }
      trial: () => 'good',
      tuner: { algorithm: 'random', objective: 'x', direction: 'max' },
    })
  })

  test('a tunerFn gets the Trainer fnArgs without the model-saving parts', () => {
    const tunerFn = (fnArgs: TunerFnArgs) => {
      expectTypeOf(fnArgs.trainFiles).toEqualTypeOf<string[]>()
      expectTypeOf(fnArgs.dataAccessor.tfDatasetFactory).toBeFunction()
      expectTypeOf(fnArgs.tf.sequential).toBeFunction()
      // @ts-expect-error a Tuner saves no model
      void fnArgs.saveModel
      return defineTunerFnResult({ searchSpace: { lr: hp.float(1e-3, 1e-1, { log: true }) }, trial: (v) => v.lr, tuner: { algorithm: 'hyperband', maxEpochs: 9, objective: 'loss', direction: 'min' } })
    }
    expectTypeOf(tunerFn).toExtend<TunerFn>()
  })
})

describe('component', () => {
  const examples = Channel(Examples)
  const tuner = Tuner({ examples, transformGraph: Channel(TransformGraph), moduleFile: './tuning.ts', tuneArgs: { numParallelTrials: 2 } })

  test('outputs are typed channels', () => {
    expectTypeOf(tuner.outputs.bestHyperparameters).toEqualTypeOf<Channel<typeof HyperParameters>>()
    expectTypeOf(tuner.outputs.tunerResults).toEqualTypeOf<Channel<typeof TunerResults>>()
  })

  test('wiring', () => {
    Trainer({ examples, hyperparameters: tuner.outputs.bestHyperparameters, moduleFile: './model.ts' })
    // @ts-expect-error tuner_results is not HyperParameters
    Trainer({ examples, hyperparameters: tuner.outputs.tunerResults, moduleFile: './model.ts' })
    // @ts-expect-error a Model channel is not Examples
    Tuner({ examples: Channel(Model), moduleFile: './tuning.ts' })
    // @ts-expect-error moduleFile is required
    Tuner({ examples })
  })
})
