import fs from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Examples, Model, ModelRun, component, fileParameter, z } from '@sluice/core'
import { tsImport } from 'tsx/esm/api'
import type { TaxiRow } from '../model.js'
import { readSplit } from './read-split.js'

/** What the trainer's module file must export. */
interface TrainerModule {
  featureNames: string[]
  toFeatures(row: TaxiRow): number[]
  label(row: TaxiRow): 0 | 1
}

/** A fitted logistic regression over standardised features: what `model.json` holds. */
export interface LogisticModel {
  featureNames: string[]
  means: number[]
  stds: number[]
  weights: number[]
  bias: number
  moduleFile: string
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

/** Scores one feature vector with a fitted model. */
export function predict(model: LogisticModel, features: number[]): number {
  let z = model.bias
  for (let j = 0; j < features.length; j++) z += model.weights[j]! * ((features[j]! - model.means[j]!) / model.stds[j]!)
  return sigmoid(z)
}

/** Loads a trainer module; TypeScript modules load directly through tsx. */
export async function loadTrainerModule(moduleFile: string): Promise<TrainerModule> {
  const url = pathToFileURL(path.resolve(moduleFile)).href
  const mod = (await tsImport(url, import.meta.url)) as Partial<TrainerModule>
  for (const name of ['featureNames', 'toFeatures', 'label'] as const) {
    if (mod[name] === undefined) throw new Error(`Module file ${moduleFile} does not export "${name}".`)
  }
  return mod as TrainerModule
}

/**
 * Trains a logistic regression with full-batch gradient descent on the train split, using the
 * features and label defined by the user's module file.
 */
export const TrainLogistic = component(
  {
    name: 'TrainLogistic',
    executionType: 'Train',
    inputs: { examples: Examples },
    outputs: { model: Model, modelRun: ModelRun },
    parameters: z.object({
      moduleFile: fileParameter(),
      epochs: z.number().int().positive().default(200),
      learningRate: z.number().positive().default(0.5),
    }),
  },
  async ({ inputs, outputs, parameters, context }) => {
    const module = await loadTrainerModule(parameters.moduleFile)
    const rows = await readSplit(inputs.examples.uri, 'train')
    const x = rows.map(module.toFeatures)
    const y = rows.map(module.label)
    const width = module.featureNames.length
    const means = Array.from({ length: width }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length)
    const stds = Array.from({ length: width }, (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - means[j]!) ** 2, 0) / x.length) || 1)
    const model: LogisticModel = { featureNames: module.featureNames, means, stds, weights: new Array(width).fill(0), bias: 0, moduleFile: parameters.moduleFile }
    const history: { epoch: number; loss: number }[] = []
    for (let epoch = 1; epoch <= parameters.epochs; epoch++) {
      if (context.signal.aborted) throw context.signal.reason
      const grad = new Array(width).fill(0)
      let gradBias = 0
      let loss = 0
      for (let i = 0; i < x.length; i++) {
        const p = predict(model, x[i]!)
        const err = p - y[i]!
        loss -= y[i]! === 1 ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12)
        for (let j = 0; j < width; j++) grad[j] += err * ((x[i]![j]! - means[j]!) / stds[j]!)
        gradBias += err
      }
      for (let j = 0; j < width; j++) model.weights[j]! -= (parameters.learningRate * grad[j]) / x.length
      model.bias -= (parameters.learningRate * gradBias) / x.length
      history.push({ epoch, loss: loss / x.length })
      if (epoch % 50 === 0) context.progress(epoch / parameters.epochs, `epoch ${epoch}, loss ${(loss / x.length).toFixed(4)}`)
    }
    await fs.mkdir(path.join(outputs.model.uri, 'Format-Serving'), { recursive: true })
    await fs.writeFile(path.join(outputs.model.uri, 'Format-Serving', 'model.json'), `${JSON.stringify(model, null, 2)}\n`)
    await fs.writeFile(path.join(outputs.modelRun.uri, 'history.json'), `${JSON.stringify({ examples: x.length, history }, null, 2)}\n`)
    context.logger.info(`trained on ${x.length} rows; final loss ${history.at(-1)?.loss.toFixed(4)}`)
  },
)
