// The taxi example pipeline: TFX's Chicago taxi tutorial data, label `tips > 0.2 * fare`. Run it with
// `npm run demo` at the repository root, or `npx sluice run src/taxi/pipeline.ts` in packages/examples;
// then `npx sluice serve --model-name taxi --model-base-path serving/taxi` answers predictions.
// `src/taxi/tuned-pipeline.ts` adds a Tuner in front of the Trainer.
import { fileURLToPath } from 'node:url'
import { Channel, Model, ModelBlessing, Pipeline, Resolver, latestBlessedModel } from '@sluice/core'
import { BulkInferrer } from '@sluice/component-bulk-inferrer'
import { CsvExampleGen } from '@sluice/component-example-gen'
import { Evaluator } from '@sluice/component-evaluator'
import { ExampleValidator } from '@sluice/component-example-validator'
import { InfraValidator } from '@sluice/component-infra-validator'
import { Pusher } from '@sluice/component-pusher'
import { SchemaGen } from '@sluice/component-schema-gen'
import { StatisticsGen } from '@sluice/component-statistics-gen'
import { Trainer } from '@sluice/component-trainer'
import { Transform } from '@sluice/component-transform'
import { Tuner } from '@sluice/component-tuner'
import type { FeatureSet } from './model.js'

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))

/** Options of {@link taxiPipeline}. */
export interface TaxiPipelineOptions {
  /** Put a Tuner (Hyperband over `tuning.ts`'s search space) in front of the Trainer. */
  readonly tune?: boolean
  /** Hyperband's largest budget in epochs. @default 9 */
  readonly maxTuningEpochs?: number
  /** Trials run at once, each in a worker thread above 1. @default 2 */
  readonly parallelTrials?: number
  /** The features the model sees: `time-only` trains a deliberately worse model, to watch the gates stop it. @default 'all' */
  readonly featureSet?: FeatureSet
  /** Where the Pusher puts blessed models, one version directory each: what `sluice serve` watches. @default packages/examples/serving/taxi */
  readonly servingDirectory?: string
}

/** The taxi pipeline: ingest, validate, transform, (tune,) train, evaluate against the last blessed model, infra-validate, push, and batch-predict the eval split. */
export function taxiPipeline(options: TaxiPipelineOptions = {}): Pipeline {
  const exampleGen = CsvExampleGen({ inputBase: here('../../data/taxi') })
  const statisticsGen = StatisticsGen({ examples: exampleGen.outputs.examples })
  const schemaGen = SchemaGen({ statistics: statisticsGen.outputs.statistics })
  const exampleValidator = ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema })
  const transform = Transform({ examples: exampleGen.outputs.examples, schema: schemaGen.outputs.schema, moduleFile: here('./preprocessing.ts') })
  const tuner = options.tune
    ? Tuner({
        examples: transform.outputs.transformedExamples,
        transformGraph: transform.outputs.transformGraph,
        moduleFile: here('./tuning.ts'),
        customConfig: { maxEpochs: options.maxTuningEpochs ?? 9 },
        tuneArgs: { numParallelTrials: options.parallelTrials ?? 2 },
      })
    : undefined
  const trainer = Trainer({
    examples: transform.outputs.transformedExamples,
    transformGraph: transform.outputs.transformGraph,
    schema: schemaGen.outputs.schema,
    ...(tuner ? { hyperparameters: tuner.outputs.bestHyperparameters } : {}),
    moduleFile: here('./model.ts'),
    customConfig: { featureSet: options.featureSet ?? 'all' },
  })
  // The newest model an earlier run blessed (none on the first run: change thresholds are rubber-stamped).
  const baseline = Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing), id: 'LatestBlessedModel' })
  const overall = (threshold: object) => [{ slicingSpecs: [{}], threshold }]
  const evaluator = Evaluator({
    examples: exampleGen.outputs.examples,
    model: trainer.outputs.model,
    baselineModel: baseline.outputs.model,
    evalConfig: {
      // Raw examples in: the label is the bundle's own transformed `tips_xf`.
      modelSpecs: [{ labelKey: 'tips_xf', preprocessingFunctionNames: ['transform_features'] }],
      slicingSpecs: [{}, { featureKeys: ['payment_type'] }],
      metricsSpecs: [
        {
          // In the order the CLI's slice table shows them: the gated metrics first.
          metrics: [
            { className: 'ExampleCount' },
            {
              className: 'BinaryAccuracy',
              // At least 0.85 (always answering "no" scores 0.775), and not worse than the last blessed model.
              perSliceThresholds: overall({ valueThreshold: { lowerBound: 0.85 }, changeThreshold: { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 } }),
            },
            { className: 'AUC', perSliceThresholds: overall({ valueThreshold: { lowerBound: 0.9 } }) },
            { className: 'AUCPrecisionRecall' },
            { className: 'Precision' },
            { className: 'Recall' },
            { className: 'MeanLabel' },
            { className: 'MeanPrediction' },
          ],
        },
      ],
      options: { minSliceSize: 50 },
    },
  })
  const infraValidator = InfraValidator({
    model: trainer.outputs.model,
    examples: exampleGen.outputs.examples,
    requestSpec: { splitName: 'eval', numExamples: 8 },
    validationSpec: { maxLoadingTimeSeconds: 120, numTries: 2 },
  })
  const pusher = Pusher({
    model: trainer.outputs.model,
    modelBlessing: evaluator.outputs.blessing,
    infraBlessing: infraValidator.outputs.blessing,
    pushDestination: { filesystem: { baseDirectory: options.servingDirectory ?? here('../../serving/taxi') } },
  })
  // Batch predictions for the eval split, only from a blessed model.
  const bulkInferrer = BulkInferrer({
    examples: exampleGen.outputs.examples,
    model: trainer.outputs.model,
    modelBlessing: evaluator.outputs.blessing,
    dataSpec: { exampleSplits: ['eval'] },
  })
  return new Pipeline({
    name: options.tune ? 'taxi-tuned' : 'taxi',
    components: [
      exampleGen,
      statisticsGen,
      schemaGen,
      exampleValidator,
      transform,
      ...(tuner ? [tuner] : []),
      trainer,
      baseline,
      evaluator,
      infraValidator,
      pusher,
      bulkInferrer,
    ],
  })
}

export default taxiPipeline()
