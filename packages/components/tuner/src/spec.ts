import { Examples, HyperParameters, Model, Schema, TransformGraph, TunerResults, fileParameter, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const tunerInputs = {
  examples: Examples,
  schema: optional(Schema),
  transformGraph: optional(TransformGraph),
  baseModel: optional(Model),
}
export const tunerOutputs = { bestHyperparameters: HyperParameters, tunerResults: TunerResults }

const splitArgs = (defaultSplit: string) =>
  z
    .object({
      /** Splits whose files become `fnArgs.trainFiles` / `fnArgs.evalFiles`. */
      splits: z.array(z.string().min(1)).min(1).default([defaultSplit]),
      /** `fnArgs.trainSteps` / `fnArgs.evalSteps`; unset (or 0, as TFX): the module decides. */
      numSteps: z.number().int().min(0).optional(),
    })
    .prefault({})

export const tunerParameters = z.object({
  /** A JS/TS module exporting `tunerFn(fnArgs)` (TFX `module_file`); its contents are part of the cache key. */
  moduleFile: fileParameter(),
  /** TFX `train_args`. */
  trainArgs: splitArgs('train'),
  /** TFX `eval_args`. */
  evalArgs: splitArgs('eval'),
  /** TFX `tune_args`: trials run at once, each in its own worker thread when more than 1. */
  tuneArgs: z.object({ numParallelTrials: z.number().int().min(1).default(1) }).prefault({}),
  /** Passed to tunerFn as `fnArgs.customConfig` (TFX `custom_config`). */
  customConfig: z.record(z.string(), z.json()).default({}),
  /** The tfjs backend of `fnArgs.tf`: `auto` picks tfjs-node, else wasm, else cpu. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Seeds random search and Hyperband's random draws: the same seed draws the same values. */
  seed: z.number().int().default(0),
})

/** What the Tuner's executor receives. */
export type TunerArgs = ExecutorArgs<typeof tunerInputs, typeof tunerOutputs, typeof tunerParameters>
