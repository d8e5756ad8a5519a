// The taxi example pipeline: TFX's Chicago taxi tutorial data, label `tips > 0.2 * fare`. Run it with
// `npm run demo` at the repository root, or `npx sluice run src/taxi/pipeline.ts` in packages/examples;
// `src/taxi/tuned-pipeline.ts` adds a Tuner in front of the Trainer.
import { fileURLToPath } from 'node:url'
import { Pipeline } from '@sluice/core'
import { CsvExampleGen } from '@sluice/component-example-gen'
import { ExampleValidator } from '@sluice/component-example-validator'
import { SchemaGen } from '@sluice/component-schema-gen'
import { StatisticsGen } from '@sluice/component-statistics-gen'
import { Trainer } from '@sluice/component-trainer'
import { Transform } from '@sluice/component-transform'
import { Tuner } from '@sluice/component-tuner'
import { EvaluateModel } from './components/evaluate-model.js'
import { LabelRate } from './components/label-rate.js'

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))

/** Options of {@link taxiPipeline}. */
export interface TaxiPipelineOptions {
  /** Put a Tuner (Hyperband over `tuning.ts`'s search space) in front of the Trainer. */
  readonly tune?: boolean
  /** Hyperband's largest budget in epochs. @default 9 */
  readonly maxTuningEpochs?: number
  /** Trials run at once, each in a worker thread above 1. @default 2 */
  readonly parallelTrials?: number
}

/** The taxi pipeline, with or without tuning. */
export function taxiPipeline(options: TaxiPipelineOptions = {}): Pipeline {
  const exampleGen = CsvExampleGen({ inputBase: here('../../data/taxi') })
  const statisticsGen = StatisticsGen({ examples: exampleGen.outputs.examples })
  const schemaGen = SchemaGen({ statistics: statisticsGen.outputs.statistics })
  const exampleValidator = ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema })
  const labelRate = LabelRate({ examples: exampleGen.outputs.examples })
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
  })
  const evaluator = EvaluateModel({
    model: trainer.outputs.model,
    examples: exampleGen.outputs.examples,
    labelRate: labelRate.outputs.rate,
  })
  return new Pipeline({
    name: options.tune ? 'taxi-tuned' : 'taxi',
    components: [exampleGen, statisticsGen, schemaGen, exampleValidator, transform, labelRate, ...(tuner ? [tuner] : []), trainer, evaluator],
  })
}

export default taxiPipeline()
