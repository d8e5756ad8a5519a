// The gating recipe of docs/components/example-validator.md, kept here so that it stays correct.
import fs from 'node:fs/promises'
import { ExampleAnomalies, Examples, ExecutorError, component } from '@sluice/core'

/** Passes the examples on only when ExampleValidator blessed every split; otherwise fails the run. */
export const RequireValidExamples = component(
  {
    name: 'RequireValidExamples',
    inputs: { examples: Examples, anomalies: ExampleAnomalies },
    outputs: { validated: Examples },
  },
  async ({ inputs, outputs }) => {
    const blessed = (inputs.anomalies.customProperties.blessed ?? {}) as Record<string, number>
    const failed = Object.keys(blessed).filter((split) => blessed[split] !== 1)
    if (failed.length > 0) {
      throw new ExecutorError(`The examples have anomalies in split ${failed.join(', ')}.`, {
        fix: `Run \`npx sluice artifacts\` or read ${inputs.anomalies.uri}/Split-*/SchemaDiff.json, then fix the data or the schema.`,
      })
    }
    await fs.cp(inputs.examples.uri, outputs.validated.uri, { recursive: true })
    outputs.validated.properties = { ...inputs.examples.properties }
    outputs.validated.customProperties = { ...inputs.examples.customProperties }
  },
)
