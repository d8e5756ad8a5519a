// @sluice/component-pusher: TFX's Pusher. Copies a blessed model to a serving directory as a new
// version, `{baseDirectory}/{unix seconds}/`, staged and renamed so that a server never loads a
// partial model. Nothing heavy is imported: the executor is loaded when the node runs.
import { defineComponent } from '@sluice/core'
import { pusherInputs, pusherOutputs, pusherParameters } from './spec.js'

export type { PusherArgs } from './spec.js'
export { PusherError } from './errors.js'
export { NOT_PUSHED_FILE } from './constants.js'
export type { PusherErrorCode } from './errors.js'
export { pushToFilesystem } from './filesystem.js'
export type { FilesystemPush, FilesystemPushOptions } from './filesystem.js'

/**
 * TFX's Pusher: pushes `model` when every blessing given is blessed (custom property `blessed` = 1),
 * to `{pushDestination.filesystem.baseDirectory}/{version}/` with unix-timestamp versions, and copies
 * it into the `pushedModel` artifact. The artifact's custom properties say what happened: `pushed`
 * (1/0), `pushed_destination` (the version directory, or `''`) and `pushed_version` (or `''`). A model
 * that is not pushed leaves a `NOT_PUSHED` file with the reason and the destination untouched. With no
 * blessing at all it pushes, with a warning.
 *
 * @example
 * const pusher = Pusher({
 *   model: trainer.outputs.model,
 *   modelBlessing: evaluator.outputs.blessing,
 *   infraBlessing: infraValidator.outputs.blessing,
 *   pushDestination: { filesystem: { baseDirectory: './serving/taxi' } },
 * })
 */
export const Pusher = defineComponent({
  name: 'Pusher',
  description: 'Pushes a blessed model to a serving directory as a new version.',
  version: '0.1.0',
  executionType: 'Deploy',
  inputs: pusherInputs,
  outputs: pusherOutputs,
  parameters: pusherParameters,
  executor: () => import('./executor.js'),
})
