import { readdir } from 'node:fs/promises'
import type { Artifact, Examples, JsonValue } from '@sluice/core'
import { ExecutorError } from '@sluice/core'
import { listSplitFiles } from '@sluice/data/examples'
import {
  categoricalFeaturesFromSchema,
  computeSplitStatistics,
  readSchemaJsonForStatistics,
  statisticsFilePath,
  writeStatistics,
} from '@sluice/data/statistics'
import type { StatisticsGenArgs } from './spec.js'

/**
 * StatisticsGen's executor: for every split of the examples not excluded, computes the split's
 * statistics on DuckDB and writes `Split-{split}/FeatureStats.json`; sets `splitNames` and `span`
 * on the output. Exported so that it can be extended (`StatisticsGen.withExecutor(…)`).
 */
export default async function statisticsGenExecutor({ inputs, outputs, parameters, context }: StatisticsGenArgs): Promise<void> {
  const examples = inputs.examples
  const all = await splitNamesOf(examples)
  for (const split of parameters.excludeSplits) {
    if (!all.includes(split)) context.logger.warn(`excludeSplits names "${split}", which the examples do not have (they have ${all.join(', ') || 'none'}).`)
  }
  const splits = all.filter((s) => !parameters.excludeSplits.includes(s))
  if (splits.length === 0) {
    throw new ExecutorError(
      all.length === 0
        ? `StatisticsGen: input "examples" at "${examples.uri}" has no splits (no splitNames property and no Split-* directory).`
        : `StatisticsGen: every split of input "examples" (${all.map((s) => `"${s}"`).join(', ')}) is excluded by excludeSplits.`,
      { code: 'SLUICE_NO_SPLITS', fix: all.length === 0 ? 'Connect the output of an ExampleGen.' : 'Leave at least one split out of excludeSplits.' },
    )
  }

  const categoricalFeatures = inputs.schema ? categoricalFeaturesFromSchema(await readSchemaJsonForStatistics(inputs.schema.uri)) : []
  if (categoricalFeatures.length > 0) context.logger.info(`The schema marks ${categoricalFeatures.length} numeric feature(s) categorical: ${categoricalFeatures.join(', ')}.`)
  const featureTypes = featureTypesOf(examples.customProperties.feature_types)
  const { statsOptions } = parameters

  for (const [i, split] of splits.entries()) {
    context.signal.throwIfAborted()
    const started = performance.now()
    const files = await listSplitFiles(examples.uri, split)
    const dataset = await computeSplitStatistics(
      { name: split, files, ...(featureTypes ? { featureTypes } : {}) },
      {
        ...statsOptions,
        ...(parameters.weightFeature !== undefined ? { weightFeature: parameters.weightFeature } : {}),
        categoricalFeatures,
        tempDirectory: context.tmpDir,
        signal: context.signal,
        onProgress: (fraction) => context.progress((i + fraction) / splits.length, `split ${split}`),
      },
    )
    await writeStatistics(statisticsFilePath(outputs.statistics.uri, split), { datasets: [dataset] })
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    context.logger.info(`Split "${split}": ${dataset.numExamples} examples, ${dataset.features.length} features, ${files.length} file(s) in ${seconds}s.`)
    context.progress((i + 1) / splits.length, `split ${split} done`)
  }

  outputs.statistics.properties.splitNames = splits
  if (typeof examples.properties.span === 'number') outputs.statistics.properties.span = examples.properties.span
}

/** The splits of an Examples artifact: its `splitNames`, or its `Split-*` directories when unset (an imported artifact). */
async function splitNamesOf(artifact: Artifact<typeof Examples>): Promise<string[]> {
  const declared = artifact.properties.splitNames
  if (Array.isArray(declared) && declared.length > 0) return declared
  const entries = await readdir(artifact.uri, { withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isDirectory() && e.name.startsWith('Split-'))
    .map((e) => e.name.slice('Split-'.length))
    .sort()
}

/** The Examples artifact's `feature_types` custom property: a JSON object, or its JSON text. */
function featureTypesOf(value: JsonValue | undefined): Record<string, string> | undefined {
  let parsed: unknown = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'))
}
