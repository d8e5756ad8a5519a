// @sluice/component-transform: TensorFlow Transform for Sluice. A preprocessing function builds an
// expression graph with `tft`; its analyzers are computed on DuckDB; the fitted transform is JSON and
// is applied to raw rows by `applyTransform`.
import { defineComponent } from '@sluice/core'
import { transformInputs, transformOutputs, transformParameters } from './spec.js'
export * from './tft/index.js'
export { analyzeGraph, fitOnSplits, toSql } from './analyze.js'
export type { AnalyzeOptions } from './analyze.js'
export {
  FITTED_TRANSFORM_FORMAT,
  FITTED_TRANSFORM_VERSION,
  TransformError,
  applyTransform,
  bucketOf,
  collectAnalyzers,
  fitTransform,
  parseFittedTransform,
  serializeFittedTransform,
  stringKey,
  toBoolean,
  toNumber,
} from './fitted-transform.js'
export type { AnalyzerValues, FittedAnalyzer, FittedTransform, RawRow, TransformedRow } from './fitted-transform.js'
export { outputTypes } from './output-types.js'
export { FITTED_TRANSFORM_PATH, RAW_METADATA_DIR, bucketCount, readTransformOutput } from './transform-output.js'
export type { TransformOutput } from './transform-output.js'
export type { OutputType } from './output-types.js'
export type { TransformArgs } from './spec.js'

/**
 * TFX's Transform: loads `preprocessingFn(inputs, tft)` from `moduleFile`, computes its analyzers on
 * the analyze splits (default `train`) with DuckDB, writes the fitted transform to
 * `{transformGraph}/transform_fn/fitted_transform.json` (the raw schema to `metadata/`), and writes
 * every transform split (default all) transformed as Parquet to `transformedExamples`.
 *
 * @example
 * const transform = Transform({ examples: exampleGen.outputs.examples, schema: schemaGen.outputs.schema, moduleFile: './preprocessing.ts' })
 */
export const Transform = defineComponent({
  name: 'Transform',
  description: 'Fits a preprocessing function (TFT analyzers on DuckDB) and materialises transformed examples.',
  version: '0.1.0',
  executionType: 'Transform',
  inputs: transformInputs,
  outputs: transformOutputs,
  parameters: transformParameters,
  executor: () => import('./executor.js'),
})
