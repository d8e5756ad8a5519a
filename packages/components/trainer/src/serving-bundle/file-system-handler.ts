// A tf.io.IOHandler for a local directory. tfjs's own `file://` handler lives in tfjs-node, which is an
// optional peer; this one writes the same layout (model.json + weights.bin, the layout
// tf.loadLayersModel('file://…/model.json') reads) with only node:fs.
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { io } from '@tensorflow/tfjs'
import { TrainerError } from '../errors.js'

/** The model topology and weights manifest of a saved LayersModel. */
export const MODEL_JSON_FILE = 'model.json'
/** The weights of a saved LayersModel, one binary file. */
export const WEIGHTS_FILE = 'weights.bin'

function toBuffer(data: io.WeightData | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0)
  const parts = Array.isArray(data) ? data : [data]
  return Buffer.concat(parts.map((part) => Buffer.from(part)))
}

/**
 * A tfjs IOHandler reading and writing `model.json` and `weights.bin` in `dir`. Saving is atomic per
 * file set: both files are written to a temporary directory beside them and renamed into place,
 * `model.json` last, so a reader never sees a model.json whose weights are not there yet.
 *
 * @example
 * await model.save(fileSystemHandler('/models/taxi/Format-Serving'))
 * const loaded = await tf.loadLayersModel(fileSystemHandler('/models/taxi/Format-Serving'))
 */
export function fileSystemHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new TrainerError('SLUICE_TRAINER_BAD_BUNDLE', `Cannot save a model with a binary (GraphDef) topology to ${dir}.`, { fix: 'Save a tf.LayersModel.' })
      }
      const weights = toBuffer(artifacts.weightData)
      const modelJson: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.format !== undefined ? { format: artifacts.format } : {}),
        ...(artifacts.generatedBy !== undefined ? { generatedBy: artifacts.generatedBy } : {}),
        ...(artifacts.convertedBy !== undefined ? { convertedBy: artifacts.convertedBy } : {}),
        ...(artifacts.trainingConfig !== undefined ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.signature !== undefined ? { signature: artifacts.signature } : {}),
        ...(artifacts.userDefinedMetadata !== undefined ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        ...(artifacts.modelInitializer !== undefined ? { modelInitializer: artifacts.modelInitializer } : {}),
      }
      const text = JSON.stringify(modelJson)
      await mkdir(dir, { recursive: true })
      const staging = path.join(dir, `.saving-${randomUUID()}`)
      await mkdir(staging)
      try {
        await writeFile(path.join(staging, WEIGHTS_FILE), weights)
        await writeFile(path.join(staging, MODEL_JSON_FILE), text)
        await rename(path.join(staging, WEIGHTS_FILE), path.join(dir, WEIGHTS_FILE))
        await rename(path.join(staging, MODEL_JSON_FILE), path.join(dir, MODEL_JSON_FILE))
      } finally {
        await rm(staging, { recursive: true, force: true })
      }
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelJson.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(modelJson.weightsManifest)),
          weightDataBytes: weights.byteLength,
        },
      }
    },

    async load(): Promise<io.ModelArtifacts> {
      const file = path.join(dir, MODEL_JSON_FILE)
      let modelJson: io.ModelJSON
      try {
        modelJson = JSON.parse(await readFile(file, 'utf8')) as io.ModelJSON
      } catch (cause) {
        const missing = (cause as { code?: string }).code === 'ENOENT'
        throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', missing ? `${file} does not exist.` : `${file} is not valid JSON: ${(cause as Error).message}`, {
          fix: 'Point at a directory written by saveServingBundle or model.save(fileSystemHandler(dir)).',
          cause,
        })
      }
      const weightSpecs: io.WeightsManifestEntry[] = []
      const buffers: Buffer[] = []
      for (const group of modelJson.weightsManifest ?? []) {
        weightSpecs.push(...group.weights)
        for (const p of group.paths) {
          const weightsFile = path.join(dir, p)
          try {
            buffers.push(await readFile(weightsFile))
          } catch (cause) {
            throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `${file} names the weights file ${p}, which cannot be read (${(cause as Error).message}).`, { cause })
          }
        }
      }
      const weights = Buffer.concat(buffers)
      const artifacts: io.ModelArtifacts = {
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
      }
      if (modelJson.format !== undefined) artifacts.format = modelJson.format
      if (modelJson.generatedBy !== undefined) artifacts.generatedBy = modelJson.generatedBy
      if (modelJson.convertedBy !== undefined) artifacts.convertedBy = modelJson.convertedBy
      if (modelJson.trainingConfig !== undefined) artifacts.trainingConfig = modelJson.trainingConfig
      if (modelJson.signature !== undefined) artifacts.signature = modelJson.signature
      if (modelJson.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = modelJson.userDefinedMetadata
      if (modelJson.modelInitializer !== undefined) artifacts.modelInitializer = modelJson.modelInitializer
      return artifacts
    },
  }
}
