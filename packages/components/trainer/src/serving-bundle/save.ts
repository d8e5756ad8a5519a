import { randomUUID } from 'node:crypto'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { LayersModel } from '@tensorflow/tfjs'
import { serializeFittedTransform } from '@sluice/component-transform'
import { fileSystemHandler } from './file-system-handler.js'
import type { ServingSignature, ServingSignatureOptions } from './signature.js'
import { buildServingSignature } from './signature.js'

/** The serving signature inside a bundle. */
export const SIGNATURE_FILE = 'signature.json'
/** The copy of the fitted transform inside a bundle. */
export const BUNDLE_TRANSFORM_FILE = path.join('transform', 'fitted_transform.json')

/** Options of {@link saveServingBundle}: the serving signature's, see {@link ServingSignatureOptions}. */
export type SaveServingBundleOptions = ServingSignatureOptions

/**
 * Writes a serving bundle to `dir` (a Model artifact's `Format-Serving/`): the LayersModel
 * (`model.json`, `weights.bin`), the fitted transform (`transform/fitted_transform.json`) and
 * `signature.json`. The bundle is assembled beside `dir` and renamed into place, so `dir` is either
 * the previous bundle or the complete new one. Returns the signature.
 *
 * @example
 * await saveServingBundle(model, path.join(modelUri, 'Format-Serving'), { inputs: ['fare_xf', 'trip_miles_xf'], labelKey: 'tips_xf', transformOutput })
 */
export async function saveServingBundle(model: LayersModel, dir: string, options: SaveServingBundleOptions): Promise<ServingSignature> {
  const signature = buildServingSignature(model, options)
  const target = path.resolve(dir)
  await mkdir(path.dirname(target), { recursive: true })
  const staging = `${target}.staging-${randomUUID()}`
  try {
    await model.save(fileSystemHandler(staging), { includeOptimizer: false })
    if (options.transformOutput) {
      await mkdir(path.join(staging, path.dirname(BUNDLE_TRANSFORM_FILE)), { recursive: true })
      await writeFile(path.join(staging, BUNDLE_TRANSFORM_FILE), serializeFittedTransform(options.transformOutput.fitted))
    }
    await writeFile(path.join(staging, SIGNATURE_FILE), `${JSON.stringify(signature, null, 2)}\n`)
    const previous = (await stat(target).catch(() => undefined)) ? `${target}.previous-${randomUUID()}` : undefined
    if (previous) await rename(target, previous)
    await rename(staging, target)
    if (previous) await rm(previous, { recursive: true, force: true })
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return signature
}
