import { ExampleAnomalies, ExampleStatistics, Examples, Schema, TransformCache, TransformGraph, fileParameter, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const transformInputs = {
  examples: Examples,
  schema: Schema,
  /** TFX's `analyzer_cache`: a previous run's `updatedAnalyzerCache`; analyzers already computed over the same data are reused. */
  analyzerCache: optional(TransformCache),
}

/**
 * TFX's Transform outputs. Sluice outputs cannot be optional, so the five statistics outputs and the
 * updated cache always exist: with `disableStatistics` the two schemas are still written (they cost
 * nothing) and the statistics and anomalies artifacts hold only a `STATISTICS_DISABLED` marker file;
 * with `disableAnalyzerCache` the cache holds an `ANALYZER_CACHE_DISABLED` marker.
 */
export const transformOutputs = {
  transformGraph: TransformGraph,
  transformedExamples: Examples,
  /** The raw examples' schema (the `schema` input), as Transform read it. */
  preTransformSchema: Schema,
  /** Statistics of the raw analyze splits: `Split-{split}/FeatureStats.json`. */
  preTransformStats: ExampleStatistics,
  /** The schema of the transformed outputs (the TransformGraph's `transformed_metadata`). */
  postTransformSchema: Schema,
  /** Statistics of every transformed split: `Split-{split}/FeatureStats.json`. */
  postTransformStats: ExampleStatistics,
  /** The post-transform statistics validated against the post-transform schema: `Split-{split}/SchemaDiff.json`. */
  postTransformAnomalies: ExampleAnomalies,
  /** TFX's `updated_analyzer_cache`: the analyzer values of this run (and the input cache's for the same data). */
  updatedAnalyzerCache: TransformCache,
}

export const transformParameters = z.object({
  /**
   * A JS/TS module exporting `preprocessingFn(inputs, tft, customConfig)` (TFX `module_file`); its
   * contents are part of the cache key.
   */
  moduleFile: fileParameter(),
  /** TFX `splits_config`: splits analysed (default `['train']`) and materialised (default all). */
  splitsConfig: z
    .object({
      analyze: z.array(z.string().min(1)).min(1).default(['train']),
      transform: z.array(z.string().min(1)).optional(),
    })
    .prefault({}),
  /** TFX `custom_config`: a JSON object passed as the third argument of `preprocessingFn`. */
  customConfig: z.record(z.string(), z.json()).default({}),
  /**
   * TFX `disable_statistics`: skip the pre- and post-transform statistics and the validation of the
   * post-transform statistics. They are computed by default, as in TFX.
   */
  disableStatistics: z.boolean().default(false),
  /**
   * TFX `disable_analyzer_cache`: neither read `analyzerCache` nor write `updatedAnalyzerCache` (which
   * then holds only an `ANALYZER_CACHE_DISABLED` marker).
   */
  disableAnalyzerCache: z.boolean().default(false),
})

/** What Transform's executor receives. */
export type TransformArgs = ExecutorArgs<typeof transformInputs, typeof transformOutputs, typeof transformParameters>
