import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseSchemaText, readSchema, schemaFromJson } from '@sluice/data/schema'
import type { DatasetFeatureStatistics } from '@sluice/data/statistics'
import { createTempDirectory, runComponent } from '@sluice/testing'
import { ImportSchemaGen, SchemaGen } from '../src/index.js'
import { dataset, numericFeature, stringFeature } from '../../../data/test/stats-fixtures.js'

/** Writes an ExampleStatistics directory: one hand-written FeatureStats.json per split. */
async function statisticsArtifact(splits: Record<string, DatasetFeatureStatistics>): Promise<string> {
  const dir = (await createTempDirectory('schema-gen-stats-')).path
  for (const [name, data] of Object.entries(splits)) {
    fs.mkdirSync(path.join(dir, `Split-${name}`))
    fs.writeFileSync(path.join(dir, `Split-${name}`, 'FeatureStats.json'), JSON.stringify({ datasets: [{ ...data, name }] }, null, 2))
  }
  return dir
}

const train = dataset('train', 4, [
  numericFeature('fare', [5.5, 7.25, 12, 3.5]),
  numericFeature('trip_seconds', [300, null, 420, 600], 'INT'),
  stringFeature('payment_type', ['Cash', 'Credit Card', 'Cash', 'Cash']),
])
const evalSplit = dataset('eval', 3, [
  numericFeature('fare', [8, 9, 10]),
  numericFeature('trip_seconds', [[300, 310], 100, null], 'INT'),
  stringFeature('payment_type', ['Cash', 'Dispute', 'Cash']),
])

describe('SchemaGen', () => {
  test('infers from the first split, widens over the others, and writes schema.pbtxt and schema.json', async () => {
    const uri = await statisticsArtifact({ train, eval: evalSplit })
    const { outputs } = await runComponent(SchemaGen, { inputs: { statistics: { uri, properties: { splitNames: ['train', 'eval'], span: 3 } } } })
    const dir = outputs.schema.uri
    const text = fs.readFileSync(path.join(dir, 'schema.pbtxt'), 'utf8')
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'schema.json'), 'utf8')) as unknown
    const schema = parseSchemaText(text)
    expect(schemaFromJson(json)).toEqual(schema)
    expect(await readSchema(dir)).toEqual(schema)
    expect(schema).toEqual({
      feature: [
        { name: 'fare', type: 'FLOAT', presence: { minFraction: 1, minCount: 1 }, shape: { dim: [{ size: 1 }] } },
        { name: 'trip_seconds', type: 'INT', presence: { minCount: 1 }, valueCount: { min: 1, max: 2 } },
        { name: 'payment_type', type: 'BYTES', presence: { minFraction: 1, minCount: 1 }, shape: { dim: [{ size: 1 }] }, domain: 'payment_type' },
      ],
      stringDomain: [{ name: 'payment_type', value: ['Cash', 'Credit Card', 'Dispute'] }],
    })
    expect(text).toContain('feature {\n  name: "fare"\n  type: FLOAT\n  presence {\n    min_fraction: 1.0\n    min_count: 1\n  }\n  shape {\n    dim {\n      size: 1\n    }\n  }\n}\n')
    expect(text).toContain('string_domain {\n  name: "payment_type"\n  value: "Cash"\n  value: "Credit Card"\n  value: "Dispute"\n}\n')
    expect(json).toMatchObject({ feature: [{ name: 'fare', presence: { minFraction: 1, minCount: 1 }, shape: { dim: [{ size: 1 }] } }, {}, { domain: 'payment_type' }], defaultEnvironment: [] })
  })

  test('excludeSplits leaves a split out; inferFeatureShape: false writes value_count', async () => {
    const uri = await statisticsArtifact({ train, eval: evalSplit })
    const { outputs } = await runComponent(SchemaGen, {
      inputs: { statistics: { uri, properties: { splitNames: ['train', 'eval'] } } },
      parameters: { excludeSplits: ['eval'], inferFeatureShape: false },
    })
    const schema = await readSchema(outputs.schema.uri)
    expect(schema.stringDomain).toEqual([{ name: 'payment_type', value: ['Cash', 'Credit Card'] }])
    expect(schema.feature[0]).toEqual({ name: 'fare', type: 'FLOAT', presence: { minFraction: 1, minCount: 1 }, valueCount: { min: 1, max: 1 } })
  })

  test('finds the splits from the Split-* directories when the artifact has no splitNames', async () => {
    const uri = await statisticsArtifact({ train })
    const { outputs } = await runComponent(SchemaGen, { inputs: { statistics: { uri } } })
    expect((await readSchema(outputs.schema.uri)).feature.map((f) => f.name)).toEqual(['fare', 'trip_seconds', 'payment_type'])
  })

  test('reads FeatureStats.json written by other tools (proto3 defaults omitted, legacy names)', async () => {
    const dir = (await createTempDirectory('schema-gen-raw-')).path
    fs.mkdirSync(path.join(dir, 'Split-train'))
    fs.writeFileSync(
      path.join(dir, 'Split-train', 'FeatureStats.json'),
      `{
        "datasets": [{
          "name": "train",
          "num_examples": "3",
          "features": [
            { "name": "count", "num_stats": { "common_stats": { "num_non_missing": "3", "min_num_values": "1", "max_num_values": "1" }, "max": 7 } },
            { "name": "city", "type": "STRING", "string_stats": { "common_stats": { "num_non_missing": "2", "num_missing": "1", "min_num_values": "1", "max_num_values": "1" },
              "unique": "2", "rank_histogram": { "buckets": [ { "label": "Chicago", "sample_count": 1 }, { "label": "Evanston", "sample_count": 1 } ] } } }
          ]
        }]
      }`,
    )
    const { outputs } = await runComponent(SchemaGen, { inputs: { statistics: { uri: dir, properties: { splitNames: ['train'] } } } })
    expect(await readSchema(outputs.schema.uri)).toEqual({
      feature: [
        { name: 'count', type: 'INT', presence: { minFraction: 1, minCount: 1 }, shape: { dim: [{ size: 1 }] } },
        { name: 'city', type: 'BYTES', presence: { minCount: 1 }, valueCount: { min: 1, max: 1 }, domain: 'city' },
      ],
      stringDomain: [{ name: 'city', value: ['Chicago', 'Evanston'] }],
    })
  })

  test('errors name the split and the file', async () => {
    const uri = await statisticsArtifact({ train })
    await expect(runComponent(SchemaGen, { inputs: { statistics: { uri, properties: { splitNames: ['train', 'eval'] } } } })).rejects.toThrow(
      /SchemaGen: input "statistics", split "eval": Statistics file ".*Split-eval[/\\]FeatureStats\.json" cannot be read/,
    )
    await expect(
      runComponent(SchemaGen, { inputs: { statistics: { uri, properties: { splitNames: ['train'] } } }, parameters: { excludeSplits: ['train'] } }),
    ).rejects.toMatchObject({ code: 'SLUICE_NO_SPLITS', message: expect.stringContaining('every split of input "statistics" ("train") is excluded by excludeSplits') })
  })
})

describe('ImportSchemaGen', () => {
  const taxiFile = path.join(import.meta.dirname, '..', '..', '..', 'data', 'test', 'fixtures', 'taxi_schema.pbtxt')

  test('imports a curated schema.pbtxt: the text is kept, schema.json is added', async () => {
    const { outputs } = await runComponent(ImportSchemaGen, { parameters: { schemaFile: taxiFile } })
    const text = fs.readFileSync(taxiFile, 'utf8')
    expect(fs.readFileSync(path.join(outputs.schema.uri, 'schema.pbtxt'), 'utf8')).toBe(text)
    const json = schemaFromJson(JSON.parse(fs.readFileSync(path.join(outputs.schema.uri, 'schema.json'), 'utf8')))
    expect(json).toEqual(parseSchemaText(text))
    expect(json.feature.find((f) => f.name === 'tips')!.notInEnvironment).toEqual(['SERVING'])
  })

  test('a schema.json file is imported too', async () => {
    const dir = (await createTempDirectory('import-schema-json-')).path
    const file = path.join(dir, 'schema.json')
    fs.writeFileSync(file, JSON.stringify({ feature: [{ name: 'fare', type: 'FLOAT', presence: { minCount: 1 } }] }))
    const { outputs } = await runComponent(ImportSchemaGen, { parameters: { schemaFile: file } })
    expect(fs.readFileSync(path.join(outputs.schema.uri, 'schema.pbtxt'), 'utf8')).toBe('feature {\n  name: "fare"\n  type: FLOAT\n  presence {\n    min_count: 1\n  }\n}\n')
  })

  test('a malformed file fails with the file, line and column', async () => {
    const dir = (await createTempDirectory('import-schema-bad-')).path
    const file = path.join(dir, 'schema.pbtxt')
    fs.writeFileSync(file, 'feature {\n  name: "fare"\n  type: FLAOT\n}\n')
    await expect(runComponent(ImportSchemaGen, { parameters: { schemaFile: file } })).rejects.toMatchObject({
      code: 'SLUICE_SCHEMA_PARSE_FAILED',
      message: `${file}:3:9: unknown value "FLAOT" for the enum field "type" Use one of TYPE_UNKNOWN, BYTES, INT, FLOAT, STRUCT.`,
    })
  })

  test('a missing file says so', async () => {
    await expect(runComponent(ImportSchemaGen, { parameters: { schemaFile: '/nonexistent/schema.pbtxt' } })).rejects.toMatchObject({
      code: 'SLUICE_SCHEMA_NOT_FOUND',
      message: expect.stringContaining('ImportSchemaGen: schemaFile /nonexistent/schema.pbtxt does not exist.'),
    })
  })
})

describe('definitions', () => {
  test('executors are loaded lazily and the parameters have TFX defaults', () => {
    expect(SchemaGen.parameters.parse({})).toEqual({ inferFeatureShape: true, excludeSplits: [] })
    expect(typeof SchemaGen.executor).toBe('function')
    expect((SchemaGen.executor as () => unknown).length).toBe(0)
    expect(() => ImportSchemaGen.parameters.parse({})).toThrow()
  })
})
