import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTransformOutput } from '@sluice/component-transform'
import type { TransformOutput } from '@sluice/component-transform'
import { listSplitFiles, openDuckDB, writeSplits } from '@sluice/data/examples'
import { createDataAccessor, selectBackend } from '@sluice/component-trainer'
import type { DataAccessor, TfModule } from '@sluice/component-trainer'
import { createTrainerFixture, readSplitRows } from './fixtures.js'
import type { TrainerFixture } from './fixtures.js'

let fixture: TrainerFixture
let tf: TfModule
let transformOutput: TransformOutput
let accessor: DataAccessor
let trainFiles: string[]
let rawTrainFiles: string[]

type Batch = { xs: Tfjs.Tensor | Record<string, Tfjs.Tensor>; ys?: Tfjs.Tensor }

/** Every batch of one iteration of a dataset, read out as arrays (tensors disposed). */
async function collect(dataset: Tfjs.data.Dataset<Batch>): Promise<{ xs: number[][] | Record<string, number[][]>; ys: number[]; shapes: number[][] }[]> {
  const out: { xs: number[][] | Record<string, number[][]>; ys: number[]; shapes: number[][] }[] = []
  await dataset.forEachAsync((batch) => {
    const read = (t: Tfjs.Tensor) => t.arraySync() as number[][]
    const xs = batch.xs instanceof tf.Tensor ? read(batch.xs) : Object.fromEntries(Object.entries(batch.xs).map(([k, t]) => [k, read(t)]))
    const shapes = batch.xs instanceof tf.Tensor ? [batch.xs.shape] : Object.values(batch.xs).map((t) => t.shape)
    out.push({ xs, ys: batch.ys ? (batch.ys.arraySync() as number[][]).map((r) => r[0]!) : [], shapes })
    tf.dispose(batch as unknown as Tfjs.TensorContainer)
  })
  return out
}

beforeAll(async () => {
  fixture = await createTrainerFixture(300)
  tf = (await selectBackend('wasm')).tf
  transformOutput = await readTransformOutput(fixture.transformGraphUri)
  accessor = createDataAccessor({ tf, transformOutput })
  trainFiles = await listSplitFiles(fixture.transformedExamplesUri, 'train')
  rawTrainFiles = await listSplitFiles(fixture.rawExamplesUri, 'train')
})

afterAll(async () => {
  await fixture?.tmp.remove()
})

describe('dataAccessor.tfDatasetFactory', () => {
  it('yields [batch, n] float32 xs in the order of `inputs` and [batch, 1] ys, in file order without shuffle', async () => {
    const rows = await readSplitRows(fixture.transformedExamplesUri, 'train')
    const dataset = accessor.tfDatasetFactory(trainFiles, { batchSize: 64, labelKey: 'y_xf', inputs: ['x2_xf', 'x1_xf'], shuffle: false })
    const batches = await collect(dataset)
    expect(batches.map((b) => b.shapes[0])).toEqual([[64, 2], [64, 2], [64, 2], [8, 2]])
    expect(dataset.size).toBe(4)
    const xs = batches.flatMap((b) => b.xs as number[][])
    expect(xs).toHaveLength(rows.length)
    xs.forEach((x, i) => {
      expect(x[0]).toBeCloseTo(Number(rows[i]!.x2_xf), 5)
      expect(x[1]).toBeCloseTo(Number(rows[i]!.x1_xf), 5)
    })
    expect(batches.flatMap((b) => b.ys)).toEqual(rows.map((r) => Number(r.y_xf)))
  })

  it('feeds named model inputs as a dict, int32 for an embedding, and trains a functional model with it', async () => {
    const dataset = accessor.tfDatasetFactory(trainFiles, {
      batchSize: 50,
      labelKey: 'y_xf',
      inputs: { dense: ['x1_xf', 'x2_xf'], color: ['color_xf'] },
      dtype: { color: 'int32' },
      shuffleSeed: 3,
    })
    const first = await dataset.take(1).toArray()
    const xs = first[0]!.xs
    expect(xs.dense.shape).toEqual([50, 2])
    expect(xs.dense.dtype).toBe('float32')
    expect(xs.color.shape).toEqual([50, 1])
    expect(xs.color.dtype).toBe('int32')
    expect(first[0]!.ys.shape).toEqual([50, 1])
    tf.dispose(first)

    const before = tf.memory().numTensors
    const dense = tf.input({ shape: [2], name: 'dense' })
    const color = tf.input({ shape: [1], name: 'color', dtype: 'int32' })
    const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: transformOutput.numBuckets('color_xf')!, outputDim: 2 }).apply(color)) as Tfjs.SymbolicTensor
    const joined = tf.layers.concatenate().apply([dense, embedded]) as Tfjs.SymbolicTensor
    const model = tf.model({ inputs: [dense, color], outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(joined) as Tfjs.SymbolicTensor })
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' })
    const history = await model.fitDataset(dataset, { epochs: 2, verbose: 0 })
    expect(history.epoch).toEqual([0, 1])
    model.optimizer.dispose()
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('repeats numEpochs times, or forever with numEpochs: null', async () => {
    const twice = await collect(accessor.tfDatasetFactory(trainFiles, { batchSize: 100, labelKey: 'y_xf', inputs: ['x1_xf'], numEpochs: 2, shuffle: false }))
    expect(twice.map((b) => b.ys.length)).toEqual([100, 100, 100, 100])
    const forever = accessor.tfDatasetFactory(trainFiles, { batchSize: 100, labelKey: 'y_xf', inputs: ['x1_xf'], numEpochs: null })
    expect((await collect(forever.take(7) as Tfjs.data.Dataset<Batch>)).length).toBe(7)
    const dropped = await collect(accessor.tfDatasetFactory(trainFiles, { batchSize: 64, labelKey: 'y_xf', inputs: ['x1_xf'], dropRemainder: true }))
    expect(dropped.map((b) => b.ys.length)).toEqual([64, 64, 64])
  })

  it('shuffles reproducibly with shuffleSeed, differently with another seed, and anew at every iteration', async () => {
    const options = { batchSize: 200, labelKey: 'y_xf', inputs: ['x1_xf', 'x2_xf'] } as const
    const a = accessor.tfDatasetFactory(trainFiles, { ...options, shuffleSeed: 42 })
    const b = accessor.tfDatasetFactory(trainFiles, { ...options, shuffleSeed: 42 })
    const c = accessor.tfDatasetFactory(trainFiles, { ...options, shuffleSeed: 43 })
    const ordered = await collect(accessor.tfDatasetFactory(trainFiles, { ...options, shuffle: false }))
    const a1 = await collect(a)
    expect(await collect(b)).toEqual(a1)
    expect(await collect(c)).not.toEqual(a1)
    expect(a1).not.toEqual(ordered)
    const a2 = await collect(a)
    const b2 = await collect(b)
    expect(a2).not.toEqual(a1)
    expect(b2).toEqual(a2)
    // A shuffle is a permutation: the same rows, with their labels.
    const pairs = (batches: typeof a1) => batches.flatMap((batch) => (batch.xs as number[][]).map((x, i) => `${x.join(',')}:${batch.ys[i]}`)).sort()
    expect(pairs(a1)).toEqual(pairs(ordered))
  })

  it('reads raw examples through the fitted transform with raw: true', async () => {
    const options = { batchSize: 1000, labelKey: 'y_xf', inputs: { dense: ['x1_xf', 'x2_xf'], color: ['color_xf'] }, shuffle: false } as const
    const fromRaw = await collect(accessor.tfDatasetFactory(rawTrainFiles, { ...options, raw: true }))
    const fromTransformed = await collect(accessor.tfDatasetFactory(trainFiles, options))
    expect(fromRaw).toEqual(fromTransformed)
    expect(() => createDataAccessor({ tf }).tfDatasetFactory(rawTrainFiles, { ...options, raw: true })).toThrow(/raw: true needs a fitted transform/)
  })

  it('defaults inputs to every numeric feature but the label, in column order', async () => {
    const [first] = await collect(accessor.tfDatasetFactory(trainFiles, { batchSize: 5, labelKey: 'y_xf', shuffle: false }))
    expect(first!.shapes[0]).toEqual([5, 3]) // x1_xf, x2_xf, color_xf
    const [unsupervised] = await collect(accessor.tfDatasetFactory(trainFiles, { batchSize: 5, labelKey: null, inputs: ['x1_xf'], shuffle: false }))
    expect(unsupervised!.ys).toEqual([])
  })

  it('fails on a missing value naming the feature and file, unless fillMissing is given', async () => {
    const uri = path.join(fixture.tmp.path, 'with-nulls')
    {
      await using db = await openDuckDB({ threads: 1 })
      await writeSplits(db.connection, {
        query: 'SELECT i::DOUBLE AS a, CASE WHEN i = 7 THEN NULL ELSE i * 2.0 END AS b, (i % 2)::BIGINT AS y, \'s\' || i AS name FROM range(0, 20) t(i)',
        examplesUri: uri,
        splits: ['train'],
        featureTypes: { a: 'FLOAT', b: 'FLOAT', y: 'INT', name: 'STRING' },
      })
    }
    const files = await listSplitFiles(uri, 'train')
    const plain = createDataAccessor({ tf })
    await expect(plain.tfDatasetFactory(files, { batchSize: 4, labelKey: 'y', inputs: ['a', 'b'] }).toArray()).rejects.toThrow(
      new RegExp(`Feature "b" is missing \\(null or NaN\\) in 1 example\\(s\\), first in ${files[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at row 7`),
    )
    const [batch] = await collect(plain.tfDatasetFactory(files, { batchSize: 20, labelKey: 'y', inputs: ['b'], fillMissing: -1, shuffle: false }))
    expect((batch!.xs as number[][])[7]).toEqual([-1])
    await expect(plain.tfDatasetFactory(files, { batchSize: 4, labelKey: 'y', inputs: ['name'] }).toArray()).rejects.toThrow(/Feature "name" .* is STRING; the data accessor feeds numbers/)
    await expect(plain.tfDatasetFactory(files, { batchSize: 4, labelKey: 'label', inputs: ['a'] }).toArray()).rejects.toThrow(/Feature "label" is not a column/)
    expect(() => plain.tfDatasetFactory(files, { batchSize: 0, labelKey: 'y' })).toThrow(/batchSize must be a positive integer/)
    const misspelt = { batchSize: 4, labelKey: 'y', dtypes: { a: 'int32' } }
    expect(() => plain.tfDatasetFactory(files, misspelt)).toThrow(/unknown option\(s\) "dtypes".*Did you mean "dtype"\?/)
  })

  it('leaks no tensor through fitDataset and evaluateDataset', async () => {
    const train = accessor.tfDatasetFactory(trainFiles, { batchSize: 32, labelKey: 'y_xf', inputs: ['x1_xf', 'x2_xf'], shuffleSeed: 1 })
    const evaluation = accessor.tfDatasetFactory(trainFiles, { batchSize: 128, labelKey: 'y_xf', inputs: ['x1_xf', 'x2_xf'], shuffle: false })
    const before = tf.memory().numTensors
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, activation: 'relu', inputShape: [2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] })
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] })
    await model.fitDataset(train, { epochs: 3, verbose: 0, validationData: evaluation })
    const scores = (await model.evaluateDataset(evaluation, {})) as Tfjs.Scalar[]
    tf.dispose(scores)
    model.optimizer.dispose()
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})
