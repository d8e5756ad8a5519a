// @sluice/component-example-validator: validates statistics against a schema and reports
// anomalies (TFDV's types and wording), drift against a previous span and skew against serving data.
import { defineComponent } from '@sluice/core'
import { exampleValidatorInputs, exampleValidatorOutputs, exampleValidatorParameters } from './spec.js'

export type { ExampleValidatorArgs } from './spec.js'

/**
 * Validates each split's statistics against a schema and writes `Split-{name}/SchemaDiff.json`
 * (tensorflow_metadata Anomalies). The output's `blessed` custom property is `{ split: 1 | 0 }`:
 * 1 when the split has no anomaly. With `previousStatistics` it checks drift, with
 * `servingStatistics` skew, for the features whose schema entry has a comparator.
 *
 * @example
 * const validator = ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema })
 */
export const ExampleValidator = defineComponent({
  name: 'ExampleValidator',
  description: 'Validates statistics against a schema and reports anomalies, drift and skew.',
  version: '0.1.0',
  executionType: 'Process',
  inputs: exampleValidatorInputs,
  outputs: exampleValidatorOutputs,
  parameters: exampleValidatorParameters,
  executor: () => import('./executor.js'),
})
