import { Examples, FloatArtifact, component, z } from '@sluice/core'
import { readSplit } from './read-split.js'

/** The share of positive labels (`tips > 0.2 * fare`) in one split: a Float value artifact. */
export const LabelRate = component(
  {
    name: 'LabelRate',
    executionType: 'Process',
    inputs: { examples: Examples },
    outputs: { rate: FloatArtifact },
    parameters: z.object({ split: z.string().default('train') }),
  },
  async ({ inputs, parameters }) => {
    const rows = await readSplit(inputs.examples.uri, parameters.split)
    const positives = rows.filter((r) => Number(r.tips ?? 0) > 0.2 * Number(r.fare ?? 0)).length
    return { rate: rows.length === 0 ? 0 : positives / rows.length }
  },
)
