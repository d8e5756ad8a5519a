// Streams one split of an Examples artifact through a model and writes it back as Parquet with the
// predictions appended, in the input's row order, in constant memory per input file:
//
//   1. DuckDB streams the model's input columns of one Parquet file in vectors of 2,048 rows; JS turns
//      them into raw rows, `batchSize` at a time, and `predict`s them while DuckDB decodes the next
//      vectors. Predictions go into one Float32Array per output, sized from the file's row count.
//   2. The predictions are appended to a DuckDB table, and one
//      `COPY (SELECT * FROM read_parquet(file) POSITIONAL JOIN predictions) TO …parquet` writes the
//      file's every column, untouched and in order, next to them (DuckDB pairs rows by position).
//
// Files are written to a staging directory that is renamed to `Split-{split}` when the split is
// complete, so a failure leaves no partial split. Memory is bounded by one input file's predictions
// (rows × output values × 4 bytes; ExampleGen writes at most 1,000,000 rows per file).
import fs from 'node:fs/promises'
import path from 'node:path'
import { DuckDBDataChunk, FLOAT } from '@duckdb/node-api'
import type { DuckDBConnection } from '@duckdb/node-api'
import { isSluiceError } from '@sluice/core'
import type { FeatureTypes, SplitColumn, SplitView } from '@sluice/data/examples'
import { FEATURE_TYPES_METADATA_KEY, countParquetRows, parquetShardName, splitDirectory, sqlIdentifier, sqlString } from '@sluice/data/examples'
import type { SignatureInput } from '@sluice/component-trainer/bundle'
import type { PredictionColumn } from './constants.js'
import { BulkInferrerError } from './errors.js'

/** Predicts `rowCount` rows given as columns (raw feature name → values): the serving bundle's `predictColumns`. */
export type PredictFn = (columns: Readonly<Record<string, readonly unknown[]>>, rowCount: number) => Promise<Record<string, Float32Array>>

/** What {@link inferSplit} takes. */
export interface InferSplitOptions {
  readonly connection: DuckDBConnection
  /** The split, opened with `openSplitView` and checked with {@link checkInputs} and {@link checkColumnNames}. */
  readonly view: SplitView
  readonly examplesUri: string
  /** The raw features the model takes (its signature's inputs). */
  readonly inputs: readonly SignatureInput[]
  readonly predict: PredictFn
  /** The prediction columns, from {@link predictionColumns}. */
  readonly columns: readonly PredictionColumn[]
  /** The InferenceResult's uri: the split goes to `{outputUri}/Split-{split}/`. */
  readonly outputUri: string
  readonly batchSize: number
  readonly signal?: AbortSignal
  /** Called after every predicted batch with the rows predicted so far in this split. */
  readonly onProgress?: (rows: number) => void
}

/** One split written by {@link inferSplit}. */
export interface InferredSplit {
  readonly split: string
  /** Absolute paths, in shard order (one per input file). */
  readonly files: readonly string[]
  readonly numRows: number
  /** The feature type of every column written: the input's, then FLOAT for the predictions. */
  readonly featureTypes: FeatureTypes
  /** Wall time of the split, seconds. */
  readonly seconds: number
  /** Time spent in `predict`, seconds. */
  readonly predictSeconds: number
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/
const PREDICTIONS_TABLE = '__sluice_predictions'
const CHUNK_ROWS = 2048

/**
 * The prediction columns for `outputs` (name → values per row): `{prefix}{output}`, or
 * `{prefix}{output}_{i}` for an output with several values per row.
 */
export function predictionColumns(outputs: readonly { name: string; width: number }[], prefix: string): PredictionColumn[] {
  return outputs.flatMap(({ name, width }) =>
    Array.from({ length: width }, (_, index) => ({ column: width === 1 ? `${prefix}${name}` : `${prefix}${name}_${index}`, output: name, index, width })),
  )
}

/**
 * Checks that the model can read a split: every input of its signature is a column with one value
 * per row. Runs before anything is inferred.
 */
export function checkInputs(view: SplitView, examplesUri: string, inputs: readonly SignatureInput[]): void {
  const byName = new Map(view.columns.map((c) => [c.name, c]))
  for (const input of inputs) {
    const column = byName.get(input.name)
    if (!column) {
      throw new BulkInferrerError('SLUICE_BULK_INFERRER_BAD_FEATURE', `BulkInferrer: split "${view.split}" of the examples at ${examplesUri} has no feature "${input.name}" (${input.type}), which the model takes.`, {
        fix: `Give it raw examples with the model's inputs (${inputs.map((i) => i.name).join(', ')}): the ExampleGen output, not Transform's, since the model applies its own transform.`,
      })
    }
    if (column.isList) {
      throw new BulkInferrerError('SLUICE_BULK_INFERRER_BAD_FEATURE', `BulkInferrer: feature "${input.name}" of split "${view.split}" is a list (${column.duckdbType}); the model takes one ${input.type} value per row.`)
    }
  }
}

/** Checks that no prediction column has the name of a column of the split. */
export function checkColumnNames(view: SplitView, columns: readonly PredictionColumn[]): void {
  const names = new Set(view.columns.map((c) => c.name))
  for (const { column } of columns) {
    if (names.has(column)) {
      throw new BulkInferrerError('SLUICE_BULK_INFERRER_BAD_OUTPUT', `BulkInferrer: prediction column "${column}" has the name of a feature of split "${view.split}".`, {
        fix: "Set outputColumnPrefix (e.g. 'prediction_') so that prediction columns get names of their own.",
      })
    }
  }
}

/** How an input column is read for the model: numbers as DOUBLE (no bigints, no DECIMAL objects), the rest as stored. */
export function inputExpression(column: SplitColumn, input: SignatureInput): string {
  const id = sqlIdentifier(column.name)
  return (input.type === 'INT' || input.type === 'FLOAT') && NUMERIC.test(column.duckdbType) ? `CAST(${id} AS DOUBLE)` : id
}

/**
 * Predicts every row of one split and writes `{outputUri}/Split-{split}/data_parquet-NNNNN-of-MMMMM.parquet`
 * (one file per input file, same row order) with the input columns and the prediction columns, and
 * the feature types as `sluice.feature_types` metadata. See the module comment for how it streams.
 */
export async function inferSplit(options: InferSplitOptions): Promise<InferredSplit> {
  const { connection, view, columns, outputUri } = options
  const started = performance.now()
  const byName = new Map(view.columns.map((c) => [c.name, c]))
  const select = options.inputs.map((input) => `${inputExpression(byName.get(input.name)!, input)} AS ${sqlIdentifier(input.name)}`).join(', ')
  const featureTypes: FeatureTypes = Object.fromEntries(view.columns.map((c) => [c.name, c.featureType]))
  for (const { column } of columns) featureTypes[column] = 'FLOAT'
  const format = `FORMAT PARQUET, COMPRESSION snappy, KV_METADATA {${sqlString(FEATURE_TYPES_METADATA_KEY)}: ${sqlString(JSON.stringify(featureTypes))}}`
  const target = splitDirectory(outputUri, view.split)
  const staging = path.join(outputUri, `.staging-${path.basename(target)}`)
  await fs.rm(staging, { recursive: true, force: true })
  await fs.mkdir(staging, { recursive: true })
  const state = { rows: 0, predictSeconds: 0 }
  const files: string[] = []
  try {
    for (const [index, file] of view.files.entries()) {
      const name = parquetShardName(index, view.files.length)
      const predictions = await predictFile(options, file, select, state)
      await writeFile(connection, file, predictions, columns, path.join(staging, name), format)
      files.push(path.join(target, name))
    }
    await fs.rm(target, { recursive: true, force: true })
    await fs.rename(staging, target)
  } finally {
    await fs.rm(staging, { recursive: true, force: true })
    await connection.run(`DROP TABLE IF EXISTS ${PREDICTIONS_TABLE}`).catch(() => {})
  }
  return { split: view.split, files, numRows: state.rows, featureTypes, seconds: (performance.now() - started) / 1000, predictSeconds: state.predictSeconds }
}

/** The predictions of every row of one file: per output, `rows × width` values, row-major. */
async function predictFile(options: InferSplitOptions, file: string, select: string, state: { rows: number; predictSeconds: number }): Promise<Map<string, Float32Array>> {
  const { connection, columns, inputs, batchSize } = options
  const numRows = await countParquetRows(connection, [file])
  const widths = new Map(columns.map((c) => [c.output, c.width]))
  const predictions = new Map([...widths].map(([output, width]) => [output, new Float32Array(numRows * width)]))
  const names = inputs.map((i) => i.name)
  let done = 0
  // The batch as columns, refilled after each predict (which is awaited): no row objects are made.
  const batch = names.map(() => new Array<unknown>(batchSize))
  let filled = 0

  const flush = async () => {
    const count = filled
    filled = 0
    const columns = Object.fromEntries(names.map((name, k) => [name, count === batchSize ? batch[k]! : batch[k]!.slice(0, count)]))
    const t = performance.now()
    let result: Record<string, Float32Array>
    try {
      result = await options.predict(columns, count)
    } catch (error) {
      throw badRow(error, options.view.split, file, state.rows)
    }
    state.predictSeconds += (performance.now() - t) / 1000
    for (const [output, width] of widths) {
      const values = result[output]
      if (!values || values.length !== count * width) {
        throw new BulkInferrerError('SLUICE_BULK_INFERRER_BAD_OUTPUT', `BulkInferrer: the model's output "${output}" gave ${values?.length ?? 0} values for ${count} rows; its signature says ${width} per row.`, {
          fix: "Re-save the model so that signature.json's outputs match the model (fnArgs.saveModel).",
        })
      }
      predictions.get(output)!.set(values, done * width)
    }
    done += count
    state.rows += count
    options.onProgress?.(state.rows)
  }

  const result = await connection.stream(`SELECT ${select} FROM read_parquet(${sqlString(file)})`)
  // DuckDB decodes the next vectors while JS predicts the current batch.
  let next = result.fetchChunk()
  try {
    for (;;) {
      const chunk = await next
      if (!chunk || chunk.rowCount === 0) break
      next = result.fetchChunk()
      options.signal?.throwIfAborted()
      const values = names.map((_, k) => chunk.getColumnValues(k))
      for (let from = 0; from < chunk.rowCount; ) {
        const take = Math.min(chunk.rowCount - from, batchSize - filled)
        for (let k = 0; k < names.length; k++) {
          const source = values[k]!
          const target = batch[k]!
          for (let i = 0; i < take; i++) target[filled + i] = source[from + i]
        }
        filled += take
        from += take
        if (filled === batchSize) await flush()
      }
    }
    if (filled > 0) await flush()
  } finally {
    // An abandoned fetch must not reject unobserved.
    next.catch(() => {})
  }
  if (done !== numRows) {
    throw new BulkInferrerError('SLUICE_BULK_INFERRER_BAD_ROW', `BulkInferrer: ${file} read ${done} rows but its footer says ${numRows}.`, { fix: 'The file may be changing underneath; re-run on a finished Examples artifact.' })
  }
  return predictions
}

/** Appends the predictions to a table and writes the file's columns with them, paired by position. */
async function writeFile(connection: DuckDBConnection, file: string, predictions: Map<string, Float32Array>, columns: readonly PredictionColumn[], destination: string, format: string): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${PREDICTIONS_TABLE} (${columns.map((c) => `${sqlIdentifier(c.column)} FLOAT`).join(', ')})`)
  const numRows = columns.length === 0 ? 0 : predictions.get(columns[0]!.output)!.length / columns[0]!.width
  const appender = await connection.createAppender(PREDICTIONS_TABLE)
  try {
    const types = columns.map(() => FLOAT)
    for (let start = 0; start < numRows; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, numRows - start)
      const chunk = DuckDBDataChunk.create(types, n)
      columns.forEach((c, j) => {
        const source = predictions.get(c.output)!
        const values = new Array<number>(n)
        for (let i = 0; i < n; i++) values[i] = source[(start + i) * c.width + c.index]!
        chunk.setColumnValues(j, values)
      })
      appender.appendDataChunk(chunk)
    }
    appender.flushSync()
  } finally {
    appender.closeSync()
  }
  await connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(file)}) POSITIONAL JOIN ${PREDICTIONS_TABLE}) TO ${sqlString(destination)} (${format})`)
  await connection.run(`DROP TABLE ${PREDICTIONS_TABLE}`)
}

/** The model's complaint about a row, with the split, the file and the row's number in the split. */
function badRow(error: unknown, split: string, file: string, firstRow: number): unknown {
  if (!isSluiceError(error) || error.code !== 'SLUICE_SERVING_BAD_INPUT') return error
  const message = error.message.replace(/^Row (\d+)/, (_, i: string) => `row ${firstRow + Number(i)}`)
  const detail = error.fix ? message.slice(0, message.length - error.fix.length).trimEnd() : message
  return new BulkInferrerError('SLUICE_BULK_INFERRER_BAD_ROW', `BulkInferrer: split "${split}" (${file}): ${detail}`, {
    cause: error,
    fix: error.fix ?? 'Fix the examples upstream, or retrain the model on data of these types.',
  })
}
