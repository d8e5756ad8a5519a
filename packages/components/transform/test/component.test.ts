import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { ExecutorError, isComponent, loadExecutor } from '@sluice/core'
import { openDuckDB, readFeatureTypes, sqlString, writeSplits } from '@sluice/data/examples'
import { Transform, applyTransform, parseFittedTransform } from '@sluice/component-transform'

let tmp: TempDirectory
let examplesUri: string
let schemaUri: string
let moduleFile: string

const SOURCE = `SELECT
  CASE WHEN i % 9 = 0 THEN NULL ELSE (i % 37) * 1.25 + 3 END::DOUBLE AS fare,
  ((i * 7) % 13)::DOUBLE AS tips,
  CASE WHEN i % 3 = 0 THEN 'Cash' WHEN i % 5 = 0 THEN 'Dispute' ELSE 'Credit Card' END AS payment_type,
  (i % 24)::BIGINT AS hour,
  (i % 4 = 0)::INT AS s
FROM range(0, 200) t(i)`

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-transform-component-')
  examplesUri = path.join(tmp.path, 'examples')
  schemaUri = path.join(tmp.path, 'schema')
  await mkdir(schemaUri, { recursive: true })
  await writeFile(path.join(schemaUri, 'schema.json'), '{"feature":[]}\n')
  await using db = await openDuckDB({ threads: 1 })
  await writeSplits(db.connection, {
    query: SOURCE,
    examplesUri,
    splits: ['train', 'eval'],
    splitColumn: 's',
    featureTypes: { fare: 'FLOAT', tips: 'FLOAT', payment_type: 'STRING', hour: 'INT' },
  })
  moduleFile = path.join(tmp.path, 'preprocessing.mjs')
  await writeFile(
    moduleFile,
    `export function preprocessingFn(inputs, tft) {
  const fare = tft.fillMissing(inputs.fare, 0)
  return {
    fare_xf: tft.scaleToZScore(fare),
    payment_type_xf: tft.computeAndApplyVocabulary(inputs.payment_type, { numOovBuckets: 2 }),
    hour_xf: tft.bucketize(inputs.hour, 4),
    tips_xf: tft.gt(inputs.tips, tft.mul(tft.fillMissing(inputs.fare, Number.NaN), 0.2)),
  }
}
`,
  )
})

afterAll(async () => {
  await tmp?.remove()
})

describe('Transform', () => {
  it('is a component', () => {
    expect(isComponent(Transform)).toBe(true)
  })

  it('fits on train, writes transform_fn/fitted_transform.json and transformed Parquet splits', async () => {
    const { outputs } = await runComponent(Transform, {
      inputs: { examples: { uri: examplesUri, properties: { splitNames: ['train', 'eval'], span: 3 } }, schema: { uri: schemaUri } },
      parameters: { moduleFile },
    })
    const graphUri = outputs.transformGraph.uri
    const fitted = parseFittedTransform(await readFile(path.join(graphUri, 'transform_fn', 'fitted_transform.json'), 'utf8'))
    expect(Object.keys(fitted.outputs)).toEqual(['fare_xf', 'payment_type_xf', 'hour_xf', 'tips_xf'])
    expect(await readdir(path.join(graphUri, 'metadata'))).toEqual(['schema.json'])
    const transformed = outputs.transformedExamples
    expect(transformed.properties.splitNames).toEqual(['train', 'eval'])
    expect(transformed.properties.span).toBe(3)

    await using db = await openDuckDB({ threads: 1 })
    for (const split of ['train', 'eval']) {
      const raw = (await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(path.join(examplesUri, `Split-${split}`, '*.parquet'))})`)).getRowObjectsJS()
      const files = (await readdir(path.join(transformed.uri, `Split-${split}`))).map((f) => path.join(transformed.uri, `Split-${split}`, f))
      const written = (await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(files[0]!)})`)).getRowObjectsJS()
      const expected = applyTransform(fitted, raw).map((r) => ({ ...r, tips_xf: r.tips_xf === null ? null : r.tips_xf ? 1n : 0n, payment_type_xf: BigInt(r.payment_type_xf as number), hour_xf: BigInt(r.hour_xf as number) }))
      expect(written).toEqual(expected)
      expect(await readFeatureTypes(db.connection, files)).toEqual({ fare_xf: 'FLOAT', payment_type_xf: 'INT', hour_xf: 'INT', tips_xf: 'INT' })
    }
    // z-score over train only: the train split's fare_xf has mean 0.
    const train = (await db.connection.runAndReadAll(`SELECT avg(fare_xf) FROM read_parquet(${sqlString(path.join(transformed.uri, 'Split-train', '*.parquet'))})`)).getRowsJS()
    expect(train[0]![0]).toBeCloseTo(0, 9)
  })

  it('with disableStatistics, leaves a marker in the statistics outputs and still writes both schemas', async () => {
    const { outputs } = await runComponent(Transform, {
      inputs: { examples: { uri: examplesUri, properties: { splitNames: ['train', 'eval'] } }, schema: { uri: schemaUri } },
      parameters: { moduleFile, disableStatistics: true, splitsConfig: { transform: ['eval'] } },
    })
    for (const artifact of [outputs.preTransformStats, outputs.postTransformStats, outputs.postTransformAnomalies]) {
      expect(await readdir(artifact.uri)).toEqual(['STATISTICS_DISABLED'])
      expect(artifact.customProperties.statistics_disabled).toBe(1)
      expect(artifact.properties.splitNames).toEqual([])
    }
    expect(await readdir(outputs.preTransformSchema.uri)).toEqual(['schema.json'])
    expect((await readdir(outputs.postTransformSchema.uri)).sort()).toEqual(['schema.json', 'schema.pbtxt'])
    expect(outputs.transformedExamples.properties.splitNames).toEqual(['eval'])
    expect(await readdir(outputs.transformedExamples.uri)).toEqual(['Split-eval'])
    expect(outputs.transformGraph.customProperties).toMatchObject({ analyze_seconds: expect.any(Number), materialize_seconds: expect.any(Number) })
  })

  it('can be extended with withExecutor (the docs example): a gate on post-transform anomalies', async () => {
    const StrictTransform = Transform.withExecutor(async (args) => {
      await (await loadExecutor(Transform.executor, Transform.name))(args)
      const blessed = (args.outputs.postTransformAnomalies.customProperties.blessed ?? {}) as Record<string, number>
      const failed = Object.entries(blessed).filter(([, ok]) => ok !== 1)
      if (failed.length > 0) throw new ExecutorError(`Post-transform anomalies in split(s) ${failed.map(([split]) => split).join(', ')}.`)
    })
    const { outputs } = await runComponent(StrictTransform, {
      inputs: { examples: { uri: examplesUri, properties: { splitNames: ['train', 'eval'] } }, schema: { uri: schemaUri } },
      parameters: { moduleFile },
    })
    expect(outputs.postTransformAnomalies.customProperties.blessed).toEqual({ train: 1, eval: 1 })
  })

  it('fails clearly without preprocessingFn or with an unknown split', async () => {
    const empty = path.join(tmp.path, 'empty.mjs')
    await writeFile(empty, 'export const nothing = 1\n')
    const examples = { uri: examplesUri, properties: { splitNames: ['train', 'eval'] } }
    await expect(runComponent(Transform, { inputs: { examples, schema: { uri: schemaUri } }, parameters: { moduleFile: empty } })).rejects.toThrow(/preprocessingFn/)
    await expect(
      runComponent(Transform, { inputs: { examples, schema: { uri: schemaUri } }, parameters: { moduleFile, splitsConfig: { analyze: ['test'] } } }),
    ).rejects.toThrow(/split "test"/)
  })
})
