import type { Artifact, ExampleStatistics } from '@sluice/core'
import { ExecutorError, isSluiceError } from '@sluice/core'
import { hasAnomalies, validateStatistics, writeAnomalies } from '@sluice/data/anomalies'
import type { Anomalies } from '@sluice/data/anomalies'
import { readSchema } from '@sluice/data/schema'
import type { DatasetFeatureStatistics } from '@sluice/data/statistics'
import type { ExampleValidatorArgs } from './spec.js'
import { readStatisticsSplit, selectSplits, splitNamesOf } from '@sluice/data/statistics'

const NAME = 'ExampleValidator'

/**
 * ExampleValidator's executor: validates each split not excluded, writes its SchemaDiff.json and
 * sets `blessed` (`{ split: 1 | 0 }`), `splitNames` and `span` on the output. Exported so that it
 * can be extended (`ExampleValidator.withExecutor(…)`).
 */
export default async function exampleValidatorExecutor({ inputs, outputs, parameters, context }: ExampleValidatorArgs): Promise<void> {
  const schema = await readSchema(inputs.schema.uri)
  const all = await splitNamesOf(inputs.statistics)
  for (const split of parameters.excludeSplits) {
    if (!all.includes(split)) context.logger.warn(`excludeSplits names "${split}", which the statistics do not have (they have ${all.join(', ') || 'none'}).`)
  }
  const splits = selectSplits(NAME, 'statistics', all, parameters.excludeSplits)
  const blessed: Record<string, number> = {}
  for (const [i, split] of splits.entries()) {
    context.signal.throwIfAborted()
    const statistics = await readStatisticsSplit(NAME, 'statistics', inputs.statistics, split)
    const previousStatistics = await controlStatistics(inputs.previousStatistics, 'previousStatistics', split)
    const servingStatistics = await controlStatistics(inputs.servingStatistics, 'servingStatistics', split)
    let anomalies: Anomalies
    try {
      anomalies = validateStatistics(statistics, schema, {
        ...(parameters.environment !== undefined ? { environment: parameters.environment } : {}),
        ...(previousStatistics ? { previousStatistics } : {}),
        ...(servingStatistics ? { servingStatistics } : {}),
      })
    } catch (cause) {
      if (!isSluiceError(cause)) throw cause
      throw new ExecutorError(`${NAME}: split "${split}": ${cause.message}`, { code: cause.code, cause })
    }
    await writeAnomalies(outputs.anomalies.uri, split, anomalies)
    blessed[split] = hasAnomalies(anomalies) ? 0 : 1
    context.logger.info(`Split ${split}: ${summary(anomalies)}`)
    context.progress((i + 1) / splits.length, `validated split ${split}`)
  }
  outputs.anomalies.properties.splitNames = splits
  const span = inputs.statistics.properties.span
  if (typeof span === 'number') outputs.anomalies.properties.span = span
  outputs.anomalies.customProperties.blessed = blessed
}

/**
 * The control split for drift or skew: the split of the same name, or the only split when the
 * control artifact has one (serving statistics usually do).
 */
async function controlStatistics(artifact: Artifact<typeof ExampleStatistics> | undefined, input: string, split: string): Promise<DatasetFeatureStatistics | undefined> {
  if (!artifact) return undefined
  const splits = await splitNamesOf(artifact)
  const chosen = splits.includes(split) ? split : splits.length === 1 ? splits[0]! : undefined
  if (chosen === undefined) {
    throw new ExecutorError(`${NAME}: input "${input}" has no split "${split}" (it has ${splits.map((s) => `"${s}"`).join(', ') || 'none'}).`, {
      code: 'SLUICE_NO_SPLITS',
      fix: `Give ${input} the same splits as statistics or a single split, or exclude "${split}" with excludeSplits.`,
    })
  }
  return readStatisticsSplit(NAME, input, artifact, chosen)
}

function summary(anomalies: Anomalies): string {
  const names = Object.keys(anomalies.anomalyInfo)
  if (anomalies.datasetAnomalyInfo) names.push('[dataset]')
  if (names.length === 0) return 'no anomalies'
  const shown = names.length > 8 ? [...names.slice(0, 8), `… ${names.length - 8} more`] : names
  return `${names.length} ${names.length === 1 ? 'anomaly' : 'anomalies'} (${shown.join(', ')})`
}
