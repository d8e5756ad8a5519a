import { Examples, InferenceResult, Model, ModelBlessing, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const bulkInferrerInputs = {
  /** Raw examples, with the features the model's serving signature takes (as a server receives them). */
  examples: Examples,
  /** The model: its `Format-Serving/` serving bundle (tfjs, or ONNX when the bundle has `model.onnx`). */
  model: Model,
  /** The Evaluator's verdict: when given, nothing is inferred unless it is blessed. */
  modelBlessing: optional(ModelBlessing),
}
export const bulkInferrerOutputs = { inferenceResult: InferenceResult }

export const bulkInferrerParameters = z.object({
  /** Which examples to run on (TFX `data_spec`). */
  dataSpec: z
    .object({
      /** The splits to infer; every split of the examples when unset (TFX: empty means all). */
      exampleSplits: z.array(z.string().min(1)).optional(),
    })
    .default({}),
  /** Which outputs of the model to write (TFX `model_spec`). */
  modelSpec: z
    .object({
      /** Output names of the serving signature; all of them when unset. */
      outputNames: z.array(z.string().min(1)).min(1).optional(),
    })
    .default({}),
  /**
   * Prepended to every prediction column's name. A column is named after its output (`probabilities`),
   * or `{output}_{i}` for an output with several values per row.
   */
  outputColumnPrefix: z.string().default(''),
  /**
   * What runs the model: `auto` uses onnxruntime-node when the bundle has `model.onnx` (the Trainer
   * exports one when the model's layers allow), else tfjs; `onnx` or `tfjs` insist on one.
   */
  runtime: z.enum(['auto', 'onnx', 'tfjs']).default('auto'),
  /** Rows per `predict` call: the unit of streaming, so memory does not grow with the split. */
  batchSize: z.number().int().min(1).max(1_000_000).default(4096),
})

/** What the BulkInferrer's executor receives. */
export type BulkInferrerArgs = ExecutorArgs<typeof bulkInferrerInputs, typeof bulkInferrerOutputs, typeof bulkInferrerParameters>
