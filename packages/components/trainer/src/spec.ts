import { Examples, HyperParameters, Model, ModelRun, Schema, TransformGraph, fileParameter, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const trainerInputs = {
  examples: Examples,
  transformGraph: optional(TransformGraph),
  schema: optional(Schema),
  baseModel: optional(Model),
  hyperparameters: optional(HyperParameters),
}
export const trainerOutputs = { model: Model, modelRun: ModelRun }

const splits = (defaultSplit: string) => z.array(z.string().min(1)).min(1).default([defaultSplit])
const steps = z.number().int().positive().optional()

export const trainerParameters = z.object({
  /** A JS/TS module exporting `runFn(fnArgs)` (TFX `module_file`); its contents are part of the cache key. */
  moduleFile: fileParameter(),
  /** TFX `train_args`: the splits trained on (default `['train']`) and the number of steps, passed to runFn as `trainSteps`. */
  trainArgs: z.object({ splits: splits('train'), numSteps: steps }).prefault({}),
  /** TFX `eval_args`: the splits evaluated on (default `['eval']`) and `evalSteps`. */
  evalArgs: z.object({ splits: splits('eval'), numSteps: steps }).prefault({}),
  /** Free-form JSON passed to runFn as `customConfig` (TFX `custom_config`). */
  customConfig: z.record(z.string(), z.json()).default({}),
  /** The tfjs backend: `auto` picks tfjs-node when installed, else wasm, else cpu. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
})

/** What the Trainer's executor receives. */
export type TrainerArgs = ExecutorArgs<typeof trainerInputs, typeof trainerOutputs, typeof trainerParameters>
