// The Schema message of tensorflow_metadata (tensorflow_metadata/proto/v0/schema.proto) in its proto3
// JSON form: lowerCamelCase field names, enums as their names, 64-bit integers as JSON numbers.
// `schema.json` holds exactly this; `schema.pbtxt` holds the same message in protobuf text format
// (proto field names), which TFX and TFDV load.
//
// Sluice supports the subset of the message below: everything TFDV infers and validates, plus the
// sparse/weighted feature declarations and semantic domains so that schemas written by TFX load.
// `tensor_representation_group`, `validation_derived_source`, `sequence_metadata` and
// `Annotation.extra_metadata` are not supported: the text parser rejects them by line.

import type { Path } from '../statistics.js'

/** The physical type of a feature's values (schema.proto's `FeatureType`). Strings are `BYTES`. */
export type SchemaFeatureType = 'TYPE_UNKNOWN' | 'BYTES' | 'INT' | 'FLOAT' | 'STRUCT'

/**
 * A feature's lifecycle. Only UNKNOWN_STAGE, BETA, PRODUCTION and VALIDATION_DERIVED features are
 * validated; PLANNED, ALPHA, DEPRECATED, DEBUG_ONLY and DISABLED count as deprecated.
 */
export type LifecycleStage =
  | 'UNKNOWN_STAGE'
  | 'PLANNED'
  | 'ALPHA'
  | 'BETA'
  | 'PRODUCTION'
  | 'DEPRECATED'
  | 'DEBUG_ONLY'
  | 'DISABLED'
  | 'VALIDATION_DERIVED'

/** A data schema: the features, the shared string domains and the environments. */
export interface Schema {
  feature: Feature[]
  sparseFeature?: SparseFeature[]
  weightedFeature?: WeightedFeature[]
  /** Named string domains, referenced by `Feature.domain`. */
  stringDomain?: StringDomain[]
  floatDomain?: FloatDomain[]
  intDomain?: IntDomain[]
  /**
   * Environments every feature is in unless it says otherwise (e.g. `['TRAINING', 'SERVING']`
   * with the label marked `notInEnvironment: ['SERVING']`).
   */
  defaultEnvironment?: string[]
  /** A legacy TFX flag, kept when a schema sets it. */
  generateLegacyFeatureSpec?: boolean
  representVariableLengthAsRagged?: boolean
  annotation?: Annotation
  datasetConstraints?: DatasetConstraints
}

/** What the schema says about one feature. At most one of each group is set: `presence`/`groupPresence`; `shape`/`valueCount`/`valueCounts`; the domains. */
export interface Feature {
  name: string
  /** @deprecated use `lifecycleStage: 'DEPRECATED'`. */
  deprecated?: boolean
  presence?: FeaturePresence
  groupPresence?: FeaturePresenceWithinGroup
  /** A fixed number of values per example (a dense tensor downstream). */
  shape?: FixedShape
  /** Bounds on the number of values per example where present. */
  valueCount?: ValueCount
  /** One ValueCount per nesting level of nested lists. */
  valueCounts?: ValueCountList
  type?: SchemaFeatureType
  /** The name of a top-level `stringDomain`. */
  domain?: string
  intDomain?: IntDomain
  floatDomain?: FloatDomain
  stringDomain?: StringDomain
  boolDomain?: BoolDomain
  structDomain?: StructDomain
  naturalLanguageDomain?: NaturalLanguageDomain
  imageDomain?: ImageDomain
  midDomain?: MidDomain
  urlDomain?: UrlDomain
  timeDomain?: TimeDomain
  timeOfDayDomain?: TimeOfDayDomain
  distributionConstraints?: DistributionConstraints
  annotation?: Annotation
  /** Training vs serving comparison (`servingStatistics` of ExampleValidator). */
  skewComparator?: FeatureComparator
  /** Current vs previous span comparison (`previousStatistics` of ExampleValidator). */
  driftComparator?: FeatureComparator
  inEnvironment?: string[]
  notInEnvironment?: string[]
  lifecycleStage?: LifecycleStage
  uniqueConstraints?: UniqueConstraints
}

/** How often a feature must be present. */
export interface FeaturePresence {
  /** Minimum fraction of examples that have the feature, in [0, 1]. */
  minFraction?: number
  /** Minimum number of examples that have the feature. */
  minCount?: number
}

/** Presence inside a group (sequences). */
export interface FeaturePresenceWithinGroup {
  required?: boolean
}

/** A fixed shape: the number of values per example is the product of the dimension sizes. */
export interface FixedShape {
  dim?: FixedShapeDim[]
}

/** One dimension of a {@link FixedShape}. */
export interface FixedShapeDim {
  size?: number
  name?: string
}

/** Bounds on the number of values per example. */
export interface ValueCount {
  min?: number
  max?: number
}

/** Value counts per nesting level. */
export interface ValueCountList {
  valueCount?: ValueCount[]
}

/** Integer values (INT features, or BYTES features holding integers). */
export interface IntDomain {
  name?: string
  min?: number
  max?: number
  isCategorical?: boolean
}

/** Float values (FLOAT features, or BYTES features holding floats). */
export interface FloatDomain {
  name?: string
  min?: number
  max?: number
  /** NaN values are an anomaly (FLOAT_TYPE_HAS_NAN). */
  disallowNan?: boolean
  /** ±Infinity values are an anomaly (FLOAT_TYPE_HAS_INF). */
  disallowInf?: boolean
  isEmbedding?: boolean
  isCategorical?: boolean
  embeddingDim?: number
}

/** Whether a string domain is categorical (unused by TFDV). */
export type StringDomainCategorical = 'CATEGORICAL_UNSPECIFIED' | 'CATEGORICAL_YES' | 'CATEGORICAL_NO'

/** The allowed values of a string feature. */
export interface StringDomain {
  /** Required for a top-level domain; features refer to it by this name. */
  name?: string
  value?: string[]
  isCategorical?: StringDomainCategorical
}

/** A boolean feature: INT 0/1, or strings for true and false. */
export interface BoolDomain {
  name?: string
  trueValue?: string
  falseValue?: string
}

/** The children of a STRUCT feature. */
export interface StructDomain {
  feature?: Feature[]
  sparseFeature?: SparseFeature[]
}

/** Natural-language text. */
export interface NaturalLanguageDomain {
  vocabulary?: string
  coverage?: FeatureCoverageConstraints
  tokenConstraints?: SequenceValueConstraints[]
  locationConstraintRegex?: string
  sequenceLengthConstraints?: SequenceLengthConstraints
}

/** Vocabulary coverage constraints of a natural-language feature. */
export interface FeatureCoverageConstraints {
  minCoverage?: number
  minAvgTokenLength?: number
  excludedStringTokens?: string[]
  excludedIntTokens?: number[]
  oovStringTokens?: string[]
}

/** Constraints on one token's occurrences in sequences. */
export interface SequenceValueConstraints {
  intValue?: number
  stringValue?: string
  minPerSequence?: number
  maxPerSequence?: number
  minFractionOfSequences?: number
  maxFractionOfSequences?: number
}

/** Constraints on sequence lengths. */
export interface SequenceLengthConstraints {
  excludedIntValue?: number[]
  excludedStringValue?: string[]
  minSequenceLength?: number
  maxSequenceLength?: number
}

/** Encoded images. */
export interface ImageDomain {
  minimumSupportedImageFraction?: number
  maxImageByteSize?: number
}

/** Knowledge-graph ids. */
export interface MidDomain {}

/** URLs. */
export interface UrlDomain {}

/** Integer time formats of a {@link TimeDomain}. */
export type IntegerTimeFormat = 'FORMAT_UNKNOWN' | 'UNIX_DAYS' | 'UNIX_SECONDS' | 'UNIX_MILLISECONDS' | 'UNIX_MICROSECONDS' | 'UNIX_NANOSECONDS'

/** Dates and times. Set one of the two formats. */
export interface TimeDomain {
  stringFormat?: string
  integerFormat?: IntegerTimeFormat
}

/** Times of day. Set one of the two formats. */
export interface TimeOfDayDomain {
  stringFormat?: string
  integerFormat?: 'FORMAT_UNKNOWN' | 'PACKED_64_NANOS'
}

/** Constraints on the distribution of values (string domains only). */
export interface DistributionConstraints {
  /** Minimum fraction of values that must come from the domain. @default 1.0 */
  minDomainMass?: number
}

/** Free-form documentation of the schema or a feature. */
export interface Annotation {
  tag?: string[]
  comment?: string[]
}

/** Bounds on the L-infinity distance between two categorical distributions. */
export interface InfinityNorm {
  threshold?: number
}

/** Which histogram a numeric Jensen-Shannon divergence uses. DEFAULT is STANDARD. */
export interface HistogramSelection {
  type?: 'DEFAULT' | 'QUANTILES' | 'STANDARD'
}

/** Bounds on the approximate Jensen-Shannon divergence between two distributions. */
export interface JensenShannonDivergence {
  threshold?: number
  source?: HistogramSelection
}

/** Bounds on the largest count difference relative to both datasets' total count. */
export interface NormalizedAbsoluteDifference {
  threshold?: number
}

/** A drift or skew check: one or more distances, each with a threshold. */
export interface FeatureComparator {
  /** For categorical (string) features. */
  infinityNorm?: InfinityNorm
  /** For numeric features (from histograms) and categorical ones (from value counts). */
  jensenShannonDivergence?: JensenShannonDivergence
  normalizedAbsDifference?: NormalizedAbsoluteDifference
}

/** Bounds on the number of distinct values (string and categorical features). */
export interface UniqueConstraints {
  min?: number
  max?: number
}

/** A sparse tensor assembled from index and value features. */
export interface SparseFeature {
  name: string
  /** @deprecated use `lifecycleStage: 'DEPRECATED'`. */
  deprecated?: boolean
  lifecycleStage?: LifecycleStage
  presence?: FeaturePresence
  denseShape?: FixedShape
  indexFeature?: { name?: string }[]
  isSorted?: boolean
  valueFeature?: { name?: string }
  type?: SchemaFeatureType
}

/** A feature weighted by another feature. */
export interface WeightedFeature {
  name: string
  feature?: Path
  weightFeature?: Path
  lifecycleStage?: LifecycleStage
}

/** Bounds on the ratio of a count to a previous one. */
export interface NumericValueComparator {
  minFractionThreshold?: number
  maxFractionThreshold?: number
}

/** Constraints on the whole dataset. */
export interface DatasetConstraints {
  /** Number of examples compared with the previous span's. */
  numExamplesDriftComparator?: NumericValueComparator
  numExamplesVersionComparator?: NumericValueComparator
  /** Fewer examples is a DATASET_LOW_NUM_EXAMPLES anomaly. */
  minExamplesCount?: number
  /** More examples is a DATASET_HIGH_NUM_EXAMPLES anomaly. */
  maxExamplesCount?: number
}
