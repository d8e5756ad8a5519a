// Standard components with rebound executors (withExecutor): the examples the component docs show.
import { ExecutorError, loadExecutor } from '@sluice/core'
import { StatisticsGen } from '@sluice/component-statistics-gen'
import { SchemaGen } from '@sluice/component-schema-gen'
import { ExampleValidator } from '@sluice/component-example-validator'
import { readSchema, writeSchema } from '@sluice/data/schema'
import { readAnomalies } from '@sluice/data/anomalies'

export const LoggedStatisticsGen = StatisticsGen.withExecutor(async (args) => {
  const original = await loadExecutor(StatisticsGen.executor, StatisticsGen.name)
  await original(args)
  args.context.logger.info(`statistics of ${args.inputs.examples.properties.splitNames?.join(', ')} written to ${args.outputs.statistics.uri}`)
})

export const SchemaGenWithDrift = SchemaGen.withExecutor(async (args) => {
  await (await loadExecutor(SchemaGen.executor, SchemaGen.name))(args)
  const schema = await readSchema(args.outputs.schema.uri)
  for (const feature of schema.feature ?? []) {
    if (feature.type === 'BYTES') feature.driftComparator = { infinityNorm: { threshold: 0.01 } }
  }
  await writeSchema(args.outputs.schema.uri, schema)
})

export const StrictExampleValidator = ExampleValidator.withExecutor(async (args) => {
  await (await loadExecutor(ExampleValidator.executor, ExampleValidator.name))(args)
  const bySplit = await readAnomalies(args.outputs.anomalies.uri)
  const failed = Object.entries(bySplit).filter(([, a]) => Object.keys(a.anomalyInfo ?? {}).length > 0 || a.datasetAnomalyInfo !== undefined)
  if (failed.length > 0) {
    throw new ExecutorError(`Anomalies in split(s) ${failed.map(([split]) => split).join(', ')}.`, { fix: 'Fix the data or curate the schema.' })
  }
})
