import fs from 'node:fs/promises'
import path from 'node:path'
import { Examples, FloatArtifact, Model, ModelBlessing, component, z } from '@sluice/core'
import { applyTransform } from '@sluice/component-transform'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import { LABEL_KEY } from '../preprocessing.js'
import { readSplit } from './read-split.js'

/**
 * Scores the serving bundle on the raw eval split exactly as a server would (raw rows in, the
 * bundle's fitted transform inside), and blesses it when its accuracy beats always predicting the
 * majority class by `minLift` and its ROC AUC reaches `minAuc`. (The Evaluator component, with
 * TFMA's slices and thresholds, replaces this in the next step.)
 */
export const EvaluateModel = component(
  {
    name: 'EvaluateModel',
    executionType: 'Evaluate',
    inputs: { model: Model, examples: Examples, labelRate: FloatArtifact },
    outputs: { accuracy: FloatArtifact, auc: FloatArtifact, blessing: ModelBlessing },
    parameters: z.object({ minLift: z.number().default(0.05), minAuc: z.number().min(0).max(1).default(0.9), split: z.string().default('eval') }),
  },
  async ({ inputs, outputs, parameters, context }) => {
    const bundle = await loadServingBundle(path.join(inputs.model.uri, 'Format-Serving'))
    try {
      const rows = await readSplit(inputs.examples.uri, parameters.split)
      if (!bundle.transform) throw new Error('The model bundle has no fitted transform, so the label cannot be computed.')
      const labels = applyTransform(bundle.transform, rows).map((r) => Number(r[LABEL_KEY]))
      const output = bundle.signature.outputs[0]!.name
      const scores = (await bundle.predict(rows))[output]!
      let correct = 0
      for (let i = 0; i < labels.length; i++) if ((scores[i]! >= 0.5 ? 1 : 0) === labels[i]) correct++
      const accuracy = labels.length === 0 ? 0 : correct / labels.length
      const auc = rocAuc(scores, labels)
      const baseline = Math.max(inputs.labelRate, 1 - inputs.labelRate)
      const blessed = accuracy >= baseline + parameters.minLift && auc >= parameters.minAuc
      context.logger.info(
        `accuracy ${accuracy.toFixed(4)}, AUC ${auc.toFixed(4)} on ${labels.length} ${parameters.split} rows; majority baseline ${baseline.toFixed(4)}; ${blessed ? 'BLESSED' : 'NOT_BLESSED'}`,
      )
      await fs.writeFile(path.join(outputs.blessing.uri, blessed ? 'BLESSED' : 'NOT_BLESSED'), '')
      outputs.blessing.customProperties.blessed = blessed ? 1 : 0
      outputs.blessing.customProperties.current_model_id = inputs.model.id ?? -1
      return { accuracy, auc }
    } finally {
      bundle.dispose?.()
    }
  },
)

/** The area under the ROC curve: the probability a random positive scores above a random negative (ties count half). */
export function rocAuc(scores: ArrayLike<number>, labels: readonly number[]): number {
  const order = Array.from(labels.keys()).sort((a, b) => scores[a]! - scores[b]!)
  let positives = 0
  let rankSum = 0
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) j++
    const averageRank = (i + 1 + j) / 2
    for (let k = i; k < j; k++) if (labels[order[k]!] === 1) (positives++, (rankSum += averageRank))
    i = j
  }
  const negatives = labels.length - positives
  if (positives === 0 || negatives === 0) return Number.NaN
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}
