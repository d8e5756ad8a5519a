// The taxi example's Trainer module (TFX's `taxi_utils.run_fn`): a wide-and-deep network on the
// transformed features. Editing this file changes the Trainer's cache key, so the next run retrains
// and re-evaluates while everything upstream stays cached.
import type { TrainerFnArgs } from '@sluice/component-trainer'
import type { SymbolicTensor } from '@tensorflow/tfjs'
import { CATEGORICAL_FEATURES, DENSE_FLOAT_FEATURES, LABEL_KEY, RAW_LABEL_KEY, bucketizedName, transformedName } from './preprocessing.js'

/** Hyperparameters the Tuner may set (see `tuning.ts`); these defaults reach the figures in docs/guides/taxi.md. */
export interface TaxiHyperparameters {
  learningRate: number
  /** Units of the deep tower's hidden layers. */
  hiddenUnits: number
  /** Units of the layer over the one-hot (wide) features. */
  wideUnits: number
  dropout: number
  epochs: number
  batchSize: number
}

export const DEFAULT_HYPERPARAMETERS: TaxiHyperparameters = { learningRate: 0.001, hiddenUnits: 32, wideUnits: 32, dropout: 0.2, epochs: 10, batchSize: 256 }

/** The z-scored features, fed to the model as one float input. */
export const DENSE_INPUT = DENSE_FLOAT_FEATURES.map(transformedName)

/**
 * Which categorical features the model sees: `all`, or `time-only` — a deliberately worse model
 * (no payment type, company, places or trip-size buckets) for trying the Evaluator's gates
 * (`customConfig: { featureSet: 'time-only' }`).
 */
export type FeatureSet = 'all' | 'time-only'

/** The categorical transformed features of a feature set (vocabularies, buckets, small integers) and their sizes. */
export function categoricalFeatures(numBuckets: (feature: string) => number | undefined, featureSet: FeatureSet = 'all'): Record<string, number> {
  const names =
    featureSet === 'time-only'
      ? ['trip_start_hour', 'trip_start_day', 'trip_start_month'].map(transformedName)
      : [
          ...DENSE_FLOAT_FEATURES.map(bucketizedName),
          ...['payment_type', 'company', 'pickup_census_tract', 'dropoff_census_tract'].map(transformedName),
          ...['pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude'].map(transformedName),
          ...Object.keys(CATEGORICAL_FEATURES).map(transformedName),
        ]
  const sizes: Record<string, number> = {}
  for (const name of names) {
    const size = numBuckets(name)
    if (size === undefined) throw new Error(`The transform output has no bucket count for categorical feature "${name}".`)
    sizes[name] = size
  }
  return sizes
}

/** Builds the wide-and-deep network: z-scores through a deep tower, one-hot categories through a wide layer. */
export function buildModel(tf: TrainerFnArgs['tf'], categorical: Record<string, number>, hp: TaxiHyperparameters, seed = 42) {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset })
  // Layers applied to symbolic inputs give symbolic tensors; tfjs types apply() for concrete ones too.
  const apply = (layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown }, x: SymbolicTensor | SymbolicTensor[]) => layer.apply(x) as SymbolicTensor
  const dense = tf.input({ shape: [DENSE_INPUT.length], name: 'dense' })
  const inputs = [dense]
  const encoded: SymbolicTensor[] = []
  for (const [name, size] of Object.entries(categorical)) {
    const input = tf.input({ shape: [1], name, dtype: 'int32' })
    inputs.push(input)
    // The reshape shields the input's shape: tfjs 4.22's CategoryEncoding edits its input shape in place.
    const reshaped = apply(tf.layers.reshape({ targetShape: [1] }), input)
    encoded.push(apply(tf.layers.categoryEncoding({ numTokens: size, outputMode: 'oneHot' }), reshaped))
  }
  const wide = apply(tf.layers.dense({ units: hp.wideUnits, activation: 'relu', kernelInitializer: init(0) }), apply(tf.layers.concatenate(), encoded))
  let deep = apply(tf.layers.concatenate(), [dense, wide])
  for (const [i, units] of [hp.hiddenUnits, Math.max(4, Math.round(hp.hiddenUnits / 2))].entries()) {
    deep = apply(tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(i + 1) }), deep)
    deep = apply(tf.layers.dropout({ rate: hp.dropout, seed: seed + 10 + i }), deep)
  }
  const output = apply(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'probabilities', kernelInitializer: init(9) }), deep)
  const model = tf.model({ inputs, outputs: output })
  model.compile({ optimizer: tf.train.adam(hp.learningRate), loss: 'binaryCrossentropy', metrics: ['accuracy'] })
  return model
}

/** TFX's `run_fn`: trains on the transformed train split, validates on eval, saves the serving bundle. */
export async function runFn(fnArgs: TrainerFnArgs): Promise<void> {
  const { tf, transformOutput, dataAccessor } = fnArgs
  if (!transformOutput) throw new Error('The taxi model trains on transformed examples: wire Transform\'s transformGraph into the Trainer.')
  const hp: TaxiHyperparameters = { ...DEFAULT_HYPERPARAMETERS, ...(fnArgs.hyperparameters as Partial<TaxiHyperparameters> | undefined) }
  const featureSet = (fnArgs.customConfig.featureSet ?? 'all') as FeatureSet
  if (featureSet !== 'all' && featureSet !== 'time-only') throw new Error(`customConfig.featureSet must be "all" or "time-only", not ${JSON.stringify(featureSet)}.`)
  const categorical = categoricalFeatures((f) => transformOutput.numBuckets(f), featureSet)
  const inputs = { dense: DENSE_INPUT, ...Object.fromEntries(Object.keys(categorical).map((name) => [name, [name]])) }
  const dtype = Object.fromEntries(Object.keys(categorical).map((name) => [name, 'int32' as const]))
  const train = dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: hp.batchSize, labelKey: LABEL_KEY, inputs, dtype, shuffleSeed: 7 })
  const validation = dataAccessor.tfDatasetFactory(fnArgs.evalFiles, { batchSize: 4096, labelKey: LABEL_KEY, inputs, dtype, shuffle: false })
  const model = buildModel(tf, categorical, hp)
  await model.fitDataset(train, { epochs: hp.epochs, validationData: validation, callbacks: fnArgs.callbacks, verbose: 0 })
  await fnArgs.saveModel(model, { inputs, dtype, labelKey: LABEL_KEY, rawLabelKeys: [RAW_LABEL_KEY], outputName: 'probabilities' })
}
