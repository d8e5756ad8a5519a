import { ExampleStatistics, Examples, Schema, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const statisticsGenInputs = { examples: Examples, schema: optional(Schema) }
export const statisticsGenOutputs = { statistics: ExampleStatistics }

/** TFDV's StatsOptions that StatisticsGen exposes, with TFDV's defaults. */
export const statsOptionsSchema = z.object({
  /** Most frequent values kept in topValues (TFDV `num_top_values`). */
  numTopValues: z.number().int().nonnegative().default(20),
  /** Ranks kept in the rank histogram (TFDV `num_rank_histogram_buckets`). */
  numRankHistogramBuckets: z.number().int().nonnegative().default(1000),
  /** Buckets of the equal-width STANDARD histogram (TFDV `num_histogram_buckets`). */
  numHistogramBuckets: z.number().int().positive().default(10),
  /** Buckets of the equal-count QUANTILES histogram (TFDV `num_quantiles_histogram_buckets`). */
  numQuantilesHistogramBuckets: z.number().int().positive().default(10),
  /** Buckets of the number-of-values histogram (TFDV `num_values_histogram_buckets`). */
  numValuesHistogramBuckets: z.number().int().positive().default(10),
  /** Only these features get statistics (TFDV `feature_allowlist`); all when unset. */
  featureAllowlist: z.array(z.string()).optional(),
  /**
   * `exact` (DuckDB quantile_disc), `approximate` (approx_quantile, a t-digest), or `auto`: exact
   * up to 50 million numeric values per split, approximate beyond.
   */
  quantiles: z.enum(['auto', 'exact', 'approximate']).default('auto'),
})

export const statisticsGenParameters = z.object({
  /** Splits of the examples to leave out (TFX `exclude_splits`). */
  excludeSplits: z.array(z.string()).default([]),
  /**
   * A numeric feature with one value per example that weighs it (TFDV `weight_feature`): adds
   * weightedNumExamples and weighted common, numeric and string statistics.
   */
  weightFeature: z.string().min(1).optional(),
  /** Statistics options (TFX `stats_options_json`); unset fields take TFDV's defaults. */
  statsOptions: statsOptionsSchema.prefault({}),
})

/** What StatisticsGen's executor receives. */
export type StatisticsGenArgs = ExecutorArgs<typeof statisticsGenInputs, typeof statisticsGenOutputs, typeof statisticsGenParameters>
