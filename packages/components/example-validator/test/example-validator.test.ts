import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { formatAnomaliesTable, readAnomalies } from '@sluice/data/anomalies'
import type { Anomalies } from '@sluice/data/anomalies'
import { formatSchemaText, inferSchema, writeSchema } from '@sluice/data/schema'
import type { Schema } from '@sluice/data/schema'
import type { DatasetFeatureStatistics } from '@sluice/data/statistics'
import { createTempDirectory, runComponent } from '@sluice/testing'
import { ExampleValidator } from '../src/index.js'
import { dataset, stringFeature, taxiStatistics, withFeature, withoutFeature } from '../../../data/test/stats-fixtures.js'

/** An ExampleStatistics directory with one hand-written FeatureStats.json per split. */
async function statisticsDir(splits: Record<string, DatasetFeatureStatistics>): Promise<string> {
  const dir = (await createTempDirectory('validator-stats-')).path
  for (const [name, data] of Object.entries(splits)) {
    fs.mkdirSync(path.join(dir, `Split-${name}`))
    fs.writeFileSync(path.join(dir, `Split-${name}`, 'FeatureStats.json'), JSON.stringify({ datasets: [{ ...data, name }] }, null, 2))
  }
  return dir
}

async function schemaDir(schema: Schema, only: 'pbtxt' | 'both' = 'both'): Promise<string> {
  const dir = (await createTempDirectory('validator-schema-')).path
  if (only === 'pbtxt') fs.writeFileSync(path.join(dir, 'schema.pbtxt'), formatSchemaText(schema))
  else await writeSchema(dir, schema)
  return dir
}

function stats(uri: string, splits: Record<string, DatasetFeatureStatistics>, span = 0) {
  return { uri, properties: { splitNames: Object.keys(splits), span } }
}

const train = taxiStatistics('train', { seed: 1, rows: 300 })
const evalSplit = taxiStatistics('eval', { seed: 2, rows: 200 })
const schema = inferSchema(train)

function readSplit(uri: string, split: string): Anomalies {
  return JSON.parse(fs.readFileSync(path.join(uri, `Split-${split}`, 'SchemaDiff.json'), 'utf8')) as Anomalies
}

describe('ExampleValidator', () => {
  test('clean splits: no anomalies, blessed 1 per split, splitNames and span copied', async () => {
    const splits = { train, eval: evalSplit }
    const { outputs } = await runComponent(ExampleValidator, {
      inputs: { statistics: stats(await statisticsDir(splits), splits, 7), schema: { uri: await schemaDir(schema) } },
    })
    const anomalies = outputs.anomalies
    expect(anomalies.customProperties.blessed).toEqual({ train: 1, eval: 1 })
    expect(anomalies.properties.splitNames).toEqual(['train', 'eval'])
    expect(anomalies.properties.span).toBe(7)
    expect(readSplit(anomalies.uri, 'eval')).toEqual({ anomalyNameFormat: 'SERIALIZED_PATH', anomalyInfo: {} })
    expect(formatAnomaliesTable(await readAnomalies(anomalies.uri, ['train', 'eval']))).toBe('Split train: No anomalies found.\n\nSplit eval: No anomalies found.\n')
  })

  test('injected problems: the split is not blessed and SchemaDiff.json says why', async () => {
    const payments = [...Array(174).fill('Cash'), ...Array(25).fill('Bitcoin'), 'Venmo']
    const broken = withoutFeature(withFeature(evalSplit, stringFeature('payment_type', payments)), 'tips')
    const splits = { train, eval: broken, test: dataset('test', 0, []) }
    const { outputs } = await runComponent(ExampleValidator, {
      inputs: { statistics: stats(await statisticsDir(splits), splits), schema: { uri: await schemaDir(schema, 'pbtxt') } },
    })
    expect(outputs.anomalies.customProperties.blessed).toEqual({ train: 1, eval: 0, test: 0 })
    const evalAnomalies = readSplit(outputs.anomalies.uri, 'eval')
    expect(Object.keys(evalAnomalies.anomalyInfo)).toEqual(['payment_type', 'tips'])
    expect(evalAnomalies.anomalyInfo.payment_type!.description).toBe('Examples contain values missing from the schema: Bitcoin (~12%), Venmo (<1%). ')
    expect(evalAnomalies.anomalyInfo.tips!.reason[0]!.type).toBe('SCHEMA_MISSING_COLUMN')
    const testAnomalies = readSplit(outputs.anomalies.uri, 'test')
    expect(testAnomalies.dataMissing).toBe(true)
    expect(testAnomalies.datasetAnomalyInfo!.reason[0]!.type).toBe('DATASET_LOW_NUM_EXAMPLES')

    const table = formatAnomaliesTable(await readAnomalies(outputs.anomalies.uri), { width: 160 })
    expect(table).toContain('Split eval: 2 anomalies\n')
    expect(table).toContain(
      [
        '  Feature name    Anomaly short description  Anomaly long description',
        "  'payment_type'  Unexpected string values   Examples contain values missing from the schema: Bitcoin (~12%), Venmo (<1%).",
        "  'tips'          Column dropped             Column is completely missing",
      ].join('\n'),
    )
    expect(table).toContain('Split test: 1 anomaly\n')
    expect(table).toContain('Split train: No anomalies found.\n')
  })

  test('excludeSplits leaves a split unvalidated', async () => {
    const splits = { train, eval: withoutFeature(evalSplit, 'fare') }
    const { outputs } = await runComponent(ExampleValidator, {
      inputs: { statistics: stats(await statisticsDir(splits), splits), schema: { uri: await schemaDir(schema) } },
      parameters: { excludeSplits: ['eval'] },
    })
    expect(outputs.anomalies.customProperties.blessed).toEqual({ train: 1 })
    expect(outputs.anomalies.properties.splitNames).toEqual(['train'])
    expect(fs.existsSync(path.join(outputs.anomalies.uri, 'Split-eval'))).toBe(false)
  })
})

describe('drift, skew and environments', () => {
  const comparators: Schema = {
    ...schema,
    defaultEnvironment: ['TRAINING', 'SERVING'],
    feature: schema.feature.map((f) =>
      f.name === 'payment_type'
        ? { ...f, driftComparator: { infinityNorm: { threshold: 0.1 } }, skewComparator: { infinityNorm: { threshold: 0.1 } } }
        : f.name === 'fare'
          ? { ...f, driftComparator: { jensenShannonDivergence: { threshold: 0.1 } } }
          : f.name === 'tips'
            ? { ...f, notInEnvironment: ['SERVING'] }
            : f,
    ),
  }

  test('drift against previousStatistics (same split names): L-infinity and Jensen-Shannon', async () => {
    const current = { train, eval: evalSplit }
    const previous = {
      train: taxiStatistics('train', { seed: 8, rows: 300, fareScale: 2.5, paymentWeights: [0.3, 0.6, 0.04, 0.04, 0.02] }),
      eval: taxiStatistics('eval', { seed: 9, rows: 200 }),
    }
    const { outputs } = await runComponent(ExampleValidator, {
      inputs: {
        statistics: stats(await statisticsDir(current), current),
        schema: { uri: await schemaDir(comparators) },
        previousStatistics: stats(await statisticsDir(previous), previous),
      },
    })
    expect(outputs.anomalies.customProperties.blessed).toEqual({ train: 0, eval: 1 })
    const trainAnomalies = readSplit(outputs.anomalies.uri, 'train')
    expect(trainAnomalies.anomalyInfo.payment_type!.reason.map((r) => r.type)).toEqual(['COMPARATOR_L_INFTY_HIGH'])
    expect(trainAnomalies.anomalyInfo.payment_type!.shortDescription).toBe('High Linfty distance between current and previous')
    expect(trainAnomalies.anomalyInfo.fare!.reason.map((r) => r.type)).toEqual(['COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'])
    expect(trainAnomalies.driftSkewInfo!.map((d) => [d.path.step[0], d.driftMeasurements!.map((m) => m.type)])).toEqual([
      ['fare', ['JENSEN_SHANNON_DIVERGENCE']],
      ['payment_type', ['L_INFTY']],
    ])
    // The eval split drifted less than the thresholds: measured, not anomalous.
    const evalAnomalies = readSplit(outputs.anomalies.uri, 'eval')
    expect(evalAnomalies.anomalyInfo).toEqual({})
    expect(evalAnomalies.driftSkewInfo).toHaveLength(2)
  })

  test('skew against servingStatistics with one split, and the SERVING environment', async () => {
    const serving = { serving: withoutFeature(taxiStatistics('serving', { seed: 5, rows: 200, paymentWeights: [0.3, 0.6, 0.04, 0.04, 0.02] }), 'tips') }
    const servingUri = await statisticsDir(serving)
    const current = { train, eval: evalSplit }
    const { outputs } = await runComponent(ExampleValidator, {
      inputs: {
        statistics: stats(await statisticsDir(current), current),
        schema: { uri: await schemaDir(comparators) },
        servingStatistics: stats(servingUri, serving),
      },
    })
    expect(outputs.anomalies.customProperties.blessed).toEqual({ train: 0, eval: 0 })
    const info = readSplit(outputs.anomalies.uri, 'train').anomalyInfo.payment_type!
    expect(info.shortDescription).toBe('High Linfty distance between training and serving')
    expect(readSplit(outputs.anomalies.uri, 'train').driftSkewInfo![0]!.skewMeasurements![0]!.type).toBe('L_INFTY')

    // The serving data itself, validated in the SERVING environment: the label's absence is expected.
    const atServing = await runComponent(ExampleValidator, {
      inputs: { statistics: stats(servingUri, serving), schema: { uri: await schemaDir(comparators) } },
      parameters: { environment: 'SERVING' },
    })
    expect(atServing.outputs.anomalies.customProperties.blessed).toEqual({ serving: 1 })
    // Without the environment, the missing label is an anomaly.
    const anywhere = await runComponent(ExampleValidator, { inputs: { statistics: stats(servingUri, serving), schema: { uri: await schemaDir(comparators) } } })
    expect(anywhere.outputs.anomalies.customProperties.blessed).toEqual({ serving: 0 })
    expect(readSplit(anywhere.outputs.anomalies.uri, 'serving').anomalyInfo.tips!.reason[0]!.type).toBe('SCHEMA_MISSING_COLUMN')
  })

  test('errors name the split, the input and the fix', async () => {
    const current = { train, eval: evalSplit }
    const previous = { a: train, b: evalSplit }
    await expect(
      runComponent(ExampleValidator, {
        inputs: {
          statistics: stats(await statisticsDir(current), current),
          schema: { uri: await schemaDir(comparators) },
          previousStatistics: stats(await statisticsDir(previous), previous),
        },
      }),
    ).rejects.toMatchObject({ code: 'SLUICE_NO_SPLITS', message: expect.stringContaining('ExampleValidator: input "previousStatistics" has no split "train" (it has "a", "b").') })

    await expect(
      runComponent(ExampleValidator, {
        inputs: { statistics: stats(await statisticsDir(current), current), schema: { uri: await schemaDir(comparators) } },
        parameters: { environment: 'STAGING' },
      }),
    ).rejects.toMatchObject({
      code: 'SLUICE_ENVIRONMENT_UNKNOWN',
      message: expect.stringContaining('ExampleValidator: split "train": Environment "STAGING" is not one of the schema\'s default environments ("TRAINING", "SERVING").'),
    })

    const emptySchema = (await createTempDirectory('validator-no-schema-')).path
    await expect(
      runComponent(ExampleValidator, { inputs: { statistics: stats(await statisticsDir(current), current), schema: { uri: emptySchema } } }),
    ).rejects.toMatchObject({ code: 'SLUICE_SCHEMA_NOT_FOUND', message: expect.stringContaining('has neither schema.pbtxt nor schema.json') })
  })
})

describe('gating on blessed (the recipe of the docs)', () => {
  test('passes blessed examples on and fails the run otherwise', async () => {
    const { RequireValidExamples } = await import('./gate-recipe.js')
    const examples = (await createTempDirectory('gate-examples-')).path
    fs.mkdirSync(path.join(examples, 'Split-train'))
    fs.writeFileSync(path.join(examples, 'Split-train', 'data.csv'), 'a\n1\n')
    const anomalies = (await createTempDirectory('gate-anomalies-')).path
    fs.writeFileSync(path.join(anomalies, 'marker'), '')
    const exampleInput = { uri: examples, properties: { splitNames: ['train'] } }

    const { outputs } = await runComponent(RequireValidExamples, {
      inputs: { examples: exampleInput, anomalies: { uri: anomalies, customProperties: { blessed: { train: 1 } } } },
    })
    expect(fs.readFileSync(path.join(outputs.validated.uri, 'Split-train', 'data.csv'), 'utf8')).toBe('a\n1\n')
    expect(outputs.validated.properties.splitNames).toEqual(['train'])

    await expect(
      runComponent(RequireValidExamples, { inputs: { examples: exampleInput, anomalies: { uri: anomalies, customProperties: { blessed: { train: 1, eval: 0 } } } } }),
    ).rejects.toThrow('The examples have anomalies in split eval.')
  })
})
