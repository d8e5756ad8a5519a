// The engine TFDV shares between schema updating and validation (anomalies/schema.cc,
// feature_util.cc and the *_domain_util.cc files): checking one feature of a schema against its
// statistics yields descriptions of what does not fit (the anomalies) and, as a side effect, the
// feature relaxed so that it fits (the updated schema). SchemaGen keeps the relaxed features;
// ExampleValidator keeps the descriptions and throws the copies away.

import type { AnomalyType, DriftSkewMeasurement } from '../anomalies/types.js'
import { categoricalJensenShannonDivergence, histogramJensenShannonDivergence, lInfinityDistance, normalizedAbsoluteDifference } from '../anomalies/metrics.js'
import { cEscape } from './c-escape.js'
import { DOMAIN_FIELDS } from './descriptors.js'
import { fixedSix, sixDigits } from './format-number.js'
import { num, type DatasetView, type FeatureView } from './stats-view.js'
import type { DatasetConstraints, Feature, FeatureComparator, FloatDomain, IntDomain, LifecycleStage, SchemaFeatureType, StringDomain } from './types.js'

/** One reason a feature (or the dataset) does not fit the schema. */
export interface Description {
  type: AnomalyType
  shortDescription: string
  description: string
}

function describe(type: AnomalyType, shortDescription: string, description = ''): Description {
  return { type, shortDescription, description }
}

/** What feature updates need from the schema around the feature. */
export interface SchemaContext {
  /** The top-level string domain of that name (in validation, a private copy). */
  stringDomain(name: string): StringDomain | undefined
  /** Removes a top-level string domain and every reference to it. */
  clearStringDomain(name: string): void
  readonly defaultEnvironment: readonly string[]
  readonly generateLegacyFeatureSpec: boolean
  /** The environment being validated (unset: every feature is in it). */
  readonly environment: string | undefined
  /** Statistics of the previous span, for drift comparators. */
  readonly previous: DatasetView | undefined
  /** Statistics of serving data, for skew comparators. */
  readonly serving: DatasetView | undefined
}

const DEPRECATED_STAGES: ReadonlySet<LifecycleStage> = new Set(['PLANNED', 'ALPHA', 'DEPRECATED', 'DEBUG_ONLY', 'DISABLED'])

/** Whether a feature is deprecated (not validated): `deprecated`, or a lifecycle stage of PLANNED, ALPHA, DEPRECATED, DEBUG_ONLY or DISABLED. */
export function isDeprecated(feature: { deprecated?: boolean; lifecycleStage?: LifecycleStage }): boolean {
  return feature.deprecated === true || (feature.lifecycleStage !== undefined && DEPRECATED_STAGES.has(feature.lifecycleStage))
}

export function deprecate(feature: Feature): void {
  feature.lifecycleStage = 'DEPRECATED'
}

/** Whether a feature is in the environment: `inEnvironment`, else not `notInEnvironment`, else the schema's default environments. */
export function isInEnvironment(feature: Feature, environment: string | undefined, defaultEnvironment: readonly string[]): boolean {
  if (environment === undefined) return true
  if (feature.inEnvironment?.includes(environment)) return true
  if (feature.notInEnvironment?.includes(environment)) return false
  return defaultEnvironment.includes(environment)
}

/** Whether a feature must be present: not deprecated, a positive min count or fraction, and in the environment. */
export function isExistenceRequired(feature: Feature, environment: string | undefined, defaultEnvironment: readonly string[]): boolean {
  if (isDeprecated(feature)) return false
  if ((feature.presence?.minCount ?? 0) <= 0 && (feature.presence?.minFraction ?? 0) <= 0) return false
  return isInEnvironment(feature, environment, defaultEnvironment)
}

/** The JSON name of the feature's domain field, if one is set. */
export function domainKind(feature: Feature): string | undefined {
  return DOMAIN_FIELDS.find((key) => (feature as unknown as Record<string, unknown>)[key] !== undefined)
}

export function clearDomain(feature: Feature): void {
  for (const key of DOMAIN_FIELDS) delete (feature as unknown as Record<string, unknown>)[key]
}

const DOMAIN_PROTO_NAMES: Record<string, string> = {
  domain: 'domain',
  intDomain: 'int_domain',
  floatDomain: 'float_domain',
  stringDomain: 'string_domain',
  boolDomain: 'bool_domain',
  structDomain: 'struct_domain',
  naturalLanguageDomain: 'natural_language_domain',
  imageDomain: 'image_domain',
  midDomain: 'mid_domain',
  urlDomain: 'url_domain',
  timeDomain: 'time_domain',
  timeOfDayDomain: 'time_of_day_domain',
}

function allowedTypes(kind: string | undefined): SchemaFeatureType[] {
  switch (kind) {
    case 'domain':
    case 'stringDomain':
    case 'naturalLanguageDomain':
    case 'imageDomain':
    case 'midDomain':
    case 'urlDomain':
      return ['BYTES']
    case 'boolDomain':
      return ['INT', 'BYTES', 'FLOAT']
    case 'intDomain':
    case 'timeDomain':
      return ['INT', 'BYTES']
    case 'floatDomain':
      return ['FLOAT', 'BYTES']
    case 'structDomain':
      return ['STRUCT']
    default:
      return ['INT', 'FLOAT', 'BYTES', 'STRUCT']
  }
}

const INVALID_SPEC: AnomalyType = 'INVALID_SCHEMA_SPECIFICATION'

/** Checks a feature's own declaration (TFDV's UpdateFeatureSelf) and repairs what it can. */
export function updateFeatureSelf(context: SchemaContext, feature: Feature): Description[] {
  const descriptions: Description[] = []
  if (isDeprecated(feature)) return descriptions
  if (typeof feature.name !== 'string') {
    descriptions.push(describe('FEATURE_MISSING_NAME', 'unspecified name (maybe meant to be the empty string): find name rather than deprecating.'))
    deprecate(feature)
    return descriptions
  }
  if (feature.type === undefined) {
    if (feature.domain !== undefined || feature.stringDomain !== undefined) {
      descriptions.push(describe('FEATURE_MISSING_TYPE', 'unspecified type: inferring the type to be BYTES, given the domain specified.'))
      feature.type = 'BYTES'
    } else {
      descriptions.push(describe('FEATURE_MISSING_TYPE', 'unspecified type: determine the type and set it, rather than deprecating.'))
      deprecate(feature)
      return descriptions
    }
  }
  if (feature.presence?.minFraction !== undefined && feature.presence.minFraction < 0) {
    delete feature.presence.minFraction
    descriptions.push(describe(INVALID_SPEC, 'min_fraction should not be negative: clear is equal to zero'))
  }
  if (feature.presence?.minFraction !== undefined && feature.presence.minFraction > 1) {
    feature.presence.minFraction = 1
    descriptions.push(describe(INVALID_SPEC, 'min_fraction should not greater than 1'))
  }
  if (feature.valueCount?.min !== undefined && feature.valueCount.min < 0) {
    delete feature.valueCount.min
    descriptions.push(describe(INVALID_SPEC, 'ValueCount.min should not be negative'))
  }
  if (feature.valueCount?.max !== undefined && feature.valueCount.max < (feature.valueCount.min ?? 0)) {
    descriptions.push(describe(INVALID_SPEC, 'ValueCount.max should not be less than min'))
    feature.valueCount.max = feature.valueCount.min ?? 0
  }
  for (const [level, count] of (feature.valueCounts?.valueCount ?? []).entries()) {
    if (count.min !== undefined && count.min < 0) {
      delete count.min
      descriptions.push(describe(INVALID_SPEC, 'ValueCounts.min should not be negative', `ValueCounts.min at level ${level} should not be negative.`))
    }
    if (count.max !== undefined && count.max < (count.min ?? 0)) {
      descriptions.push(describe(INVALID_SPEC, 'ValueCounts.max should not be less than min', `ValueCounts.max at level ${level} should not be less than min.`))
      count.max = count.min ?? 0
    }
  }
  const kind = domainKind(feature)
  if (!allowedTypes(kind).includes(feature.type)) {
    descriptions.push(
      describe('DOMAIN_INVALID_FOR_TYPE', 'The domain does not match the type', `The domain "${DOMAIN_PROTO_NAMES[kind!] ?? kind}" does not match the type: ${feature.type}`),
    )
    clearDomain(feature)
  }
  const unsupported = (what: string) => {
    if (!feature.distributionConstraints) return
    delete feature.distributionConstraints
    descriptions.push(describe(INVALID_SPEC, what))
  }
  switch (domainKind(feature)) {
    case 'domain':
      if (!context.stringDomain(feature.domain!)) {
        descriptions.push(describe(INVALID_SPEC, `missing domain: ${feature.domain}`))
        clearDomain(feature)
      }
      break
    case 'boolDomain': {
      unsupported('distribution constraints not supported for bool domains.')
      const bool = feature.boolDomain!
      if (bool.trueValue !== undefined && bool.trueValue === bool.falseValue) {
        delete bool.falseValue
        descriptions.push(
          describe(
            'UNKNOWN_TYPE',
            'Malformed BoolDomain',
            `True and false value equal for BoolDomain:${bool.trueValue}. The suggested change is to clear the false_value, but a domain expert should review this change.`,
          ),
        )
      }
      break
    }
    case 'intDomain':
      unsupported('distribution constraints not supported for int domains.')
      break
    case 'floatDomain':
      unsupported('distribution constraints not supported for float domains.')
      break
    case 'stringDomain': {
      const values = feature.stringDomain!.value ?? []
      const repeats = values.filter((v, i) => values.indexOf(v) !== i)
      if (repeats.length > 0) {
        feature.stringDomain!.value = [...new Set(values)]
        descriptions.push(describe('INVALID_DOMAIN_SPECIFICATION', 'Malformed StringDomain', `Repeated values in StringDomain:${repeats.join(', ')}`))
      }
      break
    }
    case 'structDomain':
      unsupported('distribution constraints not supported for struct domains.')
      break
    case 'naturalLanguageDomain':
    case 'imageDomain':
    case 'midDomain':
    case 'urlDomain':
    case 'timeDomain':
    case 'timeOfDayDomain':
      unsupported('distribution constraints not supported for semantic domains.')
      break
    case undefined:
      unsupported('distribution constraints require domain or string domain.')
      break
  }
  return descriptions
}

/** The result of checking one feature against its statistics. */
export interface FeatureUpdate {
  descriptions: Description[]
  drift: DriftSkewMeasurement[]
  skew: DriftSkewMeasurement[]
}

/**
 * Checks an existing, non-deprecated schema feature against its statistics (TFDV's
 * UpdateFeatureInternal): presence, value counts and shape, type, domains, unique values, drift and
 * skew. Returns what did not fit and relaxes `feature` (in place) so that it fits.
 */
export function updateFeature(context: SchemaContext, feature: Feature, view: FeatureView): FeatureUpdate {
  const result: FeatureUpdate = { descriptions: updateFeatureSelf(context, feature), drift: [], skew: [] }
  const add = (more: Description[]) => result.descriptions.push(...more)
  if (isDeprecated(feature)) return result

  if (view.numPresent === 0) {
    if (isExistenceRequired(feature, context.environment, context.defaultEnvironment)) {
      add([describe('FEATURE_TYPE_NOT_PRESENT', 'Column dropped', 'The feature was not present in any examples.')])
      deprecate(feature)
    }
    return result
  }

  const environment = context.environment
  if (!isInEnvironment(feature, environment, context.defaultEnvironment) && environment !== undefined) {
    if (feature.notInEnvironment?.includes(environment)) {
      feature.notInEnvironment = feature.notInEnvironment.filter((e) => e !== environment)
      if (feature.notInEnvironment.length === 0) delete feature.notInEnvironment
    }
    if (!isInEnvironment(feature, environment, context.defaultEnvironment)) feature.inEnvironment = [...(feature.inEnvironment ?? []), environment]
    add([
      describe(
        'SCHEMA_NEW_COLUMN',
        'Column missing in environment',
        `New column ${view.path} found in data but not in the environment ${environment} in the schema.`,
      ),
    ])
  }

  if (feature.valueCount || feature.valueCounts) add(updateValueCounts(view, feature))
  if (feature.shape) add(updateShape(view, context.generateLegacyFeatureSpec, feature))
  if (feature.presence) add(updatePresence(view, feature))

  if (view.featureType !== feature.type) {
    deprecate(feature)
    add([describe('UNEXPECTED_DATA_TYPE', 'Unexpected data type', `Expected data of type: ${feature.type} but got ${view.statsType}`)])
  }

  if (view.statsType === 'BYTES' && !['naturalLanguageDomain', 'imageDomain', 'urlDomain', undefined].includes(domainKind(feature))) {
    const kind = domainKind(feature)!
    clearDomain(feature)
    add([describe('DOMAIN_INVALID_FOR_TYPE', `Data is marked as BYTES with incompatible domain_info: ${DOMAIN_PROTO_NAMES[kind] ?? kind}`)])
  }

  switch (domainKind(feature)) {
    case 'domain': {
      const name = feature.domain!
      const domain = context.stringDomain(name)
      if (domain) {
        const update = updateStringDomain(view, maxOffDomain(feature), domain)
        add(update.descriptions)
        if (update.clear) context.clearStringDomain(name)
      }
      break
    }
    case 'boolDomain':
      add(updateBoolDomain(view, feature))
      break
    case 'intDomain': {
      const update = updateIntDomain(view, feature.intDomain!)
      add(update.descriptions)
      if (update.clear) clearDomain(feature)
      break
    }
    case 'floatDomain': {
      const update = updateFloatDomain(view, feature.floatDomain!)
      add(update.descriptions)
      if (update.clear) clearDomain(feature)
      break
    }
    case 'stringDomain': {
      const update = updateStringDomain(view, maxOffDomain(feature), feature.stringDomain!)
      add(update.descriptions)
      if (update.clear) clearDomain(feature)
      break
    }
    default:
      // Semantic and struct domains are not updated (TFDV's image domain check needs image statistics Sluice does not compute).
      break
  }

  if (feature.uniqueConstraints) add(updateUniqueConstraints(view, feature))

  if (feature.driftComparator) {
    const comparison = compareWithControl(view, 'DRIFT', feature.driftComparator, context.previous)
    add(comparison.descriptions)
    result.drift.push(...comparison.measurements)
  }
  if (feature.skewComparator) {
    const comparison = compareWithControl(view, 'SKEW', feature.skewComparator, context.serving)
    add(comparison.descriptions)
    result.skew.push(...comparison.measurements)
  }
  return result
}

function maxOffDomain(feature: Feature): number {
  const mass = feature.distributionConstraints?.minDomainMass
  return mass === undefined ? 0 : 1 - mass
}

const SUPERFLUOUS = 'Superfluous values'
const MISSING_VALUES = 'Missing values'
const DROPPED = 'Column dropped'

/** Initial value counts for a new feature (TFDV's InitValueCount). */
export function initValueCount(view: FeatureView, feature: Feature): void {
  const levels = view.minMaxNumValues
  const valueCount = ([min, max]: [number, number]) => (min > 0 ? (min === max ? { min, max } : { min: 1 }) : {})
  if (levels.length > 1) feature.valueCounts = { valueCount: levels.map(valueCount) }
  else if (levels.length === 1 && levels[0]![0] > 0) feature.valueCount = valueCount(levels[0]!)
}

function updateValueCounts(view: FeatureView, feature: Feature): Description[] {
  const levels = view.minMaxNumValues
  const descriptions: Description[] = []
  if (feature.valueCount) {
    if (levels.length > 1) {
      delete feature.valueCount
      initValueCount(view, feature)
      return [
        describe(
          'VALUE_NESTEDNESS_MISMATCH',
          'Mismatched value nest level',
          'This feature has a value_count, but the nestedness level of the feature > 1. For features with nestedness levels greater than 1, value_counts, not value_count, should be specified.',
        ),
      ]
    }
    const [min, max] = levels[0]!
    const count = feature.valueCount
    if (count.min !== undefined && min < count.min) {
      descriptions.push(describe('FEATURE_TYPE_LOW_NUMBER_VALUES', MISSING_VALUES, 'Some examples have fewer values than expected.'))
      if (min === 0) delete count.min
      else count.min = min
    }
    if (count.max !== undefined && max > count.max) {
      descriptions.push(describe('FEATURE_TYPE_HIGH_NUMBER_VALUES', SUPERFLUOUS, 'Some examples have more values than expected.'))
      count.max = max
    }
    return descriptions
  }
  const counts = feature.valueCounts?.valueCount ?? []
  if (counts.length !== levels.length) {
    delete feature.valueCounts
    initValueCount(view, feature)
    return [describe('VALUE_NESTEDNESS_MISMATCH', 'Mismatched value nest level', 'The values have a different nest level than expected. Value counts will not be checked.')]
  }
  for (const [level, count] of counts.entries()) {
    const [min, max] = levels[level]!
    if (count.min !== undefined && min < count.min) {
      descriptions.push(describe('FEATURE_TYPE_LOW_NUMBER_VALUES', MISSING_VALUES, `Some examples have fewer values than expected at nestedness level ${level}.`))
      if (min === 0) delete count.min
      else count.min = min
    }
    if (count.max !== undefined && max > count.max) {
      descriptions.push(describe('FEATURE_TYPE_HIGH_NUMBER_VALUES', SUPERFLUOUS, `Some examples have more values than expected at nestedness level ${level}.`))
      count.max = max
    }
  }
  return descriptions
}

function updateShape(view: FeatureView, generateLegacyFeatureSpec: boolean, feature: Feature): Description[] {
  const expected = (feature.shape?.dim ?? []).reduce((product, dim) => product * (dim.size ?? 0), 1)
  let actual = 1
  for (const [min, max] of view.minMaxNumValues) {
    if (min === max && min !== 0) actual *= min
    else {
      actual = -1
      break
    }
  }
  const hasMissing = !generateLegacyFeatureSpec && view.numMissingNested.some((missing) => missing !== 0)
  if (actual <= 0 || hasMissing) {
    delete feature.shape
    return [
      describe(
        'INVALID_FEATURE_SHAPE',
        'Feature shape dropped',
        "The feature has a shape, but it's not always present (if the feature is nested, then it should always be present at each nested level) or its value lengths vary.",
      ),
    ]
  }
  if (actual !== expected) {
    delete feature.shape
    return [describe('INVALID_FEATURE_SHAPE', 'Feature shape dropped', `The feature has fixed value length ${actual} but it's not compatible with the specified shape.`)]
  }
  return []
}

function updatePresence(view: FeatureView, feature: Feature): Description[] {
  const presence = feature.presence!
  const descriptions: Description[] = []
  const numPresent = view.numPresent
  if (presence.minCount !== undefined && numPresent < presence.minCount) {
    const original = presence.minCount
    presence.minCount = Math.trunc(numPresent)
    descriptions.push(
      describe('FEATURE_TYPE_LOW_NUMBER_PRESENT', DROPPED, `The feature was present in fewer examples than expected: minimum count = ${original}, actual = ${presence.minCount}`),
    )
  }
  const fraction = view.fractionPresent
  if (presence.minFraction !== undefined && fraction !== undefined) {
    if (fraction < presence.minFraction) {
      const original = Math.fround(presence.minFraction)
      presence.minFraction = fraction
      descriptions.push(
        describe(
          'FEATURE_TYPE_LOW_FRACTION_PRESENT',
          DROPPED,
          `The feature was present in fewer examples than expected: minimum fraction = ${fixedSix(original)}, actual = ${fixedSix(fraction)}`,
        ),
      )
    }
    if (presence.minFraction === 1 && view.numMissing !== 0) {
      // So few examples miss the feature that the fraction rounds to 1.
      presence.minFraction = 0.9999
      descriptions.push(describe('FEATURE_TYPE_LOW_FRACTION_PRESENT', DROPPED, `The feature was expected everywhere, but was missing in ${sixDigits(view.numMissing)} examples.`))
    }
  }
  return descriptions
}

function updateUniqueConstraints(view: FeatureView, feature: Feature): Description[] {
  const constraints = feature.uniqueConstraints!
  const unique = view.numUnique
  if (unique === undefined) {
    delete feature.uniqueConstraints
    return [
      describe(
        'FEATURE_TYPE_NO_UNIQUE',
        'No unique values',
        'UniqueConstraints specified for the feature, but unique values were not counted (i.e., feature is not string or categorical).',
      ),
    ]
  }
  // TFDV reads an unset bound as 0 (so `min` alone flags every feature as having too many values);
  // Sluice checks only the bounds that are set.
  const descriptions: Description[] = []
  const { min, max } = constraints
  if (min !== undefined && unique < min) {
    descriptions.push(describe('FEATURE_TYPE_LOW_UNIQUE', 'Low number of unique values', `Expected at least ${min} unique values but found only ${unique}.`))
    constraints.min = unique
  }
  if (max !== undefined && unique > max) {
    descriptions.push(describe('FEATURE_TYPE_HIGH_UNIQUE', 'High number of unique values', `Expected no more than ${max} unique values but found ${unique}.`))
    constraints.max = unique
  }
  return descriptions
}

/** The outcome of a domain update: descriptions, and whether the domain must be removed. */
export interface DomainUpdate {
  descriptions: Description[]
  clear: boolean
}

function percentage(count: number, total: number): string {
  if (!(total > 0)) return '?'
  const percent = (100 * count) / total
  return percent < 1 ? '<1%' : `~${Math.floor(percent)}%`
}

/**
 * Checks the string values against a string domain (TFDV's UpdateStringDomain). Values outside the
 * domain are an anomaly when their share of all values exceeds `maxOffDomain` (any share when it is
 * 0); they are then added to the domain.
 */
export function updateStringDomain(view: FeatureView, maxOffDomain: number, domain: StringDomain): DomainUpdate {
  if (view.hasInvalidUtf8) {
    return { descriptions: [describe('ENUM_TYPE_INVALID_UTF8', 'Invalid UTF8 strings', 'Found strings that were not valid UTF8 strings.')], clear: true }
  }
  const valid = new Set(domain.value ?? [])
  const missing = [...view.stringValueCounts].filter(([value]) => !valid.has(value))
  const missingCount = missing.reduce((sum, [, count]) => sum + count, 0)
  const total = view.totalValueCount
  const descriptions: Description[] = []
  if (missingCount / total > maxOffDomain || (maxOffDomain === 0 && missing.length > 0)) {
    const list = missing.map(([value, count]) => `${cEscape(value)} (${percentage(count, total)})`).join(', ')
    descriptions.push(describe('ENUM_TYPE_UNEXPECTED_STRING_VALUES', 'Unexpected string values', `Examples contain values missing from the schema: ${list}. `))
    domain.value = [...(domain.value ?? []), ...missing.map(([value]) => value)]
  }
  return { descriptions, clear: false }
}

const INT64 = /^\s*[+-]?\d+\s*$/
const OUT_OF_RANGE = 'Out-of-range values'
const INVALID_VALUES = 'Invalid values'

type Interval = { min: number; max: number }

/** The range of integer values, or the first value that is not an integer (TFDV's GetIntInterval). */
function intInterval(view: FeatureView): Interval | { notInt: string } | undefined {
  const strings = view.stringValues
  switch (view.statsType) {
    case 'STRUCT':
    case 'FLOAT':
      return undefined
    case 'INT':
      if (strings.length === 0) return { min: view.min, max: view.max }
    // An INT feature with string statistics is categorical: its values are read as strings below.
    // falls through
    default: {
      let interval: Interval | undefined
      for (const text of strings) {
        const value = INT64.test(text) ? Number(text.trim()) : NaN
        if (!Number.isFinite(value) || Math.abs(value) > 2 ** 63) return { notInt: text }
        interval = interval ? { min: Math.min(interval.min, value), max: Math.max(interval.max, value) } : { min: value, max: value }
      }
      return interval
    }
  }
}

/** Checks values against an int domain (TFDV's UpdateIntDomain). */
export function updateIntDomain(view: FeatureView, domain: IntDomain): DomainUpdate {
  const interval = intInterval(view)
  if (!interval) return { descriptions: [], clear: false }
  if ('notInt' in interval) {
    if (view.featureType === 'BYTES') {
      return {
        descriptions: [describe('INT_TYPE_NOT_INT_STRING', INVALID_VALUES, `String values that were not ints were found, such as "${interval.notInt}".`)],
        clear: true,
      }
    }
    if (view.featureType === 'INT') {
      if (domain.min === undefined && domain.max === undefined) return { descriptions: [], clear: false }
      return {
        descriptions: [describe('DOMAIN_INVALID_FOR_TYPE', INVALID_VALUES, `Integer had values that were not valid Int64, such as "${interval.notInt}".`)],
        clear: true,
      }
    }
    return { descriptions: [describe('DOMAIN_INVALID_FOR_TYPE', INVALID_VALUES, `IntDomain incompatible with feature type ${view.featureType}`)], clear: true }
  }
  const descriptions: Description[] = []
  if (domain.min !== undefined && domain.min > interval.min) {
    descriptions.push(describe('INT_TYPE_SMALL_INT', OUT_OF_RANGE, `Unexpectedly small value: ${interval.min}.`))
    domain.min = interval.min
  }
  if (domain.max !== undefined && domain.max < interval.max) {
    descriptions.push(describe('INT_TYPE_BIG_INT', OUT_OF_RANGE, `Unexpectedly large value: ${interval.max}.`))
    domain.max = interval.max
  }
  return { descriptions, clear: false }
}

const FLOAT_TEXT = /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)\s*$/i

function parseFloatText(text: string): number | undefined {
  if (!FLOAT_TEXT.test(text)) return undefined
  const t = text.trim().toLowerCase()
  const sign = t.startsWith('-') ? -1 : 1
  const body = t.replace(/^[+-]/, '')
  if (body === 'nan') return NaN
  if (body === 'inf' || body === 'infinity') return sign * Infinity
  return Math.fround(Number(t))
}

/** Checks values against a float domain (TFDV's UpdateFloatDomain): NaN, range, then Inf. */
export function updateFloatDomain(view: FeatureView, domain: FloatDomain): DomainUpdate {
  const descriptions: Description[] = []
  if (domain.disallowNan) {
    const hasNan =
      view.statsType === 'FLOAT'
        ? view.numNan > 0
        : view.statsType === 'STRING'
          ? view.stringValues.some((s) => Number.isNaN(parseFloatText(s) ?? 0))
          : false
    if (hasNan) {
      descriptions.push(describe('FLOAT_TYPE_HAS_NAN', INVALID_VALUES, 'Float feature has NaN values.'))
      domain.disallowNan = false
    }
  }
  let range: Interval | undefined
  if (view.statsType === 'FLOAT') range = { min: Math.fround(view.min), max: Math.fround(view.max) }
  else if (view.statsType === 'STRING' || view.statsType === 'BYTES') {
    for (const text of view.stringValues) {
      const value = parseFloatText(text)
      if (value === undefined) {
        descriptions.push(describe('FLOAT_TYPE_STRING_NOT_FLOAT', INVALID_VALUES, `String values that were not floats were found, such as "${text}".`))
        return { descriptions, clear: true }
      }
      range = range ? { min: Math.min(range.min, value), max: Math.max(range.max, value) } : { min: value, max: value }
    }
  }
  if (!range) return { descriptions, clear: false }
  if (domain.min !== undefined && range.min < Math.fround(domain.min)) {
    descriptions.push(
      describe('FLOAT_TYPE_SMALL_FLOAT', OUT_OF_RANGE, `Unexpectedly low values: ${sixDigits(range.min)}<${sixDigits(domain.min)}(upto six significant digits)`),
    )
    domain.min = range.min
  }
  if (domain.max !== undefined && range.max > Math.fround(domain.max)) {
    descriptions.push(
      describe('FLOAT_TYPE_BIG_FLOAT', OUT_OF_RANGE, `Unexpectedly high value: ${sixDigits(range.max)}>${sixDigits(domain.max)}(upto six significant digits)`),
    )
    domain.max = range.max
  }
  if (domain.disallowInf && (Math.abs(range.min) === Infinity || Math.abs(range.max) === Infinity)) {
    descriptions.push(describe('FLOAT_TYPE_HAS_INF', INVALID_VALUES, 'Float feature has Inf values.'))
    domain.disallowInf = false
  }
  return { descriptions, clear: false }
}

const TRUE_VALUES = ['TRUE', 'true', 'SET', 'set', '1', '']
const FALSE_VALUES = ['FALSE', 'false', 'CLEAR', 'clear', '0']
const NON_BOOLEAN = 'Non-boolean values'

/** Whether a new feature should get a bool domain: INT in [0, 1] with max 1, or one or two true/false strings. */
export function isBoolDomainCandidate(view: FeatureView): boolean {
  if (view.statsType === 'INT') return view.min >= 0 && view.max === 1
  if (view.statsType !== 'STRING') return false
  const tokens = view.stringValues
  if (tokens.length === 0 || tokens.length > 2) return false
  let trueSeen = false
  let falseSeen = false
  for (const token of tokens) {
    if (!trueSeen && TRUE_VALUES.includes(token)) trueSeen = true
    else if (!falseSeen && FALSE_VALUES.includes(token)) falseSeen = true
    else return false
  }
  return true
}

/** The bool domain of a new feature: empty for INT, the true and false strings for STRING. */
export function boolDomainFromStats(view: FeatureView): Feature['boolDomain'] {
  if (view.statsType !== 'STRING' && view.statsType !== 'BYTES') return {}
  const values = view.stringValues
  const trueValue = values.find((v) => TRUE_VALUES.includes(v))
  const falseValue = values.find((v) => FALSE_VALUES.includes(v))
  return { ...(trueValue !== undefined ? { trueValue } : {}), ...(falseValue !== undefined ? { falseValue } : {}) }
}

/** Whether a new STRING feature holds only integers (it then gets an empty int domain). */
export function isIntDomainCandidate(view: FeatureView): boolean {
  if (view.statsType !== 'STRING' || view.hasInvalidUtf8) return false
  const interval = intInterval(view)
  return interval !== undefined && !('notInt' in interval)
}

function setDomain<K extends 'intDomain' | 'floatDomain'>(feature: Feature, key: K, value: NonNullable<Feature[K]>): void {
  clearDomain(feature)
  feature[key] = value
}

function updateBoolDomain(view: FeatureView, feature: Feature): Description[] {
  switch (view.statsType) {
    case 'INT': {
      const { min, max } = view
      if (min < 0 || max > 1) {
        setDomain(feature, 'intDomain', { min, max })
        return [
          describe(min < 0 ? 'BOOL_TYPE_SMALL_INT' : 'BOOL_TYPE_BIG_INT', NON_BOOLEAN, `Integers (such as ${sixDigits(min < 0 ? min : max)}) not in {0, 1}: converting to an integer.`),
        ]
      }
      return []
    }
    case 'FLOAT': {
      const { min, max } = view
      const toFloat = (description: string) => {
        setDomain(feature, 'floatDomain', { min, max })
        return [describe('BOOL_TYPE_UNEXPECTED_FLOAT', NON_BOOLEAN, description)]
      }
      if (min !== 0 && min !== 1) return toFloat(`Floats (such as ${sixDigits(min)}) not in {0, 1}: converting to float_domain.`)
      if (max !== 0 && max !== 1) return toFloat(`Floats (such as ${sixDigits(max)}) not in {0, 1}: converting to float_domain.`)
      for (const histogram of view.histograms) {
        if (num(histogram.numNan) > 0) return toFloat('Floats (such as NaN) not in {0, 1}: converting to float_domain.')
        for (const bucket of histogram.buckets ?? []) {
          if (num(bucket.sampleCount) <= 0) continue
          const low = num(bucket.lowValue)
          const high = num(bucket.highValue)
          if (high < 0) return toFloat('Float values < 0 not in {0, 1}: converting to float_domain.')
          if (low > 1) return toFloat('Float values > 1 not in {0, 1}: converting to float_domain.')
          if (high < 1 && low > 0) return toFloat('Float values falling between 0 and 1: converting to float_domain.')
        }
      }
      return []
    }
    case 'STRING': {
      const bool = feature.boolDomain ?? {}
      const valid = [bool.trueValue, bool.falseValue].filter((v): v is string => v !== undefined)
      for (const value of view.stringValues) {
        if (!valid.includes(value)) {
          const description = valid.length === 0 ? '{}' : `{"${[...new Set(valid)].sort().join('", "')}"}`
          clearDomain(feature)
          return [describe('BOOL_TYPE_UNEXPECTED_STRING', NON_BOOLEAN, `Saw unexpected value "${value}" instead of ${description}.`)]
        }
      }
      return []
    }
    default:
      return []
  }
}

interface Comparison {
  descriptions: Description[]
  measurements: DriftSkewMeasurement[]
}

/**
 * Compares a feature with the same feature in the control statistics (previous span for drift,
 * serving data for skew), for each distance whose threshold the comparator sets.
 */
function compareWithControl(view: FeatureView, kind: 'DRIFT' | 'SKEW', comparator: FeatureComparator, control: DatasetView | undefined): Comparison {
  const result: Comparison = { descriptions: [], measurements: [] }
  const linf = comparator.infinityNorm?.threshold
  const jsd = comparator.jensenShannonDivergence?.threshold
  const nad = comparator.normalizedAbsDifference?.threshold
  if (linf === undefined && jsd === undefined && nad === undefined) return result
  if (!control) return result
  const [controlName, treatmentName] = kind === 'SKEW' ? ['serving', 'training'] : ['previous', 'current']
  const controlView = control.get(view.path)
  if (!controlView) {
    if (comparator.infinityNorm) delete comparator.infinityNorm.threshold
    if (comparator.jensenShannonDivergence) delete comparator.jensenShannonDivergence.threshold
    if (comparator.normalizedAbsDifference) delete comparator.normalizedAbsDifference.threshold
    result.descriptions.push(describe('COMPARATOR_CONTROL_DATA_MISSING', `${controlName} data missing`, `${controlName} data is missing.`))
    return result
  }
  const between = `between ${treatmentName} and ${controlName}`
  if (linf !== undefined) {
    const { distance, value } = lInfinityDistance(view.stringValueCounts, controlView.stringValueCounts)
    result.measurements.push({ type: 'L_INFTY', value: distance, threshold: linf })
    if (distance > linf) {
      comparator.infinityNorm!.threshold = distance
      result.descriptions.push(
        describe(
          'COMPARATOR_L_INFTY_HIGH',
          `High Linfty distance ${between}`,
          `The Linfty distance ${between} is ${sixDigits(distance)} (up to six significant digits), above the threshold ${sixDigits(linf)}. The feature value with maximum difference is: ${value}`,
        ),
      )
    }
  }
  if (jsd !== undefined) {
    const divergence = jensenShannonDivergence(view, controlView, comparator.jensenShannonDivergence?.source?.type)
    if (divergence !== undefined) {
      result.measurements.push({ type: 'JENSEN_SHANNON_DIVERGENCE', value: divergence, threshold: jsd })
      if (divergence > jsd) {
        comparator.jensenShannonDivergence!.threshold = divergence
        result.descriptions.push(
          describe(
            'COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH',
            `High approximate Jensen-Shannon divergence ${between}`,
            `The approximate Jensen-Shannon divergence ${between} is ${sixDigits(divergence)} (up to six significant digits), above the threshold ${sixDigits(jsd)}.`,
          ),
        )
      }
    }
  }
  if (nad !== undefined) {
    const { distance, value } = normalizedAbsoluteDifference(view.stringValueCounts, controlView.stringValueCounts)
    result.measurements.push({ type: 'NORMALIZED_ABSOLUTE_DIFFERENCE', value: distance, threshold: nad })
    if (distance > nad) {
      comparator.normalizedAbsDifference!.threshold = distance
      result.descriptions.push(
        describe(
          'COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH',
          `High normalized absolute difference ${between}`,
          `The normalized absolute difference ${between} is ${sixDigits(distance)} (up to six significant digits), above the threshold ${sixDigits(nad)}. The feature value with maximum difference is: ${value}`,
        ),
      )
    }
  }
  return result
}

/** Categorical (both sides have value counts): over the values; numeric: over the selected histograms. */
function jensenShannonDivergence(view: FeatureView, control: FeatureView, source: 'DEFAULT' | 'QUANTILES' | 'STANDARD' | undefined): number | undefined {
  if (view.stringValueCounts.size > 0 && control.stringValueCounts.size > 0) {
    return categoricalJensenShannonDivergence(view.stringValueCounts, control.stringValueCounts)
  }
  const type = source === 'QUANTILES' ? 'QUANTILES' : 'STANDARD'
  const a = view.histogram(type)
  const b = control.histogram(type)
  if (!a || !b) return undefined
  return histogramJensenShannonDivergence(a, b)
}

/** Checks the dataset-level constraints (TFDV's UpdateDatasetConstraints): drift of the example count and min/max counts. */
export function updateDatasetConstraints(constraints: DatasetConstraints, dataset: DatasetView, previous: DatasetView | undefined): Description[] {
  const descriptions: Description[] = []
  const numExamples = dataset.numExamples
  const comparator = constraints.numExamplesDriftComparator
  if (comparator && (comparator.minFractionThreshold !== undefined || comparator.maxFractionThreshold !== undefined) && previous && numExamples > 0) {
    const control = 'previous span'
    const controlExamples = previous.numExamples
    const ratio = controlExamples !== 0 ? numExamples / controlExamples : NaN
    if (comparator.maxFractionThreshold !== undefined) {
      const threshold = comparator.maxFractionThreshold
      if (controlExamples === 0) {
        delete comparator.maxFractionThreshold
        descriptions.push(
          describe(
            'COMPARATOR_HIGH_NUM_EXAMPLES',
            `High num examples in current dataset versus the ${control}, which has 0.`,
            `The ${control} has 0 examples, so there is a high number of examples in the current dataset versus the ${control}.`,
          ),
        )
      } else if (ratio > threshold) {
        comparator.maxFractionThreshold = ratio
        descriptions.push(
          describe(
            'COMPARATOR_HIGH_NUM_EXAMPLES',
            `High num examples in current dataset versus the ${control}.`,
            `The ratio of num examples in the current dataset versus the ${control} is ${sixDigits(ratio)} (up to six significant digits), which is above the threshold ${sixDigits(threshold)}.`,
          ),
        )
      }
    }
    if (comparator.minFractionThreshold !== undefined && controlExamples !== 0 && ratio < comparator.minFractionThreshold) {
      const threshold = comparator.minFractionThreshold
      comparator.minFractionThreshold = ratio
      descriptions.push(
        describe(
          'COMPARATOR_LOW_NUM_EXAMPLES',
          `Low num examples in current dataset versus the ${control}.`,
          `The ratio of num examples in the current dataset versus the ${control} is ${sixDigits(ratio)} (up to six significant digits), which is below the threshold ${sixDigits(threshold)}.`,
        ),
      )
    }
  }
  if (constraints.minExamplesCount !== undefined && numExamples < constraints.minExamplesCount) {
    constraints.minExamplesCount = numExamples
    descriptions.push(lowNumExamples(numExamples))
  }
  if (constraints.maxExamplesCount !== undefined && numExamples > constraints.maxExamplesCount) {
    constraints.maxExamplesCount = numExamples
    descriptions.push(describe('DATASET_HIGH_NUM_EXAMPLES', 'High num examples in dataset.', `The dataset has ${sixDigits(numExamples)} examples, which is more than expected.`))
  }
  return descriptions
}

/** DATASET_LOW_NUM_EXAMPLES as TFDV words it. */
export function lowNumExamples(numExamples: number): Description {
  return describe('DATASET_LOW_NUM_EXAMPLES', 'Low num examples in dataset.', `The dataset has ${sixDigits(numExamples)} examples, which is fewer than expected.`)
}
