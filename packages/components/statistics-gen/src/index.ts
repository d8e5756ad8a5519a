// @sluice/component-statistics-gen: StatisticsGen computes TFDV's per-feature statistics of every
// split of an Examples artifact, on DuckDB. The executor (and DuckDB) load only when the node runs.
import { defineComponent } from '@sluice/core'
import { statisticsGenInputs, statisticsGenOutputs, statisticsGenParameters } from './spec.js'

export type { StatisticsGenArgs } from './spec.js'
export { statsOptionsSchema } from './spec.js'

/**
 * Computes statistics of every split of `examples` (TFDV's common, numeric and string statistics,
 * with STANDARD and QUANTILES histograms, top values and rank histograms) and writes one
 * `Split-{name}/FeatureStats.json` (a DatasetFeatureStatisticsList in proto3 JSON) per split. An
 * optional `schema` marks INT/FLOAT features categorical (`is_categorical`), which get string
 * statistics instead.
 *
 * @example
 * const statisticsGen = StatisticsGen({ examples: exampleGen.outputs.examples })
 * const schemaGen = SchemaGen({ statistics: statisticsGen.outputs.statistics })
 */
export const StatisticsGen = defineComponent({
  name: 'StatisticsGen',
  description: "Computes per-split feature statistics (TFDV's DatasetFeatureStatisticsList) of Examples.",
  version: '0.1.0',
  executionType: 'Process',
  inputs: statisticsGenInputs,
  outputs: statisticsGenOutputs,
  parameters: statisticsGenParameters,
  executor: () => import('./executor.js'),
})
