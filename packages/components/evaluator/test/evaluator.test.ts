// The Evaluator component end to end: pre-computed predictions checked against DuckDB SQL, real tfjs
// serving bundles (with their fitted transform) against a baseline, the blessing, the slice table.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import { Channel, Examples, Importer, Model, ModelBlessing, Pipeline, Resolver, latestBlessedModel } from '@sluice/core'
import { LocalDagRunner } from '@sluice/runner'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { renderArtifactReport } from '../../../cli/src/format/artifact-reports.js'
import { Evaluator, NO_THRESHOLDS_REASON, formatSliceTable } from '../src/index.js'
import type { EvalConfig, MetricsFile, ValidationResult } from '../src/index.js'
import type { ModelFixture } from './fixtures.js'
import { PREDICTIONS_QUERY, PREDICTIONS_TYPES, createModelFixture, querySplit, writeExamples } from './fixtures.js'

let tmp: TempDirectory
let predictionsUri: string
let models: ModelFixture
let goodModel: string
let badModel: string

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-evaluator-test-')
  predictionsUri = path.join(tmp.path, 'predictions')
  await writeExamples(predictionsUri, PREDICTIONS_QUERY, PREDICTIONS_TYPES)
  models = await createModelFixture(path.join(tmp.path, 'models'))
  goodModel = await models.saveModel('good', [4, -4, 0])
  badModel = await models.saveModel('bad', [0.3, 0.1, 0])
})

afterAll(async () => {
  await tmp?.remove()
})

const read = <T>(dir: string, file: string): T => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T
const examples = (uri: string) => ({ uri, properties: { splitNames: ['train', 'eval'] } })
const notWorse = { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 } as const

describe('pre-computed predictions (no model)', () => {
  const config: EvalConfig = {
    modelSpecs: [{ labelKey: 'label', predictionKey: 'score' }],
    slicingSpecs: [{}, { featureKeys: ['payment_type'] }],
    metricsSpecs: [
      {
        metrics: [
          { className: 'ExampleCount' },
          { className: 'AUC', threshold: { valueThreshold: { lowerBound: 0.55 } } },
          { className: 'BinaryAccuracy', threshold: { valueThreshold: { lowerBound: 0.55 }, changeThreshold: notWorse } },
        ],
      },
    ],
  }

  test('AUC and accuracy agree with an independent DuckDB computation to 1e-6, per slice; first run is rubber-stamped', async () => {
    const { outputs } = await runComponent(Evaluator, { inputs: { examples: examples(predictionsUri) }, parameters: { evalConfig: config } })
    const dir = outputs.evaluation.uri
    expect(readdirSync(dir).sort()).toEqual(['eval_config.json', 'metrics.json', 'plots.json', 'validations.json'])
    const metrics = read<MetricsFile>(dir, 'metrics.json')
    expect(metrics.slices.map((s) => s.sliceName)).toEqual(['Overall', 'payment_type:Cash', 'payment_type:Credit Card', 'payment_type:Dispute', 'payment_type:Mobile'])

    // Mann-Whitney with average ranks for ties, and accuracy with score > 0.5 positive, in SQL.
    const expected = await querySplit<{ payment_type: string | null; auc: number; accuracy: number; n: bigint }>(
      predictionsUri,
      'eval',
      `WITH data AS (
         SELECT payment_type AS g, label, score FROM examples
         UNION ALL SELECT NULL AS g, label, score FROM examples
       ), r AS (
         SELECT g, label, score, rank() OVER (PARTITION BY g ORDER BY score) + (count(*) OVER (PARTITION BY g, score) - 1) / 2.0 AS avg_rank FROM data
       )
       SELECT g AS payment_type,
         (sum(avg_rank) FILTER (WHERE label = 1) - count(*) FILTER (WHERE label = 1) * (count(*) FILTER (WHERE label = 1) + 1) / 2.0)
           / (count(*) FILTER (WHERE label = 1) * count(*) FILTER (WHERE label = 0)) AS auc,
         avg(((score > 0.5)::INT = label)::INT) AS accuracy,
         count(*) AS n
       FROM r GROUP BY g ORDER BY g NULLS FIRST`,
    )
    const bySlice = Object.fromEntries(metrics.slices.map((s) => [s.slice.payment_type ?? 'Overall', s]))
    expect(expected).toHaveLength(5)
    for (const row of expected) {
      const slice = bySlice[row.payment_type ?? 'Overall']!
      expect(slice.exampleCount).toBe(Number(row.n))
      expect(Math.abs((slice.metrics.auc as number) - row.auc)).toBeLessThan(1e-6)
      expect(Math.abs((slice.metrics.binary_accuracy as number) - row.accuracy)).toBeLessThan(1e-6)
    }

    const validation = read<ValidationResult>(dir, 'validations.json')
    expect(validation).toMatchObject({ validationOk: true, rubberStamp: true, missingThresholds: false, thresholdCount: 2, rubberStampedThresholds: 1, checks: 10, failures: [], missingSlices: [] })
    expect(existsSync(path.join(outputs.blessing.uri, 'BLESSED'))).toBe(true)
    expect(outputs.blessing.customProperties).toMatchObject({ blessed: 1, reason: 'all 10 threshold checks passed; 1 change threshold rubber-stamped (no baseline model)' })
    expect(outputs.evaluation.customProperties.validation_ok).toBe(1)
    const evalConfig = read<{ evalConfig: EvalConfig; modelLocations: Record<string, string | null>; exampleSplits: string[] }>(dir, 'eval_config.json')
    expect(evalConfig.evalConfig.modelSpecs).toEqual([{ name: 'candidate', labelKey: 'label', predictionKey: 'score' }])
    expect(evalConfig.modelLocations).toEqual({ candidate: null })
    expect(evalConfig.exampleSplits).toEqual(['eval'])

    const table = formatSliceTable(dir, { width: 200 })
    expect(table.split('\n')[0]).toMatch(/^Slice\s+Examples\s+auc\s+binary_accuracy$/)
    expect(table).toContain(`${'Overall'.padEnd('payment_type:Credit Card'.length)}  ${bySlice.Overall!.exampleCount.toLocaleString('en-US').padStart(8)}  `)
    expect(table).toContain('payment_type:Credit Card')
    expect(table).toContain('Validation: OK: 10 threshold checks passed (no baseline: 1 change threshold not checked).')
    // The CLI prints the same table after a run (and in `sluice show`).
    const report = await renderArtifactReport({ id: 7, type: 'ModelEvaluation', uri: dir, properties: {} }, { color: false, width: 200 })
    expect(report).toBe(table)
  })

  test('a baseline prediction column and example weights: diffs, change thresholds checked, NOT_BLESSED says why', async () => {
    const twoModels = (candidate: string, baseline: string): EvalConfig => ({
      ...config,
      modelSpecs: [
        { labelKey: 'label', predictionKey: candidate, exampleWeightKey: 'weight' },
        { name: 'old', labelKey: 'label', predictionKey: baseline, exampleWeightKey: 'weight', isBaseline: true },
      ],
    })
    const better = await runComponent(Evaluator, { inputs: { examples: examples(predictionsUri) }, parameters: { evalConfig: twoModels('score', 'baseline_score') } })
    const metrics = read<MetricsFile>(better.outputs.evaluation.uri, 'metrics.json')
    expect(metrics.baseline).toBe('old')
    const o = metrics.slices[0]!
    expect(o.diff!.auc).toBeCloseTo((o.metrics.auc as number) - (o.baseline!.auc as number), 12)
    expect(o.diff!.auc as number).toBeGreaterThan(0)
    expect(better.outputs.blessing.customProperties.blessed).toBe(1)

    const worse = await runComponent(Evaluator, { inputs: { examples: examples(predictionsUri) }, parameters: { evalConfig: twoModels('baseline_score', 'score') } })
    const validation = read<ValidationResult>(worse.outputs.evaluation.uri, 'validations.json')
    expect(validation.validationOk).toBe(false)
    expect(validation.rubberStamp).toBe(false)
    const overallFailure = validation.failures.find((f) => f.sliceName === 'Overall')!
    expect(overallFailure).toMatchObject({ metric: 'binary_accuracy', bound: 'change >= -1e-10' })
    expect(overallFailure.message).toMatch(/^binary_accuracy changed by -0\.\d+ \(candidate 0\.\d+, baseline 0\.\d+\); HIGHER_IS_BETTER needs a change >= -1e-10\.$/)
    expect(existsSync(path.join(worse.outputs.blessing.uri, 'NOT_BLESSED'))).toBe(true)
    expect(worse.outputs.blessing.customProperties.blessed).toBe(0)
    expect(worse.outputs.blessing.customProperties.reason).toMatch(/^\d+ threshold checks? failed: Overall: binary_accuracy -0\.\d+ \(needs change >= -1e-10\)/)
    expect(formatSliceTable(worse.outputs.evaluation.uri, { width: 200 })).toMatch(/Validation: FAILED: \d+ problems\.\n {2}Overall: binary_accuracy changed by/)
  })

  test('with no thresholds the blessing says so; fairness gaps get thresholds of their own', async () => {
    const { outputs } = await runComponent(Evaluator, {
      inputs: { examples: examples(predictionsUri) },
      parameters: { evalConfig: { modelSpecs: [{ labelKey: 'label', predictionKey: 'score' }], metricsSpecs: [{ metrics: [{ className: 'AUC' }] }] } },
    })
    expect(readdirSync(outputs.blessing.uri)).toEqual(['NOT_BLESSED'])
    expect(outputs.blessing.customProperties).toMatchObject({ blessed: 0, reason: NO_THRESHOLDS_REASON })
    expect(outputs.blessing.customProperties.current_model).toBeUndefined()
    expect(read<ValidationResult>(outputs.evaluation.uri, 'validations.json')).toMatchObject({ validationOk: false, missingThresholds: true })
    expect(formatSliceTable(outputs.evaluation.uri)).toContain('Validation: no thresholds configured, so the model is not blessed.')

    const fair = await runComponent(Evaluator, {
      inputs: { examples: examples(predictionsUri) },
      parameters: {
        evalConfig: { modelSpecs: [{ labelKey: 'label', predictionKey: 'baseline_score' }], metricsSpecs: [{ metrics: [{ className: 'ExampleCount' }] }] },
        fairness: { sensitiveFeatures: ['payment_type'], thresholds: { fprGap: 1e-9 } },
      },
    })
    const metrics = read<MetricsFile>(fair.outputs.evaluation.uri, 'metrics.json')
    const cash = metrics.slices.find((s) => s.sliceName === 'payment_type:Cash')!
    const fpr = (s: (typeof metrics.slices)[number]) => s.metrics['fairness/false_positive_rate'] as number
    expect(cash.metrics['fairness/false_positive_rate_gap']).toBeCloseTo(fpr(cash) - fpr(metrics.slices[0]!), 12)
    const validation = read<ValidationResult>(fair.outputs.evaluation.uri, 'validations.json')
    expect(validation.failures.map((f) => f.metric)).toEqual(Array(4).fill('fairness/false_positive_rate_gap'))
    expect(fair.outputs.blessing.customProperties.blessed).toBe(0)
  })

  test("class scores spread over columns (the BulkInferrer's layout) are one prediction", async () => {
    const run = (predictionKey: string) =>
      runComponent(Evaluator, {
        inputs: { examples: examples(predictionsUri) },
        parameters: { evalConfig: { modelSpecs: [{ labelKey: 'label', predictionKey }], metricsSpecs: [{ metrics: [{ className: 'AUC' }, { className: 'SparseCategoricalAccuracy' }] }] } },
      })
    const spread = read<MetricsFile>((await run('probs')).outputs.evaluation.uri, 'metrics.json').slices[0]!.metrics
    expect(spread.auc).toBeCloseTo(read<MetricsFile>((await run('score')).outputs.evaluation.uri, 'metrics.json').slices[0]!.metrics.auc as number, 12)
    expect(spread.sparse_categorical_accuracy).toBeGreaterThan(0.5)
  })

  test('errors name what is missing', async () => {
    const run = (evalConfig: EvalConfig, exampleSplits?: string[]) =>
      runComponent(Evaluator, { inputs: { examples: examples(predictionsUri) }, parameters: { evalConfig, ...(exampleSplits ? { exampleSplits } : {}) } })
    await expect(run({ modelSpecs: [{ labelKey: 'label' }] })).rejects.toThrow(/no model is connected, so model spec "candidate" needs predictionKey/)
    await expect(run({ modelSpecs: [{ labelKey: 'label', predictionKey: 'score' }] }, ['test'])).rejects.toThrow(/the examples have no split "test" \(they have "train", "eval"\)/)
    await expect(run({ modelSpecs: [{ labelKey: 'tips', predictionKey: 'score' }] })).rejects.toThrow(/labelKey "tips" is not a column of the examples/)
    await expect(run({ modelSpecs: [{ labelKey: 'label', predictionKey: 'score' }], slicingSpecs: [{ featureKeys: ['company'] }] })).rejects.toThrow(/Slicing feature "company" is not a column/)
  })
})

describe('tfjs serving bundles', () => {
  const config: EvalConfig = {
    // No labelKey: the signature records `y_xf`, an output of the bundle's fitted transform.
    modelSpecs: [{}],
    slicingSpecs: [{}, { featureKeys: ['color'] }, { featureKeys: ['color_xf'] }],
    metricsSpecs: [
      {
        metrics: [
          { className: 'ExampleCount' },
          { className: 'BinaryAccuracy', threshold: { valueThreshold: { lowerBound: 0.55 }, changeThreshold: notWorse } },
          { className: 'AUC', threshold: { valueThreshold: { lowerBound: 0.55 }, changeThreshold: notWorse } },
        ],
      },
    ],
  }
  const model = (uri: string) => ({ uri })

  test('predicts raw examples through the bundle; metrics match a pairwise reference on its predictions', async () => {
    const { outputs } = await runComponent(Evaluator, { inputs: { examples: examples(models.rawExamplesUri), model: model(goodModel) }, parameters: { evalConfig: config } })
    const metrics = read<MetricsFile>(outputs.evaluation.uri, 'metrics.json')
    expect(metrics.slices.map((s) => s.sliceName)).toEqual(['Overall', 'color:blue', 'color:green', 'color:red', 'color_xf:0', 'color_xf:1', 'color_xf:2'])

    const rows = await querySplit(models.rawExamplesUri, 'eval', 'SELECT * FROM examples')
    const bundle = await loadServingBundle(path.join(goodModel, 'Format-Serving'), { backend: 'wasm' })
    const scores = (await bundle.predict(rows)).output_0!
    bundle.dispose()
    const labels = rows.map((r) => Number(r.y))
    let wins = 0
    let pairs = 0
    let correct = 0
    labels.forEach((li, i) => {
      if ((scores[i]! > 0.5 ? 1 : 0) === li) correct++
      if (li !== 1) return
      labels.forEach((lj, j) => {
        if (lj !== 0) return
        pairs++
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0
      })
    })
    const o = metrics.slices[0]!
    expect(o.exampleCount).toBe(rows.length)
    expect(Math.abs((o.metrics.auc as number) - wins / pairs)).toBeLessThan(1e-6)
    expect(Math.abs((o.metrics.binary_accuracy as number) - correct / rows.length)).toBeLessThan(1e-6)
    expect(o.metrics.auc as number).toBeGreaterThan(0.95)

    expect(outputs.blessing.customProperties).toMatchObject({ blessed: 1, current_model: expect.stringContaining('good') })
    expect(typeof outputs.blessing.customProperties.current_model_id).toBe('number')
    expect(outputs.blessing.customProperties.baseline_model_id).toBeUndefined()
    const evalConfig = read<{ evalConfig: EvalConfig; modelLocations: Record<string, string> }>(outputs.evaluation.uri, 'eval_config.json')
    expect(Object.keys(evalConfig.modelLocations)).toEqual(['candidate'])
  })

  test('a better candidate than the baseline is BLESSED; a worse one is NOT_BLESSED with the failed change thresholds', async () => {
    const better = await runComponent(Evaluator, {
      inputs: { examples: examples(models.rawExamplesUri), model: model(goodModel), baselineModel: model(badModel) },
      parameters: { evalConfig: { ...config, modelSpecs: [{ labelKey: 'y_xf', preprocessingFunctionNames: ['transform_features'] }] } },
    })
    expect(better.outputs.blessing.customProperties).toMatchObject({ blessed: 1, baseline_model: expect.stringContaining('bad') })
    expect(typeof better.outputs.blessing.customProperties.baseline_model_id).toBe('number')
    const metrics = read<MetricsFile>(better.outputs.evaluation.uri, 'metrics.json')
    expect(metrics).toMatchObject({ candidate: 'candidate', baseline: 'baseline' })
    expect(metrics.slices[0]!.diff!.auc as number).toBeGreaterThan(0.1)
    const normalized = read<{ evalConfig: EvalConfig; modelLocations: Record<string, string> }>(better.outputs.evaluation.uri, 'eval_config.json')
    expect(normalized.evalConfig.modelSpecs.map((s) => [s.name, s.isBaseline ?? false])).toEqual([
      ['candidate', false],
      ['baseline', true],
    ])
    expect(normalized.modelLocations.baseline).toBe(badModel)

    const worse = await runComponent(Evaluator, {
      inputs: { examples: examples(models.rawExamplesUri), model: model(badModel), baselineModel: model(goodModel) },
      parameters: { evalConfig: config },
    })
    expect(existsSync(path.join(worse.outputs.blessing.uri, 'NOT_BLESSED'))).toBe(true)
    expect(worse.outputs.blessing.customProperties.blessed).toBe(0)
    const validation = read<ValidationResult>(worse.outputs.evaluation.uri, 'validations.json')
    const overall = validation.failures.filter((f) => f.sliceName === 'Overall')
    expect(overall.map((f) => [f.metric, f.bound])).toEqual([
      ['binary_accuracy', 'change >= -1e-10'],
      ['auc', 'change >= -1e-10'],
    ])
    expect(overall[1]!.message).toMatch(/^auc changed by -0\.\d+ \(candidate 0\.\d+, baseline (0\.9\d+|1)\)/)
    expect(String(worse.outputs.blessing.customProperties.reason)).toMatch(/threshold checks failed: Overall: binary_accuracy .*; Overall: auc /)
  })

  test('in a pipeline with Resolver(latestBlessedModel()): the first run is rubber-stamped, a worse second model is NOT_BLESSED against it', async () => {
    const root = path.join(tmp.path, 'gate-pipeline')
    const build = (modelUri: string) => {
      const baseline = Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing), id: 'baseline' })
      const data = Importer({ sourceUri: models.rawExamplesUri, artifactType: Examples, properties: { splitNames: ['train', 'eval'] }, id: 'examples' })
      const candidate = Importer({ sourceUri: modelUri, artifactType: Model, id: 'model' })
      const evaluator = Evaluator({ examples: data.outputs.result, model: candidate.outputs.result, baselineModel: baseline.outputs.model, evalConfig: config })
      return new Pipeline({ name: 'gate', root, components: [baseline, data, candidate, evaluator] })
    }
    // parallelism 1: the Resolver (listed first) reads the history before this run imports its model.
    const first = await new LocalDagRunner().run(build(goodModel), { cwd: root, parallelism: 1 })
    expect(first.status).toBe('COMPLETE')
    const firstBlessing = first.nodes.Evaluator!.outputs.blessing![0]!
    expect(firstBlessing.customProperties).toMatchObject({ blessed: 1, reason: 'all 14 threshold checks passed; 2 change thresholds rubber-stamped (no baseline model)' })
    const goodId = first.nodes.model!.outputs.result![0]!.id

    const second = await new LocalDagRunner().run(build(badModel), { cwd: root, parallelism: 1 })
    expect(second.nodes.baseline!.outputs.model!.map((m) => m.id)).toEqual([goodId])
    const blessing = second.nodes.Evaluator!.outputs.blessing![0]!
    expect(blessing.customProperties).toMatchObject({ blessed: 0, baseline_model_id: goodId, current_model_id: second.nodes.model!.outputs.result![0]!.id })
    expect(String(blessing.customProperties.reason)).toMatch(/^14 threshold checks failed: Overall: binary_accuracy -0\.\d+ \(needs change >= -1e-10\); Overall: auc -0\.\d+/)
    expect(readdirSync(blessing.uri)).toEqual(['NOT_BLESSED'])
  })
})
