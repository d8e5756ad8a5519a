// @sluice/component-bulk-inferrer: TFX's BulkInferrer. Runs a (blessed) model over example splits and
// writes the examples with their predictions as Parquet, in ExampleGen's layout, with a schema.
// Nothing heavy is imported here: DuckDB and the model runtime load when the node runs.
import { defineComponent } from '@sluice/core'
import { bulkInferrerInputs, bulkInferrerOutputs, bulkInferrerParameters } from './spec.js'

export type { BulkInferrerArgs } from './spec.js'
export { BulkInferrerError } from './errors.js'
export type { BulkInferrerErrorCode } from './errors.js'
export { NOT_BLESSED_FILE, PREDICTION_TAG } from './constants.js'
export type { PredictionColumn } from './constants.js'

/**
 * TFX's BulkInferrer: predicts every row of the chosen splits of `examples` with `model`'s serving
 * bundle (tfjs, or ONNX when the bundle has one) and writes `Split-{split}/data_parquet-*.parquet`
 * holding the input columns unchanged plus one FLOAT column per prediction value, in input order,
 * with `sluice.feature_types` metadata, and `schema.json`/`schema.pbtxt` describing every column
 * (prediction columns tagged `sluice.prediction`). When `modelBlessing` is given and not blessed,
 * nothing is inferred: the output holds a `NOT_BLESSED` file and custom property `inferred: 0`.
 *
 * @example
 * const inferrer = BulkInferrer({
 *   examples: unlabelledGen.outputs.examples,
 *   model: trainer.outputs.model,
 *   modelBlessing: evaluator.outputs.blessing,
 *   dataSpec: { exampleSplits: ['eval'] },
 * })
 */
export const BulkInferrer = defineComponent({
  name: 'BulkInferrer',
  description: 'Batch predictions of a blessed model over example splits, written as Parquet with the input features.',
  version: '0.1.0',
  executionType: 'Process',
  inputs: bulkInferrerInputs,
  outputs: bulkInferrerOutputs,
  parameters: bulkInferrerParameters,
  executor: () => import('./executor.js'),
})
