// A tiny served model for the server's tests: raw rows (x1, x2 floats, a colour string), the real
// Transform fitted on them (z-scores, a vocabulary), and two-input tfjs models saved as serving
// bundles with the fitted transform, written as versions of a base path.
import { cp, mkdir, rename } from 'node:fs/promises'
import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import { readTransformOutput } from '@sluice/component-transform'
import type { TransformOutput } from '@sluice/component-transform'
import { saveServingBundle, selectBackend } from '@sluice/component-trainer/bundle'
import type { TfModule } from '@sluice/component-trainer/bundle'
import type { TempDirectory } from '@sluice/testing'
import { createTrainerFixture } from '../../components/trainer/test/fixtures.js'

/** Everything the tests need to write versions. */
export interface ServingFixture {
  readonly tmp: TempDirectory
  readonly tf: TfModule
  readonly transformOutput: TransformOutput
  /** A bundle saved once; copying it is how most versions are made. */
  readonly bundleDir: string
  /** Writes a fresh bundle with a model whose output is sigmoid(bias) for every row, so versions are told apart by their predictions. */
  writeConstantBundle(dir: string, bias: number): Promise<void>
  /** Copies the base bundle to `{basePath}/{version}/` the way a Pusher does: a temp directory renamed into place. */
  pushVersion(basePath: string, version: number, from?: string): Promise<string>
  /** A fresh directory under the fixture's temp dir. */
  dir(name: string): Promise<string>
}


/** The served model's bundle inputs: dense z-scores and the colour's vocabulary index. */
export const INPUTS = { dense: ['x1_xf', 'x2_xf'], color: ['color_xf'] }

/** A valid raw row. */
export const ROW = { x1: 0.5, x2: 0.25, color: 'red' }

function wideModel(tf: TfModule, seed: number): Tfjs.LayersModel {
  const dense = tf.input({ shape: [2], name: 'dense' })
  const color = tf.input({ shape: [1], name: 'color', dtype: 'int32' })
  const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 4, outputDim: 3, embeddingsInitializer: tf.initializers.glorotUniform({ seed }) }).apply(color)) as Tfjs.SymbolicTensor
  const joined = tf.layers.concatenate().apply([dense, embedded]) as Tfjs.SymbolicTensor
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(joined) as Tfjs.SymbolicTensor
  return tf.model({ inputs: [dense, color], outputs: out })
}

/** Builds raw examples, runs Transform, and saves a first bundle. Takes a few seconds. */
export async function createServingFixture(): Promise<ServingFixture> {
  // The Trainer's toy examples (label x1 > x2, a colour) with the real Transform fitted on them.
  const examples = await createTrainerFixture(90)
  const tmp = examples.tmp
  const transformOutput = await readTransformOutput(examples.transformGraphUri)
  const { tf } = await selectBackend('wasm')
  const save = async (model: Tfjs.LayersModel, dir: string) => {
    await saveServingBundle(model, dir, { inputs: INPUTS, labelKey: 'y_xf', rawLabelKeys: ['y'], transformOutput, backend: 'wasm', outputName: 'probability' })
    model.dispose()
  }
  const bundleDir = path.join(tmp.path, 'bundle')
  await save(wideModel(tf, 7), bundleDir)
  let pushes = 0
  return {
    tmp,
    tf,
    transformOutput,
    bundleDir,
    async writeConstantBundle(dir, bias) {
      const model = wideModel(tf, 11)
      const layer = model.layers[model.layers.length - 1]!
      const [kernel, b] = layer.getWeights()
      layer.setWeights([tf.zerosLike(kernel!), tf.fill(b!.shape, bias)])
      await save(model, dir)
    },
    async pushVersion(basePath, version, from = bundleDir) {
      await mkdir(basePath, { recursive: true })
      const staging = path.join(basePath, `.tmp-${version}-${++pushes}`)
      await cp(from, staging, { recursive: true })
      const target = path.join(basePath, String(version))
      await rename(staging, target)
      return target
    },
    async dir(name) {
      const d = path.join(tmp.path, name)
      await mkdir(d, { recursive: true })
      return d
    },
  }
}
