// Field tables of the Schema messages Sluice supports: proto field name, number, kind and JSON name.
// The text-format parser and printer and the JSON reader and writer all walk these tables, so the
// two files always describe the same message.

/** The scalar and message kinds a field can have. */
export type FieldKind = 'string' | 'bool' | 'int64' | 'double' | 'float' | 'enum' | 'message'

/** One field of a message. */
export interface FieldDescriptor {
  /** The proto field name, as written in text format (`min_fraction`). */
  readonly name: string
  /** The proto3 JSON name (`minFraction`). */
  readonly json: string
  readonly number: number
  readonly kind: FieldKind
  readonly repeated: boolean
  /** The oneof this field belongs to: setting two fields of one oneof is an error. */
  readonly oneof?: string
  /** Enum value names to numbers. */
  readonly values?: Readonly<Record<string, number>>
  /** The message type of a message field (a thunk: the messages are recursive). */
  readonly message?: () => MessageDescriptor
}

/** A message type. */
export interface MessageDescriptor {
  /** The full proto name, used in error messages. */
  readonly name: string
  /** Fields in field-number order (the order text format prints them in). */
  readonly fields: readonly FieldDescriptor[]
  readonly byName: ReadonlyMap<string, FieldDescriptor>
  readonly byJson: ReadonlyMap<string, FieldDescriptor>
}

type FieldSpec = [name: string, number: number, kind: FieldKind, options?: { repeated?: boolean; oneof?: string; values?: Record<string, number>; message?: () => MessageDescriptor }]

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

function message(name: string, specs: FieldSpec[]): MessageDescriptor {
  const fields = specs
    .map(([field, number, kind, options = {}]): FieldDescriptor => ({
      name: field,
      json: camel(field),
      number,
      kind,
      repeated: options.repeated ?? false,
      ...(options.oneof ? { oneof: options.oneof } : {}),
      ...(options.values ? { values: options.values } : {}),
      ...(options.message ? { message: options.message } : {}),
    }))
    .sort((a, b) => a.number - b.number)
  return {
    name: `tensorflow.metadata.v0.${name}`,
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    byJson: new Map(fields.map((f) => [f.json, f])),
  }
}

const repeated = { repeated: true }

export const FEATURE_TYPE_VALUES = { TYPE_UNKNOWN: 0, BYTES: 1, INT: 2, FLOAT: 3, STRUCT: 4 }
export const LIFECYCLE_STAGE_VALUES = {
  UNKNOWN_STAGE: 0,
  PLANNED: 1,
  ALPHA: 2,
  BETA: 3,
  PRODUCTION: 4,
  DEPRECATED: 5,
  DEBUG_ONLY: 6,
  DISABLED: 7,
  VALIDATION_DERIVED: 9,
}

const Annotation = message('Annotation', [
  ['tag', 1, 'string', repeated],
  ['comment', 2, 'string', repeated],
])
const NumericValueComparator = message('NumericValueComparator', [
  ['min_fraction_threshold', 1, 'double'],
  ['max_fraction_threshold', 2, 'double'],
])
const DatasetConstraints = message('DatasetConstraints', [
  ['num_examples_drift_comparator', 1, 'message', { message: () => NumericValueComparator }],
  ['num_examples_version_comparator', 2, 'message', { message: () => NumericValueComparator }],
  ['min_examples_count', 3, 'int64'],
  ['max_examples_count', 4, 'int64'],
])
const FixedShapeDim = message('FixedShape.Dim', [
  ['size', 1, 'int64'],
  ['name', 2, 'string'],
])
const FixedShape = message('FixedShape', [['dim', 2, 'message', { repeated: true, message: () => FixedShapeDim }]])
const ValueCount = message('ValueCount', [
  ['min', 1, 'int64'],
  ['max', 2, 'int64'],
])
const ValueCountList = message('ValueCountList', [['value_count', 1, 'message', { repeated: true, message: () => ValueCount }]])
const Path = message('Path', [['step', 1, 'string', repeated]])
const WeightedFeature = message('WeightedFeature', [
  ['name', 1, 'string'],
  ['feature', 2, 'message', { message: () => Path }],
  ['weight_feature', 3, 'message', { message: () => Path }],
  ['lifecycle_stage', 4, 'enum', { values: LIFECYCLE_STAGE_VALUES }],
])
const FeaturePresence = message('FeaturePresence', [
  ['min_fraction', 1, 'double'],
  ['min_count', 2, 'int64'],
])
const FeaturePresenceWithinGroup = message('FeaturePresenceWithinGroup', [['required', 1, 'bool']])
const IndexFeature = message('SparseFeature.IndexFeature', [['name', 1, 'string']])
const ValueFeature = message('SparseFeature.ValueFeature', [['name', 1, 'string']])
const SparseFeature = message('SparseFeature', [
  ['name', 1, 'string'],
  ['deprecated', 2, 'bool'],
  ['presence', 4, 'message', { message: () => FeaturePresence }],
  ['dense_shape', 5, 'message', { message: () => FixedShape }],
  ['index_feature', 6, 'message', { repeated: true, message: () => IndexFeature }],
  ['lifecycle_stage', 7, 'enum', { values: LIFECYCLE_STAGE_VALUES }],
  ['is_sorted', 8, 'bool'],
  ['value_feature', 9, 'message', { message: () => ValueFeature }],
  ['type', 10, 'enum', { values: FEATURE_TYPE_VALUES }],
])
const DistributionConstraints = message('DistributionConstraints', [['min_domain_mass', 1, 'double']])
const FeatureCoverageConstraints = message('FeatureCoverageConstraints', [
  ['min_coverage', 1, 'float'],
  ['min_avg_token_length', 2, 'float'],
  ['excluded_string_tokens', 3, 'string', repeated],
  ['excluded_int_tokens', 4, 'int64', repeated],
  ['oov_string_tokens', 5, 'string', repeated],
])
const SequenceValueConstraints = message('SequenceValueConstraints', [
  ['int_value', 1, 'int64', { oneof: 'value' }],
  ['string_value', 2, 'string', { oneof: 'value' }],
  ['min_per_sequence', 3, 'int64'],
  ['max_per_sequence', 4, 'int64'],
  ['min_fraction_of_sequences', 5, 'float'],
  ['max_fraction_of_sequences', 6, 'float'],
])
const SequenceLengthConstraints = message('SequenceLengthConstraints', [
  ['excluded_int_value', 1, 'int64', repeated],
  ['excluded_string_value', 2, 'string', repeated],
  ['min_sequence_length', 3, 'int64'],
  ['max_sequence_length', 4, 'int64'],
])
const IntDomain = message('IntDomain', [
  ['name', 1, 'string'],
  ['min', 3, 'int64'],
  ['max', 4, 'int64'],
  ['is_categorical', 5, 'bool'],
])
const FloatDomain = message('FloatDomain', [
  ['name', 1, 'string'],
  ['min', 3, 'float'],
  ['max', 4, 'float'],
  ['disallow_nan', 5, 'bool'],
  ['disallow_inf', 6, 'bool'],
  ['is_embedding', 7, 'bool'],
  ['is_categorical', 8, 'bool'],
  ['embedding_dim', 9, 'int64'],
])
const StructDomain = message('StructDomain', [
  ['feature', 1, 'message', { repeated: true, message: () => Feature }],
  ['sparse_feature', 2, 'message', { repeated: true, message: () => SparseFeature }],
])
const StringDomain = message('StringDomain', [
  ['name', 1, 'string'],
  ['value', 2, 'string', repeated],
  ['is_categorical', 3, 'enum', { values: { CATEGORICAL_UNSPECIFIED: 0, CATEGORICAL_YES: 1, CATEGORICAL_NO: 2 } }],
])
const BoolDomain = message('BoolDomain', [
  ['name', 1, 'string'],
  ['true_value', 2, 'string'],
  ['false_value', 3, 'string'],
])
const NaturalLanguageDomain = message('NaturalLanguageDomain', [
  ['vocabulary', 1, 'string'],
  ['coverage', 2, 'message', { message: () => FeatureCoverageConstraints }],
  ['token_constraints', 3, 'message', { repeated: true, message: () => SequenceValueConstraints }],
  ['location_constraint_regex', 4, 'string'],
  ['sequence_length_constraints', 5, 'message', { message: () => SequenceLengthConstraints }],
])
const ImageDomain = message('ImageDomain', [
  ['minimum_supported_image_fraction', 1, 'float'],
  ['max_image_byte_size', 2, 'int64'],
])
const MidDomain = message('MIDDomain', [])
const UrlDomain = message('URLDomain', [])
const TimeDomain = message('TimeDomain', [
  ['string_format', 1, 'string', { oneof: 'format' }],
  [
    'integer_format',
    2,
    'enum',
    {
      oneof: 'format',
      values: { FORMAT_UNKNOWN: 0, UNIX_DAYS: 5, UNIX_SECONDS: 1, UNIX_MILLISECONDS: 2, UNIX_MICROSECONDS: 3, UNIX_NANOSECONDS: 4 },
    },
  ],
])
const TimeOfDayDomain = message('TimeOfDayDomain', [
  ['string_format', 1, 'string', { oneof: 'format' }],
  ['integer_format', 2, 'enum', { oneof: 'format', values: { FORMAT_UNKNOWN: 0, PACKED_64_NANOS: 1 } }],
])
const InfinityNorm = message('InfinityNorm', [['threshold', 1, 'double']])
const HistogramSelection = message('HistogramSelection', [['type', 1, 'enum', { values: { DEFAULT: 0, QUANTILES: 1, STANDARD: 2 } }]])
const JensenShannonDivergence = message('JensenShannonDivergence', [
  ['threshold', 1, 'double'],
  ['source', 2, 'message', { message: () => HistogramSelection }],
])
const NormalizedAbsoluteDifference = message('NormalizedAbsoluteDifference', [['threshold', 1, 'double']])
const FeatureComparator = message('FeatureComparator', [
  ['infinity_norm', 1, 'message', { message: () => InfinityNorm }],
  ['jensen_shannon_divergence', 2, 'message', { message: () => JensenShannonDivergence }],
  ['normalized_abs_difference', 3, 'message', { message: () => NormalizedAbsoluteDifference }],
])
const UniqueConstraints = message('UniqueConstraints', [
  ['min', 1, 'int64'],
  ['max', 2, 'int64'],
])

const presence = 'presence_constraints'
const shape = 'shape_type'
const domain = 'domain_info'

export const Feature: MessageDescriptor = message('Feature', [
  ['name', 1, 'string'],
  ['deprecated', 2, 'bool'],
  ['presence', 14, 'message', { oneof: presence, message: () => FeaturePresence }],
  ['group_presence', 17, 'message', { oneof: presence, message: () => FeaturePresenceWithinGroup }],
  ['shape', 23, 'message', { oneof: shape, message: () => FixedShape }],
  ['value_count', 5, 'message', { oneof: shape, message: () => ValueCount }],
  ['value_counts', 32, 'message', { oneof: shape, message: () => ValueCountList }],
  ['type', 6, 'enum', { values: FEATURE_TYPE_VALUES }],
  ['domain', 7, 'string', { oneof: domain }],
  ['int_domain', 9, 'message', { oneof: domain, message: () => IntDomain }],
  ['float_domain', 10, 'message', { oneof: domain, message: () => FloatDomain }],
  ['string_domain', 11, 'message', { oneof: domain, message: () => StringDomain }],
  ['bool_domain', 13, 'message', { oneof: domain, message: () => BoolDomain }],
  ['struct_domain', 29, 'message', { oneof: domain, message: () => StructDomain }],
  ['natural_language_domain', 24, 'message', { oneof: domain, message: () => NaturalLanguageDomain }],
  ['image_domain', 25, 'message', { oneof: domain, message: () => ImageDomain }],
  ['mid_domain', 26, 'message', { oneof: domain, message: () => MidDomain }],
  ['url_domain', 27, 'message', { oneof: domain, message: () => UrlDomain }],
  ['time_domain', 28, 'message', { oneof: domain, message: () => TimeDomain }],
  ['time_of_day_domain', 30, 'message', { oneof: domain, message: () => TimeOfDayDomain }],
  ['distribution_constraints', 15, 'message', { message: () => DistributionConstraints }],
  ['annotation', 16, 'message', { message: () => Annotation }],
  ['skew_comparator', 18, 'message', { message: () => FeatureComparator }],
  ['drift_comparator', 21, 'message', { message: () => FeatureComparator }],
  ['in_environment', 20, 'string', repeated],
  ['not_in_environment', 19, 'string', repeated],
  ['lifecycle_stage', 22, 'enum', { values: LIFECYCLE_STAGE_VALUES }],
  ['unique_constraints', 31, 'message', { message: () => UniqueConstraints }],
])

export const Schema: MessageDescriptor = message('Schema', [
  ['feature', 1, 'message', { repeated: true, message: () => Feature }],
  ['sparse_feature', 6, 'message', { repeated: true, message: () => SparseFeature }],
  ['weighted_feature', 12, 'message', { repeated: true, message: () => WeightedFeature }],
  ['string_domain', 4, 'message', { repeated: true, message: () => StringDomain }],
  ['float_domain', 9, 'message', { repeated: true, message: () => FloatDomain }],
  ['int_domain', 10, 'message', { repeated: true, message: () => IntDomain }],
  ['default_environment', 5, 'string', repeated],
  ['generate_legacy_feature_spec', 7, 'bool'],
  ['represent_variable_length_as_ragged', 14, 'bool'],
  ['annotation', 8, 'message', { message: () => Annotation }],
  ['dataset_constraints', 11, 'message', { message: () => DatasetConstraints }],
])

/** The JSON names of Feature's `domain_info` oneof: setting one clears the others. */
export const DOMAIN_FIELDS = Feature.fields.filter((f) => f.oneof === domain).map((f) => f.json)

/** Fields of Schema, Feature… that Sluice knowingly does not support, with why, for parse errors. */
export const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  tensor_representation_group: 'TensorRepresentation groups are not supported by Sluice',
  validation_derived_source: 'derived features are not supported by Sluice',
  sequence_metadata: 'sequence metadata is not supported by Sluice',
  extra_metadata: 'Annotation.extra_metadata (google.protobuf.Any) is not supported by Sluice',
}
