import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JsonValue } from '@sluice/core'
import { openDuckDB, openSplitView, readParquetKeyValueMetadata } from '@sluice/data/examples'
import { readSchema } from '@sluice/data/schema'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import { createTempDirectory, rejectionOf, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { BulkInferrer, NOT_BLESSED_FILE, PREDICTION_TAG } from '../src/index.js'
import { inferSplit, predictionColumns } from '../src/infer.js'
import { FEATURE_TYPES, readSplit, writeExamples, writeModel } from './fixtures.js'

let tmp: TempDirectory
let examples: Awaited<ReturnType<typeof writeExamples>>
let modelUri: string
let counter = 0
const fresh = (name: string) => path.join(tmp.path, `${name}-${++counter}`)

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-bulk-inferrer-test-')
  // 3,000 rows: 1,000 per split, in files of at most 400 rows (3 files per split).
  examples = await writeExamples(path.join(tmp.path, 'examples'), 3000, { rowsPerFile: 400 })
  modelUri = path.join(tmp.path, 'model')
  await writeModel(modelUri)
})
afterAll(async () => {
  await tmp?.remove()
})

const blessing = (blessed: number | undefined) => {
  const uri = fresh('blessing')
  fs.mkdirSync(uri, { recursive: true })
  fs.writeFileSync(path.join(uri, blessed === 1 ? 'BLESSED' : 'NOT_BLESSED'), '')
  return { uri, customProperties: (blessed === undefined ? {} : { blessed }) as Record<string, JsonValue> }
}

describe('BulkInferrer', () => {
  test('chosen splits: every row with its features unchanged and the predictions of bundle.predict, in order', async () => {
    const { outputs } = await runComponent(BulkInferrer, {
      inputs: { examples, model: { uri: modelUri }, modelBlessing: blessing(1) },
      parameters: { dataSpec: { exampleSplits: ['eval', 'test'] }, batchSize: 128 },
    })
    const result = outputs.inferenceResult
    expect(fs.readdirSync(result.uri).sort()).toEqual(['Split-eval', 'Split-test', 'schema.json', 'schema.pbtxt'])
    expect(result.customProperties).toMatchObject({
      inferred: 1,
      split_names: ['eval', 'test'],
      feature_types: { ...FEATURE_TYPES, score: 'FLOAT', logits_0: 'FLOAT', logits_1: 'FLOAT', logits_2: 'FLOAT' },
      prediction_columns: [
        { column: 'score', output: 'score', index: 0 },
        { column: 'logits_0', output: 'logits', index: 0 },
        { column: 'logits_1', output: 'logits', index: 1 },
        { column: 'logits_2', output: 'logits', index: 2 },
      ],
    })

    const bundle = await loadServingBundle(path.join(modelUri, 'Format-Serving'))
    try {
      for (const split of ['eval', 'test']) {
        const input = await readSplit(examples.uri, split)
        const output = await readSplit(result.uri, split)
        // One output file per input file, same names.
        expect(fs.readdirSync(path.join(result.uri, `Split-${split}`))).toEqual(fs.readdirSync(path.join(examples.uri, `Split-${split}`)))
        expect(output.rows).toHaveLength(1000)
        // Input columns: same types, same values, same order (nulls and lists included).
        expect(Object.fromEntries(Object.entries(output.types).slice(0, 6))).toEqual(input.types)
        expect(output.types).toMatchObject({ score: 'FLOAT', logits_0: 'FLOAT', logits_2: 'FLOAT' })
        expect(output.rows.map((r) => Object.fromEntries(Object.keys(input.types).map((k) => [k, r[k]])))).toEqual(input.rows)
        // Predictions: exactly what the bundle predicts for those rows.
        const expected = await bundle.predict(input.rows.map((r) => ({ x1: r.x1, x2: r.x2 })))
        expect(Float32Array.from(output.rows, (r) => r.score as number)).toEqual(expected.score)
        const logits = new Float32Array(3000)
        output.rows.forEach((r, i) => [r.logits_0, r.logits_1, r.logits_2].forEach((v, j) => (logits[i * 3 + j] = v as number)))
        expect(logits).toEqual(expected.logits)
      }
    } finally {
      bundle.dispose()
    }

    // The feature types travel in the Parquet metadata, so StatisticsGen & co. read the result as examples.
    await using db = await openDuckDB({ threads: 1 })
    const view = await openSplitView(db.connection, result.uri, 'eval')
    expect(view.featureTypes).toEqual({ ...FEATURE_TYPES, score: 'FLOAT', logits_0: 'FLOAT', logits_1: 'FLOAT', logits_2: 'FLOAT' })
    expect(Object.keys(await readParquetKeyValueMetadata(db.connection, view.files[0]!))).toContain('sluice.feature_types')

    const schema = await readSchema(result.uri)
    expect(schema.feature.map((f) => [f.name, f.type ?? null])).toEqual([
      ['x1', 'FLOAT'],
      ['x2', 'FLOAT'],
      ['color', 'BYTES'],
      ['n', 'INT'],
      ['tags', 'FLOAT'],
      ['flag', 'INT'],
      ['score', 'FLOAT'],
      ['logits_0', 'FLOAT'],
      ['logits_1', 'FLOAT'],
      ['logits_2', 'FLOAT'],
    ])
    expect(schema.feature.filter((f) => f.annotation?.tag?.includes(PREDICTION_TAG)).map((f) => f.name)).toEqual(['score', 'logits_0', 'logits_1', 'logits_2'])
    expect(schema.feature.find((f) => f.name === 'logits_1')!.annotation!.comment).toEqual(['Output "logits" of the model, value 1 of 3.'])
  })

  test('no blessing: all splits; outputNames and outputColumnPrefix; tfjs gives what ONNX gives', async () => {
    const logs: string[] = []
    const runs = await Promise.all(
      (['auto', 'tfjs'] as const).map((runtime) =>
        runComponent(BulkInferrer, {
          inputs: { examples, model: { uri: modelUri } },
          parameters: { modelSpec: { outputNames: ['score'] }, outputColumnPrefix: 'pred_', runtime },
          onEvent: (event) => {
            if (event.type === 'node-log') logs.push(event.message)
          },
        }),
      ),
    )
    // The Trainer's bundles carry model.onnx when the layers allow (these do): auto runs it on onnxruntime.
    expect(fs.existsSync(path.join(modelUri, 'Format-Serving', 'model.onnx'))).toBe(true)
    expect(logs.filter((l) => l.startsWith('Inferring 3,000 rows of split(s) train, eval, test with the ')).map((l) => l.split(' ')[10]).sort()).toEqual(['onnx', 'tfjs'])
    expect(logs.filter((l) => / rows\/s; model /.test(l))).toHaveLength(6)
    const [auto, tfjs] = runs.map((r) => r.outputs.inferenceResult)
    expect(auto!.customProperties.split_names).toEqual(['train', 'eval', 'test'])
    const autoRows = (await readSplit(auto!.uri, 'train')).rows
    const tfjsRows = (await readSplit(tfjs!.uri, 'train')).rows
    expect(Object.keys(autoRows[0]!)).toEqual([...Object.keys(FEATURE_TYPES), 'pred_score'])
    expect(autoRows).toHaveLength(1000)
    const a = autoRows.map((r) => r.pred_score as number)
    const b = tfjsRows.map((r) => r.pred_score as number)
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThan(1e-5)
  })

  test('a signature without output shapes: the widths come from the model', async () => {
    const copy = fresh('model')
    fs.cpSync(modelUri, copy, { recursive: true })
    const file = path.join(copy, 'Format-Serving', 'signature.json')
    const signature = JSON.parse(fs.readFileSync(file, 'utf8')) as { outputs: { name: string; shape?: unknown }[] }
    for (const output of signature.outputs) delete output.shape
    fs.writeFileSync(file, JSON.stringify(signature))
    const { outputs } = await runComponent(BulkInferrer, { inputs: { examples, model: { uri: copy } }, parameters: { dataSpec: { exampleSplits: ['test'] } } })
    const { rows } = await readSplit(outputs.inferenceResult.uri, 'test')
    expect(Object.keys(rows[0]!).slice(6)).toEqual(['score', 'logits_0', 'logits_1', 'logits_2'])
  })

  test('a model blessing that is not blessed: nothing inferred, NOT_BLESSED marker and inferred=0', async () => {
    for (const value of [0, undefined]) {
      const { outputs } = await runComponent(BulkInferrer, { inputs: { examples, model: { uri: modelUri }, modelBlessing: blessing(value) } })
      const result = outputs.inferenceResult
      expect(result.customProperties.inferred).toBe(0)
      expect(result.customProperties.split_names).toBeUndefined()
      expect(fs.readdirSync(result.uri)).toEqual([NOT_BLESSED_FILE])
      expect(fs.readFileSync(path.join(result.uri, NOT_BLESSED_FILE), 'utf8')).toMatch(value === 0 ? /is not blessed \(blessed=0/ : /has no "blessed" property/)
    }
  })

  test('bad input: clear errors naming the split, feature, column or row', async () => {
    const unknown = await rejectionOf(runComponent(BulkInferrer, { inputs: { examples, model: { uri: modelUri } }, parameters: { dataSpec: { exampleSplits: ['eval', 'holdout'] } } }))
    expect(unknown.code).toBe('SLUICE_BULK_INFERRER_UNKNOWN_SPLIT')
    expect(unknown.message).toContain('names "holdout", which the examples')
    expect(unknown.message).toContain('Their splits are "train", "eval", "test".')

    const badOutput = await rejectionOf(runComponent(BulkInferrer, { inputs: { examples, model: { uri: modelUri } }, parameters: { modelSpec: { outputNames: ['probabilities'] } } }))
    expect(badOutput.message).toContain('Its outputs are "score", "logits".')

    // Transformed examples instead of raw ones: the model's raw input is missing.
    const noX2 = await writeExamples(fresh('examples'), 30, { overrides: { x2: 'NULL::DOUBLE' } })
    await using db = await openDuckDB({ threads: 1 })
    for (const split of ['train', 'eval', 'test']) {
      const dir = path.join(noX2.uri, `Split-${split}`)
      const file = path.join(dir, fs.readdirSync(dir)[0]!)
      await db.connection.run(`COPY (SELECT * EXCLUDE (x2) FROM read_parquet('${file}')) TO '${file}.tmp' (FORMAT PARQUET)`)
      fs.renameSync(`${file}.tmp`, file)
    }
    const missing = await rejectionOf(runComponent(BulkInferrer, { inputs: { examples: noX2, model: { uri: modelUri } } }))
    expect(missing.code).toBe('SLUICE_BULK_INFERRER_BAD_FEATURE')
    expect(missing.message).toContain('split "train" of the examples at')
    expect(missing.message).toContain('has no feature "x2" (FLOAT), which the model takes')

    // A missing value in row 700 of the eval split: the error names split, file and row; nothing is published.
    const holes = await writeExamples(fresh('examples'), 3000, { rowsPerFile: 400, overrides: { x1: 'CASE WHEN i = 2101 THEN NULL ELSE 0.5 END' } })
    const root = fresh('root')
    const bad = await rejectionOf(runComponent(BulkInferrer, { inputs: { examples: holes, model: { uri: modelUri } }, parameters: { dataSpec: { exampleSplits: ['eval'] }, batchSize: 64 }, root }))
    expect(bad.code).toBe('SLUICE_BULK_INFERRER_BAD_ROW')
    expect(bad.message).toMatch(/^BulkInferrer: split "eval" \(.*data_parquet-00001-of-00003\.parquet\): row 700: feature "x1" is missing\./)
  })

  test('a name clash between a prediction column and a feature is refused', async () => {
    const withScore = await writeExamples(fresh('examples'), 30)
    await using db = await openDuckDB({ threads: 1 })
    for (const split of ['train', 'eval', 'test']) {
      const dir = path.join(withScore.uri, `Split-${split}`)
      const file = path.join(dir, fs.readdirSync(dir)[0]!)
      await db.connection.run(`COPY (SELECT *, 1.0 AS score FROM read_parquet('${file}')) TO '${file}.tmp' (FORMAT PARQUET)`)
      fs.renameSync(`${file}.tmp`, file)
    }
    const clash = await rejectionOf(runComponent(BulkInferrer, { inputs: { examples: withScore, model: { uri: modelUri } } }))
    expect(clash.code).toBe('SLUICE_BULK_INFERRER_BAD_OUTPUT')
    expect(clash.message).toContain('prediction column "score" has the name of a feature of split "train"')
    expect(clash.message).toContain("Set outputColumnPrefix (e.g. 'prediction_')")
  })
})

describe('inferSplit: streaming', () => {
  const columns = predictionColumns([{ name: 'y', width: 2 }], '')
  /** A stand-in model: y = (x1 + x2, row's n), so each prediction identifies its row. */
  function fakeModel(calls: number[], failOnCall?: number) {
    return async (columns: Readonly<Record<string, readonly unknown[]>>, rowCount: number) => {
      calls.push(rowCount)
      if (calls.length === failOnCall) throw new Error('model crashed')
      const y = new Float32Array(rowCount * 2)
      for (let i = 0; i < rowCount; i++) {
        y[i * 2] = (columns.x1![i] as number) + (columns.x2![i] as number)
        y[i * 2 + 1] = columns.n![i] as number
      }
      return { y }
    }
  }
  const inputs = [
    { name: 'x1', type: 'FLOAT' as const },
    { name: 'x2', type: 'FLOAT' as const },
    { name: 'n', type: 'INT' as const },
  ]

  test('batches of batchSize across DuckDB vectors and files, predictions paired with their rows', async () => {
    const big = await writeExamples(fresh('examples'), 30_000, { rowsPerFile: 4000 })
    const out = fresh('result')
    fs.mkdirSync(out)
    await using db = await openDuckDB({ threads: 2 })
    const view = await openSplitView(db.connection, big.uri, 'eval')
    expect(view.files).toHaveLength(3)
    const calls: number[] = []
    const progress: number[] = []
    const written = await inferSplit({ connection: db.connection, view, examplesUri: big.uri, inputs, predict: fakeModel(calls), columns, outputUri: out, batchSize: 1500, onProgress: (n) => progress.push(n) })
    expect(written.numRows).toBe(10_000)
    // Per file 4000, 4000, 2000 rows: batches of 1500 and the file's remainder.
    expect(calls).toEqual([1500, 1500, 1000, 1500, 1500, 1000, 1500, 500])
    expect(progress.at(-1)).toBe(10_000)
    const { rows } = await readSplit(out, 'eval')
    expect(rows).toHaveLength(10_000)
    for (const r of rows) {
      expect(r.y_0).toBe(Math.fround((r.x1 as number) + (r.x2 as number)))
      expect(r.y_1).toBe(Math.fround(Number(r.n)))
    }
    expect(rows.map((r) => Number(r.n))).toEqual((await readSplit(big.uri, 'eval')).rows.map((r) => Number(r.n)))
  })

  test('a failure part-way leaves no split directory and no staging files', async () => {
    const out = fresh('result')
    fs.mkdirSync(out)
    await using db = await openDuckDB({ threads: 2 })
    const view = await openSplitView(db.connection, examples.uri, 'train')
    const calls: number[] = []
    await expect(inferSplit({ connection: db.connection, view, examplesUri: examples.uri, inputs, predict: fakeModel(calls, 5), columns, outputUri: out, batchSize: 100 })).rejects.toThrow('model crashed')
    expect(calls.length).toBe(5) // the first file was written to staging before the failure
    expect(fs.readdirSync(out)).toEqual([])
  })
})
