// Small examples and a small model for the BulkInferrer's tests: rows with numeric, string, integer,
// list and boolean columns (some null), split into several files per split, and a serving bundle
// whose model reads two raw floats and has a one-value and a three-value output.
import path from 'node:path'
import { openDuckDB, sqlString, writeSplits } from '@sluice/data/examples'
import type { FeatureTypes } from '@sluice/data/examples'
import { saveServingBundle, selectBackend } from '@sluice/component-trainer/bundle'
import type { TfModule } from '@sluice/component-trainer/bundle'

// tfjs is the Trainer's dependency, not this package's: its types are reached through the Trainer's.
type SymbolicTensor = ReturnType<TfModule['input']>

/** The examples' columns and feature types. `x1`, `x2` are what the model reads. */
export const FEATURE_TYPES: FeatureTypes = { x1: 'FLOAT', x2: 'FLOAT', color: 'STRING', n: 'INT', tags: 'FLOAT', flag: 'INT' }

/** Row `i`: deterministic values; `color` is null every 7th row, `tags` a list of 0–2 values. */
export const ROWS_QUERY = (rows: number, overrides: Record<string, string> = {}) => `SELECT
  ${overrides.x1 ?? '((i * 7919) % 1000) / 1000.0'} AS x1,
  ${overrides.x2 ?? '((i * 104729 + 13) % 997) / 997.0'} AS x2,
  CASE WHEN i % 7 = 0 THEN NULL WHEN i % 3 = 0 THEN 'red' WHEN i % 3 = 1 THEN 'green' ELSE 'blue' END AS color,
  (i * 31)::BIGINT AS n,
  list_transform(range(i % 3), k -> (k + i / 10.0)::DOUBLE) AS tags,
  (i % 2 = 0) AS flag,
  i % 3 AS s
FROM range(0, ${rows}) t(i)`

/** Writes examples with splits train/eval/test (rows i % 3 = 0, 1, 2) of at most `rowsPerFile` rows per file. */
export async function writeExamples(uri: string, rows: number, options: { rowsPerFile?: number; overrides?: Record<string, string>; featureTypes?: FeatureTypes } = {}): Promise<{ uri: string; properties: { splitNames: string[] } }> {
  await using db = await openDuckDB({ threads: 2 })
  const splits = ['train', 'eval', 'test']
  // One split at a time: writeSplits' resharding of a multi-split write reads its hive-style staging
  // directories (`s=0/`) back with the split column, which would then appear in the files.
  for (const [index, split] of splits.entries()) {
    await writeSplits(db.connection, {
      query: `SELECT * FROM (${ROWS_QUERY(rows, options.overrides)}) WHERE s = ${index}`,
      examplesUri: uri,
      splits: [split],
      splitColumn: 's',
      featureTypes: options.featureTypes ?? FEATURE_TYPES,
      rowsPerFile: options.rowsPerFile ?? 1_000_000,
    })
  }
  return { uri, properties: { splitNames: ['train', 'eval', 'test'] } }
}

/** Reads every row of a split's Parquet files in file order, with DuckDB's column types. */
export async function readSplit(uri: string, split: string): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  await using db = await openDuckDB({ threads: 1 })
  const source = `read_parquet(${sqlString(path.join(uri, `Split-${split}`, '*.parquet'))})`
  const rows = (await db.connection.runAndReadAll(`SELECT * FROM ${source}`)).getRowObjectsJS()
  const described = (await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS()
  return { rows, types: Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)])) }
}

/**
 * Saves a serving bundle to `{modelUri}/Format-Serving`: raw inputs x1, x2 (FLOAT), outputs `score`
 * (sigmoid, 1 value per row) and `logits` (3 values per row). Seeded weights.
 */
export async function writeModel(modelUri: string): Promise<void> {
  const { tf } = await selectBackend('wasm')
  const input = tf.input({ shape: [2], name: 'features' })
  const hidden = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as SymbolicTensor
  const score = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(hidden) as SymbolicTensor
  const logits = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), biasInitializer: tf.initializers.constant({ value: 0.1 }) }).apply(hidden) as SymbolicTensor
  const model = tf.model({ inputs: input, outputs: [score, logits] })
  await saveServingBundle(model, path.join(modelUri, 'Format-Serving'), {
    inputs: ['x1', 'x2'],
    rawFeatureTypes: { x1: 'FLOAT', x2: 'FLOAT' },
    outputs: [{ name: 'score', kind: 'probability' }, { name: 'logits' }],
  })
  model.dispose()
}
