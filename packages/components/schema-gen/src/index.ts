// @sluice/component-schema-gen: SchemaGen infers a data schema from statistics; ImportSchemaGen
// imports a curated one. Both write schema.pbtxt (TFX's text format) and schema.json.
import { defineComponent } from '@sluice/core'
import { importSchemaGenParameters, schemaGenInputs, schemaGenParameters, schemaOutputs } from './spec.js'

export type { SchemaGenArgs, ImportSchemaGenArgs } from './spec.js'

/**
 * Infers a Schema from ExampleStatistics with TFDV's rules: the first split not excluded infers
 * it, every further split widens it (string domains united, presence relaxed, value counts
 * widened). Writes `schema.pbtxt` and `schema.json`.
 *
 * @example
 * const schemaGen = SchemaGen({ statistics: statisticsGen.outputs.statistics })
 * ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema })
 */
export const SchemaGen = defineComponent({
  name: 'SchemaGen',
  description: 'Infers a data schema (tensorflow_metadata Schema) from statistics.',
  version: '0.1.0',
  executionType: 'Process',
  inputs: schemaGenInputs,
  outputs: schemaOutputs,
  parameters: schemaGenParameters,
  executor: () => import('./executor.js'),
})

/**
 * Imports a curated schema file (`schema.pbtxt`, or `schema.json`) as a Schema artifact, after
 * parsing it strictly: a mistake fails the node with the file, line and column. The text file is
 * kept as written (comments included) and `schema.json` is added.
 *
 * @example
 * const schema = ImportSchemaGen({ schemaFile: './schema/schema.pbtxt' })
 */
export const ImportSchemaGen = defineComponent({
  name: 'ImportSchemaGen',
  description: 'Imports a curated schema.pbtxt as a Schema artifact.',
  version: '0.1.0',
  executionType: 'Process',
  outputs: schemaOutputs,
  parameters: importSchemaGenParameters,
  executor: () => import('./import-executor.js'),
})
