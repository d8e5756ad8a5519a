import { cp, mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { ExecutorError, loadModuleFunction } from '@sluice/core'
import type { FeatureTypes } from '@sluice/data/examples'
import { examplesSplitNames, openDuckDB, openSplitView, sqlIdentifier, writeSplits } from '@sluice/data/examples'
import { fitOnSplits } from './analyze.js'
import type { FittedTransform, TransformedRow } from './fitted-transform.js'
import { applyTransform, serializeFittedTransform } from './fitted-transform.js'
import type { OutputType } from './output-types.js'
import { outputTypes } from './output-types.js'
import type { TransformArgs } from './spec.js'
import type { PreprocessingFn } from './tft/tft.js'
import { FITTED_TRANSFORM_PATH, RAW_METADATA_DIR } from './transform-output.js'


/**
 * Transform's executor: loads `preprocessingFn` from the module file, computes its analyzers over the
 * analyze splits on DuckDB, writes `transform_fn/fitted_transform.json` (and the raw schema under
 * `metadata/`), then applies the fitted transform to every transform split and writes the outputs as
 * Parquet splits of `transformedExamples`.
 */
export default async function transformExecutor({ inputs, outputs, parameters, context }: TransformArgs): Promise<void> {
  const examples = inputs.examples
  const all = await examplesSplitNames(examples)
  const analyze = parameters.splitsConfig.analyze
  const transform = parameters.splitsConfig.transform ?? all
  for (const split of [...analyze, ...transform]) {
    if (!all.includes(split)) {
      throw new ExecutorError(`Transform: splitsConfig names split "${split}", which the examples at "${examples.uri}" do not have (they have ${all.join(', ') || 'none'}).`, {
        code: 'SLUICE_TRANSFORM_UNKNOWN_SPLIT',
        fix: 'Name existing splits in splitsConfig.',
      })
    }
  }
  const preprocessingFn = await loadPreprocessingFn(parameters.moduleFile)

  await using db = await openDuckDB({ tempDirectory: context.tmpDir, signal: context.signal })
  const fitted = await fitOnSplits(db.connection, examples.uri, analyze, preprocessingFn, { onQuery: (sql) => context.logger.debug(`Analyzer query: ${sql}`) })
  context.logger.info(`Analyzed split(s) ${analyze.join(', ')}: ${Object.keys(fitted.analyzers).length} analyzer(s), ${Object.keys(fitted.outputs).length} output(s).`)
  const graphUri = outputs.transformGraph.uri
  await mkdir(path.join(graphUri, 'transform_fn'), { recursive: true })
  await writeFile(path.join(graphUri, FITTED_TRANSFORM_PATH), serializeFittedTransform(fitted))
  await cp(inputs.schema.uri, path.join(graphUri, RAW_METADATA_DIR), { recursive: true })

  for (const [i, split] of transform.entries()) {
    context.signal.throwIfAborted()
    const count = await materializeSplit(db.connection, fitted, examples.uri, split, outputs.transformedExamples.uri)
    context.logger.info(`Split "${split}": ${count} transformed example(s).`)
    context.progress((i + 1) / transform.length, `split ${split} done`)
  }
  outputs.transformedExamples.properties.splitNames = transform
  if (typeof examples.properties.span === 'number') outputs.transformedExamples.properties.span = examples.properties.span
}

/** Imports the module file and returns its `preprocessingFn` export. */
export async function loadPreprocessingFn(moduleFile: string): Promise<PreprocessingFn> {
  return loadModuleFunction<PreprocessingFn>(moduleFile, { component: 'Transform', exportName: 'preprocessingFn', signature: 'preprocessingFn(inputs, tft)' })
}

/** Applies the fitted transform to one split (read whole into memory) and writes it as Parquet. */
async function materializeSplit(connection: DuckDBConnection, fitted: FittedTransform, examplesUri: string, split: string, outputUri: string): Promise<number> {
  const view = await openSplitView(connection, examplesUri, split, { view: `transform_input_${split}` })
  const types = outputTypes(fitted, view.featureTypes)
  const columns = fitted.inputs.map(sqlIdentifier).join(', ')
  const raw = (await connection.runAndReadAll(`SELECT ${columns || '1'} FROM ${sqlIdentifier(view.view)}`)).getRowObjectsJS()
  const rows = applyTransform(fitted, raw)
  const table = sqlIdentifier(`transformed_${split}`)
  const names = Object.keys(types)
  const duckdbType = (t: OutputType) => (t === 'FLOAT' ? 'DOUBLE' : t === 'STRING' ? 'VARCHAR' : 'BIGINT')
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${table} (${names.map((n) => `${sqlIdentifier(n)} ${duckdbType(types[n]!)}`).join(', ')})`)
  const appender = await connection.createAppender(`transformed_${split}`)
  try {
    for (const row of rows) {
      for (const name of names) append(appender, types[name]!, row, name)
      appender.endRow()
    }
    appender.flushSync()
  } finally {
    appender.closeSync()
  }
  const featureTypes: FeatureTypes = Object.fromEntries(names.map((n) => [n, types[n] === 'FLOAT' ? 'FLOAT' : types[n] === 'STRING' ? 'STRING' : 'INT']))
  await writeSplits(connection, { query: `SELECT * FROM ${table}`, examplesUri: outputUri, splits: [split], featureTypes })
  await connection.run(`DROP TABLE ${table}`)
  await connection.run(`DROP VIEW ${sqlIdentifier(view.view)}`)
  return rows.length
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>

function append(appender: Appender, type: OutputType, row: TransformedRow, name: string): void {
  const v = row[name] ?? null
  if (v === null) return appender.appendNull()
  switch (type) {
    case 'FLOAT':
      return appender.appendDouble(Number(v))
    case 'STRING':
      return appender.appendVarchar(String(v))
    default: {
      // INT and BOOL (stored as 0/1: tf.Example has no boolean feature).
      const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v)
      return Number.isFinite(n) ? appender.appendBigInt(BigInt(Math.trunc(n))) : appender.appendNull()
    }
  }
}
