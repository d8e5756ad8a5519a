import { ExampleStatistics, Schema, fileParameter, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const schemaGenInputs = { statistics: ExampleStatistics }
export const schemaOutputs = { schema: Schema }
export const schemaGenParameters = z.object({
  /**
   * Give features that are always present with a constant number of values a fixed `shape`
   * (dense tensors downstream) instead of a `value_count`. TFX's `infer_feature_shape`.
   */
  inferFeatureShape: z.boolean().default(true),
  /** Splits of the statistics not to infer from. */
  excludeSplits: z.array(z.string()).default([]),
})
export const importSchemaGenParameters = z.object({
  /** A curated schema: `schema.pbtxt` (protobuf text format) or `schema.json` (proto3 JSON). */
  schemaFile: fileParameter(),
})

/** What SchemaGen's executor receives. */
export type SchemaGenArgs = ExecutorArgs<typeof schemaGenInputs, typeof schemaOutputs, typeof schemaGenParameters>
/** What ImportSchemaGen's executor receives. */
export type ImportSchemaGenArgs = ExecutorArgs<{}, typeof schemaOutputs, typeof importSchemaGenParameters>
