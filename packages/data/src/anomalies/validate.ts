// Validation of one split's statistics against a schema (tfdv.validate_statistics; TFDV's
// SchemaAnomalies::FindChanges).

import { SluiceError, type SluiceErrorOptions } from '@sluice/core'
import { schemaFromJson, schemaToJson } from '../schema/json.js'
import { DatasetView, selectDataset, type StatisticsInput } from '../schema/stats-view.js'
import type { Schema, StringDomain } from '../schema/types.js'
import {
  isDeprecated,
  isExistenceRequired,
  lowNumExamples,
  updateDatasetConstraints,
  updateFeature,
  type Description,
  type SchemaContext,
} from '../schema/updater.js'
import type { Anomalies, AnomalyInfo, DriftSkewInfo } from './types.js'

/** Codes of {@link AnomaliesError}. */
export type AnomaliesErrorCode = 'SLUICE_ENVIRONMENT_UNKNOWN' | 'SLUICE_ANOMALIES_NOT_FOUND' | 'SLUICE_ANOMALIES_INVALID'

/** Validation was asked for something the schema cannot answer, or an anomalies file cannot be read. */
export class AnomaliesError extends SluiceError {
  override name = 'AnomaliesError'
  constructor(code: AnomaliesErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}

/** Options of {@link validateStatistics}. */
export interface ValidateStatisticsOptions {
  /**
   * The environment the data comes from (e.g. `'SERVING'`); must be one of the schema's
   * `defaultEnvironment`. Features not in it are not required (the label at serving time).
   */
  environment?: string
  /** Statistics of the previous span: features with a `driftComparator` are compared with them. */
  previousStatistics?: StatisticsInput
  /** Statistics of serving data: features with a `skewComparator` are compared with them. */
  servingStatistics?: StatisticsInput
}

/**
 * Validates statistics against a schema and reports anomalies with TFDV's types and wording:
 * features new to the schema or missing from the data, presence, value counts and shape, types,
 * domains (string values, int/float ranges, NaN/Inf, bools), unique counts, dataset size, and drift
 * and skew for features whose schema entry has comparators. Deprecated features are not checked.
 *
 * Statistics without any example give `dataMissing: true` and a DATASET_LOW_NUM_EXAMPLES dataset
 * anomaly (TFDV only sets `data_missing`, which ExampleValidator's blessing would overlook).
 *
 * @example
 * const anomalies = validateStatistics(evalStatistics, schema, { servingStatistics })
 * if (hasAnomalies(anomalies)) console.log(formatAnomaliesTable({ eval: anomalies }))
 */
export function validateStatistics(statistics: StatisticsInput, schema: Schema, options: ValidateStatisticsOptions = {}): Anomalies {
  const baseline = schemaFromJson(schemaToJson(schema), 'schema')
  const environment = options.environment
  const defaultEnvironment = baseline.defaultEnvironment ?? []
  if (environment !== undefined && !defaultEnvironment.includes(environment)) {
    throw new AnomaliesError(
      'SLUICE_ENVIRONMENT_UNKNOWN',
      `Environment "${environment}" is not one of the schema's default environments (${defaultEnvironment.length > 0 ? defaultEnvironment.map((e) => `"${e}"`).join(', ') : 'it declares none'}).`,
      { fix: `Add default_environment: "${environment}" to the schema (and not_in_environment: "${environment}" to the features absent there), or validate without an environment.` },
    )
  }
  const dataset = new DatasetView(selectDataset(statistics, 'The statistics'))
  const previous = options.previousStatistics ? new DatasetView(selectDataset(options.previousStatistics, 'previousStatistics')) : undefined
  const serving = options.servingStatistics ? new DatasetView(selectDataset(options.servingStatistics, 'servingStatistics')) : undefined
  const result: Anomalies = { anomalyNameFormat: 'SERIALIZED_PATH', anomalyInfo: {} }
  if (dataset.numExamples === 0) {
    result.dataMissing = true
    result.datasetAnomalyInfo = anomalyInfo(undefined, [lowNumExamples(0)])
    return result
  }

  const found = new Map<string, { steps: string[]; descriptions: Description[] }>()
  const driftSkew = new Map<string, DriftSkewInfo>()
  const composite = new Set([...(baseline.sparseFeature ?? []).map((f) => f.name), ...(baseline.weightedFeature ?? []).map((f) => f.name)])
  const byName = new Map(baseline.feature.map((f) => [f.name, f]))
  for (const view of dataset.features) {
    const feature = byName.get(view.path)
    if (!feature) {
      if (!composite.has(view.path)) {
        found.set(view.path, { steps: view.steps, descriptions: [{ type: 'SCHEMA_NEW_COLUMN', shortDescription: 'New column', description: 'New column (column in data but not in schema)' }] })
      }
      continue
    }
    if (isDeprecated(feature)) continue
    const update = updateFeature(copyContext(baseline, environment, previous, serving), structuredClone(feature), view)
    if (update.descriptions.length > 0) found.set(view.path, { steps: view.steps, descriptions: update.descriptions })
    if (update.drift.length > 0 || update.skew.length > 0) {
      driftSkew.set(view.path, {
        path: { step: view.steps },
        ...(update.drift.length > 0 ? { driftMeasurements: update.drift } : {}),
        ...(update.skew.length > 0 ? { skewMeasurements: update.skew } : {}),
      })
    }
  }
  for (const feature of baseline.feature) {
    if (!isExistenceRequired(feature, environment, defaultEnvironment) || dataset.get(feature.name)) continue
    found.set(feature.name, { steps: [feature.name], descriptions: [{ type: 'SCHEMA_MISSING_COLUMN', shortDescription: 'Column dropped', description: 'Column is completely missing' }] })
  }

  for (const name of [...found.keys()].sort()) {
    const { steps, descriptions } = found.get(name)!
    result.anomalyInfo[name] = anomalyInfo(steps, descriptions)
  }
  if (baseline.datasetConstraints) {
    const descriptions = updateDatasetConstraints(baseline.datasetConstraints, dataset, previous)
    if (descriptions.length > 0) result.datasetAnomalyInfo = anomalyInfo(undefined, descriptions)
  }
  if (driftSkew.size > 0) result.driftSkewInfo = [...driftSkew.keys()].sort().map((name) => driftSkew.get(name)!)
  return result
}

/** A context in which string domains are private copies, so that checking one feature changes nothing else. */
function copyContext(schema: Schema, environment: string | undefined, previous: DatasetView | undefined, serving: DatasetView | undefined): SchemaContext {
  const copies = new Map<string, StringDomain>()
  return {
    stringDomain(name) {
      if (!copies.has(name)) {
        const domain = schema.stringDomain?.find((d) => d.name === name)
        if (!domain) return undefined
        copies.set(name, structuredClone(domain))
      }
      return copies.get(name)
    },
    clearStringDomain: () => {},
    defaultEnvironment: schema.defaultEnvironment ?? [],
    generateLegacyFeatureSpec: schema.generateLegacyFeatureSpec === true,
    environment,
    previous,
    serving,
  }
}

/**
 * One AnomalyInfo from its reasons, as TFDV assembles it: several "new column" reasons count once;
 * the short description is the reason's, or "Multiple errors" with the long descriptions joined.
 */
function anomalyInfo(steps: string[] | undefined, descriptions: Description[]): AnomalyInfo {
  const filtered = descriptions.length > 0 && descriptions.every((d) => d.type === 'SCHEMA_NEW_COLUMN') ? descriptions.slice(0, 1) : descriptions
  const unified = filtered.reduce<Description>(
    (a, b) => {
      if (a.description === '') return b
      if (b.description === '') return a
      return { type: 'UNKNOWN_TYPE', shortDescription: 'Multiple errors', description: `${a.description} ${b.description}` }
    },
    { type: 'UNKNOWN_TYPE', shortDescription: '', description: '' },
  )
  return {
    ...(steps ? { path: { step: steps } } : {}),
    severity: 'ERROR',
    shortDescription: unified.shortDescription,
    description: unified.description,
    reason: filtered.map((d) => ({ type: d.type, shortDescription: d.shortDescription, description: d.description })),
  }
}

/** Whether validation found anything: a feature anomaly, a dataset anomaly, or no data at all. */
export function hasAnomalies(anomalies: Anomalies): boolean {
  return Object.keys(anomalies.anomalyInfo ?? {}).length > 0 || anomalies.datasetAnomalyInfo !== undefined || anomalies.dataMissing === true
}
