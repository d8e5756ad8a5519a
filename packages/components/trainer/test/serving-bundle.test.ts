import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTransformOutput } from '@sluice/component-transform'
import type { TransformOutput } from '@sluice/component-transform'
import { fileSystemHandler, loadServingBundle, saveServingBundle, selectBackend } from '@sluice/component-trainer/bundle'
import type { ServingSignature, TfModule } from '@sluice/component-trainer/bundle'
import { createTrainerFixture, readSplitRows } from './fixtures.js'
import type { TrainerFixture } from './fixtures.js'

let fixture: TrainerFixture
let tf: TfModule
let transformOutput: TransformOutput

/** A two-input model: dense features, and the colour through an embedding. */
function wideModel(): Tfjs.LayersModel {
  const dense = tf.input({ shape: [2], name: 'dense' })
  const color = tf.input({ shape: [1], name: 'color', dtype: 'int32' })
  const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 4, outputDim: 3 }).apply(color)) as Tfjs.SymbolicTensor
  const joined = tf.layers.concatenate().apply([dense, embedded]) as Tfjs.SymbolicTensor
  return tf.model({ inputs: [dense, color], outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(joined) as Tfjs.SymbolicTensor })
}

const INPUTS = { dense: ['x1_xf', 'x2_xf'], color: ['color_xf'] }

beforeAll(async () => {
  fixture = await createTrainerFixture(150)
  tf = (await selectBackend('wasm')).tf
  transformOutput = await readTransformOutput(fixture.transformGraphUri)
})

afterAll(async () => {
  await fixture?.tmp.remove()
})

describe('fileSystemHandler', () => {
  it('saves model.json + weights.bin and loads them back', async () => {
    const dir = path.join(fixture.tmp.path, 'handler')
    const model = wideModel()
    await model.save(fileSystemHandler(dir))
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin'])
    const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'))
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin'])
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir))
    const a = model.getWeights().map((w) => Array.from(w.dataSync()))
    const b = loaded.getWeights().map((w) => Array.from(w.dataSync()))
    expect(b).toEqual(a)
    model.dispose()
    loaded.dispose()
    await expect(tf.loadLayersModel(fileSystemHandler(path.join(fixture.tmp.path, 'nothing-here')))).rejects.toThrow(/model\.json does not exist/)
  })
})

describe('saveServingBundle / loadServingBundle', () => {
  let dir: string
  let model: Tfjs.LayersModel

  beforeAll(async () => {
    dir = path.join(fixture.tmp.path, 'model', 'Format-Serving')
    model = wideModel()
    await saveServingBundle(model, dir, { inputs: INPUTS, labelKey: 'y_xf', rawLabelKeys: ['y'], transformOutput, backend: 'wasm' })
  })

  it('writes the model, the fitted transform and a signature of raw inputs, model inputs and outputs', async () => {
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'model.onnx', 'signature.json', 'transform', 'weights.bin'])
    expect((await readdir(path.dirname(dir))).sort()).toEqual(['Format-Serving']) // no staging left behind
    const signature = JSON.parse(await readFile(path.join(dir, 'signature.json'), 'utf8')) as ServingSignature
    expect(signature).toEqual({
      format: 'sluice.serving_signature',
      version: 1,
      inputs: [
        { name: 'x1', type: 'FLOAT' },
        { name: 'x2', type: 'FLOAT' },
        { name: 'color', type: 'STRING' },
      ],
      modelInputs: [
        { name: 'dense', features: ['x1_xf', 'x2_xf'], dtype: 'float32' },
        { name: 'color', features: ['color_xf'], dtype: 'int32' },
      ],
      outputs: [{ name: 'output_0', shape: [null, 1], kind: 'probability' }],
      labelKey: 'y_xf',
      backend: 'wasm',
      runtimes: ['onnx', 'tfjs'],
      // No rows were given to compare on: the colour ids are generated below the embedding's inputDim.
      onnx: {
        file: 'model.onnx',
        opset: 13,
        nodes: expect.any(Number),
        // One input per dtype: nothing to pack.
        inputs: [
          { name: 'dense', dtype: 'float32', modelInputs: ['dense'] },
          { name: 'color', dtype: 'int32', modelInputs: ['color'] },
        ],
        inputBounds: { color: expect.any(Number) },
        parity: { rows: 256, source: 'generated', maxAbsDiff: expect.any(Number), tolerance: 1e-5 },
      },
    })
  })

  it.each(['onnx', 'tfjs'] as const)('predicts raw rows as the model predicts the transformed rows, and disposes its tensors (%s)', async (runtime) => {
    const bundle = await loadServingBundle(dir, { tf, runtime })
    expect(bundle.runtime).toBe(runtime)
    expect(bundle.transform?.inputs.slice().sort()).toEqual(['color', 'x1', 'x2', 'y'])
    const raw = await readSplitRows(fixture.rawExamplesUri, 'train')
    const transformed = await readSplitRows(fixture.transformedExamplesUri, 'train')
    const before = tf.memory().numTensors
    const { output_0: served } = await bundle.predict(raw.map(({ x1, x2, color }) => ({ x1, x2, color })), { batchSize: 7 })
    expect(tf.memory().numTensors).toBe(before)
    const dense = tf.tensor2d(transformed.flatMap((r) => [Number(r.x1_xf), Number(r.x2_xf)]), [transformed.length, 2])
    const color = tf.tensor2d(transformed.map((r) => Number(r.color_xf)), [transformed.length, 1], 'int32')
    const direct = model.predict([dense, color]) as Tfjs.Tensor
    const expected = await direct.data()
    tf.dispose([dense, color, direct])
    expect(served).toHaveLength(raw.length)
    for (let i = 0; i < raw.length; i++) expect(served![i]).toBeCloseTo(expected[i]!, 5)
    // Extra fields are ignored; an unseen colour goes to the OOV bucket.
    const { output_0: one } = await bundle.predict([{ x1: 0.2, x2: 0.7, color: 'purple', unused: 'x' }])
    expect(one).toHaveLength(1)
    expect(await bundle.predict([])).toEqual({ output_0: new Float32Array(0) })
    bundle.dispose()
  })

  it.each(['onnx', 'tfjs'] as const)('predicts rows given as columns as it predicts row objects, and names the row of a bad value (%s)', async (runtime) => {
    const bundle = await loadServingBundle(dir, { tf, runtime })
    const raw = (await readSplitRows(fixture.rawExamplesUri, 'train')).map(({ x1, x2, color }) => ({ x1, x2, color }))
    const columns = { x1: raw.map((r) => r.x1), x2: raw.map((r) => r.x2), color: raw.map((r) => r.color), unused: raw.map(() => 'x') }
    const byRows = (await bundle.predict(raw, { batchSize: 7 })).output_0!
    const byColumns = (await bundle.predictColumns(columns, raw.length, { batchSize: 7 })).output_0!
    expect(Array.from(byColumns)).toEqual(Array.from(byRows))
    // The first rows only, when the columns are longer.
    expect(Array.from((await bundle.predictColumns(columns, 3)).output_0!)).toEqual(Array.from(byRows.slice(0, 3)))
    await expect(bundle.predictColumns({ ...columns, x2: [...columns.x2.slice(0, 8), 'oops', ...columns.x2.slice(9)] }, raw.length, { batchSize: 4 })).rejects.toThrow(/^Row 8: feature "x2" must be FLOAT, got the string "oops"/)
    await expect(bundle.predictColumns({ x1: columns.x1, color: columns.color }, raw.length)).rejects.toThrow(/There is no column for feature "x2" \(FLOAT\)/)
    await expect(bundle.predictColumns({ ...columns, color: columns.color.slice(0, 2) }, raw.length)).rejects.toThrow(/The column of feature "color" has 2 values for \d+ rows/)
    bundle.dispose()
  })

  it.each(['onnx', 'tfjs'] as const)('rejects rows that do not match the signature, naming the row and feature (%s)', async (runtime) => {
    const bundle = await loadServingBundle(dir, { tf, runtime })
    const before = tf.memory().numTensors
    const good = { x1: 0.5, x2: 0.25, color: 'red' }
    await expect(bundle.predict([good, { x1: 0.5, color: 'red' }])).rejects.toThrow(/Row 1 has no feature "x2" \(FLOAT\)/)
    await expect(bundle.predict([{ ...good, color: 3 }])).rejects.toThrow(/Row 0: feature "color" must be STRING, got number 3/)
    await expect(bundle.predict([good, good, { ...good, x1: '0.5' }])).rejects.toThrow(/Row 2: feature "x1" must be FLOAT, got the string "0.5"/)
    await expect(bundle.predict([good, { ...good, x1: null }])).rejects.toThrow(/Row 1: transformed feature "x1_xf" is missing after the transform/)
    expect(tf.memory().numTensors).toBe(before)
    bundle.dispose()
  })

  it('replaces a previous bundle in place', async () => {
    const other = wideModel()
    await saveServingBundle(other, dir, { inputs: INPUTS, transformOutput, outputName: 'probability' })
    const bundle = await loadServingBundle(dir, { tf })
    expect(bundle.signature.outputs.map((o) => o.name)).toEqual(['probability'])
    expect(bundle.signature.labelKey).toBeUndefined()
    expect((await readdir(path.dirname(dir))).sort()).toEqual(['Format-Serving'])
    bundle.dispose()
    other.dispose()
  })

  it('refuses inputs that do not match the model, and raw features of unknown type', async () => {
    const target = path.join(fixture.tmp.path, 'refused', 'Format-Serving')
    await expect(saveServingBundle(model, target, { inputs: ['x1_xf', 'x2_xf'], transformOutput })).rejects.toThrow(/The model has 2 inputs \(dense, color\)/)
    await expect(saveServingBundle(model, target, { inputs: { dense: ['x1_xf'], color: ['color_xf'] }, transformOutput })).rejects.toThrow(/Model input "dense" takes 2 feature\(s\), but 1 are named/)
    await expect(saveServingBundle(model, target, { inputs: { wide: ['x1_xf', 'x2_xf'], color: ['color_xf'] }, transformOutput })).rejects.toThrow(/model's inputs are dense, color/)
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] })
    await expect(saveServingBundle(plain, target, { inputs: ['a', 'b'] })).rejects.toThrow(/The type of raw feature "a" is unknown: there is no schema.*rawFeatureTypes/)
    await saveServingBundle(plain, target, { inputs: ['a', 'b'], rawFeatureTypes: { a: 'FLOAT', b: 'INT' }, kind: 'regression' })
    const bundle = await loadServingBundle(target, { tf })
    expect(bundle.signature.inputs).toEqual([
      { name: 'a', type: 'FLOAT' },
      { name: 'b', type: 'INT' },
    ])
    expect(bundle.signature.outputs[0]!.kind).toBe('regression')
    await expect(bundle.predict([{ a: 1.5, b: 2.5 }])).rejects.toThrow(/feature "b" must be INT, got number 2.5/)
    const { output_0 } = await bundle.predict([{ a: 1.5, b: 2n }])
    const x = tf.tensor2d([[1.5, 2]])
    const y = plain.predict(x) as Tfjs.Tensor
    expect(output_0![0]).toBeCloseTo((await y.data())[0]!, 5)
    tf.dispose([x, y])
    bundle.dispose()
    plain.dispose()
    await expect(loadServingBundle(fixture.tmp.path, { tf })).rejects.toThrow(/signature\.json cannot be read/)
  })
})
