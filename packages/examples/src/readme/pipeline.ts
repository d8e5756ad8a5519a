// The pipeline shown in the README, kept here so a test proves it runs as written.
import fs from 'node:fs/promises'
import path from 'node:path'
import { Examples, IntegerArtifact, Pipeline, component, z } from '@sluice/core'

const Generate = component(
  { name: 'Generate', outputs: { examples: Examples }, parameters: z.object({ rows: z.number().default(100) }) },
  async ({ outputs, parameters }) => {
    const lines = Array.from({ length: parameters.rows }, (_, i) => `${i},${i % 7}`)
    await fs.writeFile(path.join(outputs.examples.uri, 'data.csv'), ['id,bucket', ...lines].join('\n'))
    outputs.examples.properties.splitNames = ['train']
  },
)

const Count = component(
  { name: 'Count', inputs: { examples: Examples }, outputs: { rows: IntegerArtifact } },
  async ({ inputs }) => {
    const text = await fs.readFile(path.join(inputs.examples.uri, 'data.csv'), 'utf8')
    return { rows: text.split('\n').length - 1 }
  },
)

const generate = Generate({ rows: 1000 })
const count = Count({ examples: generate.outputs.examples })
export default new Pipeline({ name: 'demo', components: [generate, count] })
