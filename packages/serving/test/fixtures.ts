// A tiny served model for the server's tests: raw rows (x1, x2 floats, a colour string), the real
// Transform fitted on them (z-scores, a vocabulary), and two-input tfjs models saved as serving
// bundles with the fitted transform, written as versions of a base path.
import { cp, mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import { Transform, readTransformOutput } from '@sluice/component-transform'
import type { TransformOutput } from '@sluice/component-transform'
import { saveServingBundle, selectBackend } from '@sluice/component-trainer/bundle'
import type { TfModule } from '@sluice/component-trainer/bundle'
import { openDuckDB, writeSplits } from '@sluice/data/examples'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'

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

const RAW_QUERY = (rows: number) => `SELECT
  ((i * 7919) % 1000) / 1000.0 AS x1,
  ((i * 104729 + 13) % 997) / 997.0 AS x2,
  CASE i % 3 WHEN 0 THEN 'red' WHEN 1 THEN 'green' ELSE 'blue' END AS color,
  (((i * 7919) % 1000) / 1000.0 > ((i * 104729 + 13) % 997) / 997.0)::BIGINT AS y,
  (i % 3 = 2)::INT AS s
FROM range(0, ${rows}) t(i)`

const PREPROCESSING = `export function preprocessingFn(inputs, tft) {
  return {
    x1_xf: tft.scaleToZScore(inputs.x1),
    x2_xf: tft.scaleToZScore(inputs.x2),
    color_xf: tft.computeAndApplyVocabulary(inputs.color, { numOovBuckets: 1 }),
    y_xf: tft.cast(inputs.y, 'int'),
  }
}
`

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
  const tmp = await createTempDirectory('sluice-serving-test-')
  const rawExamplesUri = path.join(tmp.path, 'raw')
  const schemaUri = path.join(tmp.path, 'schema')
  await mkdir(schemaUri, { recursive: true })
  await writeFile(
    path.join(schemaUri, 'schema.json'),
    JSON.stringify({
      feature: [
        { name: 'x1', type: 'FLOAT' },
        { name: 'x2', type: 'FLOAT' },
        { name: 'color', type: 'BYTES' },
        { name: 'y', type: 'INT' },
      ],
    }),
  )
  {
    await using db = await openDuckDB({ threads: 1 })
    await writeSplits(db.connection, {
      query: RAW_QUERY(90),
      examplesUri: rawExamplesUri,
      splits: ['train', 'eval'],
      splitColumn: 's',
      featureTypes: { x1: 'FLOAT', x2: 'FLOAT', color: 'STRING', y: 'INT' },
    })
  }
  const moduleFile = path.join(tmp.path, 'preprocessing.mjs')
  await writeFile(moduleFile, PREPROCESSING)
  const { outputs } = await runComponent(Transform, {
    inputs: { examples: { uri: rawExamplesUri, properties: { splitNames: ['train', 'eval'] } }, schema: { uri: schemaUri } },
    parameters: { moduleFile, disableStatistics: true },
    root: path.join(tmp.path, 'transform-root'),
  })
  const transformOutput = await readTransformOutput(outputs.transformGraph.uri)
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
