// @sluice/component-example-gen/executors: the executors, to extend or re-bind with
// `CsvExampleGen.withExecutor(...)`. Importing this entry loads no native code until an executor
// runs (DuckDB is opened lazily by @sluice/data).
export { FileBasedExampleGenExecutor, planOutput, bucketExpression, splitIndexExpression } from './executor.js'
export type { ExampleGenExecutorArgs, ReadSplitArgs, OutputPlan } from './executor.js'
export { CsvExampleGenExecutor, csvRelation, csvTypeLevel, TYPE_SAMPLE_ROWS } from './csv-executor.js'
export { ImportExampleGenExecutor } from './import-executor.js'
export { parquetSource, jsonLinesSource, tfRecordSource } from './import-sources.js'
export { detectFormat, splitFormat } from './formats.js'
export type { FileFormat } from './formats.js'
export { typedColumns, canonicalText, convertTyped, sqlTypeOf } from './source.js'
export type { SplitSource, SourceColumn } from './source.js'
export { readCsvHeader, checkCsvRecords, mayHaveTrailingEmptyCells } from './csv-scan.js'
export type { CsvHeader, CsvRecordCount } from './csv-scan.js'
