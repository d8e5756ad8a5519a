// Acceptance: the materialised transformed examples equal `applyTransform` and
// `readTransformOutput(uri).transformRows` on the raw rows, row for row and value for value, for a
// preprocessing function using every mapper, with out-of-vocabulary values and unseen keys (in eval,
// not in train), missing values and NaN.
import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { openDuckDB } from '@sluice/data/examples'
import type { DuckDB } from '@sluice/data/examples'
import { readSchema } from '@sluice/data/schema'
import { readAnomalies } from '@sluice/data/anomalies'
import { readSplitStatistics } from '@sluice/data/statistics'
import { Transform, applyTransform, hashBucket, parseFittedTransform, readTransformOutput } from '@sluice/component-transform'
import type { FittedTransform, TransformOutput } from '@sluice/component-transform'
import { firstDifference, materialisedForm, readSplit, writeExamples, writeSchemaDir } from './helpers.js'
import type { RawColumn } from './helpers.js'

const PAYMENTS = ['Cash', 'Credit Card', 'Cash', 'No Charge', 'Cash', 'Credit Card', 'Dispute', '', null]
const COMPANIES = ['Flash Cab', 'Sun Taxi', null, 'Flash Cab', 'Blue Ribbon', 'Flash Cab', 'Sun Taxi', 'Checker']

function split(rows: number, evalSplit: boolean): Record<string, RawColumn> {
  const pick = <T>(list: readonly T[], i: number) => list[i % list.length]!
  return {
    // Train has missing fares only; eval also NaN (a NaN in train would make every z-score NaN, as in TFT).
    fare: { sqlType: 'DOUBLE', featureType: 'FLOAT', values: Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? null : evalSplit && i % 17 === 0 ? Number.NaN : ((i * 37) % 101) * 0.25 + 1)) },
    tips: { sqlType: 'DOUBLE', featureType: 'FLOAT', values: Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? 0 : ((i * 13) % 29) * 0.5)) },
    miles: { sqlType: 'BIGINT', featureType: 'INT', values: Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? null : (i * 7) % 23)) },
    payment: { sqlType: 'VARCHAR', featureType: 'STRING', values: Array.from({ length: rows }, (_, i) => (evalSplit && i % 10 === 3 ? pick(['Bitcoin', 'Voucher'], i) : pick(PAYMENTS, i))) },
    company: { sqlType: 'VARCHAR', featureType: 'STRING', values: Array.from({ length: rows }, (_, i) => (evalSplit && i % 9 === 4 ? 'Unheard Of Cabs' : pick(COMPANIES, i * 3))) },
    hour: { sqlType: 'BIGINT', featureType: 'INT', values: Array.from({ length: rows }, (_, i) => i % 24) },
    flag: { sqlType: 'BOOLEAN', featureType: 'INT', values: Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : i % 3 === 0)) },
  }
}

const MODULE = `import type { PreprocessingFn } from '@sluice/component-transform'

export const preprocessingFn: PreprocessingFn = (inputs, tft, config) => {
  const { fare, tips, miles, payment, company, hour, flag } = inputs as Record<string, ReturnType<typeof tft.constant>>
  return {
    z: tft.scaleToZScore(fare),
    z_filled: tft.scaleToZScore(tft.fillMissing(fare, 0)),
    unit: tft.scaleTo01(tips),
    minmax: tft.scaleByMinMax(miles, -1, 1),
    vocab: tft.computeAndApplyVocabulary(payment, { numOovBuckets: 3 }),
    vocab_top: tft.computeAndApplyVocabulary(company, { topK: 3, frequencyThreshold: 2 }),
    vocab_literal: tft.applyVocabulary(payment, ['Cash', 'Credit Card'], { defaultValue: 7 }),
    vocab_analyzed: tft.applyVocabulary(company, tft.vocabulary(company), { numOovBuckets: 2 }),
    buckets: tft.bucketize(tips, 4),
    buckets_literal: tft.applyBuckets(fare, [5, 10, 20]),
    quantile_buckets: tft.applyBuckets(miles, tft.quantiles(miles, 3)),
    hashed: tft.hashStrings(tft.fillMissing(company, ''), 7),
    filled: tft.fillMissing(company, 'none'),
    label: tft.cast(tft.gt(tips, tft.mul(tft.fillMissing(fare, Number.NaN), 0.2)), 'int'),
    ratio: tft.div(tips, fare),
    arith: tft.sub(tft.add(miles, 1), tft.mul(hour, 0.5)),
    both: tft.and(tft.ge(hour, 12), tft.not(tft.eq(payment, 'Cash'))),
    either: tft.or(tft.lt(fare, 3), flag),
    root: tft.sqrt(tips),
    squashed: tft.sigmoid(fare),
    mean_fare: tft.mean(fare),
    var_tips: tft.var(tips),
    min_miles: tft.min(miles),
    max_miles: tft.max(miles),
    sum_hour: tft.sum(hour),
    size_company: tft.size(company),
    z_key: tft.scaleToZScorePerKey(tips, payment),
    unit_key: tft.scaleTo01PerKey(tips, payment),
    minmax_key: tft.scaleByMinMaxPerKey(fare, payment, 10, 20),
    buckets_key: tft.bucketizePerKey(tips, payment, 3),
    count_key: tft.countPerKey(payment),
    hour_text: tft.cast(hour, 'string'),
    offset: tft.add(hour, config.offset as number),
    chosen: tft.where(flag, payment, 'no'),
  }
}
`

let tmp: TempDirectory
let db: DuckDB
let examplesUri: string
let schemaUri: string
let moduleFile: string
let outputs: Awaited<ReturnType<typeof runComponent<typeof Transform.inputs, typeof Transform.outputs, typeof Transform.parameters>>>['outputs']
let fitted: FittedTransform
let output: TransformOutput

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-transform-parity-')
  examplesUri = path.join(tmp.path, 'examples')
  await writeExamples(examplesUri, { train: split(300, false), eval: split(150, true) })
  schemaUri = await writeSchemaDir(path.join(tmp.path, 'schema'), { fare: 'FLOAT', tips: 'FLOAT', miles: 'INT', payment: 'BYTES', company: 'BYTES', hour: 'INT', flag: 'INT' }, ['tips', 'hour'])
  moduleFile = path.join(tmp.path, 'preprocessing.ts')
  await writeFile(moduleFile, MODULE)
  ;({ outputs } = await runComponent(Transform, {
    inputs: { examples: { uri: examplesUri, properties: { splitNames: ['train', 'eval'], span: 2 } }, schema: { uri: schemaUri } },
    parameters: { moduleFile, customConfig: { offset: 100 } },
  }))
  fitted = parseFittedTransform(await readFile(path.join(outputs.transformGraph.uri, 'transform_fn', 'fitted_transform.json'), 'utf8'))
  output = await readTransformOutput(outputs.transformGraph.uri)
  db = await openDuckDB({ threads: 2 })
})

afterAll(async () => {
  await db?.close()
  await tmp?.remove()
})

describe('materialised examples = applyTransform = readTransformOutput().transformRows', () => {
  for (const name of ['train', 'eval']) {
    it(`on split ${name}, every output, row for row`, async () => {
      const raw = await readSplit(db.connection, examplesUri, name)
      const written = await readSplit(db.connection, outputs.transformedExamples.uri, name)
      const inMemory = applyTransform(fitted, raw)
      expect(output.transformRows(raw)).toEqual(inMemory)
      expect(Object.keys(written[0]!)).toEqual(Object.keys(fitted.outputs))
      const expected = inMemory.map((r) => materialisedForm(r, output.transformedFeatureTypes))
      expect(firstDifference(written, expected)).toBeUndefined()
    })
  }

  it('covers the cases that matter: OOV values, unseen keys, missing values and NaN', async () => {
    const raw = await readSplit(db.connection, examplesUri, 'eval')
    const rows = applyTransform(fitted, raw)
    const vocabulary = (output: string, field: 'vocabulary' = 'vocabulary') => {
      const e = fitted.outputs[output]!
      if (e.op !== 'applyVocabulary' || Array.isArray(e.vocabulary)) throw new Error(`${output} has no analyzed ${field}`)
      const a = fitted.analyzers[(e.vocabulary as { id: string }).id]!
      return a.kind === 'vocabulary' ? a.tokens : []
    }
    const paymentVocabulary = vocabulary('vocab')
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
    let oov = 0
    let nan = 0
    raw.forEach((r, i) => {
      const row = rows[i]!
      if (r.payment === 'Bitcoin' || r.payment === 'Voucher') {
        oov++
        // OOV: hashed into [size, size + 3); a key the analysis never saw: TFT's per-key fallbacks.
        expect(row.vocab).toBe(paymentVocabulary.length + hashBucket(r.payment as string, 3))
        expect(row.vocab_literal).toBe(7)
        expect(row.z_key).toBe(r.tips)
        expect(row.unit_key).toBe(sigmoid(r.tips as number))
        expect(row.buckets_key).toBe(-1)
        expect(row.count_key).toBe(0)
      }
      if (r.payment === null) {
        // A missing key gives missing per-key outputs (as any missing operand), not the unseen-key fallback.
        expect([row.z_key, row.unit_key, row.minmax_key, row.buckets_key, row.count_key]).toEqual([null, null, null, null, null])
        expect(row.vocab).toBeNull()
      }
      if (r.company === 'Unheard Of Cabs') expect(row.vocab_top).toBe(-1)
      if (r.fare === null) {
        expect(row.z).toBeNull()
        expect(row.z_filled).not.toBeNull()
        expect(row.label).toBe(0)
      }
      if (typeof r.fare === 'number' && Number.isNaN(r.fare)) {
        nan++
        expect(row.z).toBeNaN()
        expect(row.label).toBe(0)
        expect(row.buckets_literal).toBe(3) // NaN goes to the last bucket
      }
    })
    expect(oov).toBeGreaterThan(5)
    expect(nan).toBeGreaterThan(3)
    expect(rows.every((r) => r.offset === null || (r.offset as number) >= 100)).toBe(true)
  })
})

describe('TransformGraph and statistics outputs', () => {
  it('writes transformed_metadata (a schema of the outputs), vocabulary assets and the raw schema', async () => {
    const uri = outputs.transformGraph.uri
    expect((await readdir(uri)).sort()).toEqual(['metadata', 'transform_fn', 'transformed_metadata'])
    expect((await readdir(path.join(uri, 'transformed_metadata'))).sort()).toEqual(['asset_map', 'schema.json', 'schema.pbtxt'])
    const schema = await readSchema(path.join(uri, 'transformed_metadata'))
    expect(output.transformedSchema).toEqual(schema)
    const feature = (name: string) => schema.feature.find((f) => f.name === name)!
    expect(feature('vocab')).toMatchObject({ type: 'INT', intDomain: { min: 0, max: output.numBuckets('vocab')! - 1, isCategorical: true } })
    expect(feature('vocab_literal')).toMatchObject({ intDomain: { min: 0, max: 7, isCategorical: true } })
    expect(feature('vocab_top')).toMatchObject({ intDomain: { min: -1, max: 2, isCategorical: true } })
    expect(feature('buckets').intDomain).toEqual({ min: 0, max: output.numBuckets('buckets')! - 1, isCategorical: true })
    expect(feature('hashed').intDomain).toEqual({ min: 0, max: 6, isCategorical: true })
    expect(feature('buckets_key').intDomain).toEqual({ min: 0, max: 2, isCategorical: true })
    expect(feature('z')).toMatchObject({ type: 'FLOAT', presence: { minCount: 0 } })
    // tips is required by the raw schema and tips-only outputs are never missing.
    expect(feature('unit')).toMatchObject({ type: 'FLOAT', presence: { minFraction: 1 }, shape: { dim: [{ size: 1 }] } })
    expect(feature('filled')).toMatchObject({ type: 'BYTES', presence: { minFraction: 1 } })
    expect(feature('both')).toMatchObject({ type: 'INT', boolDomain: {} })
    expect(output.transformedFeatureTypes).toMatchObject({ z: 'FLOAT', vocab: 'INT', both: 'BOOL', filled: 'STRING', count_key: 'INT' })
    const assets = await readdir(path.join(uri, 'transform_fn', 'assets'))
    expect(assets.length).toBe(3)
    const assetMap = JSON.parse(await readFile(path.join(uri, 'transformed_metadata', 'asset_map'), 'utf8')) as Record<string, string>
    for (const [id, file] of Object.entries(assetMap)) {
      const a = fitted.analyzers[id]!
      expect(await readFile(path.join(uri, 'transform_fn', 'assets', file), 'utf8')).toBe(a.kind === 'vocabulary' ? a.tokens.map((t) => `${t}\n`).join('') : '')
    }
    expect((await readdir(path.join(uri, 'metadata'))).sort()).toEqual(['schema.json'])
  })

  it('computes pre- and post-transform statistics and validates the post-transform ones', async () => {
    expect(outputs.preTransformStats.properties.splitNames).toEqual(['train'])
    const pre = await readSplitStatistics(outputs.preTransformStats.uri, 'train')
    expect(pre.numExamples).toBe(300)
    expect(pre.features.map((f) => f.path?.step?.[0]).sort()).toEqual(['company', 'fare', 'flag', 'hour', 'miles', 'payment', 'tips'])
    expect(outputs.postTransformStats.properties.splitNames).toEqual(['train', 'eval'])
    const post = await readSplitStatistics(outputs.postTransformStats.uri, 'eval')
    expect(post.numExamples).toBe(150)
    // Categorical outputs get string statistics, as the transformed schema marks them categorical.
    expect(post.features.find((f) => f.path?.step?.[0] === 'vocab')!.stringStats).toBeDefined()
    expect(await readSchema(outputs.postTransformSchema.uri)).toEqual(output.transformedSchema)
    expect((await readdir(outputs.preTransformSchema.uri)).sort()).toEqual(['schema.json'])
    const anomalies = await readAnomalies(outputs.postTransformAnomalies.uri)
    expect(Object.keys(anomalies).sort()).toEqual(['eval', 'train'])
    // Train validates cleanly against the schema derived from it; an unseen key's -1 bucket in eval is
    // outside bucketizePerKey's declared domain, as in TFT.
    expect(anomalies.train!.anomalyInfo).toEqual({})
    expect(Object.keys(anomalies.eval!.anomalyInfo)).toContain('buckets_key')
    expect(outputs.postTransformAnomalies.customProperties.blessed).toEqual({ train: 1, eval: 0 })
    expect(outputs.transformedExamples.properties).toMatchObject({ splitNames: ['train', 'eval'], span: 2 })
  })
})
