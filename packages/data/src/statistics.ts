// @sluice/data/statistics: tensorflow_metadata's statistics messages (proto3 JSON), their
// computation on DuckDB, reading/writing FeatureStats.json, and a readable summary.
//
// Importing this module does not load DuckDB: computeSplitStatistics imports it when called.
export type * from './statistics/types.js'
export {
  STATISTICS_FILE_NAME,
  commonStatisticsOf,
  featurePathString,
  findFeatureStatistics,
  parseStatistics,
  readSplitStatistics,
  readStatistics,
  serializeStatistics,
  statisticsFilePath,
  writeStatistics,
} from './statistics/json.js'
export { computeSplitStatistics } from './statistics/compute.js'
export type { ComputeStatisticsOptions, SplitStatisticsInput } from './statistics/compute.js'
export { DEFAULT_STATS_OPTIONS, resolveStatsOptions } from './statistics/options.js'
export type { QuantilesMode, ResolvedStatsOptions, StatsOptions } from './statistics/options.js'
export { categoricalFeaturesFromSchema, readSchemaJsonForStatistics } from './statistics/schema-input.js'
export type { StatisticsSchemaView } from './statistics/schema-input.js'
export { formatStatisticsSummary } from './statistics/summary.js'
export type { StatisticsSummaryOptions } from './statistics/summary.js'
export { StatisticsFeatureError, StatisticsFormatError, StatisticsInputError } from './statistics/errors.js'
export { splitNamesOf, selectSplits, readStatisticsSplit } from './statistics/artifact-splits.js'
