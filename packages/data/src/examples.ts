// @sluice/data/examples: reading and writing the examples of an Examples artifact
// (`Split-{name}/data_parquet-NNNNN-of-MMMMM.parquet`), the DuckDB session every data-plane executor
// uses, feature types, and the TFRecord / tf.Example codec for TFX interop.
export { openDuckDB, defaultDuckDBThreads, sqlString, sqlIdentifier, sqlStringList } from './examples/duckdb.js'
export type { DuckDB, DuckDBOptions } from './examples/duckdb.js'
export { ExamplesError } from './examples/errors.js'
export type { ExamplesErrorCode } from './examples/errors.js'
export {
  FEATURE_TYPES_METADATA_KEY,
  FEATURE_TYPES_PROPERTY,
  isFeatureType,
  mergeFeatureTypes,
  featureTypeOfDuckDBType,
  parseFeatureTypes,
  featureTypesOf,
} from './examples/feature-types.js'
export type { FeatureType, FeatureTypes } from './examples/feature-types.js'
export { SPLIT_DIRECTORY_PREFIX, splitDirectory, parquetShardName, listSplitFiles, listSplitDirectories, examplesSplitNames } from './examples/layout.js'
export { openSplitView, readFeatureTypes, readParquetKeyValueMetadata, describeRelation, countParquetRows } from './examples/read.js'
export type { SplitView, SplitColumn } from './examples/read.js'
export { writeSplits, DEFAULT_ROWS_PER_FILE } from './examples/write.js'
export type { WriteSplitsOptions, WrittenSplit, ParquetCompression } from './examples/write.js'
export { crc32c, maskCrc, encodeTfRecord, writeTfRecordFile, isGzipTfRecordFile, readTfRecords } from './examples/tfrecord.js'
export type { TfRecord, ReadTfRecordsOptions } from './examples/tfrecord.js'
export { decodeExample, encodeExample } from './examples/tf-example.js'
export type { Example, ExampleFeature, ExampleFeatureInput } from './examples/tf-example.js'
