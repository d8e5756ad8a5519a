import { cp, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ExecutorError, loadModuleFunction } from '@sluice/core'
import type { Artifact, ExampleAnomalies, ExampleStatistics } from '@sluice/core'
import { hasAnomalies, validateStatistics, writeAnomalies } from '@sluice/data/anomalies'
import { examplesSplitNames, featureTypesOf, listSplitFiles, openDuckDB, openSplitView } from '@sluice/data/examples'
import type { Schema } from '@sluice/data/schema'
import { readSchema, writeSchema } from '@sluice/data/schema'
import { categoricalFeaturesFromSchema, computeSplitStatistics, statisticsFilePath, writeStatistics } from '@sluice/data/statistics'
import { fitOnSplits } from './analyze.js'
import { analyzedDataset, openAnalyzerCache } from './analyzer-cache.js'
import type { FittedTransform } from './fitted-transform.js'
import { compileColumns } from './evaluate.js'
import { serializeFittedTransform } from './fitted-transform.js'
import { registerTransformFunction } from './materialize.js'
import { outputTypes, transformedSchemaOf } from './output-types.js'
import type { TransformArgs } from './spec.js'
import type { PreprocessingFn } from './tft/tft.js'
import { ASSETS_DIR, FITTED_TRANSFORM_PATH, RAW_METADATA_DIR, TRANSFORMED_METADATA_DIR } from './transform-output.js'

/** The marker file of a statistics or anomalies output when `disableStatistics` is set. */
export const STATISTICS_DISABLED_FILE = 'STATISTICS_DISABLED'
/** The marker file of `updatedAnalyzerCache` when `disableAnalyzerCache` is set. */
export const ANALYZER_CACHE_DISABLED_FILE = 'ANALYZER_CACHE_DISABLED'

/**
 * Transform's executor: loads `preprocessingFn` from the module file, computes its analyzers over the
 * analyze splits on DuckDB, writes the TransformGraph (`transform_fn/fitted_transform.json` and
 * vocabulary assets, `transformed_metadata/` and the raw schema under `metadata/`), streams every
 * transform split through the fitted transform into Parquet splits of `transformedExamples`, and
 * unless `disableStatistics` computes pre- and post-transform statistics and validates the latter.
 * Exported so that it can be extended (`Transform.withExecutor(…)`).
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
  const moduleFile = parameters.moduleFile
  const preprocessingFn = await loadPreprocessingFn(moduleFile)
  const rawSchema = await readSchema(inputs.schema.uri)

  await using db = await openDuckDB({ tempDirectory: context.tmpDir, signal: context.signal })
  const started = performance.now()
  const cache = parameters.disableAnalyzerCache ? undefined : await openAnalyzerCache(inputs.analyzerCache?.uri, await analyzedDataset(examples.uri, analyze))
  const fitted = await fitOnSplits(db.connection, examples.uri, analyze, preprocessingFn, {
    customConfig: parameters.customConfig,
    source: moduleFile,
    onQuery: (sql) => context.logger.debug(`Analyzer query: ${sql}`),
    ...(cache ? { cache } : {}),
  })
  const analyzeSeconds = (performance.now() - started) / 1000
  const reuse = cache && cache.hits > 0 ? ` (${cache.hits} reused from the analyzer cache)` : ''
  context.logger.info(`Analyzed split(s) ${analyze.join(', ')} in ${analyzeSeconds.toFixed(2)}s: ${Object.keys(fitted.analyzers).length} analyzer(s)${reuse}, ${Object.keys(fitted.outputs).length} output(s).`)
  const updatedCache = outputs.updatedAnalyzerCache
  if (cache) {
    await cache.write(updatedCache.uri)
    updatedCache.customProperties.analyzers_reused = cache.hits
    updatedCache.customProperties.analyzers_computed = cache.misses
  } else {
    await writeFile(path.join(updatedCache.uri, ANALYZER_CACHE_DISABLED_FILE), '')
  }
  context.progress(0.2, 'analyzed')

  // The raw columns as the analysis saw them: their types type the outputs, identically for every split.
  const view = await openSplitView(db.connection, examples.uri, analyze[0]!, { view: 'transform_types' })
  const columns = new Map(view.columns.map((c) => [c.name, c]))
  const inputTypes = Object.fromEntries(view.columns.map((c) => [c.name, c.duckdbType === 'BOOLEAN' ? 'BOOL' : c.featureType]))
  const types = outputTypes(fitted, inputTypes)
  const transformedSchema = transformedSchemaOf(fitted, inputTypes, rawSchema)
  await writeTransformGraph(outputs.transformGraph.uri, fitted, transformedSchema, inputs.schema.uri)

  const materializeStarted = performance.now()
  const fn = registerTransformFunction(db.connection, compileColumns(fitted), types, columns)
  let rows = 0
  for (const [i, split] of transform.entries()) {
    context.signal.throwIfAborted()
    const count = await fn.materialize(examples.uri, split, outputs.transformedExamples.uri)
    rows += count
    context.logger.info(`Split "${split}": ${count} transformed example(s).`)
    context.progress(0.2 + (0.6 * (i + 1)) / transform.length, `split ${split} done`)
  }
  const materializeSeconds = (performance.now() - materializeStarted) / 1000
  context.logger.info(`Materialised ${rows} example(s) in ${materializeSeconds.toFixed(2)}s (${Math.round(rows / Math.max(materializeSeconds, 1e-9))} rows/s).`)
  const transformed = outputs.transformedExamples
  transformed.properties.splitNames = transform
  transformed.customProperties.payload_format = 'FORMAT_PARQUET'
  transformed.customProperties.file_format = 'parquet'
  transformed.customProperties.feature_types = Object.fromEntries(Object.entries(types).map(([name, t]) => [name, t === 'FLOAT' ? 'FLOAT' : t === 'STRING' ? 'STRING' : 'INT']))
  const span = examples.properties.span
  if (typeof span === 'number') transformed.properties.span = span

  const graph = outputs.transformGraph
  graph.customProperties.analyze_seconds = round(analyzeSeconds)
  graph.customProperties.materialize_seconds = round(materializeSeconds)
  graph.customProperties.transformed_rows = rows

  // The schemas cost nothing: written even when statistics are disabled, so both artifacts are usable.
  await cp(inputs.schema.uri, outputs.preTransformSchema.uri, { recursive: true })
  await writeSchema(outputs.postTransformSchema.uri, transformedSchema)
  const statisticsOutputs = [outputs.preTransformStats, outputs.postTransformStats, outputs.postTransformAnomalies]
  if (parameters.disableStatistics) {
    for (const artifact of statisticsOutputs) {
      await writeFile(path.join(artifact.uri, STATISTICS_DISABLED_FILE), '')
      artifact.properties.splitNames = []
      artifact.customProperties.statistics_disabled = 1
    }
    context.logger.info('Statistics disabled: no pre- or post-transform statistics.')
    return
  }
  const statisticsStarted = performance.now()
  const examplesTypes = featureTypesOf(examples)
  const rawCategorical = categoricalFeaturesFromSchema(rawSchema)
  for (const split of analyze) {
    context.signal.throwIfAborted()
    await describeSplit(outputs.preTransformStats, split, await listSplitFiles(examples.uri, split), rawCategorical, context, examplesTypes)
  }
  const postCategorical = categoricalFeaturesFromSchema(transformedSchema)
  const blessed: Record<string, number> = {}
  for (const split of transform) {
    context.signal.throwIfAborted()
    const statistics = await describeSplit(outputs.postTransformStats, split, await listSplitFiles(transformed.uri, split), postCategorical, context)
    const anomalies = validateStatistics(statistics, transformedSchema)
    await writeAnomalies(outputs.postTransformAnomalies.uri, split, anomalies)
    blessed[split] = hasAnomalies(anomalies) ? 0 : 1
    const names = Object.keys(anomalies.anomalyInfo)
    if (names.length > 0) context.logger.warn(`Split "${split}": post-transform anomalies in ${names.join(', ')}.`)
  }
  setSplits(outputs.preTransformStats, analyze, span)
  setSplits(outputs.postTransformStats, transform, span)
  setSplits(outputs.postTransformAnomalies, transform, span)
  outputs.postTransformAnomalies.customProperties.blessed = blessed
  const statisticsSeconds = (performance.now() - statisticsStarted) / 1000
  graph.customProperties.statistics_seconds = round(statisticsSeconds)
  context.logger.info(`Pre- and post-transform statistics in ${statisticsSeconds.toFixed(2)}s.`)
}

/** Imports the module file and returns its `preprocessingFn` export. */
export async function loadPreprocessingFn(moduleFile: string): Promise<PreprocessingFn> {
  return loadModuleFunction<PreprocessingFn>(moduleFile, { component: 'Transform', exportName: 'preprocessingFn', signature: 'preprocessingFn(inputs, tft, customConfig)' })
}

/**
 * Writes a TransformGraph artifact: `transform_fn/fitted_transform.json`, one vocabulary file per
 * vocabulary analyzer in `transform_fn/assets/` (TFT's layout, for inspection and interop),
 * `transformed_metadata/` (schema.pbtxt, schema.json and `asset_map`) and the raw schema's files
 * under `metadata/`.
 */
export async function writeTransformGraph(uri: string, fitted: FittedTransform, transformedSchema: Schema, rawSchemaUri: string): Promise<void> {
  await mkdir(path.join(uri, ASSETS_DIR), { recursive: true })
  await writeFile(path.join(uri, FITTED_TRANSFORM_PATH), serializeFittedTransform(fitted))
  const assetMap: Record<string, string> = {}
  for (const [id, analyzer] of Object.entries(fitted.analyzers)) {
    if (analyzer.kind !== 'vocabulary') continue
    const file = `vocab_${id}`
    assetMap[id] = file
    await writeFile(path.join(uri, ASSETS_DIR, file), analyzer.tokens.map((t) => `${t}\n`).join(''))
  }
  await writeSchema(path.join(uri, TRANSFORMED_METADATA_DIR), transformedSchema)
  await writeFile(path.join(uri, TRANSFORMED_METADATA_DIR, 'asset_map'), `${JSON.stringify(assetMap, null, 2)}\n`)
  await cp(rawSchemaUri, path.join(uri, RAW_METADATA_DIR), { recursive: true })
}

/** StatisticsGen's statistics of one split's files, written to `Split-{split}/FeatureStats.json` of `artifact`. */
async function describeSplit(
  artifact: Artifact<typeof ExampleStatistics>,
  split: string,
  files: readonly string[],
  categoricalFeatures: readonly string[],
  context: TransformArgs['context'],
  featureTypes?: Readonly<Record<string, string>>,
) {
  const dataset = await computeSplitStatistics(
    { name: split, files, ...(featureTypes ? { featureTypes } : {}) },
    { categoricalFeatures: [...categoricalFeatures], tempDirectory: context.tmpDir, signal: context.signal },
  )
  await writeStatistics(statisticsFilePath(artifact.uri, split), { datasets: [dataset] })
  return dataset
}

function setSplits(artifact: Artifact<typeof ExampleStatistics> | Artifact<typeof ExampleAnomalies>, splits: readonly string[], span: unknown): void {
  artifact.properties.splitNames = [...splits]
  if (typeof span === 'number') artifact.properties.span = span
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000
}
