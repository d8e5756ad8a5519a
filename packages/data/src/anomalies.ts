// @sluice/data/anomalies: tensorflow_metadata's Anomalies message (proto3 JSON), validation of
// statistics against a schema with TFDV's anomaly types and wording (drift and skew included), the
// files of an ExampleAnomalies artifact and the anomalies table the CLI prints.
export type * from './anomalies/types.js'
export { validateStatistics, hasAnomalies, AnomaliesError } from './anomalies/validate.js'
export type { ValidateStatisticsOptions, AnomaliesErrorCode } from './anomalies/validate.js'
export { formatAnomaliesTable } from './anomalies/format-table.js'
export type { FormatAnomaliesTableOptions } from './anomalies/format-table.js'
export { readAnomalies, writeAnomalies, ANOMALIES_FILE } from './anomalies/io.js'
export {
  lInfinityDistance,
  normalizedAbsoluteDifference,
  categoricalJensenShannonDivergence,
  histogramJensenShannonDivergence,
} from './anomalies/metrics.js'
