import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { ExampleStatistics, Examples, Importer, Pipeline, isComponent } from '@sluice/core'
import { findFeatureStatistics, formatStatisticsSummary, readSplitStatistics, readStatistics } from '@sluice/data/statistics'
import { StatisticsGen } from '@sluice/component-statistics-gen'

let tmp: TempDirectory
let examplesUri: string

/** Writes one Parquet split file the way ExampleGen does (typed columns, sluice.feature_types metadata). */
async function writeSplitFile(file: string, select: string, featureTypes: Record<string, string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(`COPY (${select}) TO '${file}' (FORMAT PARQUET, KV_METADATA {'sluice.feature_types': '${JSON.stringify(featureTypes)}'})`)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

const TYPES = { trip_miles: 'INT', fare: 'FLOAT', payment_type: 'STRING', tips: 'FLOAT', company: 'UNKNOWN' }
const rowsSql = (from: number, to: number) => `SELECT
  CASE WHEN i % 10 = 0 THEN NULL ELSE i % 7 END::BIGINT AS trip_miles,
  (i * 1.5)::DOUBLE AS fare,
  CASE WHEN i % 3 = 0 THEN 'Cash' WHEN i % 3 = 1 THEN 'Credit Card' ELSE 'Cash' END AS payment_type,
  CASE WHEN i % 4 = 0 THEN 0 ELSE i / 10 END::DOUBLE AS tips,
  NULL::VARCHAR AS company
FROM range(${from}, ${to}) t(i)`

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-statistics-gen-')
  examplesUri = path.join(tmp.path, 'examples')
  await writeSplitFile(path.join(examplesUri, 'Split-train', 'data_parquet-00000-of-00002.parquet'), rowsSql(0, 60), TYPES)
  await writeSplitFile(path.join(examplesUri, 'Split-train', 'data_parquet-00001-of-00002.parquet'), rowsSql(60, 100), TYPES)
  await writeSplitFile(path.join(examplesUri, 'Split-eval', 'data_parquet-00000-of-00001.parquet'), rowsSql(100, 150), TYPES)
  await writeSplitFile(path.join(examplesUri, 'Split-empty', 'data_parquet-00000-of-00001.parquet'), rowsSql(0, 0), TYPES)
})
afterAll(async () => {
  await tmp?.remove()
})

const examples = (splitNames: string[], extra: Record<string, unknown> = {}) => ({ uri: examplesUri, properties: { splitNames, span: 7, version: 1 }, ...extra })

describe('StatisticsGen', () => {
  it('is a component with the TFX inputs, outputs and defaults', () => {
    expect(isComponent(StatisticsGen)).toBe(true)
    expect(StatisticsGen.name).toBe('StatisticsGen')
    expect(StatisticsGen.outputs.statistics).toBe(ExampleStatistics)
    expect(StatisticsGen.inputs.examples).toBe(Examples)
    expect(StatisticsGen.parameters.parse({})).toEqual({
      excludeSplits: [],
      statsOptions: { numTopValues: 20, numRankHistogramBuckets: 1000, numHistogramBuckets: 10, numQuantilesHistogramBuckets: 10, numValuesHistogramBuckets: 10, quantiles: 'auto' },
    })
  })

  it('wires an Examples channel and validates its parameters', () => {
    const examplesNode = Importer({ sourceUri: '/data/examples', artifactType: Examples, id: 'examples' })
    const node = StatisticsGen({ examples: examplesNode.outputs.result, excludeSplits: ['eval'] })
    expect(node.outputs.statistics.type).toBe(ExampleStatistics)
    expect(new Pipeline({ name: 'p', root: '/tmp/p', components: [examplesNode, node] }).nodes).toHaveLength(2)
    expect(() => StatisticsGen({ examples: examplesNode.outputs.result, statsOptions: { numHistogramBuckets: 0 } })).toThrow(/numHistogramBuckets/)
  })

  it('writes Split-{name}/FeatureStats.json per split and copies splitNames and span', async () => {
    const { outputs } = await runComponent(StatisticsGen, { inputs: { examples: examples(['train', 'eval', 'empty']) } })
    const statistics = outputs.statistics
    expect(statistics.properties.splitNames).toEqual(['train', 'eval', 'empty'])
    expect(statistics.properties.span).toBe(7)
    expect((await readdir(statistics.uri)).sort()).toEqual(['Split-empty', 'Split-eval', 'Split-train'])

    const list = await readStatistics(path.join(statistics.uri, 'Split-train', 'FeatureStats.json'))
    expect(list.datasets).toHaveLength(1)
    const train = list.datasets[0]!
    expect(train.name).toBe('train')
    expect(train.numExamples).toBe(100)
    expect(train.features.map((f) => [f.path.step.join('.'), f.type])).toEqual([
      ['trip_miles', 'INT'],
      ['fare', 'FLOAT'],
      ['payment_type', 'STRING'],
      ['tips', 'FLOAT'],
      ['company', 'STRING'],
    ])
    const miles = findFeatureStatistics(train, 'trip_miles')!.numStats!
    expect(miles.commonStats.numMissing).toBe(10)
    expect(miles.commonStats.numNonMissing).toBe(90)
    const fare = findFeatureStatistics(train, 'fare')!.numStats!
    expect(fare.mean).toBeCloseTo(74.25, 12)
    expect(fare.min).toBe(0)
    expect(fare.max).toBe(148.5)
    expect(findFeatureStatistics(train, 'tips')!.numStats!.numZeros).toBe(25)
    expect(findFeatureStatistics(train, 'payment_type')!.stringStats!.topValues).toEqual([
      { value: 'Cash', frequency: 67 },
      { value: 'Credit Card', frequency: 33 },
    ])

    // The file is proto3 JSON with int64 fields as numbers and enum names.
    const raw = JSON.parse(await readFile(path.join(statistics.uri, 'Split-train', 'FeatureStats.json'), 'utf8'))
    expect(raw.datasets[0].numExamples).toBe(100)
    expect(raw.datasets[0].features[0].path).toEqual({ step: ['trip_miles'] })
    expect(raw.datasets[0].features[0].numStats.histograms.map((h: { type: string }) => h.type)).toEqual(['STANDARD', 'QUANTILES'])

    const evalSplit = await readSplitStatistics(statistics.uri, 'eval')
    expect(evalSplit.numExamples).toBe(50)
    const empty = await readSplitStatistics(statistics.uri, 'empty')
    expect(empty.numExamples).toBe(0)
    expect(empty.features).toHaveLength(5)

    const summary = formatStatisticsSummary({ datasets: [train, evalSplit] })
    expect(summary).toContain('Split "train": 100 examples')
    expect(summary).toContain('payment_type')
  })

  it('leaves out excludeSplits', async () => {
    const { outputs } = await runComponent(StatisticsGen, { inputs: { examples: examples(['train', 'eval']) }, parameters: { excludeSplits: ['train'] } })
    expect(outputs.statistics.properties.splitNames).toEqual(['eval'])
    expect(await readdir(outputs.statistics.uri)).toEqual(['Split-eval'])
  })

  it('fails when every split is excluded', async () => {
    await expect(runComponent(StatisticsGen, { inputs: { examples: examples(['train']) }, parameters: { excludeSplits: ['train'] } })).rejects.toThrow(
      /every split of input "examples" \("train"\) is excluded/,
    )
  })

  it('a schema marking an INT feature categorical gives it string statistics', async () => {
    const schemaUri = path.join(tmp.path, 'schema')
    await mkdir(schemaUri, { recursive: true })
    await writeFile(path.join(schemaUri, 'schema.json'), JSON.stringify({ feature: [{ name: 'trip_miles', type: 'INT', intDomain: { isCategorical: true } }, { name: 'fare', type: 'FLOAT' }] }))
    const { outputs } = await runComponent(StatisticsGen, { inputs: { examples: examples(['train']), schema: { uri: schemaUri } } })
    const train = await readSplitStatistics(outputs.statistics.uri, 'train')
    const miles = findFeatureStatistics(train, 'trip_miles')!
    expect(miles.type).toBe('INT')
    expect(miles.numStats).toBeUndefined()
    expect(miles.stringStats!.unique).toBe(7)
    expect(miles.stringStats!.commonStats.numNonMissing).toBe(90)
    expect(findFeatureStatistics(train, 'fare')!.numStats).toBeDefined()
  })

  it('weightFeature adds weighted statistics', async () => {
    const { outputs } = await runComponent(StatisticsGen, { inputs: { examples: examples(['eval']) }, parameters: { weightFeature: 'fare', statsOptions: { numTopValues: 1 } } })
    const evalSplit = await readSplitStatistics(outputs.statistics.uri, 'eval')
    // fare = 1.5 i for i in 100..149
    expect(evalSplit.weightedNumExamples).toBeCloseTo(1.5 * ((100 + 149) * 50) / 2, 9)
    const payment = findFeatureStatistics(evalSplit, 'payment_type')!.stringStats!
    expect(payment.topValues).toHaveLength(1)
    expect(payment.weightedStringStats!.topValues).toHaveLength(1)
    expect(payment.weightedStringStats!.topValues[0]!.value).toBe('Cash')
    expect(findFeatureStatistics(evalSplit, 'tips')!.numStats!.weightedNumericStats).toBeDefined()
  })

  it('an Examples artifact without the split files fails with an error naming the split', async () => {
    const error = await runComponent(StatisticsGen, { inputs: { examples: examples(['train', 'test']) } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/have no split "test" \(no directory .*Split-test\)/)
    expect((error as { code?: string }).code).toBe('SLUICE_EXAMPLES_SPLIT_MISSING')
  })

  it('a missing schema.json is an error naming the file', async () => {
    const schemaUri = path.join(tmp.path, 'no-schema')
    await mkdir(schemaUri, { recursive: true })
    await expect(runComponent(StatisticsGen, { inputs: { examples: examples(['train']), schema: { uri: schemaUri } } })).rejects.toThrow(/has no "schema.json"/)
  })
})
