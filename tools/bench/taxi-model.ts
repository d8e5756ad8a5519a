// The taxi example's model for the benchmarks that need one (serving, bulk-inferrer): the example's
// own preprocessing and model modules trained through the real Transform and Trainer on synthetic
// taxi rows, cached in the work directory. Not a benchmark itself.
import fs from 'node:fs'
import path from 'node:path'
import { Trainer } from '@sluice/component-trainer'
import { Transform } from '@sluice/component-transform'
import { runComponent } from '@sluice/testing'
import { prepareTaxiExamples } from './transform-throughput.ts'

const here = path.dirname(new URL(import.meta.url).pathname)
const taxi = (file: string) => path.resolve(here, '../../packages/examples/src/taxi', file)

/** Options of {@link trainTaxiModel}. */
export interface TaxiModelOptions {
  /** Synthetic taxi rows to train on (both splits). */
  readonly rows: number
  /** Where the examples and the model are cached. */
  readonly workDir: string
  /** Training epochs: the benchmarks measure inference, not accuracy. */
  readonly epochs: number
  /** Train again even when a cached model exists. */
  readonly rebuild?: boolean
}

/** Trains (or finds cached) the taxi model and returns its Model artifact directory (holding `Format-Serving/`). */
export async function trainTaxiModel(options: TaxiModelOptions): Promise<string> {
  const modelUri = path.join(options.workDir, `taxi-model-${options.rows}-${options.epochs}`)
  if (!options.rebuild && fs.existsSync(path.join(modelUri, 'Format-Serving', 'signature.json'))) return modelUri
  console.log(`training the taxi model on ${options.rows} synthetic rows (cached in ${modelUri})…`)
  fs.rmSync(modelUri, { recursive: true, force: true })
  const { examples, schemaUri } = await prepareTaxiExamples(options.rows, options.workDir)
  const root = fs.mkdtempSync(path.join(options.workDir, 'train-'))
  try {
    const transform = await runComponent(Transform, {
      inputs: { examples: { uri: examples.uri, properties: examples.properties, customProperties: examples.customProperties }, schema: { uri: schemaUri } },
      parameters: { moduleFile: taxi('preprocessing.ts'), disableStatistics: true },
      root: path.join(root, 'transform'),
    })
    // The epochs reach the module as hyperparameters, as a Tuner's would.
    const hyperparameters = path.join(root, 'hyperparameters')
    fs.mkdirSync(hyperparameters, { recursive: true })
    fs.writeFileSync(path.join(hyperparameters, 'best_hyperparameters.txt'), JSON.stringify({ epochs: options.epochs }))
    const trainer = await runComponent(Trainer, {
      inputs: {
        examples: { uri: transform.outputs.transformedExamples.uri, properties: { splitNames: ['train', 'eval'] } },
        transformGraph: { uri: transform.outputs.transformGraph.uri },
        schema: { uri: schemaUri },
        hyperparameters: { uri: hyperparameters },
      },
      parameters: { moduleFile: taxi('model.ts') },
      root: path.join(root, 'trainer'),
    })
    fs.cpSync(trainer.outputs.model.uri, modelUri, { recursive: true })
    return modelUri
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}
