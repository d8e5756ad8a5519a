// Trainer benchmark (B-TRAIN in the perf reference), in one run:
//   1. training examples/s of the taxi example's model (packages/examples/src/taxi/model.ts) fed by the
//      Trainer's data accessor from transformed Parquet examples (the Parquet read included),
//   2. the same model fitted on tensors built in memory beforehand: the limit (goal: 1. ≥ 0.67x of it),
//   3. the wasm vs cpu backend ratio for a plain MLP 32-64-64-1 (and for the taxi model),
//   4. Transform rows/s for the taxi preprocessing on 1,000,000 synthetic taxi rows.
//
//   npm run bench train            # BENCH_TRAIN_ROWS=100000 BENCH_TRANSFORM_ROWS=1000000 BENCH_ROUNDS=3
//
// Rounds are interleaved and medians printed: this machine is noisy, so only ratios inside one run
// mean anything.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Transform, readTransformOutput } from '@sluice/component-transform'
import { createDataAccessor, selectBackend } from '@sluice/component-trainer'
import type { TfModule } from '@sluice/component-trainer'
import { listSplitFiles, openDuckDB, sqlStringList } from '@sluice/data/examples'
import { runComponent } from '@sluice/testing'
import { DEFAULT_HYPERPARAMETERS, DENSE_INPUT, buildModel, categoricalFeatures } from '../../packages/examples/src/taxi/model.ts'
import { LABEL_KEY } from '../../packages/examples/src/taxi/preprocessing.ts'
import { measureTransformThroughput, prepareTaxiExamples } from './transform-throughput.ts'

const TRAIN_ROWS = Number(process.env.BENCH_TRAIN_ROWS ?? 100_000)
const TRANSFORM_ROWS = Number(process.env.BENCH_TRANSFORM_ROWS ?? 1_000_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const BATCH = DEFAULT_HYPERPARAMETERS.batchSize
const work = path.join(os.tmpdir(), 'sluice-bench-train')
const here = path.dirname(new URL(import.meta.url).pathname)
const preprocessing = path.resolve(here, '../../packages/examples/src/taxi/preprocessing.ts')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const range = (xs: number[]) => `[${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)}]`
const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(58)} ${value.padStart(14)}  ${note}`)

fs.mkdirSync(work, { recursive: true })
const { tf } = await selectBackend('wasm')

// Transformed taxi examples for training: the synthetic raw rows through the real Transform.
const { examples, schemaUri } = await prepareTaxiExamples(Math.round(TRAIN_ROWS * 1.5), work)
const transformRoot = fs.mkdtempSync(path.join(work, 'transform-'))
const { outputs } = await runComponent(Transform, {
  inputs: { examples: { uri: examples.uri, properties: examples.properties }, schema: { uri: schemaUri } },
  parameters: { moduleFile: preprocessing, disableStatistics: true },
  root: transformRoot,
})
const transformOutput = await readTransformOutput(outputs.transformGraph.uri)
const trainFiles = await listSplitFiles(outputs.transformedExamples.uri, 'train')
const categorical = categoricalFeatures((f) => transformOutput.numBuckets(f))
const inputs = { dense: DENSE_INPUT, ...Object.fromEntries(Object.keys(categorical).map((name) => [name, [name]])) }
const dtype = Object.fromEntries(Object.keys(categorical).map((name) => [name, 'int32' as const]))

// The limit's tensors, built once outside the timing: the same columns, the same dtypes.
async function inMemoryTensors(t: TfModule) {
  await using db = await openDuckDB()
  const columns = (await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlStringList(trainFiles)})`)).getColumnsObjectJS() as Record<string, unknown[]>
  const n = columns[LABEL_KEY]!.length
  const denseData = new Float32Array(n * DENSE_INPUT.length)
  DENSE_INPUT.forEach((name, j) => columns[name]!.forEach((v, i) => (denseData[i * DENSE_INPUT.length + j] = Number(v))))
  const xs = [t.tensor2d(denseData, [n, DENSE_INPUT.length]), ...Object.keys(categorical).map((name) => t.tensor2d(Int32Array.from(columns[name]!, Number), [n, 1], 'int32'))]
  const ys = t.tensor2d(Float32Array.from(columns[LABEL_KEY]!, Number), [n, 1])
  return { xs, ys, n }
}

async function throughAccessor(): Promise<{ first: number; later: number; n: number }> {
  const accessor = createDataAccessor({ tf, transformOutput })
  const model = buildModel(tf, categorical, DEFAULT_HYPERPARAMETERS)
  const started = performance.now()
  const dataset = accessor.tfDatasetFactory(trainFiles, { batchSize: BATCH, labelKey: LABEL_KEY, inputs, dtype, shuffleSeed: 1 })
  await model.fitDataset(dataset, { epochs: 1, verbose: 0 })
  const firstMs = performance.now() - started
  const again = performance.now()
  await model.fitDataset(dataset, { epochs: 1, verbose: 0 })
  const laterMs = performance.now() - again
  model.optimizer.dispose()
  model.dispose()
  return { first: firstMs, later: laterMs, n: memoryData.n }
}

async function inMemory(t: TfModule, data: Awaited<ReturnType<typeof inMemoryTensors>>): Promise<number> {
  const model = buildModel(t, categorical, DEFAULT_HYPERPARAMETERS)
  const started = performance.now()
  await model.fit(data.xs, data.ys, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 })
  const ms = performance.now() - started
  model.optimizer.dispose()
  model.dispose()
  return ms
}

/** The MLP 32-64-64-1 of perf.md, one epoch of `rows` synthetic rows at batch 256. */
async function mlpEpoch(t: TfModule, rows: number): Promise<number> {
  const x = t.randomNormal([rows, 32], 0, 1, 'float32', 1)
  const y = t.randomNormal([rows, 1], 0, 1, 'float32', 2)
  const model = t.sequential({
    layers: [t.layers.dense({ inputShape: [32], units: 64, activation: 'relu' }), t.layers.dense({ units: 64, activation: 'relu' }), t.layers.dense({ units: 1 })],
  })
  model.compile({ optimizer: t.train.adam(1e-3), loss: 'meanSquaredError' })
  const started = performance.now()
  await model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 })
  const ms = performance.now() - started
  model.optimizer.dispose()
  model.dispose()
  x.dispose()
  y.dispose()
  return rows / (ms / 1000)
}

const memoryData = await inMemoryTensors(tf)
const accessorFirst: number[] = []
const accessorLater: number[] = []
const limit: number[] = []
const wasmMlp: number[] = []
const cpuMlp: number[] = []
const wasmTaxi: number[] = []
const cpuTaxi: number[] = []
const MLP_ROWS = 50_000
// The cpu backend trains the taxi model on a slice, so its rounds stay short.
const CPU_TAXI_ROWS = Math.min(20_000, memoryData.n)
for (let round = 0; round < ROUNDS; round++) {
  const a = await throughAccessor()
  accessorFirst.push(a.n / (a.first / 1000))
  accessorLater.push(a.n / (a.later / 1000))
  limit.push(memoryData.n / ((await inMemory(tf, memoryData)) / 1000))
  wasmMlp.push(await mlpEpoch(tf, MLP_ROWS))
  const slice = { xs: memoryData.xs.map((x) => x.slice(0, CPU_TAXI_ROWS)), ys: memoryData.ys.slice(0, CPU_TAXI_ROWS), n: CPU_TAXI_ROWS }
  wasmTaxi.push(CPU_TAXI_ROWS / ((await inMemory(tf, slice)) / 1000))
  await tf.setBackend('cpu')
  cpuMlp.push(await mlpEpoch(tf, MLP_ROWS))
  const cpuSlice = await inMemoryTensors(tf).then((d) => ({ xs: d.xs.map((x) => x.slice(0, CPU_TAXI_ROWS)), ys: d.ys.slice(0, CPU_TAXI_ROWS), n: CPU_TAXI_ROWS }))
  cpuTaxi.push(CPU_TAXI_ROWS / ((await inMemory(tf, cpuSlice)) / 1000))
  tf.dispose([...cpuSlice.xs, cpuSlice.ys])
  await tf.setBackend('wasm')
  tf.dispose([...slice.xs, slice.ys])
  console.log(`round ${round + 1}/${ROUNDS} done`)
}

const transform: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  transform.push((await measureTransformThroughput({ rows: TRANSFORM_ROWS, tmpDir: work, moduleFile: preprocessing })).rowsPerSecond)
}

console.log(`\ntaxi model (${Object.keys(categorical).length} one-hot inputs + ${DENSE_INPUT.length} z-scores), batch ${BATCH}, ${memoryData.n} train rows, backend wasm, ${ROUNDS} rounds (median [min..max])`)
line('through the data accessor, 1st epoch incl. Parquet read', `${median(accessorFirst).toFixed(0)} ex/s`, range(accessorFirst))
line('through the data accessor, later epochs', `${median(accessorLater).toFixed(0)} ex/s`, range(accessorLater))
line('model.fit on in-memory tensors (the limit)', `${median(limit).toFixed(0)} ex/s`, range(limit))
line('accessor / limit, 1st epoch (goal >= 0.67)', `${(median(accessorFirst) / median(limit)).toFixed(2)}x`)
line('accessor / limit, later epochs', `${(median(accessorLater) / median(limit)).toFixed(2)}x`)
console.log(`\nbackends, model.fit one epoch at batch ${BATCH}`)
line(`MLP 32-64-64-1, ${MLP_ROWS} rows: wasm`, `${median(wasmMlp).toFixed(0)} ex/s`, range(wasmMlp))
line(`MLP 32-64-64-1, ${MLP_ROWS} rows: cpu`, `${median(cpuMlp).toFixed(0)} ex/s`, range(cpuMlp))
line('MLP wasm / cpu (perf.md: 3.5-4.7x)', `${(median(wasmMlp) / median(cpuMlp)).toFixed(2)}x`)
line(`taxi model, ${CPU_TAXI_ROWS} rows: wasm / cpu`, `${(median(wasmTaxi) / median(cpuTaxi)).toFixed(2)}x`, `${median(wasmTaxi).toFixed(0)} vs ${median(cpuTaxi).toFixed(0)} ex/s`)
console.log(`\nTransform, taxi preprocessing (packages/examples/src/taxi/preprocessing.ts), ${TRANSFORM_ROWS} synthetic rows, statistics off`)
line('Transform (analyze + materialise every split)', `${median(transform).toFixed(0)} rows/s`, range(transform))
fs.rmSync(transformRoot, { recursive: true, force: true })
