import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { openDuckDB, listSplitFiles, sqlStringList } from '@sluice/data/examples'
import { readSchema } from '@sluice/data/schema'
import { findFeatureStatistics, readSplitStatistics } from '@sluice/data/statistics'
import { readAnomalies } from '@sluice/data/anomalies'
import { openSqliteStore } from '@sluice/metadata'
import { LocalDagRunner } from '@sluice/runner'
import { startModelServer } from '@sluice/serving'
import { taxiPipeline } from '../src/taxi/pipeline.js'

const csv = path.join(import.meta.dirname, '..', 'data', 'taxi', 'data.csv')

describe('taxi example pipeline', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-taxi-'))
  const servingDirectory = path.join(cwd, 'serving', 'taxi')
  const pipeline = taxiPipeline({ servingDirectory })

  test('ingests, validates, transforms, trains, evaluates, infra-validates and pushes; caches; serves; and a worse model is stopped at the gate', async () => {
    const first = await new LocalDagRunner().run(pipeline, { cwd })
    expect(first.status, JSON.stringify(Object.values(first.nodes).map((n) => n.error?.message).filter(Boolean))).toBe('COMPLETE')
    expect(Object.values(first.nodes).every((n) => n.status === 'COMPLETE')).toBe(true)

    // ExampleGen: every row of the CSV, split 2:1.
    const examples = first.nodes.CsvExampleGen!.outputs.examples![0]!
    expect(examples.properties.splitNames).toEqual(['train', 'eval'])
    await using db = await openDuckDB({ threads: 2 })
    const count = async (split: string) => {
      const r = await db.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlStringList(await listSplitFiles(examples.uri, split))})`)
      return r.getRowObjectsJS()[0]!.n as number
    }
    const [train, evalRows] = [await count('train'), await count('eval')]
    expect(train + evalRows).toBe(15002)
    expect(train / (train + evalRows)).toBeGreaterThan(0.63)
    expect(train / (train + evalRows)).toBeLessThan(0.70)

    // StatisticsGen agrees with an independent computation over the same split files.
    const statistics = first.nodes.StatisticsGen!.outputs.statistics![0]!
    const trainStats = await readSplitStatistics(statistics.uri, 'train')
    const reference = (
      await db.connection.runAndReadAll(
        `SELECT avg(fare) AS fare_mean, count(fare)::INTEGER AS fare_n, count(*)::INTEGER - count(fare)::INTEGER AS fare_missing,
                avg(tips) AS tips_mean, count(DISTINCT payment_type)::INTEGER AS payment_unique
         FROM read_parquet(${sqlStringList(await listSplitFiles(examples.uri, 'train'))})`,
      )
    ).getRowObjectsJS()[0]! as Record<string, number>
    const fare = findFeatureStatistics(trainStats, 'fare')!
    expect(fare.numStats!.mean).toBeCloseTo(reference.fare_mean!, 9)
    expect(Math.abs(fare.numStats!.mean - reference.fare_mean!) / reference.fare_mean!).toBeLessThan(1e-9)
    expect(fare.numStats!.commonStats!.numNonMissing).toBe(reference.fare_n)
    expect(fare.numStats!.commonStats!.numMissing).toBe(reference.fare_missing)
    expect(Math.abs(findFeatureStatistics(trainStats, 'tips')!.numStats!.mean - reference.tips_mean!) / reference.tips_mean!).toBeLessThan(1e-9)
    expect(findFeatureStatistics(trainStats, 'payment_type')!.stringStats!.unique).toBe(reference.payment_unique)
    expect(trainStats.numExamples).toBe(train)

    // SchemaGen: strings with domains, floats.
    const schema = await readSchema(first.nodes.SchemaGen!.outputs.schema![0]!.uri)
    const feature = (name: string) => schema.feature!.find((f) => f.name === name)!
    expect(feature('payment_type').type).toBe('BYTES')
    expect(feature('payment_type').domain).toBe('payment_type')
    expect(feature('company').type).toBe('BYTES')
    expect(feature('company').domain).toBe('company')
    expect(feature('tips').type).toBe('FLOAT')
    expect(feature('fare').type).toBe('FLOAT')
    expect(fs.readFileSync(path.join(first.nodes.SchemaGen!.outputs.schema![0]!.uri, 'schema.pbtxt'), 'utf8')).toContain('string_domain {')

    // ExampleValidator: a verdict per split.
    const anomalies = first.nodes.ExampleValidator!.outputs.anomalies![0]!
    expect(Object.keys(anomalies.customProperties.blessed as object).sort()).toEqual(['eval', 'train'])
    expect((anomalies.customProperties.blessed as Record<string, number>).train).toBe(1)
    expect(Object.keys(await readAnomalies(anomalies.uri))).toEqual(expect.arrayContaining(['train', 'eval']))

    // Transform: the fitted transform, the raw schema, and every split transformed.
    const transformGraph = first.nodes.Transform!.outputs.transformGraph![0]!
    expect(fs.existsSync(path.join(transformGraph.uri, 'transform_fn', 'fitted_transform.json'))).toBe(true)
    const transformed = first.nodes.Transform!.outputs.transformedExamples![0]!
    expect(transformed.properties.splitNames).toEqual(['train', 'eval'])

    // Trainer: a serving bundle a server can load on its own, and a ModelRun with per-epoch metrics.
    const model = first.nodes.Trainer!.outputs.model![0]!
    for (const file of ['model.json', 'weights.bin', 'signature.json', path.join('transform', 'fitted_transform.json')]) {
      expect(fs.existsSync(path.join(model.uri, 'Format-Serving', file)), file).toBe(true)
    }
    const modelRun = first.nodes.Trainer!.outputs.modelRun![0]!
    const runMetrics = JSON.parse(fs.readFileSync(path.join(modelRun.uri, 'metrics.json'), 'utf8')) as { backend: string; epochs: { loss: number }[] }
    expect(runMetrics.backend).toBe('wasm')
    expect(runMetrics.epochs.length).toBeGreaterThan(1)
    expect(runMetrics.epochs.at(-1)!.loss).toBeLessThan(runMetrics.epochs[0]!.loss)

    // Evaluator, first run: no baseline yet, so the change threshold is rubber-stamped. The bar
    // on the eval split: accuracy >= 0.88 and AUC >= 0.90 (always predicting 0 scores ~0.775).
    const overall = evaluationOverall(first.nodes.Evaluator!.outputs.evaluation![0]!.uri)
    expect(overall.metrics.binary_accuracy).toBeGreaterThanOrEqual(0.88)
    expect(overall.metrics.auc).toBeGreaterThanOrEqual(0.9)
    expect(overall.exampleCount).toBe(evalRows)
    const blessing = first.nodes.Evaluator!.outputs.blessing![0]!
    expect(fs.existsSync(path.join(blessing.uri, 'BLESSED'))).toBe(true)
    expect(blessing.customProperties).toMatchObject({ blessed: 1, current_model_id: model.id })
    expect(first.nodes.LatestBlessedModel!.outputs.model ?? []).toEqual([])
    // A slice per payment type.
    const sliceNames = evaluationSlices(first.nodes.Evaluator!.outputs.evaluation![0]!.uri).map((sl) => sl.sliceName)
    expect(sliceNames).toEqual(expect.arrayContaining(['Overall', 'payment_type:Cash', 'payment_type:Credit Card']))
    // InfraValidator loaded the bundle in a real server process and queried it; the Pusher pushed.
    const infra = first.nodes.InfraValidator!.outputs.blessing![0]!
    expect(fs.existsSync(path.join(infra.uri, 'INFRA_BLESSED'))).toBe(true)
    // The Evaluator's figures agree with an independent computation over the BulkInferrer's
    // predictions (same model, same eval rows): accuracy at "score > 0.5", and ROC AUC by average ranks.
    const inference = first.nodes.BulkInferrer!.outputs.inferenceResult![0]!
    expect(inference.customProperties.inferred).toBe(1)
    const independent = (
      await db.connection.runAndReadAll(
        `WITH t AS (SELECT probabilities AS p, (coalesce(tips > 0.2 * fare, false))::INTEGER AS y FROM read_parquet(${sqlStringList(await listSplitFiles(inference.uri, 'eval'))})),
              r AS (SELECT y, rank() OVER (ORDER BY p) + (count(*) OVER (PARTITION BY p) - 1) / 2.0 AS avg_rank FROM t),
              c AS (SELECT sum(y)::DOUBLE AS pos, (count(*) - sum(y))::DOUBLE AS neg FROM t)
         SELECT (SELECT avg(((p > 0.5)::INTEGER = y)::INTEGER) FROM t) AS accuracy,
                ((SELECT sum(avg_rank) FROM r WHERE y = 1) - c.pos * (c.pos + 1) / 2) / (c.pos * c.neg) AS auc,
                (SELECT count(*) FROM t)::INTEGER AS n
         FROM c`,
      )
    ).getRowObjectsJS()[0]! as { accuracy: number; auc: number; n: number }
    expect(independent.n).toBe(evalRows)
    expect(Math.abs(independent.accuracy - overall.metrics.binary_accuracy!)).toBeLessThan(1e-6)
    expect(Math.abs(independent.auc - overall.metrics.auc!)).toBeLessThan(1e-6)

    const pushed = first.nodes.Pusher!.outputs.pushedModel![0]!
    expect(pushed.customProperties.pushed).toBe(1)
    const firstVersion = String(pushed.customProperties.pushed_version)
    expect(fs.readdirSync(servingDirectory)).toEqual([firstVersion])

    // Second run, nothing changed: everything up to the Trainer (and the InfraValidator) comes from the
    // cache. The Resolver now finds the first run's blessed model, so the Evaluator compares the model
    // with itself as the baseline (no change: blessed), and the Pusher pushes it as a new version, as
    // TFX does.
    const second = await new LocalDagRunner().run(pipeline, { cwd })
    const statusesOf = (r: typeof second) => Object.fromEntries(Object.values(r.nodes).map((n) => [n.nodeId, n.status]))
    expect(statusesOf(second)).toMatchObject({ CsvExampleGen: 'CACHED', StatisticsGen: 'CACHED', SchemaGen: 'CACHED', ExampleValidator: 'CACHED', Transform: 'CACHED', Trainer: 'CACHED', InfraValidator: 'CACHED', Evaluator: 'COMPLETE' })
    expect(second.nodes.Evaluator!.outputs.blessing![0]!.customProperties).toMatchObject({ blessed: 1, baseline_model_id: model.id })
    const versions = fs.readdirSync(servingDirectory).sort()
    const servedVersion = versions.at(-1)!

    const store = openSqliteStore(path.join(cwd, '.sluice', 'taxi', 'metadata.sqlite'), { readonly: true })
    try {
      const lineage = await store.getLineage({ artifactIds: [pushed.id!], direction: 'upstream' })
      expect(new Set(lineage.executions.map((e) => e.type))).toEqual(
        new Set(['Pusher', 'InfraValidator', 'Evaluator', 'Trainer', 'Transform', 'SchemaGen', 'StatisticsGen', 'CsvExampleGen']),
      )
    } finally {
      await store.close()
    }

    // The served model answers raw features: the fitted transform runs inside the server.
    const server = await startModelServer({ models: [{ name: 'taxi', basePath: servingDirectory }], port: 0, fileSystemPollWaitSeconds: 0.2 })
    try {
      const status = (await (await fetch(`${server.url}/v1/models/taxi`)).json()) as { model_version_status: { version: string; state: string }[] }
      expect(status.model_version_status).toEqual([expect.objectContaining({ version: servedVersion, state: 'AVAILABLE' })])
      const trip = { trip_miles: 3.2, fare: 12.5, trip_seconds: 780, payment_type: 'Credit Card', company: 'Flash Cab', trip_start_hour: 18, trip_start_day: 5, trip_start_month: 6, pickup_latitude: 41.88, pickup_longitude: -87.63, dropoff_latitude: 41.9, dropoff_longitude: -87.65, pickup_community_area: 8, dropoff_community_area: 7, pickup_census_tract: null, dropoff_census_tract: null }
      const predict = async () => {
        const response = await fetch(`${server.url}/v1/models/taxi:predict`, { method: 'POST', body: JSON.stringify({ instances: [trip, { ...trip, payment_type: 'Cash' }] }) })
        expect(response.status).toBe(200)
        return ((await response.json()) as { predictions: number[] }).predictions
      }
      const [card, cash] = await predict()
      // Cash tips are rarely recorded: the model has learnt that much.
      expect(card!).toBeGreaterThan(cash!)

      // A deliberately worse model (time features only): NOT_BLESSED with the reason, not pushed, and
      // the server keeps serving the first version.
      const worse = await new LocalDagRunner().run(taxiPipeline({ featureSet: 'time-only', servingDirectory }), { cwd })
      expect(worse.status, JSON.stringify(Object.values(worse.nodes).map((n) => n.error?.message).filter(Boolean))).toBe('COMPLETE')
      expect(worse.nodes.Trainer!.status).toBe('COMPLETE')
      expect(worse.nodes.LatestBlessedModel!.outputs.model![0]!.id).toBe(model.id)
      const worseBlessing = worse.nodes.Evaluator!.outputs.blessing![0]!
      expect(fs.existsSync(path.join(worseBlessing.uri, 'NOT_BLESSED'))).toBe(true)
      expect(worseBlessing.customProperties).toMatchObject({ blessed: 0, baseline_model_id: model.id })
      expect(String(worseBlessing.customProperties.reason)).toMatch(/binary_accuracy/)
      const validations = JSON.parse(fs.readFileSync(path.join(worse.nodes.Evaluator!.outputs.evaluation![0]!.uri, 'validations.json'), 'utf8')) as { validationOk: boolean; failures: { metric: string }[] }
      expect(validations.validationOk).toBe(false)
      expect(validations.failures.map((f) => f.metric)).toEqual(expect.arrayContaining(['binary_accuracy']))
      expect(worse.nodes.Pusher!.outputs.pushedModel![0]!.customProperties.pushed).toBe(0)
      expect(worse.nodes.BulkInferrer!.outputs.inferenceResult![0]!.customProperties.inferred).toBe(0)
      expect(fs.readdirSync(servingDirectory).sort()).toEqual(versions)
      await new Promise((resolve) => setTimeout(resolve, 500))
      const after = (await (await fetch(`${server.url}/v1/models/taxi`)).json()) as { model_version_status: { version: string }[] }
      expect(after.model_version_status.map((v) => v.version)).toEqual([servedVersion])
      expect(await predict()).toEqual([card, cash])
    } finally {
      await server.close()
    }
    expect(fs.existsSync(csv)).toBe(true)
  }, 400_000)
})

interface SliceMetrics {
  sliceName: string
  exampleCount: number
  metrics: Record<string, number>
}

function evaluationSlices(uri: string): SliceMetrics[] {
  return (JSON.parse(fs.readFileSync(path.join(uri, 'metrics.json'), 'utf8')) as { slices: SliceMetrics[] }).slices
}

function evaluationOverall(uri: string): SliceMetrics {
  return evaluationSlices(uri).find((slice) => slice.sliceName === 'Overall')!
}
