import fs from 'node:fs/promises'
import path from 'node:path'
import { Examples, FloatArtifact, Model, ModelBlessing, component, z } from '@sluice/core'
import type { LogisticModel } from './train-logistic.js'
import { loadTrainerModule, predict } from './train-logistic.js'
import { readSplit } from './read-split.js'

/**
 * Scores the model on the eval split and blesses it when its accuracy beats always predicting the
 * majority class by `minLift` (the label rate comes in as a Float value artifact).
 */
export const EvaluateModel = component(
  {
    name: 'EvaluateModel',
    executionType: 'Evaluate',
    inputs: { model: Model, examples: Examples, labelRate: FloatArtifact },
    outputs: { accuracy: FloatArtifact, blessing: ModelBlessing },
    parameters: z.object({ minLift: z.number().default(0.05) }),
  },
  async ({ inputs, outputs, parameters, context }) => {
    const model = JSON.parse(await fs.readFile(path.join(inputs.model.uri, 'Format-Serving', 'model.json'), 'utf8')) as LogisticModel
    const module = await loadTrainerModule(model.moduleFile)
    const rows = await readSplit(inputs.examples.uri, 'eval')
    let correct = 0
    for (const row of rows) if ((predict(model, module.toFeatures(row)) >= 0.5 ? 1 : 0) === module.label(row)) correct++
    const accuracy = rows.length === 0 ? 0 : correct / rows.length
    const baseline = Math.max(inputs.labelRate, 1 - inputs.labelRate)
    const blessed = accuracy >= baseline + parameters.minLift
    context.logger.info(`accuracy ${accuracy.toFixed(4)} on ${rows.length} eval rows; majority baseline ${baseline.toFixed(4)}; ${blessed ? 'BLESSED' : 'NOT_BLESSED'}`)
    await fs.writeFile(path.join(outputs.blessing.uri, blessed ? 'BLESSED' : 'NOT_BLESSED'), '')
    outputs.blessing.customProperties.blessed = blessed ? 1 : 0
    outputs.blessing.customProperties.current_model_id = inputs.model.id ?? -1
    return { accuracy }
  },
)
