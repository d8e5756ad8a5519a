import fs from 'node:fs/promises'
import path from 'node:path'
import type { Artifact, Model } from '@sluice/core'
import { blessingVeto } from './blessing.js'
import { NOT_PUSHED_FILE, SERVING_DIR } from './constants.js'
import { PusherError } from './errors.js'
import { copyTree, pushToFilesystem } from './filesystem.js'
import type { PusherArgs } from './spec.js'


/**
 * The Pusher's executor: checks the blessings, copies the model's serving directory into the
 * PushedModel artifact and to a new version directory of the destination, and records `pushed`,
 * `pushed_destination` and `pushed_version`. Exported so that it can be extended
 * (`Pusher.withExecutor(…)`).
 */
export default async function pusherExecutor({ inputs, outputs, parameters, context }: PusherArgs): Promise<void> {
  const pushed = outputs.pushedModel
  await fs.mkdir(pushed.uri, { recursive: true })
  const vetoes = [blessingVeto('modelBlessing', inputs.modelBlessing, 'NOT_BLESSED'), blessingVeto('infraBlessing', inputs.infraBlessing, 'INFRA_NOT_BLESSED')].filter(
    (v): v is string => v !== undefined,
  )
  if (vetoes.length > 0) {
    // Not pushing is a successful outcome, not a failure: the runner needs the output to hold
    // something, so a marker records the decision and its reason next to the properties.
    const reason = `Not pushed: ${vetoes.join(' ')}`
    await fs.writeFile(path.join(pushed.uri, NOT_PUSHED_FILE), `${reason}\n`)
    Object.assign(pushed.customProperties, { pushed: 0, pushed_destination: '', pushed_version: '' })
    context.logger.info(`${reason} The destination was left as it was.`)
    return
  }
  if (!inputs.modelBlessing && !inputs.infraBlessing) {
    context.logger.warn('Pusher: no modelBlessing or infraBlessing was given, so the model is pushed without validation.')
  }
  const source = await servingDirectory(inputs.model)
  // The artifact's copy first: it can fail harmlessly, while the destination push is what a server sees.
  await copyTree(source, pushed.uri, { signal: context.signal })
  const destination = parameters.pushDestination.filesystem
  const started = performance.now()
  const result = await pushToFilesystem(source, destination.baseDirectory, { signal: context.signal })
  Object.assign(pushed.customProperties, { pushed: 1, pushed_destination: result.destination, pushed_version: result.version })
  context.logger.info(`Pushed ${result.files} files (${result.bytes} bytes) to ${result.destination} in ${Math.round(performance.now() - started)} ms.`)
}

/** The directory to push: the Model's `Format-Serving/`, or for a model imported without one, the artifact directory itself (TFX's fallback). */
async function servingDirectory(model: Artifact<typeof Model>): Promise<string> {
  const serving = path.join(model.uri, SERVING_DIR)
  const inServing = await fs.readdir(serving).catch(() => undefined)
  if (inServing !== undefined) {
    if (inServing.length > 0) return serving
  } else if ((await fs.readdir(model.uri).catch(() => [])).length > 0) {
    return model.uri
  }
  throw new PusherError('SLUICE_PUSHER_MODEL_MISSING', `Pusher: input "model" (${model.uri}) has no model in ${SERVING_DIR}/ to push.`, {
    fix: "Wire the Trainer's outputs.model, or import a directory holding Format-Serving/ (the serving bundle).",
  })
}
