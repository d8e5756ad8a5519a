// The taxi example's Tuner module (TFX's `taxi_utils.tuner_fn`): searches the wide-and-deep model's
// learning rate, width and dropout with Hyperband; the best values reach the Trainer as
// `fnArgs.hyperparameters`. Used by `tuned-pipeline.ts`.
import { defineTunerFnResult, hp } from '@sluice/component-tuner'
import type { TunerFnArgs } from '@sluice/component-tuner'
import type { Scalar } from '@tensorflow/tfjs'
import { DEFAULT_HYPERPARAMETERS, DENSE_INPUT, buildModel, categoricalFeatures } from './model.js'
import { LABEL_KEY } from './preprocessing.js'

export function tunerFn(fnArgs: TunerFnArgs) {
  const { tf, dataAccessor, transformOutput } = fnArgs
  if (!transformOutput) throw new Error("The taxi tuner trains on transformed examples: wire Transform's transformGraph into the Tuner.")
  const categorical = categoricalFeatures((f) => transformOutput.numBuckets(f))
  const inputs = { dense: DENSE_INPUT, ...Object.fromEntries(Object.keys(categorical).map((name) => [name, [name]])) }
  const dtype = Object.fromEntries(Object.keys(categorical).map((name) => [name, 'int32' as const]))
  const maxEpochs = Number(fnArgs.customConfig.maxEpochs ?? 9)
  return defineTunerFnResult({
    searchSpace: {
      learningRate: hp.float(3e-4, 1e-2, { log: true }),
      hiddenUnits: hp.int(16, 64, { step: 2, log: true }),
      dropout: hp.choice([0, 0.1, 0.2, 0.3]),
    },
    async trial(values, context) {
      const model = buildModel(tf, categorical, { ...DEFAULT_HYPERPARAMETERS, ...values, wideUnits: values.hiddenUnits }, context.seed)
      const train = dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: DEFAULT_HYPERPARAMETERS.batchSize, labelKey: LABEL_KEY, inputs, dtype, shuffleSeed: context.seed })
      const evaluation = dataAccessor.tfDatasetFactory(fnArgs.evalFiles, { batchSize: 4096, labelKey: LABEL_KEY, inputs, dtype, shuffle: false })
      let loss = Number.NaN
      try {
        for (let epoch = 0; epoch < (context.budget ?? maxEpochs); epoch++) {
          await model.fitDataset(train, { epochs: 1, verbose: 0 })
          const [evalLoss] = (await model.evaluateDataset(evaluation, {})) as Scalar[]
          loss = (await evalLoss!.data())[0]!
          tf.dispose(evalLoss)
          if (context.report(epoch + 1, loss)) break
        }
      } finally {
        model.optimizer.dispose()
        model.dispose()
      }
      return loss
    },
    tuner: { algorithm: 'hyperband', objective: 'val_loss', direction: 'min', maxEpochs, factor: 3 },
  })
}
