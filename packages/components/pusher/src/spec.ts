import { InfraBlessing, Model, ModelBlessing, PushedModel, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const pusherInputs = {
  /** The model to push: its `Format-Serving/` directory is copied. */
  model: Model,
  /** The Evaluator's verdict: the model is pushed only when it is blessed. */
  modelBlessing: optional(ModelBlessing),
  /** The InfraValidator's verdict: the model is pushed only when it is blessed. */
  infraBlessing: optional(InfraBlessing),
}
export const pusherOutputs = { pushedModel: PushedModel }

/** A filesystem destination: versions are directories under `baseDirectory`. */
export const filesystemDestination = z.object({
  /**
   * The directory a model server watches; each push adds `{baseDirectory}/{version}/`. Created when
   * missing. A relative path is relative to the working directory of the process that runs the node.
   */
  baseDirectory: z.string().min(1),
  /** How versions are named. `AUTO` is `UNIX_TIMESTAMP` (seconds), as in TFX. */
  versioning: z.enum(['AUTO', 'UNIX_TIMESTAMP']).default('AUTO'),
})

export const pusherParameters = z.object({
  /** Where the model goes (TFX `push_destination`). */
  pushDestination: z.object({ filesystem: filesystemDestination }),
  /** Free-form JSON for custom executors (TFX `custom_config`); the standard executor ignores it. */
  customConfig: z.record(z.string(), z.json()).default({}),
})

/** What the Pusher's executor receives. */
export type PusherArgs = ExecutorArgs<typeof pusherInputs, typeof pusherOutputs, typeof pusherParameters>
