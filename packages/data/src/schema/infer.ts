// Schema inference and update from statistics, with TFDV's rules (tfdv.infer_schema and
// tfdv.update_schema; anomalies/schema.cc CreateColumn and Update).

import { SchemaError } from './errors.js'
import { schemaFromJson, schemaToJson } from './json.js'
import { DatasetView, selectDataset, type FeatureView, type StatisticsInput } from './stats-view.js'
import type { Feature, Schema } from './types.js'
import {
  boolDomainFromStats,
  clearDomain,
  deprecate,
  initValueCount,
  isBoolDomainCandidate,
  isDeprecated,
  isExistenceRequired,
  isIntDomainCandidate,
  updateFeature,
  updateStringDomain,
  type SchemaContext,
} from './updater.js'

/** Options of {@link inferSchema} and {@link updateSchema}. */
export interface InferSchemaOptions {
  /**
   * Give features that are always present with the same number of values a fixed `shape`
   * (`shape { dim { size: 1 } }`) instead of a `valueCount`. @default true
   */
  inferFeatureShape?: boolean
  /** The most distinct values a string feature may have to get a string domain. @default 100 */
  maxStringDomainSize?: number
}

/**
 * Infers a schema from one split's statistics with TFDV's rules:
 *
 * - `type` from the statistics type (STRING → BYTES);
 * - `presence`: `minCount: 1` when the feature occurs at all (else 0), and `minFraction: 1.0` when it
 *   is never missing;
 * - with `inferFeatureShape`, a feature never missing with the same number of values everywhere gets
 *   `shape { dim { size: n } }`; otherwise `valueCount { min: n max: n }` when the number is
 *   constant, `valueCount { min: 1 }` when it varies;
 * - domains: an INT feature with values in [0, 1] and max 1, or a string feature of only true/false
 *   words, gets a `boolDomain`; a string feature of only integers an empty `intDomain`; a string
 *   feature with at most `maxStringDomainSize` distinct values (and valid UTF-8) a top-level
 *   `stringDomain` named after it, referenced by `domain`. Numeric ranges are not inferred.
 *
 * @example
 * const schema = inferSchema(trainStatistics)
 * const widened = updateSchema(schema, evalStatistics)
 */
export function inferSchema(statistics: StatisticsInput, options: InferSchemaOptions = {}): Schema {
  return updateSchema({ feature: [] }, statistics, options)
}

/**
 * Updates a schema so that it fits more statistics (TFDV's update_schema), as SchemaGen does for
 * every split after the first: new features are inferred as by {@link inferSchema}; existing ones
 * are relaxed (presence lowered, value counts widened, values added to string domains, a shape
 * dropped when values go missing or vary, a feature of a different type deprecated); required
 * features absent from the statistics are deprecated. The input schema is not modified.
 */
export function updateSchema(schema: Schema, statistics: StatisticsInput, options: InferSchemaOptions = {}): Schema {
  const inferFeatureShape = options.inferFeatureShape ?? true
  const maxStringDomainSize = options.maxStringDomainSize ?? 100
  if (!Number.isInteger(maxStringDomainSize) || maxStringDomainSize < 0) {
    throw new SchemaError('SLUICE_SCHEMA_INVALID', `maxStringDomainSize must be a non-negative integer, got ${maxStringDomainSize}.`)
  }
  // A deep copy that also checks the schema object's fields.
  const result = schemaFromJson(schemaToJson(schema), 'schema')
  const dataset = new DatasetView(selectDataset(statistics, 'The statistics'))
  const context = mutableContext(result)
  const composite = new Set([...(result.sparseFeature ?? []).map((f) => f.name), ...(result.weightedFeature ?? []).map((f) => f.name)])
  const byName = new Map(result.feature.map((f) => [f.name, f]))
  for (const view of dataset.features) {
    const feature = byName.get(view.path)
    if (feature) {
      if (!isDeprecated(feature)) updateFeature(context, feature, view)
    } else if (!composite.has(view.path)) {
      const created = createFeature(result, view, inferFeatureShape, maxStringDomainSize)
      result.feature.push(created)
      byName.set(created.name, created)
    }
  }
  for (const feature of result.feature) {
    if (isExistenceRequired(feature, undefined, context.defaultEnvironment) && !dataset.get(feature.name)) deprecate(feature)
  }
  if (result.stringDomain?.length === 0) delete result.stringDomain
  return result
}

function mutableContext(schema: Schema): SchemaContext {
  return {
    stringDomain: (name) => schema.stringDomain?.find((d) => d.name === name),
    clearStringDomain(name) {
      const clear = (features: Feature[] | undefined) => {
        for (const feature of features ?? []) {
          if (feature.domain === name) clearDomain(feature)
          clear(feature.structDomain?.feature)
        }
      }
      clear(schema.feature)
      schema.stringDomain = (schema.stringDomain ?? []).filter((d) => d.name !== name)
    },
    defaultEnvironment: schema.defaultEnvironment ?? [],
    generateLegacyFeatureSpec: schema.generateLegacyFeatureSpec === true,
    environment: undefined,
    previous: undefined,
    serving: undefined,
  }
}

/** A new schema feature from its statistics (TFDV's CreateColumn). */
function createFeature(schema: Schema, view: FeatureView, inferFeatureShape: boolean, maxStringDomainSize: number): Feature {
  const feature: Feature = { name: view.path, type: view.featureType }
  const numPresent = view.numPresent
  feature.presence = { minCount: numPresent < 1 ? 0 : 1 }
  if (numPresent > 0) {
    if (view.numMissing === 0) feature.presence = { minFraction: 1, minCount: feature.presence.minCount! }
    if (inferFeatureShape) initFixedShape(view, feature)
    if (!feature.shape) initValueCount(view, feature)
  }
  if (view.hasInvalidUtf8 || view.statsType === 'BYTES') return feature
  if (isBoolDomainCandidate(view)) {
    feature.boolDomain = boolDomainFromStats(view)
  } else if (isIntDomainCandidate(view)) {
    feature.intDomain = {}
  } else if (
    view.statsType === 'STRING' &&
    view.stringValues.length > 0 &&
    view.distinctValueCount <= maxStringDomainSize &&
    // Only when every value is listed (statistics with top values but no rank histogram may not).
    view.stringValues.length >= (view.numUnique ?? 0)
  ) {
    const name = uniqueDomainName(schema, view.path)
    const domain = { name, value: [] as string[] }
    updateStringDomain(view, 0, domain)
    schema.stringDomain = [...(schema.stringDomain ?? []), domain]
    feature.domain = name
  }
  return feature
}

/** A fixed shape when the feature is never missing and always has the same number of values (TFDV's InitFixedShape). */
function initFixedShape(view: FeatureView, feature: Feature): void {
  if (view.featureType === 'STRUCT') return
  const levels = view.minMaxNumValues
  const missing = view.numMissingNested
  const dims: number[] = []
  for (const [i, [min, max]] of levels.entries()) {
    if ((missing[i] ?? 0) !== 0 || min !== max || min <= 0) return
    dims.push(min)
  }
  if (dims.length > 0) feature.shape = { dim: dims.map((size) => ({ size })) }
}

function uniqueDomainName(schema: Schema, candidate: string): string {
  const names = new Set((schema.stringDomain ?? []).map((d) => d.name))
  let name = candidate
  for (let index = 2; names.has(name); index++) name = `${candidate}${index}`
  return name
}
