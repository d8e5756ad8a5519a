import { cp, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isComponent } from '@sluice/core'
import { readTransformOutput } from '@sluice/component-transform'
import { runComponent } from '@sluice/testing'
import { Trainer, loadServingBundle, readHyperparameters, selectBackend } from '@sluice/component-trainer'
import type { ModelRunMetrics, ServingSignature } from '@sluice/component-trainer'
import { createTrainerFixture, readSplitRows } from './fixtures.js'
import type { TrainerFixture } from './fixtures.js'

// A TypeScript module (loaded through tsx) that learns y = x1 > x2 through the data accessor.
const TRAIN_MODULE = `import type { TrainerFnArgs } from '@sluice/component-trainer'

export async function runFn(fnArgs: TrainerFnArgs) {
  const { tf } = fnArgs
  const inputs = ['x1_xf', 'x2_xf']
  const train = fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: 32, labelKey: 'y_xf', inputs, shuffleSeed: 7 })
  const evaluation = fnArgs.dataAccessor.tfDatasetFactory(fnArgs.evalFiles, { batchSize: 256, labelKey: 'y_xf', inputs, shuffle: false })
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })],
  })
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] })
  await model.fitDataset(train, { epochs: Number(fnArgs.customConfig.epochs ?? 20), callbacks: fnArgs.callbacks, verbose: 0 })
  const [loss, accuracy] = (await model.evaluateDataset(evaluation, {})) as import('@tensorflow/tfjs').Scalar[]
  const result = { loss: (await loss!.data())[0]!, accuracy: (await accuracy!.data())[0]! }
  tf.dispose([loss, accuracy])
  await fnArgs.saveModel(model, { rawLabelKeys: ['y'] })
  return result
}
`

// Records what it was given and warm-starts from the base model when there is one.
const ECHO_MODULE = `import { writeFile } from 'node:fs/promises'
import path from 'node:path'

export async function runFn(fnArgs) {
  const { tf } = fnArgs
  let model
  let baseWeights = null
  if (fnArgs.baseModel) {
    model = await fnArgs.loadBaseModel()
    baseWeights = model.getWeights().map((w) => Array.from(w.dataSync()))
  } else {
    model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] })
  }
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' })
  const train = fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: 64, labelKey: 'y_xf', inputs: ['x1_xf', 'x2_xf'] })
  const history = await model.fitDataset(train, { epochs: 2, verbose: 0 })
  await writeFile(path.join(fnArgs.modelRunDir, 'fn_args.json'), JSON.stringify({
    hyperparameters: fnArgs.hyperparameters ?? null,
    baseModel: fnArgs.baseModel ?? null,
    baseWeights,
    trainSteps: fnArgs.trainSteps ?? null,
    evalSteps: fnArgs.evalSteps ?? null,
    customConfig: fnArgs.customConfig,
    numExamples: fnArgs.numExamples,
    trainSplits: fnArgs.trainSplits,
    evalSplits: fnArgs.evalSplits,
    trainFiles: fnArgs.trainFiles,
    backend: fnArgs.backend,
    schemaFeatures: fnArgs.schema ? fnArgs.schema.feature.length : null,
    transformInputs: fnArgs.transformOutput ? fnArgs.transformOutput.fitted.inputs : null,
    servingModelDir: fnArgs.servingModelDir,
  }))
  await fnArgs.saveModel(model)
  return history
}
`

let fixture: TrainerFixture
let trained: { modelUri: string; modelRunUri: string; customProperties: Record<string, unknown> }

const examples = () => ({ uri: fixture.transformedExamplesUri, properties: { splitNames: ['train', 'eval'] } })
const transformGraph = () => ({ uri: fixture.transformGraphUri })

beforeAll(async () => {
  fixture = await createTrainerFixture()
  await selectBackend('wasm')
})

afterAll(async () => {
  await fixture?.tmp.remove()
})

describe('Trainer', () => {
  it('is a component with a lazy executor', () => {
    expect(isComponent(Trainer)).toBe(true)
    expect(Trainer.name).toBe('Trainer')
  })

  it('trains through the data accessor to > 0.9 accuracy and writes the serving bundle and ModelRun metrics', async () => {
    const moduleFile = await fixture.module('model.ts', TRAIN_MODULE)
    const logs: string[] = []
    const { outputs } = await runComponent(Trainer, {
      inputs: { examples: examples(), transformGraph: transformGraph(), schema: { uri: fixture.schemaUri } },
      parameters: { moduleFile },
      onEvent: (event) => {
        if (event.type === 'node-log') logs.push(event.message)
      },
    })
    trained = { modelUri: outputs.model.uri, modelRunUri: outputs.modelRun.uri, customProperties: outputs.modelRun.customProperties }
    const serving = path.join(outputs.model.uri, 'Format-Serving')
    expect((await readdir(serving)).sort()).toEqual(['model.json', 'model.onnx', 'signature.json', 'transform', 'weights.bin'])
    // The ONNX export was compared with tfjs on the whole eval split (200 rows of transformed examples).
    expect(logs).toContainEqual(expect.stringMatching(/^ONNX export: wrote model\.onnx \(\d+ nodes, opset 13\); it matches tfjs on 200 eval rows \(max abs diff .*\)\.$/))
    expect(await readdir(path.join(serving, 'transform'))).toEqual(['fitted_transform.json'])

    const metrics = JSON.parse(await readFile(path.join(outputs.modelRun.uri, 'metrics.json'), 'utf8')) as ModelRunMetrics
    expect(metrics.backend).toBe('wasm')
    expect(metrics.epochs).toHaveLength(20)
    expect(metrics.epochs.every((e, i) => e.epoch === i && typeof e.loss === 'number' && typeof e.acc === 'number')).toBe(true)
    expect(metrics.epochs[19]!.loss!).toBeLessThan(metrics.epochs[0]!.loss!)
    expect(metrics.evaluation!.accuracy).toBeGreaterThan(0.9)
    expect(metrics.numTrainExamples).toBe(400)
    expect(metrics.numExamples).toEqual({ train: 400, eval: 200 })
    expect(metrics.examplesPerSecond).toBeGreaterThan(0)
    expect(metrics.trainingTimeMs).toBeGreaterThan(0)
    expect(outputs.modelRun.customProperties).toMatchObject({ backend: 'wasm', training_time_ms: metrics.trainingTimeMs, examples_per_second: metrics.examplesPerSecond })

    const signature = JSON.parse(await readFile(path.join(serving, 'signature.json'), 'utf8')) as ServingSignature
    expect(signature).toEqual({
      format: 'sluice.serving_signature',
      version: 1,
      inputs: [
        { name: 'x1', type: 'FLOAT' },
        { name: 'x2', type: 'FLOAT' },
      ],
      modelInputs: [{ name: signature.modelInputs[0]!.name, features: ['x1_xf', 'x2_xf'], dtype: 'float32' }],
      outputs: [{ name: 'output_0', shape: [null, 1], kind: 'probability' }],
      labelKey: 'y_xf',
      backend: 'wasm',
      runtimes: ['onnx', 'tfjs'],
      onnx: {
        file: 'model.onnx',
        opset: 13,
        nodes: expect.any(Number),
        inputs: [{ name: signature.modelInputs[0]!.name, dtype: 'float32', modelInputs: [signature.modelInputs[0]!.name] }],
        parity: { rows: 200, source: 'eval', maxAbsDiff: expect.any(Number), tolerance: 1e-5 },
      },
    })
    expect(signature.onnx!.parity!.maxAbsDiff).toBeLessThanOrEqual(1e-5)
  })

  it('writes a bundle that predicts raw rows as the model predicts transformed rows, from a copy of Format-Serving alone', async () => {
    const elsewhere = path.join(fixture.tmp.path, 'elsewhere', 'Format-Serving')
    await cp(path.join(trained.modelUri, 'Format-Serving'), elsewhere, { recursive: true })
    // Nothing outside the copied directory may be read: the model artifact and the TransformGraph move away.
    const movedModel = `${trained.modelUri}-moved`
    await rename(trained.modelUri, movedModel)
    const graphBackup = `${fixture.transformGraphUri}-moved`
    await rename(fixture.transformGraphUri, graphBackup)
    try {
      const bundle = await loadServingBundle(elsewhere)
      expect(bundle.runtime).toBe('onnx')
      const tfjsBundle = await loadServingBundle(elsewhere, { runtime: 'tfjs', backend: 'wasm' })
      const { tf } = await selectBackend('wasm')
      const raw = await readSplitRows(fixture.rawExamplesUri, 'eval')
      const transformed = await readSplitRows(fixture.transformedExamplesUri, 'eval')
      expect(transformed).toHaveLength(raw.length)
      const requests = raw.map(({ x1, x2, color }) => ({ x1, x2, color }))
      const before = tf.memory().numTensors
      const { output_0: served } = await bundle.predict(requests)
      expect(tf.memory().numTensors).toBe(before)
      const x = tf.tensor2d(transformed.flatMap((r) => [Number(r.x1_xf), Number(r.x2_xf)]), [transformed.length, 2])
      const direct = tfjsBundle.model!.predict(x) as import('@tensorflow/tfjs').Tensor
      const expected = await direct.data()
      tf.dispose([x, direct])
      expect(served).toHaveLength(raw.length)
      for (let i = 0; i < raw.length; i++) expect(Math.abs(served![i]! - expected[i]!)).toBeLessThanOrEqual(1e-5)
      const { output_0: viaTfjs } = await tfjsBundle.predict(requests)
      expect(tf.memory().numTensors).toBe(before)
      for (let i = 0; i < raw.length; i++) expect(viaTfjs![i]).toBeCloseTo(expected[i]!, 6)
      tfjsBundle.dispose()
      // The predictions are good ones.
      const correct = raw.filter((r, i) => (served![i]! > 0.5 ? 1 : 0) === Number(r.y)).length
      expect(correct / raw.length).toBeGreaterThan(0.9)
      bundle.dispose()
    } finally {
      await rename(movedModel, trained.modelUri)
      await rename(graphBackup, fixture.transformGraphUri)
    }
  })

  it('passes hyperparameters, steps, customConfig, schema and the transform to runFn, and warm-starts from baseModel', async () => {
    const moduleFile = await fixture.module('echo.mjs', ECHO_MODULE)
    const hyperparametersUri = path.join(fixture.tmp.path, 'hyperparameters')
    await mkdir(hyperparametersUri, { recursive: true })
    await writeFile(path.join(hyperparametersUri, 'best_hyperparameters.txt'), JSON.stringify({ space: [], values: { learning_rate: 0.01, units: 16 } }))
    const { outputs } = await runComponent(Trainer, {
      inputs: {
        examples: examples(),
        transformGraph: transformGraph(),
        schema: { uri: fixture.schemaUri },
        hyperparameters: { uri: hyperparametersUri },
        baseModel: { uri: trained.modelUri },
      },
      parameters: { moduleFile, trainArgs: { numSteps: 100 }, evalArgs: { splits: ['eval'], numSteps: 5 }, customConfig: { flag: true, nested: { a: [1, 2] } } },
    })
    const seen = JSON.parse(await readFile(path.join(outputs.modelRun.uri, 'fn_args.json'), 'utf8'))
    expect(seen.hyperparameters).toEqual({ learning_rate: 0.01, units: 16 })
    expect(seen.trainSteps).toBe(100)
    expect(seen.evalSteps).toBe(5)
    expect(seen.customConfig).toEqual({ flag: true, nested: { a: [1, 2] } })
    expect(seen.numExamples).toEqual({ train: 400, eval: 200 })
    expect(seen.trainSplits).toEqual(['train'])
    expect(seen.evalSplits).toEqual(['eval'])
    expect(seen.trainFiles.every((f: string) => f.startsWith(path.join(fixture.transformedExamplesUri, 'Split-train')))).toBe(true)
    expect(seen.backend).toBe('wasm')
    expect(seen.schemaFeatures).toBe(4)
    expect(seen.transformInputs.sort()).toEqual(['color', 'x1', 'x2', 'y'])
    expect(seen.servingModelDir).toBe(path.join(outputs.model.uri, 'Format-Serving'))
    // Warm start: the base model is the first test's model, with its trained weights.
    expect(seen.baseModel).toBe(path.join(trained.modelUri, 'Format-Serving'))
    const base = await loadServingBundle(seen.baseModel, { runtime: 'tfjs', backend: 'wasm' })
    const expectedWeights = base.model!.getWeights().map((w) => Array.from(w.dataSync()))
    base.dispose()
    expect(seen.baseWeights).toHaveLength(expectedWeights.length)
    seen.baseWeights.forEach((w: number[], i: number) => expect(w).toEqual(expectedWeights[i]))
    // runFn returned the History of fitDataset and passed no callbacks: the epochs come from it.
    const metrics = JSON.parse(await readFile(path.join(outputs.modelRun.uri, 'metrics.json'), 'utf8')) as ModelRunMetrics
    expect(metrics.epochs.map((e) => e.epoch)).toEqual([0, 1])
    expect(metrics.epochs.every((e) => typeof e.loss === 'number')).toBe(true)
    expect(metrics.evaluation).toBeUndefined()
  })

  it('trains on raw examples through the transform (raw: true) and on examples without a transform', async () => {
    const moduleFile = await fixture.module(
      'raw.mjs',
      `export async function runFn(fnArgs) {
  const { tf } = fnArgs
  const raw = fnArgs.customConfig.raw
  const inputs = raw ? ['x1_xf', 'x2_xf'] : ['x1', 'x2']
  const labelKey = raw ? 'y_xf' : 'y'
  const train = fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: 64, labelKey, inputs, raw })
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] })
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' })
  await model.fitDataset(train, { epochs: 1, callbacks: fnArgs.callbacks, verbose: 0 })
  await fnArgs.saveModel(model, { rawLabelKeys: ['y'] })
}
`,
    )
    const rawExamples = { uri: fixture.rawExamplesUri, properties: { splitNames: ['train', 'eval'] } }
    const withTransform = await runComponent(Trainer, { inputs: { examples: rawExamples, transformGraph: transformGraph() }, parameters: { moduleFile, customConfig: { raw: true } } })
    const signature = JSON.parse(await readFile(path.join(withTransform.outputs.model.uri, 'Format-Serving', 'signature.json'), 'utf8')) as ServingSignature
    expect(signature.inputs).toEqual([
      { name: 'x1', type: 'FLOAT' },
      { name: 'x2', type: 'FLOAT' },
    ])
    const plain = await runComponent(Trainer, { inputs: { examples: rawExamples }, parameters: { moduleFile, customConfig: { raw: false } } })
    const serving = path.join(plain.outputs.model.uri, 'Format-Serving')
    expect(await readdir(serving)).not.toContain('transform')
    const bundle = await loadServingBundle(serving, { backend: 'wasm' })
    expect(bundle.signature.inputs).toEqual([
      { name: 'x1', type: 'FLOAT' },
      { name: 'x2', type: 'FLOAT' },
    ])
    const { output_0 } = await bundle.predict([{ x1: 0.9, x2: 0.1 }])
    expect(output_0).toHaveLength(1)
    bundle.dispose()
    const metrics = JSON.parse(await readFile(path.join(plain.outputs.modelRun.uri, 'metrics.json'), 'utf8')) as ModelRunMetrics
    expect(metrics.epochs).toHaveLength(1)
  })

  it('trains a two-input model with an embedding (the documented module shape) and saves it with the dataset\'s inputs', async () => {
    const moduleFile = await fixture.module(
      'wide.ts',
      `import type { TrainerFnArgs } from '@sluice/component-trainer'

const DENSE = ['x1_xf', 'x2_xf']

export async function runFn(fnArgs: TrainerFnArgs) {
  const { tf, dataAccessor, transformOutput } = fnArgs
  const learningRate = Number(fnArgs.hyperparameters?.learning_rate ?? 0.05)
  const inputs = { dense: DENSE, color: ['color_xf'] }
  const options = { labelKey: 'y_xf', inputs, dtype: { dense: 'float32', color: 'int32' } } as const
  const train = dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { ...options, batchSize: 32, numEpochs: null, shuffleSeed: 1 })
  const evaluation = dataAccessor.tfDatasetFactory(fnArgs.evalFiles, { ...options, batchSize: 1024, shuffle: false })
  const dense = tf.input({ shape: [DENSE.length], name: 'dense' })
  const color = tf.input({ shape: [1], name: 'color', dtype: 'int32' })
  const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: transformOutput!.numBuckets('color_xf')!, outputDim: 2 }).apply(color))
  let h = tf.layers.concatenate().apply([dense, embedded as never])
  h = tf.layers.dense({ units: 8, activation: 'relu' }).apply(h)
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h)
  const model = tf.model({ inputs: [dense, color], outputs: output as never })
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'binaryCrossentropy', metrics: ['accuracy'] })
  const steps = fnArgs.trainSteps ?? 100
  const epochs = 10
  await model.fitDataset(train, { epochs, batchesPerEpoch: Math.ceil(steps / epochs), validationData: evaluation, callbacks: fnArgs.callbacks, verbose: 0 })
  const [loss, accuracy] = (await model.evaluateDataset(evaluation, {})) as import('@tensorflow/tfjs').Scalar[]
  const metrics = { loss: (await loss!.data())[0]!, accuracy: (await accuracy!.data())[0]! }
  tf.dispose([loss, accuracy])
  await fnArgs.saveModel(model, { rawLabelKeys: ['y'] })
  return metrics
}
`,
    )
    const { outputs } = await runComponent(Trainer, {
      inputs: { examples: examples(), transformGraph: transformGraph(), schema: { uri: fixture.schemaUri } },
      parameters: { moduleFile, trainArgs: { numSteps: 200 } },
    })
    const metrics = JSON.parse(await readFile(path.join(outputs.modelRun.uri, 'metrics.json'), 'utf8')) as ModelRunMetrics
    expect(metrics.epochs).toHaveLength(10)
    expect(metrics.epochs[0]).toHaveProperty('val_loss')
    expect(metrics.evaluation!.accuracy).toBeGreaterThan(0.85)
    const bundle = await loadServingBundle(path.join(outputs.model.uri, 'Format-Serving'), { backend: 'wasm' })
    expect(bundle.signature.inputs).toEqual([
      { name: 'x1', type: 'FLOAT' },
      { name: 'x2', type: 'FLOAT' },
      { name: 'color', type: 'STRING' },
    ])
    expect(bundle.signature.modelInputs).toEqual([
      { name: 'dense', features: ['x1_xf', 'x2_xf'], dtype: 'float32' },
      { name: 'color', features: ['color_xf'], dtype: 'int32' },
    ])
    const { output_0 } = await bundle.predict([
      { x1: 0.9, x2: 0.1, color: 'red' },
      { x1: 0.1, x2: 0.9, color: 'blue' },
    ])
    expect(output_0![0]).toBeGreaterThan(0.5)
    expect(output_0![1]).toBeLessThan(0.5)
    bundle.dispose()
  })

  it('saves a model whose layers cannot be exported to ONNX without model.onnx, says so, and serves it with tfjs', async () => {
    const moduleFile = await fixture.module(
      'conv.mjs',
      // Saved untrained: tfjs-wasm has no gradient kernel for Conv1D.
      `export async function runFn(fnArgs) {
  const { tf } = fnArgs
  const x = tf.input({ shape: [2], name: 'x' })
  const sequence = tf.layers.reshape({ targetShape: [2, 1] }).apply(x)
  const conv = tf.layers.conv1d({ filters: 2, kernelSize: 1, name: 'conv' }).apply(sequence)
  const model = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(tf.layers.flatten().apply(conv)) })
  await fnArgs.saveModel(model, { inputs: ['x1_xf', 'x2_xf'], rawLabelKeys: ['y'] })
}
`,
    )
    const logs: string[] = []
    const { outputs } = await runComponent(Trainer, {
      inputs: { examples: examples(), transformGraph: transformGraph() },
      parameters: { moduleFile },
      onEvent: (event) => {
        if (event.type === 'node-log') logs.push(event.message)
      },
    })
    expect(logs).toContain('ONNX export skipped: layer conv (class Conv1D) is not supported; serving will use tfjs.')
    const serving = path.join(outputs.model.uri, 'Format-Serving')
    expect(await readdir(serving)).not.toContain('model.onnx')
    const bundle = await loadServingBundle(serving, { backend: 'wasm' })
    expect(bundle.runtime).toBe('tfjs')
    expect(bundle.signature.runtimes).toEqual(['tfjs'])
    const { output_0 } = await bundle.predict([{ x1: 0.9, x2: 0.1, color: 'red' }])
    expect(output_0).toHaveLength(1)
    bundle.dispose()
  })

  describe('fails the node, naming the module', () => {
    const run = async (name: string, source: string, parameters: Record<string, unknown> = {}) => {
      const moduleFile = await fixture.module(name, source)
      const error = await runComponent(Trainer, { inputs: { examples: examples(), transformGraph: transformGraph() }, parameters: { moduleFile, ...parameters } }).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      )
      expect(error, 'the node should fail').toBeDefined()
      expect(error!.message).toContain(moduleFile)
      return error!
    }

    it('when runFn is not exported', async () => {
      const error = await run('no-run-fn.mjs', 'export function train() {}\n')
      expect(error.code).toBe('SLUICE_MODULE_FILE_MISSING_EXPORT')
      expect(error.message).toMatch(/must export a function "runFn".*exports: train/)
    })

    it('when runFn throws', async () => {
      const error = await run('throws.mjs', "export function runFn() { throw new Error('boom in user code') }\n")
      expect(error.code).toBe('SLUICE_TRAINER_RUN_FN_FAILED')
      expect(error.message).toMatch(/runFn of module file .* failed: boom in user code/)
    })

    it('when runFn saves nothing', async () => {
      const error = await run('saves-nothing.mjs', 'export async function runFn() {}\n')
      expect(error.code).toBe('SLUICE_TRAINER_NOTHING_SAVED')
      expect(error.message).toMatch(/saved no model .*Format-Serving.model\.json does not exist.*fnArgs\.saveModel/)
    })

    it('when runFn returns something else than nothing, a History or metrics', async () => {
      const error = await run('returns-string.mjs', "export function runFn() { return 'done' }\n")
      expect(error.code).toBe('SLUICE_TRAINER_BAD_RETURN')
      expect(error.message).toMatch(/returned the string "done"/)
      const nonNumeric = await run('returns-object.mjs', "export function runFn() { return { accuracy: 'high' } }\n")
      expect(nonNumeric.message).toMatch(/"accuracy" is the string "high", not a finite number/)
    })

    it('when an accessor error happens inside runFn (the error keeps its code)', async () => {
      const error = await run(
        'bad-feature.mjs',
        "export async function runFn(fnArgs) { const ds = fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: 8, labelKey: 'y_xf', inputs: ['nope'] }); await ds.take(1).toArray() }\n",
      )
      expect(error.code).toBe('SLUICE_TRAINER_BAD_FEATURE')
      expect(error.message).toMatch(/Feature "nope" is not a column/)
    })

  })

  it('fails clearly when the backend asked for is not installed', async () => {
    const moduleFile = await fixture.module('never-runs.mjs', 'export function runFn() {}\n')
    const error = await runComponent(Trainer, { inputs: { examples: examples() }, parameters: { moduleFile, backend: 'tensorflow' } }).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    )
    expect(error?.code).toBe('SLUICE_TRAINER_BACKEND_UNAVAILABLE')
    expect(error?.message).toMatch(/"tensorflow" is not available: @tensorflow\/tfjs-node is not installed.*npm i @tensorflow\/tfjs-node/)
  })

  it('reads the transform output the bundle copies', async () => {
    const transform = await readTransformOutput(fixture.transformGraphUri)
    const copied = JSON.parse(await readFile(path.join(trained.modelUri, 'Format-Serving', 'transform', 'fitted_transform.json'), 'utf8'))
    expect(copied).toEqual(JSON.parse(JSON.stringify(transform.fitted)))
  })
})

describe('readHyperparameters', () => {
  it('reads a plain object or a KerasTuner config, from a directory or a file, and fails on an empty directory', async () => {
    const dir = path.join(fixture.tmp.path, 'hp-plain')
    await mkdir(dir, { recursive: true })
    await writeFile(path.join(dir, 'best_hyperparameters.txt'), '{"learning_rate": 0.001, "layers": [64, 32]}')
    expect(await readHyperparameters(dir)).toEqual({ learning_rate: 0.001, layers: [64, 32] })
    const file = path.join(fixture.tmp.path, 'hp.json')
    await writeFile(file, '{"values": {"units": 8}}')
    expect(await readHyperparameters(file)).toEqual({ units: 8 })
    const empty = path.join(fixture.tmp.path, 'hp-empty')
    await mkdir(empty, { recursive: true })
    await expect(readHyperparameters(empty)).rejects.toThrow(/holds no file/)
  })
})
