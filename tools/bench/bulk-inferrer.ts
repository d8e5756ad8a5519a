// BulkInferrer benchmark (perf.md B-INFER), in one run, rounds interleaved:
//   1. the BulkInferrer component (runComponent: runner, metadata store) over N synthetic taxi rows
//      (both splits) with the taxi example's model, on onnxruntime (`runtime: 'auto'`, the bundle has
//      model.onnx) and on tfjs-wasm;
//   2. decode-only: the same Parquet read the way the BulkInferrer reads it (DuckDB streaming the
//      model's raw input columns into JS, copied into batch columns), without predicting or writing;
//   3. the BulkInferrer's pipeline with the model replaced by a no-op (read + rows + Parquet write of
//      every column with a prediction column): what the I/O alone costs;
//   4. the model alone: `bundle.predictColumns` (transform + ONNX) on columns already in memory.
// Goal: 1. (ONNX) ≥ 0.8x the rows/s of 2.
//
//   npm run bench bulk-inferrer                    # BENCH_ROWS=1000000 BENCH_ROUNDS=3
//
// The taxi model is trained once per BENCH_DIR (Transform + Trainer on 30,000 rows, one epoch).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import { openDuckDB, openSplitView, sqlIdentifier, sqlString } from '@sluice/data/examples'
import { runComponent } from '@sluice/testing'
import { BulkInferrer } from '../../packages/components/bulk-inferrer/src/index.ts'
import { inferSplit, predictionColumns } from '../../packages/components/bulk-inferrer/src/infer.ts'
import { trainTaxiModel } from './taxi-model.ts'
import { prepareTaxiExamples } from './transform-throughput.ts'

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const BATCH = Number(process.env.BENCH_BATCH ?? 4096)
const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'sluice-bench-bulk-inferrer')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

fs.mkdirSync(work, { recursive: true })

/** The taxi example's model, trained once (one epoch): Format-Serving with model.onnx. */
const taxiModel = () => trainTaxiModel({ rows: 30_000, workDir: work, epochs: 1 })

const t0 = performance.now()
const { examples } = await prepareTaxiExamples(ROWS, work)
const modelUri = await taxiModel()
const serving = path.join(modelUri, 'Format-Serving')
console.log(`${fmt(ROWS)} taxi rows (${examples.splits.join(', ')}), model ${serving} (model.onnx: ${fs.existsSync(path.join(serving, 'model.onnx'))}), ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

async function component(runtime: 'auto' | 'tfjs'): Promise<number> {
  const root = fs.mkdtempSync(path.join(work, 'run-'))
  try {
    const started = performance.now()
    await runComponent(BulkInferrer, {
      inputs: { examples: { uri: examples.uri, properties: examples.properties, customProperties: examples.customProperties }, model: { uri: modelUri } },
      parameters: { runtime, batchSize: BATCH },
      root,
    })
    return (performance.now() - started) / 1000
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

const bundle = await loadServingBundle(serving)
const inputs = bundle.signature.inputs

/** Decode-only: the model's input columns streamed into JS and copied into batch columns, as the BulkInferrer reads them. */
async function decodeOnly(): Promise<number> {
  const started = performance.now()
  await using db = await openDuckDB()
  let rows = 0
  for (const split of examples.splits) {
    const view = await openSplitView(db.connection, examples.uri, split)
    const types = new Map(view.columns.map((c) => [c.name, c.duckdbType]))
    const select = inputs
      .map((i) => ((i.type === 'INT' || i.type === 'FLOAT') && types.get(i.name) !== 'VARCHAR' ? `CAST(${sqlIdentifier(i.name)} AS DOUBLE)` : sqlIdentifier(i.name)))
      .join(', ')
    for (const file of view.files) {
      const result = await db.connection.stream(`SELECT ${select} FROM read_parquet(${sqlString(file)})`)
      const batch = inputs.map(() => new Array<unknown>(BATCH))
      let filled = 0
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        const values = inputs.map((_, k) => chunk.getColumnValues(k))
        for (let from = 0; from < chunk.rowCount; ) {
          const take = Math.min(chunk.rowCount - from, BATCH - filled)
          for (let k = 0; k < inputs.length; k++) for (let i = 0; i < take; i++) batch[k]![filled + i] = values[k]![from + i]
          filled = (filled + take) % BATCH
          from += take
          rows += take
        }
      }
    }
  }
  if (rows !== ROWS) throw new Error(`decode-only read ${rows} rows, expected ${ROWS}`)
  return (performance.now() - started) / 1000
}

/** The BulkInferrer's read + write with a model that predicts zeros. */
async function pipelineWithoutModel(): Promise<number> {
  const out = fs.mkdtempSync(path.join(work, 'noop-'))
  try {
    const started = performance.now()
    await using db = await openDuckDB()
    const columns = predictionColumns([{ name: 'probabilities', width: 1 }], '')
    for (const split of examples.splits) {
      const view = await openSplitView(db.connection, examples.uri, split)
      await inferSplit({ connection: db.connection, view, examplesUri: examples.uri, inputs, predict: async (_columns, rowCount) => ({ probabilities: new Float32Array(rowCount) }), columns, outputUri: out, batchSize: BATCH })
    }
    return (performance.now() - started) / 1000
  } finally {
    fs.rmSync(out, { recursive: true, force: true })
  }
}

/** The model alone on 100,000 rows held in memory as columns (transform + ONNX), scaled to rows/s. */
const sampleColumns = await (async () => {
  await using db = await openDuckDB()
  const view = await openSplitView(db.connection, examples.uri, 'train')
  return (await db.connection.runAndReadAll(`SELECT ${inputs.map((i) => sqlIdentifier(i.name)).join(', ')} FROM ${sqlIdentifier(view.view)} LIMIT 100000`)).getColumnsObjectJS() as Record<string, unknown[]>
})()
const sampleCount = sampleColumns[inputs[0]!.name]!.length
async function modelOnly(): Promise<number> {
  const started = performance.now()
  for (let start = 0; start < sampleCount; start += BATCH) {
    const n = Math.min(BATCH, sampleCount - start)
    await bundle.predictColumns(Object.fromEntries(inputs.map((i) => [i.name, sampleColumns[i.name]!.slice(start, start + n)])), n, { batchSize: BATCH })
  }
  return ((performance.now() - started) / 1000) * (ROWS / sampleCount)
}

const times: Record<string, number[]> = { onnx: [], tfjs: [], decode: [], noModel: [], model: [] }
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order so that none always runs first on a cold page cache.
  const steps: [string, () => Promise<number>][] = [
    ['decode', decodeOnly],
    ['onnx', () => component('auto')],
    ['noModel', pipelineWithoutModel],
    ['model', modelOnly],
    ['tfjs', () => component('tfjs')],
  ]
  for (let k = 0; k < steps.length; k++) {
    const [name, run] = steps[(k + round) % steps.length]!
    times[name]!.push(await run())
  }
  console.log(`round ${round + 1}: ${Object.entries(times).map(([k, v]) => `${k} ${v.at(-1)!.toFixed(2)} s`).join(', ')}`)
}
bundle.dispose()

const line = (label: string, key: string) => {
  const s = median(times[key]!)
  console.log(`${label.padEnd(62)} ${s.toFixed(2).padStart(7)} s ${fmt(ROWS / s).padStart(11)} rows/s   [${times[key]!.map((x) => x.toFixed(2)).join(', ')}]`)
  return ROWS / s
}
console.log(`\n${fmt(ROWS)} rows, batch ${BATCH}, ${os.availableParallelism()} cores, medians of ${ROUNDS} rounds:`)
const onnx = line('BulkInferrer component, ONNX (runtime auto)', 'onnx')
const tfjs = line('BulkInferrer component, tfjs-wasm', 'tfjs')
const decode = line('decode-only (stream input columns into JS batch columns)', 'decode')
const noModel = line('BulkInferrer pipeline, no-op model (read + write)', 'noModel')
line('model alone: bundle.predictColumns on in-memory columns (ONNX)', 'model')
console.log(`\nONNX / decode-only ${(onnx / decode).toFixed(2)}x (goal ≥ 0.8x); ONNX / no-op-model pipeline ${(onnx / noModel).toFixed(2)}x; ONNX / tfjs ${(onnx / tfjs).toFixed(2)}x`)
