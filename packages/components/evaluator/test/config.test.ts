// EvalConfig checking: errors name the config path, at pipeline-definition time too.
import { describe, expect, test } from 'vitest'
import { Examples, Importer } from '@sluice/core'
import { Evaluator, fromTfmaEvalConfig, resolveEvalConfig } from '../src/index.js'
import type { EvalConfig } from '../src/index.js'

const metrics = (...list: NonNullable<EvalConfig['metricsSpecs']>) => ({ modelSpecs: [{ labelKey: 'y' }], metricsSpecs: list }) as EvalConfig

function errorOf(config: unknown, fairness?: unknown): string {
  try {
    resolveEvalConfig(config, fairness)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected an error')
}

describe('resolveEvalConfig', () => {
  test('an unknown metric is named by its path, with a suggestion and the known names', () => {
    const message = errorOf(metrics({ metrics: [{ className: 'ExampleCount' }, { className: 'AUC' }, { className: 'AUCC' }] }))
    expect(message).toMatch(/^evalConfig\.metricsSpecs\[0\]\.metrics\[2\]\.className: unknown metric "AUCC" \(did you mean "AUC"\?\); known: ExampleCount, WeightedExampleCount, /)
    expect((() => {
      try {
        resolveEvalConfig(metrics({ metrics: [{ className: 'AUCC' }] }))
      } catch (error) {
        return (error as { code: string }).code
      }
    })()).toBe('SLUICE_EVALUATOR_BAD_CONFIG')
  })

  test('shape errors, bad metric configs and bad thresholds name their paths', () => {
    expect(errorOf({ modelSpecs: [{ labelKey: 'y', labelkey: 'z' }] })).toMatch(/^evalConfig\.modelSpecs\[0\]: Unrecognized key: "labelkey"/)
    expect(errorOf(metrics({ metrics: [{ className: 'Precision', config: { thresholds: [1.5] } }] }))).toMatch(/^evalConfig\.metricsSpecs\[0\]\.metrics\[0\]\.config\.thresholds\[0\]: /)
    expect(errorOf(metrics({ metrics: [{ className: 'AUC', config: { top_k: 2 } }] }))).toMatch(/metrics\[0\]\.config: Unrecognized key: "topK"/)
    expect(errorOf(metrics({ metrics: [{ className: 'AUC', threshold: {} }] }))).toBe(
      'evalConfig.metricsSpecs[0].metrics[0].threshold: a threshold needs valueThreshold or changeThreshold See docs/components/evaluator.md for the EvalConfig reference.',
    )
    expect(errorOf(metrics({ metrics: [{ className: 'AUC', threshold: { changeThreshold: { direction: 'HIGHER_IS_BETTER' } } }] }))).toMatch(/threshold\.changeThreshold: give absolute, relative or both/)
    expect(errorOf(metrics({ metrics: [{ className: 'AUC', threshold: { valueThreshold: { lowerBound: 0.9, upperBound: 0.1 } } }] }))).toMatch(/lowerBound 0\.9 is above upperBound 0\.1/)
    expect(errorOf(metrics({ metrics: [{ className: 'CalibrationPlot', threshold: { valueThreshold: { lowerBound: 0 } } }] }))).toMatch(/CalibrationPlot is a plot/)
  })

  test('threshold maps must name computed keys; keys must be unique', () => {
    expect(errorOf(metrics({ metrics: [{ className: 'AUC' }], thresholds: { accuracy: { valueThreshold: { lowerBound: 0.5 } } } }))).toMatch(
      /^evalConfig\.metricsSpecs\[0\]\.thresholds\.accuracy: no metric computes "accuracy"; the metric keys are "auc"/,
    )
    expect(errorOf(metrics({ metrics: [{ className: 'AUC' }, { className: 'AUC', config: { curve: 'PR' } }] }))).toMatch(/metrics\[1\]: metric key "auc" is already computed by metricsSpecs\[0\]\.metrics\[0\]; give this one another config\.name/)
  })

  test('per-slice thresholds must name slices the slicing specs produce', () => {
    const config: EvalConfig = {
      modelSpecs: [{ labelKey: 'y' }],
      slicingSpecs: [{}, { featureKeys: ['country'] }],
      metricsSpecs: [{ metrics: [{ className: 'AUC', perSliceThresholds: [{ slicingSpecs: [{ featureValues: { country: 'US' } }, { featureKeys: ['city'] }], threshold: { valueThreshold: { lowerBound: 0.5 } } }] }] }],
    }
    expect(errorOf(config)).toBe(
      'evalConfig.metricsSpecs[0].metrics[0].perSliceThresholds[0].slicingSpecs[1]: the slicing spec {"featureKeys":["city"]} matches no slice the evaluation computes; add {"featureKeys":["city"]} to evalConfig.slicingSpecs See docs/components/evaluator.md for the EvalConfig reference.',
    )
  })

  test('model specs, slicing specs and fairness are checked', () => {
    expect(errorOf({ modelSpecs: [{ isBaseline: true }, { isBaseline: true }] })).toMatch(/at most one model spec can be the baseline/)
    expect(errorOf({ modelSpecs: [{ preprocessingFunctionNames: ['tft_layer'] }] })).toMatch(/modelSpecs\[0\]\.preprocessingFunctionNames\[0\]: unknown preprocessing function "tft_layer"; known: "transform_features"/)
    expect(errorOf({ modelSpecs: [{}], slicingSpecs: [{ featureKeys: ['a'], featureValues: { a: 1 } }] })).toMatch(/slicingSpecs\[0\]\.featureValues\.a: "a" is both in featureKeys and pinned/)
    expect(errorOf({ modelSpecs: [{}] }, { sensitiveFeatures: [] })).toMatch(/^fairness\.sensitiveFeatures: /)
  })

  test('resolution: default slicing, fairness slices and gap thresholds', () => {
    const resolved = resolveEvalConfig({ modelSpecs: [{ labelKey: 'y' }], metricsSpecs: [{ metrics: [{ className: 'AUC' }] }] }, { sensitiveFeatures: ['sex'], thresholds: { fprGap: 0.1 } })
    expect(resolved.slicingSpecs).toEqual([{}, { featureKeys: ['sex'] }])
    expect(resolved.instances.map((m) => m.key)).toEqual(['auc', 'fairness/false_positive_rate', 'fairness/false_negative_rate'])
    expect(resolved.rules).toEqual([
      { metric: 'fairness/false_positive_rate_gap', threshold: { valueThreshold: { lowerBound: -0.1, upperBound: 0.1 } }, slicingSpec: { featureKeys: ['sex'] }, source: 'fairness.thresholds.fprGap' },
    ])
    expect(resolved.minSliceSize).toBe(1)
    expect(resolved.plots).toEqual({ numBuckets: 10 })
  })
})

describe('the Evaluator component', () => {
  const examples = Importer({ sourceUri: '/tmp/nowhere', artifactType: Examples, id: 'examples' }).outputs.result

  test('rejects a bad EvalConfig when the pipeline is defined, naming the parameter path', () => {
    expect(() => Evaluator({ examples, evalConfig: metrics({ metrics: [{ className: 'AUC' }, { className: 'Recal' }] }) })).toThrow(
      /parameter "evalConfig\.metricsSpecs\.0\.metrics\.1\.className": unknown metric "Recal" \(did you mean "Recall"\?\)/,
    )
    expect(() => Evaluator({ examples, evalConfig: { modelSpecs: [{ labelKey: 'y' }] }, fairness: { sensitiveFeatures: ['a'], thresholds: { fprGap: -1 } } })).toThrow(/parameter "fairness\.thresholds\.fprGap"/)
    // Malformed shapes are reported by the schema; the semantic checks do not run on them.
    expect(() => Evaluator({ examples, evalConfig: { modelSpecs: 'candidate', metricsSpecs: [{ metrics: 'AUC' }] } as never })).toThrow(/parameter "evalConfig\.modelSpecs": Invalid input: expected array/)
  })

  test('accepts a valid one and defaults exampleSplits to eval', () => {
    const node = Evaluator({ examples, evalConfig: metrics({ metrics: [{ className: 'AUC', threshold: { valueThreshold: { lowerBound: 0.5 } } }] }) })
    expect((node as unknown as { parameters: { exampleSplits: string[] } }).parameters.exampleSplits).toEqual(['eval'])
  })
})

test("fromTfmaEvalConfig reads TFMA's JSON: snake_case, value wrappers, string configs, per-slice maps", () => {
  const tfma = {
    model_specs: [{ signature_name: 'serving_default', label_key: 'tips', prediction_key: 'probabilities' }],
    slicing_specs: [{}, { feature_keys: ['trip_start_hour'] }],
    metrics_specs: [
      {
        metrics: [
          { class_name: 'ExampleCount' },
          {
            class_name: 'BinaryAccuracy',
            config: '"threshold": 0.6',
            threshold: { value_threshold: { lower_bound: { value: 0.6 } }, change_threshold: { direction: 2, absolute: { value: -1e-10 } } },
          },
        ],
        per_slice_thresholds: { binary_accuracy: { thresholds: [{ slicing_specs: [{ feature_values: { trip_start_hour: '3' } }], threshold: { value_threshold: { lower_bound: { value: 0.5 } } } }] } },
      },
    ],
    options: { min_slice_size: { value: 10 }, compute_confidence_intervals: { value: true } },
  }
  const config = fromTfmaEvalConfig(tfma)
  expect(config).toEqual({
    modelSpecs: [{ signatureName: 'serving_default', labelKey: 'tips', predictionKey: 'probabilities' }],
    slicingSpecs: [{}, { featureKeys: ['trip_start_hour'] }],
    metricsSpecs: [
      {
        metrics: [
          { className: 'ExampleCount' },
          { className: 'BinaryAccuracy', config: { threshold: 0.6 }, threshold: { valueThreshold: { lowerBound: 0.6 }, changeThreshold: { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 } } },
        ],
        perSliceThresholds: { binary_accuracy: [{ slicingSpecs: [{ featureValues: { trip_start_hour: '3' } }], threshold: { valueThreshold: { lowerBound: 0.5 } } }] },
      },
    ],
    options: { minSliceSize: 10, computeConfidenceIntervals: true },
  })
  expect(() => resolveEvalConfig(config)).not.toThrow()
  expect(fromTfmaEvalConfig({ metrics_specs: [{ metrics: [], binarize: { class_ids: { values: [0, 2] } } }] }).metricsSpecs).toEqual([{ metrics: [], binarize: { classIds: [0, 2] } }])
})
