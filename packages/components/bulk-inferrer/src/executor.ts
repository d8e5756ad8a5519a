import fs from 'node:fs/promises'
import path from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { Artifact, Examples, Model, ModelBlessing } from '@sluice/core'
import { ExecutorError } from '@sluice/core'
import type { SplitView } from '@sluice/data/examples'
import { examplesSplitNames, openDuckDB, openSplitView, sqlIdentifier } from '@sluice/data/examples'
import type { Feature, Schema } from '@sluice/data/schema'
import { writeSchema } from '@sluice/data/schema'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import type { ServingBundle, SignatureOutput } from '@sluice/component-trainer/bundle'
import type { PredictionColumn } from './constants.js'
import { NOT_BLESSED_FILE, PREDICTION_TAG, SERVING_DIR } from './constants.js'
import { BulkInferrerError } from './errors.js'
import { checkColumnNames, checkInputs, inferSplit, inputExpression, predictionColumns } from './infer.js'
import type { InferredSplit } from './infer.js'
import type { BulkInferrerArgs } from './spec.js'

const NAME = 'BulkInferrer'

/**
 * The BulkInferrer's executor: unless the blessing given is not blessed, predicts every row of the
 * chosen splits with the model's serving bundle and writes them with their predictions as Parquet
 * splits, plus the schema of the result. Exported so that it can be extended (`BulkInferrer.withExecutor(…)`).
 */
export default async function bulkInferrerExecutor({ inputs, outputs, parameters, context }: BulkInferrerArgs): Promise<void> {
  const result = outputs.inferenceResult
  await fs.mkdir(result.uri, { recursive: true })
  const veto = blessingVeto(inputs.modelBlessing)
  if (veto) {
    // Skipping is a successful outcome: a marker records it (the runner wants the output to hold
    // something) and `inferred: 0` says it to whoever reads the metadata.
    await fs.writeFile(path.join(result.uri, NOT_BLESSED_FILE), `Not inferred: ${veto}\n`)
    result.customProperties.inferred = 0
    context.logger.info(`Nothing inferred: ${veto}`)
    return
  }
  const splits = await chooseSplits(inputs.examples, parameters.dataSpec.exampleSplits)
  const bundle = await loadServingBundle(await servingDirectory(inputs.model), { runtime: parameters.runtime, logger: context.logger })
  try {
    const outputsUsed = chooseOutputs(bundle, parameters.modelSpec.outputNames)
    await using db = await openDuckDB({ tempDirectory: context.tmpDir, signal: context.signal })
    // Every split is checked before any is inferred, so a bad feature fails in seconds, not after hours.
    const views: SplitView[] = []
    for (const [i, split] of splits.entries()) views.push(await openSplitView(db.connection, inputs.examples.uri, split, { view: `bulk_inferrer_input_${i}` }))
    for (const view of views) checkInputs(view, inputs.examples.uri, bundle.signature.inputs)
    const widths = await outputWidths(bundle, outputsUsed, views, db.connection)
    const columns = predictionColumns(outputsUsed.map((o) => ({ name: o.name, width: widths.get(o.name)! })), parameters.outputColumnPrefix)
    for (const view of views) checkColumnNames(view, columns)

    const total = views.reduce((sum, v) => sum + v.numRows, 0)
    context.logger.info(`Inferring ${total.toLocaleString('en-US')} rows of split(s) ${splits.join(', ')} with the ${bundle.runtime} runtime, ${parameters.batchSize} rows per batch.`)
    const predict = (columns: Readonly<Record<string, readonly unknown[]>>, rowCount: number) => bundle.predictColumns(columns, rowCount, { batchSize: parameters.batchSize })
    const written: InferredSplit[] = []
    let before = 0
    for (const view of views) {
      context.signal.throwIfAborted()
      const split = await inferSplit({
        connection: db.connection,
        view,
        examplesUri: inputs.examples.uri,
        inputs: bundle.signature.inputs,
        predict,
        columns,
        outputUri: result.uri,
        batchSize: parameters.batchSize,
        signal: context.signal,
        onProgress: (rows) => context.progress(total === 0 ? 1 : (before + rows) / total, `split ${view.split}: ${rows} of ${view.numRows} rows`),
      })
      before += split.numRows
      written.push(split)
      context.logger.info(
        `Split "${split.split}": ${split.numRows.toLocaleString('en-US')} rows in ${split.files.length} file(s), ${split.seconds.toFixed(2)} s ` +
          `(${rate(split.numRows, split.seconds)} rows/s; model ${split.predictSeconds.toFixed(2)} s).`,
      )
    }
    await writeSchema(result.uri, resultSchema(views, columns))
    Object.assign(result.customProperties, {
      inferred: 1,
      split_names: splits,
      feature_types: written[0]?.featureTypes ?? {},
      prediction_columns: columns.map((c) => ({ column: c.column, output: c.output, index: c.index })),
      payload_format: 'FORMAT_PARQUET',
      file_format: 'parquet',
    })
  } finally {
    bundle.dispose()
  }
}

/** Why the blessing stops inference, or undefined. Blessed means custom property `blessed` = 1, as TFX reads it. */
function blessingVeto(blessing: Artifact<typeof ModelBlessing> | undefined): string | undefined {
  if (!blessing) return undefined
  const value = blessing.customProperties.blessed
  if (value === 1 || value === '1') return undefined
  const which = blessing.id === undefined ? 'input "modelBlessing"' : `input "modelBlessing" (artifact #${blessing.id})`
  // An Evaluator without thresholds leaves `blessed` unset (TFX issue #5148), which TFX reads as 0.
  if (value === undefined) return `${which} has no "blessed" property (an Evaluator with no thresholds in its evalConfig blesses nothing).`
  return `${which} is not blessed (blessed=${JSON.stringify(value)}; see NOT_BLESSED in ${blessing.uri}).`
}

async function chooseSplits(examples: Artifact<typeof Examples>, requested: readonly string[] | undefined): Promise<string[]> {
  const available = await examplesSplitNames(examples)
  if (requested === undefined || requested.length === 0) {
    if (available.length === 0) {
      throw new ExecutorError(`${NAME}: the examples at ${examples.uri} have no splits.`, { code: 'SLUICE_NO_SPLITS', fix: 'Check that the artifact was written by an ExampleGen (Split-{name}/ directories).' })
    }
    return available
  }
  const unknown = requested.filter((s) => !available.includes(s))
  if (unknown.length > 0) {
    throw new BulkInferrerError('SLUICE_BULK_INFERRER_UNKNOWN_SPLIT', `${NAME}: dataSpec.exampleSplits names ${unknown.map((s) => `"${s}"`).join(', ')}, which the examples at ${examples.uri} do not have.`, {
      fix: `Their splits are ${available.map((s) => `"${s}"`).join(', ') || 'none'}.`,
    })
  }
  return [...new Set(requested)]
}

function chooseOutputs(bundle: ServingBundle, requested: readonly string[] | undefined): SignatureOutput[] {
  const all = bundle.signature.outputs
  if (!requested) return [...all]
  return [...new Set(requested)].map((name) => {
    const found = all.find((o) => o.name === name)
    if (!found) {
      throw new BulkInferrerError('SLUICE_BULK_INFERRER_BAD_OUTPUT', `${NAME}: modelSpec.outputNames names "${name}", which the model does not have.`, {
        fix: `Its outputs are ${all.map((o) => `"${o.name}"`).join(', ')}.`,
      })
    }
    return found
  })
}

/**
 * Values per row of each output: the product of its signature shape after the batch dimension, or,
 * when the shape leaves that open, what the model returns for the first row of the examples.
 */
async function outputWidths(bundle: ServingBundle, outputs: readonly SignatureOutput[], views: readonly SplitView[], connection: DuckDBConnection): Promise<Map<string, number>> {
  const widths = new Map<string, number>()
  const open: string[] = []
  for (const o of outputs) {
    const dims = o.shape?.slice(1)
    if (dims && dims.every((d): d is number => typeof d === 'number' && d >= 0)) widths.set(o.name, dims.reduce((a, b) => a * b, 1))
    else open.push(o.name)
  }
  const sample = open.length > 0 ? views.find((v) => v.numRows > 0) : undefined
  if (sample) {
    const byName = new Map(sample.columns.map((c) => [c.name, c]))
    const select = bundle.signature.inputs.map((i) => `${inputExpression(byName.get(i.name)!, i)} AS ${sqlIdentifier(i.name)}`).join(', ')
    const rows = (await connection.runAndReadAll(`SELECT ${select} FROM ${sqlIdentifier(sample.view)} LIMIT 1`)).getRowObjectsJS()
    const predicted = await bundle.predict(rows)
    for (const name of open) widths.set(name, predicted[name]?.length ?? 1)
  }
  for (const name of open) if (!widths.has(name)) widths.set(name, 1) // no row anywhere: nothing to write either
  return widths
}

/** The Model's `Format-Serving/`, or the artifact directory itself for a model imported without one. */
async function servingDirectory(model: Artifact<typeof Model>): Promise<string> {
  const serving = path.join(model.uri, SERVING_DIR)
  return (await fs.stat(serving).then((s) => s.isDirectory()).catch(() => false)) ? serving : model.uri
}

/** The result's schema: the examples' features (first split's order, then any others), then the predictions, tagged. */
function resultSchema(views: readonly SplitView[], columns: readonly PredictionColumn[]): Schema {
  const features = new Map<string, Feature>()
  for (const view of views) {
    for (const c of view.columns) {
      if (features.has(c.name)) continue
      const type = c.featureType === 'INT' ? 'INT' : c.featureType === 'FLOAT' ? 'FLOAT' : c.featureType === 'UNKNOWN' ? undefined : 'BYTES'
      features.set(c.name, { name: c.name, ...(type ? { type } : {}) })
    }
  }
  const predictions: Feature[] = columns.map((c) => ({
    name: c.column,
    type: 'FLOAT',
    presence: { minFraction: 1, minCount: 1 },
    annotation: {
      tag: [PREDICTION_TAG],
      comment: [c.width === 1 ? `Output "${c.output}" of the model.` : `Output "${c.output}" of the model, value ${c.index} of ${c.width}.`],
    },
  }))
  return { feature: [...features.values(), ...predictions] }
}

function rate(rows: number, seconds: number): string {
  return seconds > 0 ? Math.round(rows / seconds).toLocaleString('en-US') : '–'
}
