// @sluice/component-transform: TensorFlow Transform for Sluice. A preprocessing function builds an
// expression graph with `tft`; its analyzers are computed on DuckDB; the fitted transform is JSON and
// is applied to raw rows by `applyTransform`.
import { defineComponent } from '@sluice/core'
import { transformInputs, transformOutputs, transformParameters } from './spec.js'
export * from './tft/index.js'
export { analyzeGraph, analyzerIdentity, checkScalarInputs, fitOnSplits, toSql } from './analyze.js'
export type { AnalyzeOptions, AnalyzerCache, FitOptions } from './analyze.js'
export { ANALYZER_CACHE_FILE, analyzedDataset, openAnalyzerCache } from './analyzer-cache.js'
export type { LoadedAnalyzerCache } from './analyzer-cache.js'
export { TransformError } from './errors.js'
export type { TransformErrorCode } from './errors.js'
export {
  FITTED_TRANSFORM_FORMAT,
  FITTED_TRANSFORM_VERSION,
  applyTransform,
  compileTransform,
  bucketOf,
  collectAnalyzers,
  fitTransform,
  parseFittedTransform,
  replaceNumber,
  reviveNumber,
  serializeFittedTransform,
  stringKey,
  toBoolean,
  toNumber,
} from './fitted-transform.js'
export type { AnalyzerValues, CompiledTransform, FittedAnalyzer, FittedTransform, NumericColumn, RawRow, TransformedRow } from './fitted-transform.js'
export { categoricalRange, expressionType, mayBeMissing, outputTypes, transformedSchemaOf } from './output-types.js'
export {
  ASSETS_DIR,
  FITTED_TRANSFORM_PATH,
  RAW_METADATA_DIR,
  TRANSFORMED_METADATA_DIR,
  bucketCount,
  readTransformOutput,
} from './transform-output.js'
export type { TransformOutput } from './transform-output.js'
export type { InputTypes, OutputType } from './output-types.js'
export type { TransformArgs } from './spec.js'

/**
 * TFX's Transform: loads `preprocessingFn(inputs, tft, customConfig)` from `moduleFile`, computes its
 * analyzers on the analyze splits (default `train`) with DuckDB, writes the TransformGraph
 * (`transform_fn/fitted_transform.json`, `transformed_metadata/`, the raw schema in `metadata/`),
 * streams every transform split (default all) through the fitted transform into Parquet
 * `transformedExamples`, and computes pre- and post-transform statistics (unless `disableStatistics`).
 *
 * @example
 * const transform = Transform({ examples: exampleGen.outputs.examples, schema: schemaGen.outputs.schema, moduleFile: './preprocessing.ts' })
 */
export const Transform = defineComponent({
  name: 'Transform',
  description: 'Fits a preprocessing function (TFT analyzers on DuckDB) and materialises transformed examples.',
  version: '0.2.0',
  executionType: 'Transform',
  inputs: transformInputs,
  outputs: transformOutputs,
  // The statistics are StatisticsGen's business in the run report; `sluice show` prints these.
  reportOutputs: ['postTransformAnomalies'],
  parameters: transformParameters,
  executor: () => import('./executor.js'),
})
