// The Anomalies message of tensorflow_metadata (tensorflow_metadata/proto/v0/anomalies.proto) in its
// proto3 JSON form, as ExampleValidator writes `Split-{name}/SchemaDiff.json`.

import type { Path } from '../statistics.js'

/** How bad an anomaly is. TFDV reports everything as ERROR unless a severity override says otherwise. */
export type AnomalySeverity = 'UNKNOWN' | 'WARNING' | 'ERROR'

/**
 * TFDV's anomaly types (AnomalyInfo.Type). Sluice detects the ones listed in
 * docs/components/example-validator.md; the others are here so that files written by TFDV read.
 */
export type AnomalyType =
  | 'UNKNOWN_TYPE'
  | 'MULTIPLE_REASONS'
  | 'BOOL_TYPE_BIG_INT'
  | 'BOOL_TYPE_BYTES_NOT_INT'
  | 'BOOL_TYPE_BYTES_NOT_STRING'
  | 'BOOL_TYPE_FLOAT_NOT_INT'
  | 'BOOL_TYPE_FLOAT_NOT_STRING'
  | 'BOOL_TYPE_INT_NOT_STRING'
  | 'BOOL_TYPE_SMALL_INT'
  | 'BOOL_TYPE_STRING_NOT_INT'
  | 'BOOL_TYPE_UNEXPECTED_STRING'
  | 'BOOL_TYPE_UNEXPECTED_FLOAT'
  | 'BOOL_TYPE_INVALID_CONFIG'
  | 'ENUM_TYPE_BYTES_NOT_STRING'
  | 'ENUM_TYPE_FLOAT_NOT_STRING'
  | 'ENUM_TYPE_INT_NOT_STRING'
  | 'ENUM_TYPE_INVALID_UTF8'
  | 'ENUM_TYPE_UNEXPECTED_STRING_VALUES'
  | 'FEATURE_TYPE_HIGH_NUMBER_VALUES'
  | 'FEATURE_TYPE_LOW_FRACTION_PRESENT'
  | 'FEATURE_TYPE_LOW_NUMBER_PRESENT'
  | 'FEATURE_TYPE_LOW_NUMBER_VALUES'
  | 'FEATURE_TYPE_NOT_PRESENT'
  | 'FEATURE_TYPE_NO_VALUES'
  | 'FEATURE_TYPE_UNEXPECTED_REPEATED'
  | 'FEATURE_TYPE_HIGH_UNIQUE'
  | 'FEATURE_TYPE_LOW_UNIQUE'
  | 'FEATURE_TYPE_NO_UNIQUE'
  | 'FLOAT_TYPE_BIG_FLOAT'
  | 'FLOAT_TYPE_NOT_FLOAT'
  | 'FLOAT_TYPE_SMALL_FLOAT'
  | 'FLOAT_TYPE_STRING_NOT_FLOAT'
  | 'FLOAT_TYPE_NON_STRING'
  | 'FLOAT_TYPE_UNKNOWN_TYPE_NUMBER'
  | 'FLOAT_TYPE_HAS_NAN'
  | 'FLOAT_TYPE_HAS_INF'
  | 'INT_TYPE_BIG_INT'
  | 'INT_TYPE_INT_EXPECTED'
  | 'INT_TYPE_NOT_INT_STRING'
  | 'INT_TYPE_NOT_STRING'
  | 'INT_TYPE_SMALL_INT'
  | 'INT_TYPE_STRING_EXPECTED'
  | 'INT_TYPE_UNKNOWN_TYPE_NUMBER'
  | 'LOW_SUPPORTED_IMAGE_FRACTION'
  | 'SCHEMA_MISSING_COLUMN'
  | 'SCHEMA_NEW_COLUMN'
  | 'SCHEMA_TRAINING_SERVING_SKEW'
  | 'STRING_TYPE_NOW_FLOAT'
  | 'STRING_TYPE_NOW_INT'
  | 'COMPARATOR_CONTROL_DATA_MISSING'
  | 'COMPARATOR_TREATMENT_DATA_MISSING'
  | 'COMPARATOR_L_INFTY_HIGH'
  | 'COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'
  | 'COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH'
  | 'NO_DATA_IN_SPAN'
  | 'SPARSE_FEATURE_MISSING_VALUE'
  | 'SPARSE_FEATURE_MISSING_INDEX'
  | 'SPARSE_FEATURE_LENGTH_MISMATCH'
  | 'SPARSE_FEATURE_NAME_COLLISION'
  | 'SEMANTIC_DOMAIN_UPDATE'
  | 'COMPARATOR_LOW_NUM_EXAMPLES'
  | 'COMPARATOR_HIGH_NUM_EXAMPLES'
  | 'DATASET_LOW_NUM_EXAMPLES'
  | 'DATASET_HIGH_NUM_EXAMPLES'
  | 'WEIGHTED_FEATURE_NAME_COLLISION'
  | 'WEIGHTED_FEATURE_MISSING_VALUE'
  | 'WEIGHTED_FEATURE_MISSING_WEIGHT'
  | 'WEIGHTED_FEATURE_LENGTH_MISMATCH'
  | 'VALUE_NESTEDNESS_MISMATCH'
  | 'DOMAIN_INVALID_FOR_TYPE'
  | 'FEATURE_MISSING_NAME'
  | 'FEATURE_MISSING_TYPE'
  | 'INVALID_SCHEMA_SPECIFICATION'
  | 'INVALID_DOMAIN_SPECIFICATION'
  | 'UNEXPECTED_DATA_TYPE'
  | 'SEQUENCE_VALUE_TOO_FEW_OCCURRENCES'
  | 'SEQUENCE_VALUE_TOO_MANY_OCCURRENCES'
  | 'SEQUENCE_VALUE_TOO_SMALL_FRACTION'
  | 'SEQUENCE_VALUE_TOO_LARGE_FRACTION'
  | 'FEATURE_COVERAGE_TOO_LOW'
  | 'FEATURE_COVERAGE_TOO_SHORT_AVG_TOKEN_LENGTH'
  | 'NLP_WRONG_LOCATION'
  | 'EMBEDDING_SHAPE_INVALID'
  | 'MAX_IMAGE_BYTE_SIZE_EXCEEDED'
  | 'INVALID_FEATURE_SHAPE'
  | 'STATS_NOT_AVAILABLE'
  | 'DERIVED_FEATURE_BAD_LIFECYCLE'
  | 'DERIVED_FEATURE_INVALID_SOURCE'
  | 'CUSTOM_VALIDATION'

/** One reason for an anomaly. */
export interface AnomalyReason {
  type: AnomalyType
  /** A few words, e.g. "Unexpected string values". */
  shortDescription: string
  /** A sentence with the numbers, e.g. "Examples contain values missing from the schema: Bitcoin (~12%). ". */
  description: string
}

/** The anomalies of one feature (or of the dataset). */
export interface AnomalyInfo {
  /** The feature's path (absent for the dataset-level anomaly). */
  path?: Path
  severity: AnomalySeverity
  /** The reason's short description, or "Multiple errors" when there are several. */
  shortDescription: string
  /** The reasons' descriptions joined with spaces. */
  description: string
  reason: AnomalyReason[]
}

/** The kind of a drift/skew distance. */
export type MeasurementType = 'UNKNOWN' | 'L_INFTY' | 'JENSEN_SHANNON_DIVERGENCE' | 'NORMALIZED_ABSOLUTE_DIFFERENCE'

/** One drift or skew distance with the threshold it was checked against. */
export interface DriftSkewMeasurement {
  type: MeasurementType
  value: number
  threshold: number
}

/** The drift and skew distances measured for one feature, whether or not they crossed their threshold. */
export interface DriftSkewInfo {
  path: Path
  driftMeasurements?: DriftSkewMeasurement[]
  skewMeasurements?: DriftSkewMeasurement[]
}

/** The result of validating one split's statistics against a schema. */
export interface Anomalies {
  /** Keys of `anomalyInfo` are serialized feature paths (the feature name for top-level features). */
  anomalyNameFormat: 'SERIALIZED_PATH'
  /** Feature anomalies by feature name, sorted by name. */
  anomalyInfo: { [feature: string]: AnomalyInfo }
  /** Anomalies of the whole dataset (number of examples). */
  datasetAnomalyInfo?: AnomalyInfo
  /** Drift/skew distances of the features that have comparators in the schema. */
  driftSkewInfo?: DriftSkewInfo[]
  /** Set when the statistics hold no examples at all. */
  dataMissing?: boolean
}
