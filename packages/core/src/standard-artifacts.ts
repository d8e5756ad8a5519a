import { defineArtifactType, defineValueArtifactType } from './artifact-type.js'
import type { JsonValue } from './json.js'

// The standard artifact types keep TFX's names and properties (tfx/types/standard_artifacts.py) so a
// metadata store written by Sluice reads like one written by TFX.

/** Split examples (`Split-{name}/` directories of Parquet files). */
export const Examples = defineArtifactType({
  name: 'Examples',
  properties: { span: 'int', version: 'int', splitNames: 'string[]' },
  baseType: 'DATASET',
  description: 'Examples split into named splits, one directory Split-{name}/ each.',
})
/** Per-split feature statistics (`Split-{name}/FeatureStats.json`). */
export const ExampleStatistics = defineArtifactType({
  name: 'ExampleStatistics',
  properties: { span: 'int', splitNames: 'string[]' },
  baseType: 'STATISTICS',
  description: 'Per-split feature statistics in the shape of DatasetFeatureStatisticsList.',
})
/** A data schema (`schema.pbtxt`, `schema.json`). */
export const Schema = defineArtifactType({ name: 'Schema', description: 'A tensorflow_metadata Schema.' })
/** Per-split anomalies found by validating statistics against a schema. */
export const ExampleAnomalies = defineArtifactType({
  name: 'ExampleAnomalies',
  properties: { span: 'int', splitNames: 'string[]' },
  description: 'Per-split anomalies (Split-{name}/SchemaDiff.json).',
})
/** A fitted feature transform (`transform_fn/`, `transformed_metadata/`, `metadata/`). */
export const TransformGraph = defineArtifactType({ name: 'TransformGraph', description: 'A fitted feature transform.' })
/** Cached analyzer results that speed up the next Transform over new spans. */
export const TransformCache = defineArtifactType({ name: 'TransformCache' })
/** A trained model (`Format-Serving/`). */
export const Model = defineArtifactType({ name: 'Model', baseType: 'MODEL', description: 'A trained model bundle under Format-Serving/.' })
/** Logs and metrics of one training run. */
export const ModelRun = defineArtifactType({ name: 'ModelRun', description: 'Per-epoch metrics and training logs.' })
/** Whether a model passed evaluation (`BLESSED` or `NOT_BLESSED` marker file). */
export const ModelBlessing = defineArtifactType({ name: 'ModelBlessing', description: 'The outcome of model evaluation.' })
/** Sliced metrics, plots and validation results of a model. */
export const ModelEvaluation = defineArtifactType({ name: 'ModelEvaluation', baseType: 'METRICS' })
/** Chosen hyperparameters (`best_hyperparameters.txt`, JSON). */
export const HyperParameters = defineArtifactType({ name: 'HyperParameters' })
/** Every tuning trial with its values and score (`tuner_results.json`). */
export const TunerResults = defineArtifactType({ name: 'TunerResults' })
/** Whether a model loaded and answered in a real server (`INFRA_BLESSED` / `INFRA_NOT_BLESSED`). */
export const InfraBlessing = defineArtifactType({ name: 'InfraBlessing' })
/** A model pushed to a serving destination. */
export const PushedModel = defineArtifactType({ name: 'PushedModel', baseType: 'MODEL' })
/** Batch predictions. */
export const InferenceResult = defineArtifactType({ name: 'InferenceResult' })

/** A string value artifact (UTF-8 text in the file at its uri). */
export const StringArtifact = defineValueArtifactType<'String', string>('String', 'string')
/** An integer value artifact (decimal text). */
export const IntegerArtifact = defineValueArtifactType<'Integer', number>('Integer', 'int')
/** A float value artifact (`Infinity`, `-Infinity` and `NaN` spelled out). */
export const FloatArtifact = defineValueArtifactType<'Float', number>('Float', 'float')
/** A boolean value artifact (`1` or `0`). */
export const BooleanArtifact = defineValueArtifactType<'Boolean', boolean>('Boolean', 'boolean')
/** A JSON value artifact. */
export const JsonValueArtifact = defineValueArtifactType<'JsonValue', JsonValue>('JsonValue', 'json')

/** Every standard artifact type, in the order above. */
export const standardArtifactTypes = [
  Examples, ExampleStatistics, Schema, ExampleAnomalies, TransformGraph, TransformCache, Model, ModelRun,
  ModelBlessing, ModelEvaluation, HyperParameters, TunerResults, InfraBlessing, PushedModel, InferenceResult,
  StringArtifact, IntegerArtifact, FloatArtifact, BooleanArtifact, JsonValueArtifact,
] as const
