import { ExecutorError, isSluiceError } from '@sluice/core'
import { inferSchema, updateSchema, writeSchema } from '@sluice/data/schema'
import type { Schema } from '@sluice/data/schema'
import type { SchemaGenArgs } from './spec.js'
import { readStatisticsSplit, selectSplits, splitNamesOf } from '@sluice/data/statistics'

/**
 * SchemaGen's executor: infers the schema from the first split, updates it with every further one,
 * and writes `schema.pbtxt` and `schema.json`. Exported so that it can be extended
 * (`SchemaGen.withExecutor(…)`).
 */
export default async function schemaGenExecutor({ inputs, outputs, parameters, context }: SchemaGenArgs): Promise<void> {
  const all = await splitNamesOf(inputs.statistics)
  for (const split of parameters.excludeSplits) {
    if (!all.includes(split)) context.logger.warn(`excludeSplits names "${split}", which the statistics do not have (they have ${all.join(', ') || 'none'}).`)
  }
  const splits = selectSplits('SchemaGen', 'statistics', all, parameters.excludeSplits)
  const options = { inferFeatureShape: parameters.inferFeatureShape }
  let schema: Schema | undefined
  for (const [i, split] of splits.entries()) {
    context.signal.throwIfAborted()
    const statistics = await readStatisticsSplit('SchemaGen', 'statistics', inputs.statistics, split)
    const verb = schema ? 'updated' : 'inferred'
    try {
      schema = schema ? updateSchema(schema, statistics, options) : inferSchema(statistics, options)
    } catch (cause) {
      if (!isSluiceError(cause)) throw cause
      throw new ExecutorError(`SchemaGen: split "${split}": ${cause.message}`, { code: cause.code, cause })
    }
    context.progress((i + 1) / splits.length, `${verb} from split ${split}`)
  }
  await writeSchema(outputs.schema.uri, schema!)
  const active = schema!.feature.filter((f) => f.lifecycleStage !== 'DEPRECATED')
  const domains = schema!.stringDomain?.length ?? 0
  context.logger.info(
    `Schema of ${active.length} features (${domains} string ${domains === 1 ? 'domain' : 'domains'}) from split${splits.length === 1 ? '' : 's'} ${splits.join(', ')}.`,
  )
}
