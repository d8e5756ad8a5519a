import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { exportOnnx, loadServingBundle, ONNX_SUPPORTED_ACTIVATIONS, saveServingBundle, selectBackend } from '@sluice/component-trainer/bundle'
import type { OnnxExported, ServingSignature, TfModule } from '@sluice/component-trainer/bundle'

let tf: TfModule
let tmp: TempDirectory

beforeAll(async () => {
  tf = (await selectBackend('wasm')).tf
  tmp = await createTempDirectory('sluice-onnx-test-')
})

afterAll(async () => {
  await tmp?.remove()
})

/** A deterministic generator in [0, 1). */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

type Feed = { name: string; data: Float32Array | Int32Array; width: number }

/** Random inputs for every model input: floats in [-2, 2), ints in [0, limit). */
function feedsFor(model: Tfjs.LayersModel, rows: number, limits: Record<string, number> = {}, seed = 1): Feed[] {
  const next = random(seed)
  return model.inputs.map((input) => {
    const name = input.sourceLayer.name
    const width = input.shape[1] as number
    const data =
      input.dtype === 'int32'
        ? Int32Array.from({ length: rows * width }, () => Math.floor(next() * (limits[name] ?? 3)))
        : Float32Array.from({ length: rows * width }, () => next() * 4 - 2)
    return { name, data, width }
  })
}

/** Exports `model`, runs both runtimes on the same feeds and returns the largest difference. */
async function parity(model: Tfjs.LayersModel, feeds: Feed[], rows: number): Promise<{ maxAbsDiff: number; exported: OnnxExported; onnx: Float32Array; tfjs: Float32Array }> {
  const exported = await exportOnnx(model, { outputNames: ['y'] })
  if ('unsupported' in exported) throw new Error(exported.unsupported)
  const session = await ort.InferenceSession.create(exported.onnx)
  const results = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, [rows, f.width])])))
  await session.release()
  const onnx = results.y!.data as Float32Array
  const tensors = feeds.map((f) => tf.tensor2d(f.data, [rows, f.width], f.data instanceof Int32Array ? 'int32' : 'float32'))
  const output = model.predict(tensors.length === 1 ? tensors[0]! : tensors, { batchSize: rows }) as Tfjs.Tensor
  const tfjs = (await output.data()) as Float32Array
  tf.dispose([...tensors, output])
  expect(results.y!.dims).toEqual(output.shape)
  expect(onnx).toHaveLength(tfjs.length)
  let maxAbsDiff = 0
  for (let i = 0; i < tfjs.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnx[i]! - tfjs[i]!))
  return { maxAbsDiff, exported, onnx, tfjs }
}

/** The taxi example's wide-and-deep shape: a float input [n, 3] and int inputs [n, 1] one-hot encoded. */
function taxiShaped(sizes: Record<string, number>): Tfjs.LayersModel {
  const apply = (layer: { apply(x: Tfjs.SymbolicTensor | Tfjs.SymbolicTensor[]): unknown }, x: Tfjs.SymbolicTensor | Tfjs.SymbolicTensor[]) => layer.apply(x) as Tfjs.SymbolicTensor
  const dense = tf.input({ shape: [3], name: 'dense' })
  const inputs = [dense]
  const encoded: Tfjs.SymbolicTensor[] = []
  for (const [name, size] of Object.entries(sizes)) {
    const input = tf.input({ shape: [1], name, dtype: 'int32' })
    inputs.push(input)
    encoded.push(apply(tf.layers.categoryEncoding({ numTokens: size, outputMode: 'oneHot' }), apply(tf.layers.reshape({ targetShape: [1] }), input)))
  }
  const wide = apply(tf.layers.dense({ units: 16, activation: 'relu' }), apply(tf.layers.concatenate(), encoded))
  let deep = apply(tf.layers.concatenate(), [dense, wide])
  for (const units of [16, 8]) {
    deep = apply(tf.layers.dense({ units, activation: 'relu' }), deep)
    deep = apply(tf.layers.dropout({ rate: 0.2 }), deep)
  }
  return tf.model({ inputs, outputs: apply(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'probabilities' }), deep) })
}

/** Sixteen categorical inputs of 2 to 40 tokens, as in the taxi model. */
const TAXI_SIZES = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`cat_${i}_xf`, 2 + ((i * 7) % 39)]))

describe('exportOnnx', () => {
  it('exports an MLP whose outputs match tfjs within 1e-5', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 32, activation: 'relu', inputShape: [8] }),
        tf.layers.dense({ units: 16, activation: 'tanh' }),
        tf.layers.dense({ units: 16, useBias: false }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    })
    const { maxAbsDiff, exported } = await parity(model, feedsFor(model, 257), 257)
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-5)
    expect(exported.opset).toBe(13)
    expect(exported.nodes).toBeGreaterThanOrEqual(6)
    model.dispose()
  })

  it('exports the taxi-shaped model (17 inputs, Reshape → CategoryEncoding → Concatenate → Dense, Dropout) within 1e-5', async () => {
    const model = taxiShaped(TAXI_SIZES)
    const exported = await exportOnnx(model, { outputNames: ['probabilities'] })
    if ('unsupported' in exported) throw new Error(exported.unsupported)
    // The bounds of the int inputs come from the encoders reading them.
    expect(exported.inputLimits).toEqual(TAXI_SIZES)
    // The wide Dense gathers kernel rows by index instead of multiplying by the 16 one-hots, all 16 in
    // one Gather over their stacked rows; the [1] → [1] reshapes are no nodes.
    const { onnx: proto } = (await import('onnx-proto')).default
    const ops = proto.ModelProto.decode(exported.onnx).graph!.node!.map((n) => n.opType)
    expect(ops.filter((op) => op === 'Gather')).toHaveLength(1)
    expect(ops.filter((op) => op === 'Concat')).toHaveLength(2) // the 16 index columns; dense with the wide layer
    expect(ops).not.toContain('Equal')
    expect(ops).not.toContain('Reshape')
    expect(exported.inputs).toEqual([{ name: 'dense', dtype: 'float32', modelInputs: ['dense'] }, ...Object.keys(TAXI_SIZES).map((name) => ({ name, dtype: 'int32', modelInputs: [name] }))])
    const session = await ort.InferenceSession.create(exported.onnx)
    expect(session.inputNames).toEqual(['dense', ...Object.keys(TAXI_SIZES)])
    expect(session.outputNames).toEqual(['probabilities'])
    await session.release()
    const { maxAbsDiff } = await parity(model, feedsFor(model, 1000, TAXI_SIZES), 1000)
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-5)
    model.dispose()
  })

  it('packs the model inputs of one dtype into one graph input (packInputs); the one-hots read it without a node', async () => {
    const model = taxiShaped(TAXI_SIZES)
    const exported = await exportOnnx(model, { outputNames: ['y'], packInputs: true })
    if ('unsupported' in exported) throw new Error(exported.unsupported)
    const names = Object.keys(TAXI_SIZES)
    expect(exported.inputs).toEqual([
      { name: 'dense', dtype: 'float32', modelInputs: ['dense'] },
      { name: 'int_inputs', dtype: 'int32', modelInputs: names },
    ])
    const { onnx: proto } = (await import('onnx-proto')).default
    const graph = proto.ModelProto.decode(exported.onnx).graph!
    // Add (row offsets) → Gather → ReduceSum for the wide layer; no Slice, no Concat of index columns.
    expect(graph.node!.map((n) => n.opType).filter((op) => op === 'Slice' || op === 'Gather' || op === 'Concat')).toEqual(['Gather', 'Concat'])
    expect(graph.node!.length).toBeLessThanOrEqual(15)
    const rows = 700
    const feeds = feedsFor(model, rows, TAXI_SIZES, 3)
    const packed = new Int32Array(rows * names.length)
    names.forEach((name, j) => feeds.find((f) => f.name === name)!.data.forEach((v, i) => (packed[i * names.length + j] = v)))
    const session = await ort.InferenceSession.create(exported.onnx)
    const dense = feeds.find((f) => f.name === 'dense')!
    const results = await session.run({ dense: new ort.Tensor('float32', dense.data, [rows, 3]), int_inputs: new ort.Tensor('int32', packed, [rows, names.length]) })
    await session.release()
    const { tfjs } = await parity(model, feeds, rows)
    const onnx = results.y!.data as Float32Array
    let max = 0
    for (let i = 0; i < rows; i++) max = Math.max(max, Math.abs(onnx[i]! - tfjs[i]!))
    expect(max).toBeLessThanOrEqual(1e-5)
    model.dispose()
  })

  it('exports Embedding (int and float indices), Flatten, BatchNormalization and Dropout within 1e-5', async () => {
    const dense = tf.input({ shape: [4], name: 'dense' })
    const ids = tf.input({ shape: [2], name: 'ids', dtype: 'int32' })
    const floatIds = tf.input({ shape: [1], name: 'float_ids' })
    const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 7, outputDim: 3 }).apply(ids)) as Tfjs.SymbolicTensor
    const other = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 5, outputDim: 2 }).apply(floatIds)) as Tfjs.SymbolicTensor
    const normalised = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(dense) as Tfjs.SymbolicTensor
    // A Dense over a float part and a one-hot of float indices: MatMul plus Gather.
    const oneHot = tf.layers.categoryEncoding({ numTokens: 5, outputMode: 'oneHot' }).apply(tf.layers.reshape({ targetShape: [1] }).apply(floatIds)) as Tfjs.SymbolicTensor
    const mixed = tf.layers.dense({ units: 3, activation: 'sigmoid' }).apply(tf.layers.concatenate().apply([dense, oneHot])) as Tfjs.SymbolicTensor
    let h = tf.layers.concatenate().apply([normalised, embedded, other, mixed]) as Tfjs.SymbolicTensor
    h = tf.layers.dense({ units: 12, activation: 'elu' }).apply(h) as Tfjs.SymbolicTensor
    h = tf.layers.dropout({ rate: 0.5 }).apply(h) as Tfjs.SymbolicTensor
    h = tf.layers.batchNormalization({ center: false }).apply(h) as Tfjs.SymbolicTensor
    const model = tf.model({ inputs: [dense, ids, floatIds], outputs: tf.layers.dense({ units: 1 }).apply(h) as Tfjs.SymbolicTensor })
    // Moving statistics far from the initial 0 / 1, so that the inference form is what is compared.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      const weights = layer.getWeights()
      layer.setWeights(weights.map((w, i) => tf.tidy(() => (i === weights.length - 1 ? tf.randomUniform(w.shape, 0.5, 3, 'float32', 3) : tf.randomNormal(w.shape, 0.5, 1, 'float32', 4 + i)))))
    }
    const feeds = feedsFor(model, 300, { ids: 7 })
    // Float indices, as a float input fed to an Embedding: whole numbers in [0, 5).
    const floats = feeds.find((f) => f.name === 'float_ids')!
    floats.data = Float32Array.from(floats.data, (v) => Math.floor(Math.abs(v) * 2.4))
    const { maxAbsDiff } = await parity(model, feeds, 300)
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-5)
    model.dispose()
  })

  it('exports every supported activation, the activation layers, merges, multi-hot and count encodings, Reshape and Permute within 1e-5', async () => {
    const x = tf.input({ shape: [6], name: 'x' })
    const tokens = tf.input({ shape: [3], name: 'tokens', dtype: 'int32' })
    const single = tf.input({ shape: [1], name: 'single', dtype: 'int32' })
    const branches = ONNX_SUPPORTED_ACTIVATIONS.map((activation) => tf.layers.dense({ units: 4, activation: activation as never }).apply(x) as Tfjs.SymbolicTensor)
    const layers = [
      tf.layers.reLU({ maxValue: 0.5 }),
      tf.layers.reLU(),
      tf.layers.leakyReLU({ alpha: 0.1 }),
      tf.layers.elu(),
      tf.layers.thresholdedReLU({ theta: 0.3 }),
      tf.layers.softmax(),
      tf.layers.prelu({ alphaInitializer: 'randomUniform' }),
      tf.layers.activation({ activation: 'swish' }),
    ].map((layer) => layer.apply(branches[1]!) as Tfjs.SymbolicTensor)
    const merged = [tf.layers.add(), tf.layers.multiply(), tf.layers.average(), tf.layers.maximum(), tf.layers.minimum()].map((layer) => layer.apply(branches.slice(0, 3)) as Tfjs.SymbolicTensor)
    // Each encoder reads its own Reshape: tfjs 4.22's CategoryEncoding overwrites its input's symbolic shape.
    const multiHot = tf.layers.categoryEncoding({ numTokens: 5, outputMode: 'multiHot' }).apply(tf.layers.reshape({ targetShape: [3] }).apply(tokens)) as Tfjs.SymbolicTensor
    const count = tf.layers.categoryEncoding({ numTokens: 5, outputMode: 'count' }).apply(tf.layers.reshape({ targetShape: [3] }).apply(tokens)) as Tfjs.SymbolicTensor
    // A one-hot that no Dense reads: Equal against the token range.
    const oneHot = tf.layers.categoryEncoding({ numTokens: 4, outputMode: 'oneHot' }).apply(tf.layers.reshape({ targetShape: [1] }).apply(single)) as Tfjs.SymbolicTensor
    const grid = tf.layers.reshape({ targetShape: [2, 3] }).apply(x) as Tfjs.SymbolicTensor
    const permuted = tf.layers.flatten().apply(tf.layers.permute({ dims: [2, 1] }).apply(grid)) as Tfjs.SymbolicTensor
    const everything = tf.layers.concatenate().apply([...branches, ...layers, ...merged, multiHot, count, oneHot, permuted]) as Tfjs.SymbolicTensor
    const model = tf.model({ inputs: [x, tokens, single], outputs: everything })
    const { maxAbsDiff } = await parity(model, feedsFor(model, 200, { tokens: 5, single: 4 }), 200)
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-5)
    model.dispose()
  })

  it('returns { unsupported } naming the first layer it cannot convert', async () => {
    const x = tf.input({ shape: [4], name: 'x' })
    const sequence = tf.layers.reshape({ targetShape: [4, 1] }).apply(x) as Tfjs.SymbolicTensor
    const conv = tf.layers.conv1d({ filters: 2, kernelSize: 2, name: 'my_conv' }).apply(sequence) as Tfjs.SymbolicTensor
    const convModel = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(conv)) as Tfjs.SymbolicTensor })
    expect(await exportOnnx(convModel)).toEqual({ unsupported: 'layer my_conv (class Conv1D) is not supported', layer: 'my_conv', className: 'Conv1D' })
    const lstm = tf.sequential({ layers: [tf.layers.lstm({ units: 2, inputShape: [3, 1], name: 'my_lstm' }), tf.layers.dense({ units: 1 })] })
    const result = await exportOnnx(lstm)
    expect(result).toMatchObject({ className: 'InputLayer' })
    expect('unsupported' in result && result.unsupported).toMatch(/has shape \[null, 3, 1\]; ONNX export handles inputs of shape \[batch, width\]/)
    convModel.dispose()
    lstm.dispose()
  })
})

describe('the serving bundle with model.onnx', () => {
  const lines: string[] = []
  const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(`WARN ${m}`) }

  function smallTaxi() {
    return taxiShaped({ cat_a: 3, cat_b: 5 })
  }
  const inputs = { dense: ['d0', 'd1', 'd2'], cat_a: ['cat_a'], cat_b: ['cat_b'] }
  const rawTypes = { d0: 'FLOAT', d1: 'FLOAT', d2: 'FLOAT', cat_a: 'INT', cat_b: 'INT' } as const
  const rows = (n: number, seed = 5) => {
    const next = random(seed)
    return Array.from({ length: n }, () => ({ d0: next() * 2 - 1, d1: next() * 10, d2: -next(), cat_a: Math.floor(next() * 3), cat_b: Math.floor(next() * 5) }))
  }

  it('writes model.onnx after checking parity on the rows given, records it in the signature, and auto-picks ONNX', async () => {
    lines.length = 0
    const model = smallTaxi()
    const dir = path.join(tmp.path, 'taxi', 'Format-Serving')
    const signature = await saveServingBundle(model, dir, { inputs, rawFeatureTypes: rawTypes, outputName: 'probabilities', logger, onnx: { parityRows: rows(500), paritySource: 'eval' } })
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'model.onnx', 'signature.json', 'weights.bin'])
    expect(signature.runtimes).toEqual(['onnx', 'tfjs'])
    // The two int inputs are fed as one packed input, checked against the one-hot sizes.
    expect(signature.onnx).toEqual({
      file: 'model.onnx',
      opset: 13,
      nodes: expect.any(Number),
      inputs: [
        { name: 'dense', dtype: 'float32', modelInputs: ['dense'] },
        { name: 'int_inputs', dtype: 'int32', modelInputs: ['cat_a', 'cat_b'] },
      ],
      inputBounds: { cat_a: 3, cat_b: 5 },
      parity: { rows: 500, source: 'eval', maxAbsDiff: expect.any(Number), tolerance: 1e-5 },
    })
    expect(signature.onnx!.parity!.maxAbsDiff).toBeLessThanOrEqual(1e-5)
    expect(JSON.parse(await readFile(path.join(dir, 'signature.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(signature)))
    expect(lines).toEqual([expect.stringMatching(/^ONNX export: wrote model\.onnx \(\d+ nodes, opset 13\); it matches tfjs on 500 eval rows \(max abs diff .*\)\.$/)])

    const onnxBundle = await loadServingBundle(dir)
    expect(onnxBundle.runtime).toBe('onnx')
    expect(onnxBundle.model).toBeUndefined()
    const tfjsBundle = await loadServingBundle(dir, { runtime: 'tfjs', tf })
    expect(tfjsBundle.runtime).toBe('tfjs')
    const requests = rows(3000, 9)
    const [a, b] = [await onnxBundle.predict(requests, { batchSize: 1024 }), await tfjsBundle.predict(requests)]
    expect(a.probabilities).toHaveLength(3000)
    let max = 0
    for (let i = 0; i < 3000; i++) max = Math.max(max, Math.abs(a.probabilities![i]! - b.probabilities![i]!))
    expect(max).toBeLessThanOrEqual(1e-5)
    // Chunked and unchunked predictions are the same numbers.
    expect(Array.from((await onnxBundle.predict(requests.slice(0, 5))).probabilities!)).toEqual(Array.from(a.probabilities!.slice(0, 5)))
    await expect(onnxBundle.predict([{ ...requests[0]!, cat_a: 'x' }])).rejects.toThrow(/Row 0: feature "cat_a" must be INT, got the string "x"/)
    // An index past the one-hot's size would read cat_b's rows of the packed table: it is refused, as tfjs refuses it.
    await expect(onnxBundle.predict([requests[0]!, { ...requests[1]!, cat_a: 3 }])).rejects.toMatchObject({
      code: 'SLUICE_SERVING_BAD_INPUT',
      message: expect.stringMatching(/^Row 1: feature "cat_a" is 3, outside the 3 values the model has rows for \(0 to 2\)\./),
    })
    await expect(onnxBundle.predict([{ ...requests[0]!, cat_b: -1 }])).rejects.toThrow(/Row 0: feature "cat_b" is -1, outside the 5 values/)
    await expect(tfjsBundle.predict([{ ...requests[0]!, cat_a: 3 }])).rejects.toThrow()
    onnxBundle.dispose()
    onnxBundle.dispose()
    await expect(onnxBundle.predict(requests)).rejects.toThrow(/was disposed/)
    tfjsBundle.dispose()
    model.dispose()
  })

  it('serves a bundle written before inputs were packed (signature.json without onnx.inputs): model.onnx takes the model inputs by name', async () => {
    const model = smallTaxi()
    const dir = path.join(tmp.path, 'unpacked')
    await saveServingBundle(model, dir, { inputs, rawFeatureTypes: rawTypes })
    const packed = await loadServingBundle(dir)
    const requests = rows(40, 11)
    const expected = Array.from((await packed.predict(requests)).output_0!)
    packed.dispose()
    const unpacked = await exportOnnx(model, { outputNames: ['output_0'], inputDtypes: { dense: 'float32', cat_a: 'int32', cat_b: 'int32' } })
    await writeFile(path.join(dir, 'model.onnx'), (unpacked as OnnxExported).onnx)
    const signature = JSON.parse(await readFile(path.join(dir, 'signature.json'), 'utf8')) as { onnx: Record<string, unknown> }
    delete signature.onnx.inputs
    delete signature.onnx.inputBounds
    await writeFile(path.join(dir, 'signature.json'), JSON.stringify(signature))
    const old = await loadServingBundle(dir)
    expect(old.runtime).toBe('onnx')
    const actual = Array.from((await old.predict(requests)).output_0!)
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6))
    old.dispose()
    model.dispose()
  })

  it('compares on generated inputs when no rows are given', async () => {
    const model = smallTaxi()
    const signature = await saveServingBundle(model, path.join(tmp.path, 'generated'), { inputs, rawFeatureTypes: rawTypes })
    expect(signature.onnx?.parity).toMatchObject({ rows: 256, source: 'generated' })
    expect(signature.runtimes).toEqual(['onnx', 'tfjs'])
    model.dispose()
  })

  it('skips the export of an unsupported model with a log line; the bundle serves with tfjs', async () => {
    lines.length = 0
    const x = tf.input({ shape: [3], name: 'dense' })
    const sequence = tf.layers.reshape({ targetShape: [3, 1] }).apply(x) as Tfjs.SymbolicTensor
    const conv = tf.layers.conv1d({ filters: 2, kernelSize: 2, name: 'conv' }).apply(sequence) as Tfjs.SymbolicTensor
    const model = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(conv)) as Tfjs.SymbolicTensor })
    const dir = path.join(tmp.path, 'conv')
    const signature = await saveServingBundle(model, dir, { inputs: { dense: ['d0', 'd1', 'd2'] }, rawFeatureTypes: rawTypes, logger })
    expect(lines).toEqual(['ONNX export skipped: layer conv (class Conv1D) is not supported; serving will use tfjs.'])
    expect(await readdir(dir)).not.toContain('model.onnx')
    expect(signature.runtimes).toEqual(['tfjs'])
    expect(signature.onnx).toEqual({ skipped: 'layer conv (class Conv1D) is not supported' })
    const bundle = await loadServingBundle(dir, { tf })
    expect(bundle.runtime).toBe('tfjs')
    const { output_0 } = await bundle.predict([{ d0: 1, d1: 2, d2: 3 }])
    expect(output_0).toHaveLength(1)
    bundle.dispose()
    await expect(loadServingBundle(dir, { runtime: 'onnx' })).rejects.toThrow(/model\.onnx does not exist.*layer conv \(class Conv1D\) is not supported/)
    model.dispose()
  })

  it('drops model.onnx when parity fails, and with onnx: false writes none', async () => {
    lines.length = 0
    const model = smallTaxi()
    const dir = path.join(tmp.path, 'strict')
    // A negative tolerance no output can meet stands in for a converter bug.
    const signature = await saveServingBundle(model, dir, { inputs, rawFeatureTypes: rawTypes, logger, onnx: { tolerance: -1 } })
    expect(lines).toEqual([expect.stringMatching(/^WARN ONNX export dropped: ONNX and tfjs outputs differ by more than -1 on 256 generated rows \(max abs diff .*; output "output_0" of row 0 is .* from ONNX and .* from tfjs\); serving will use tfjs\.$/)])
    expect(await readdir(dir)).not.toContain('model.onnx')
    expect(signature.runtimes).toEqual(['tfjs'])
    expect(signature.onnx?.skipped).toMatch(/outputs differ/)
    const off = await saveServingBundle(model, path.join(tmp.path, 'off'), { inputs, rawFeatureTypes: rawTypes, onnx: false })
    expect(off.runtimes).toEqual(['tfjs'])
    expect(await readdir(path.join(tmp.path, 'off'))).not.toContain('model.onnx')
    model.dispose()
  })

  it('fails to load a corrupt or mismatched model.onnx with an error naming the file', async () => {
    const model = smallTaxi()
    const dir = path.join(tmp.path, 'corrupt')
    await saveServingBundle(model, dir, { inputs, rawFeatureTypes: rawTypes })
    const good = await readFile(path.join(dir, 'model.onnx'))
    await writeFile(path.join(dir, 'model.onnx'), good.subarray(0, 100))
    const file = path.join(dir, 'model.onnx').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    await expect(loadServingBundle(dir)).rejects.toMatchObject({ code: 'SLUICE_SERVING_BUNDLE_INVALID', message: expect.stringMatching(new RegExp(`^${file} cannot be loaded by onnxruntime-node: `)) })
    // The tfjs model is still there to fall back on.
    const fallback = await loadServingBundle(dir, { runtime: 'tfjs', tf })
    expect((await fallback.predict(rows(2))).output_0).toHaveLength(2)
    fallback.dispose()
    // An ONNX model whose outputs are not the signature's.
    const other = await exportOnnx(model, { outputNames: ['something_else'], packInputs: true })
    await writeFile(path.join(dir, 'model.onnx'), (other as OnnxExported).onnx)
    await expect(loadServingBundle(dir)).rejects.toThrow(new RegExp(`^${file} does not match signature\\.json: it has no output output_0`))
    const signature = JSON.parse(await readFile(path.join(dir, 'signature.json'), 'utf8')) as ServingSignature
    expect(signature.runtimes).toEqual(['onnx', 'tfjs'])
    model.dispose()
  })
})
