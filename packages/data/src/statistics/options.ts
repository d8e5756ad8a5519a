// StatsOptions: the knobs of statistics generation, with TFDV's defaults
// (tensorflow_data_validation/statistics/stats_options.py).

/** How numeric quantiles (median, quantiles histogram, number-of-values histogram) are computed. */
export type QuantilesMode = 'auto' | 'exact' | 'approximate'

/** Options of statistics generation. Every field is optional; defaults are TFDV's. */
export interface StatsOptions {
  /** Most frequent values kept in `topValues` (TFDV `num_top_values`). Default 20. */
  numTopValues?: number
  /** Buckets of the rank histogram, i.e. ranks kept (TFDV `num_rank_histogram_buckets`). Default 1000. */
  numRankHistogramBuckets?: number
  /** Buckets of the equal-width STANDARD histogram (TFDV `num_histogram_buckets`). Default 10. */
  numHistogramBuckets?: number
  /** Buckets of the equal-count QUANTILES histogram (TFDV `num_quantiles_histogram_buckets`). Default 10. */
  numQuantilesHistogramBuckets?: number
  /** Buckets of the number-of-values histogram (TFDV `num_values_histogram_buckets`). Default 10. */
  numValuesHistogramBuckets?: number
  /**
   * A numeric, single-valued feature whose value weighs each example (TFDV `weight_feature`): adds
   * `weightedNumExamples` and the weighted common, numeric and string statistics. No example may
   * lack it.
   */
  weightFeature?: string
  /**
   * Numeric features to describe with string statistics (as TFDV does for features the schema marks
   * `is_categorical`); usually filled from the schema by {@link categoricalFeaturesFromSchema}.
   */
  categoricalFeatures?: readonly string[]
  /** Only these features get statistics (TFDV `feature_allowlist`). Default: all. */
  featureAllowlist?: readonly string[]
  /**
   * `exact`: DuckDB `quantile_disc` (keeps every value of a numeric feature in memory while it runs);
   * `approximate`: DuckDB `approx_quantile` (a t-digest sketch, bounded memory, like TFDV's own sketch);
   * `auto` (default): exact while a split holds at most {@link StatsOptions.exactQuantilesMaxValues}
   * numeric values in all, approximate beyond.
   */
  quantiles?: QuantilesMode
  /** The `auto` threshold: numeric values per split (rows × numeric features). Default 50,000,000 (about 400 MB). */
  exactQuantilesMaxValues?: number
}

/** {@link StatsOptions} with every default filled. */
export interface ResolvedStatsOptions {
  numTopValues: number
  numRankHistogramBuckets: number
  numHistogramBuckets: number
  numQuantilesHistogramBuckets: number
  numValuesHistogramBuckets: number
  weightFeature: string | undefined
  categoricalFeatures: readonly string[]
  featureAllowlist: readonly string[] | undefined
  quantiles: QuantilesMode
  exactQuantilesMaxValues: number
}

/** TFDV's defaults. */
export const DEFAULT_STATS_OPTIONS: Readonly<ResolvedStatsOptions> = Object.freeze({
  numTopValues: 20,
  numRankHistogramBuckets: 1000,
  numHistogramBuckets: 10,
  numQuantilesHistogramBuckets: 10,
  numValuesHistogramBuckets: 10,
  weightFeature: undefined,
  categoricalFeatures: [],
  featureAllowlist: undefined,
  quantiles: 'auto',
  exactQuantilesMaxValues: 50_000_000,
})

/** Fills the defaults of {@link StatsOptions}. */
export function resolveStatsOptions(options: StatsOptions = {}): ResolvedStatsOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as StatsOptions
  const resolved = { ...DEFAULT_STATS_OPTIONS, ...defined } as ResolvedStatsOptions
  for (const key of ['numTopValues', 'numRankHistogramBuckets', 'numHistogramBuckets', 'numQuantilesHistogramBuckets', 'numValuesHistogramBuckets'] as const) {
    const value = resolved[key]
    if (!Number.isInteger(value) || value < (key === 'numTopValues' || key === 'numRankHistogramBuckets' ? 0 : 1)) {
      throw new RangeError(`StatsOptions.${key} must be a ${key.startsWith('numTop') || key.startsWith('numRank') ? 'non-negative' : 'positive'} integer, got ${String(value)}.`)
    }
  }
  return resolved
}
