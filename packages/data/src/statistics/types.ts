// The statistics messages of tensorflow_metadata (tensorflow_metadata/proto/v0/statistics.proto), in
// their proto3 JSON form: lowerCamelCase field names, enums as their names, and 64-bit integers
// (`numExamples`, `numNonMissing`, `unique`…) written as JSON numbers (protobuf's json_format.Parse,
// and therefore TFDV, accepts them). Non-finite doubles are written as the strings "NaN",
// "Infinity" and "-Infinity", as proto3 JSON requires; `readStatistics` turns them back into numbers.
//
// Fields Sluice always writes are required here; fields that are only present in some cases
// (weighted statistics, histograms of empty features…) are optional. `parseStatistics` fills the
// proto3 defaults (0, [], 'INT', 'STANDARD') that other writers may omit, so a parsed message has
// every required field.

/** The type of a feature's values (tensorflow_metadata's FeatureNameStatistics.Type). */
export type StatisticsFeatureType = 'INT' | 'FLOAT' | 'STRING' | 'BYTES' | 'STRUCT'

/** A feature's path: one step for a top-level feature, more for nested (STRUCT) features. */
export interface Path {
  step: string[]
}

/** The statistics of one or more data sets (in Sluice: one data set per split). */
export interface DatasetFeatureStatisticsList {
  datasets: DatasetFeatureStatistics[]
}

/** The statistics of one data set (a split, or a slice of one). */
export interface DatasetFeatureStatistics {
  /** The split name (or slice name). */
  name: string
  /** Number of examples (rows). */
  numExamples: number
  /** Sum of the weight feature over all examples; present only when a weight feature was given. */
  weightedNumExamples?: number
  features: FeatureNameStatistics[]
  crossFeatures?: CrossFeatureStatistics[]
}

/** The statistics of one feature. Exactly one of `numStats`, `stringStats`, `bytesStats`, `structStats` is set. */
export interface FeatureNameStatistics {
  /** The feature path (Sluice always writes `path`, never the legacy `name`). */
  path: Path
  /** Legacy top-level feature name; `parseStatistics` turns it into `path`. */
  name?: string
  type: StatisticsFeatureType
  numStats?: NumericStatistics
  stringStats?: StringStatistics
  bytesStats?: BytesStatistics
  structStats?: StructStatistics
  customStats?: CustomStatistic[]
}

/** Statistics every feature has, whatever its type. */
export interface CommonStatistics {
  /** Examples in which the feature is present (a value, or a list, possibly empty). */
  numNonMissing: number
  /** Examples in which the feature is absent (NULL). */
  numMissing: number
  /** Fewest values in one example where present (0 for an empty list). */
  minNumValues: number
  /** Most values in one example. */
  maxNumValues: number
  /** Average number of values per example where present. */
  avgNumValues: number
  /** Total number of values over all examples. */
  totNumValues: number
  /** Quantiles histogram of the number of values per example (where present). */
  numValuesHistogram?: Histogram
  /** The same, weighted by the weight feature; present only when a weight feature was given. */
  weightedCommonStats?: WeightedCommonStatistics
  /** Histogram of feature list lengths (SequenceExample only; never written by Sluice). */
  featureListLengthHistogram?: Histogram
  presenceAndValencyStats?: PresenceAndValencyStatistics[]
  weightedPresenceAndValencyStats?: WeightedCommonStatistics[]
}

/** Common statistics weighted by the weight feature. */
export interface WeightedCommonStatistics {
  numNonMissing: number
  numMissing: number
  avgNumValues: number
  totNumValues: number
}

/** Presence and valency at one nesting level (nested lists; never written by Sluice). */
export interface PresenceAndValencyStatistics {
  numNonMissing: number
  numMissing: number
  minNumValues: number
  maxNumValues: number
  totNumValues: number
}

/** Statistics of an INT or FLOAT feature. */
export interface NumericStatistics {
  commonStats: CommonStatistics
  /** Mean of the values, NaN excluded. */
  mean: number
  /** Population standard deviation of the values, NaN excluded. */
  stdDev: number
  /** Number of values equal to 0. */
  numZeros: number
  min: number
  median: number
  max: number
  /** One STANDARD (equal width) and one QUANTILES (equal count) histogram. */
  histograms: Histogram[]
  weightedNumericStats?: WeightedNumericStatistics
}

/** Numeric statistics weighted by the weight feature. */
export interface WeightedNumericStatistics {
  mean: number
  stdDev: number
  median: number
  histograms: Histogram[]
}

/** Statistics of a STRING feature, or of an INT/FLOAT feature the schema marks categorical. */
export interface StringStatistics {
  commonStats: CommonStatistics
  /** Number of distinct values. */
  unique: number
  /** The most frequent values, most frequent first. */
  topValues: FreqAndValue[]
  /** Average length of the values in bytes (UTF-8). */
  avgLength: number
  /** Frequency of the values by rank (rank 0 = most frequent). */
  rankHistogram?: RankHistogram
  weightedStringStats?: WeightedStringStatistics
  vocabularyFile?: string
  invalidUtf8Count?: number
}

/** A value and how often it occurs (weighted: the sum of weights). */
export interface FreqAndValue {
  value: string
  frequency: number
  /** @deprecated proto field 1, kept for reading old files. */
  deprecatedFreq?: number
}

/** String statistics weighted by the weight feature. */
export interface WeightedStringStatistics {
  topValues: FreqAndValue[]
  rankHistogram?: RankHistogram
}

/** Statistics of a BYTES feature (only when the schema says so). */
export interface BytesStatistics {
  commonStats: CommonStatistics
  unique: number
  avgNumBytes: number
  minNumBytes: number
  maxNumBytes: number
  maxNumBytesInt?: number
}

/** Statistics of a STRUCT feature (its children are separate features). */
export interface StructStatistics {
  commonStats: CommonStatistics
}

/** The kind of a {@link Histogram}. */
export type HistogramType = 'STANDARD' | 'QUANTILES'

/** A histogram of numeric values. */
export interface Histogram {
  /** Number of NaN values (not in any bucket). */
  numNan: number
  /** Number of values that could not be bucketed. */
  numUndefined: number
  buckets: HistogramBucket[]
  type: HistogramType
  name?: string
}

/** One histogram bucket: values in [lowValue, highValue) (the last bucket includes highValue). */
export interface HistogramBucket {
  lowValue: number
  highValue: number
  /** Number (or, weighted, total weight) of the values in the bucket. */
  sampleCount: number
  /** @deprecated proto field 3, kept for reading old files. */
  deprecatedCount?: number
}

/** Frequencies by rank. */
export interface RankHistogram {
  buckets: RankHistogramBucket[]
  name?: string
}

/** One rank bucket: ranks lowRank..highRank (Sluice: one rank per bucket, labelled with its value). */
export interface RankHistogramBucket {
  lowRank: number
  highRank: number
  label: string
  sampleCount: number
  /** @deprecated proto field 3, kept for reading old files. */
  deprecatedCount?: number
}

/** A statistic added by a custom generator. One of the value fields is set. */
export interface CustomStatistic {
  name: string
  num?: number
  str?: string
  histogram?: Histogram
  rankHistogram?: RankHistogram
}

/** Cross-feature statistics (never written by Sluice; typed loosely for reading). */
export interface CrossFeatureStatistics {
  pathX?: Path
  pathY?: Path
  count?: number
  numCrossStats?: { correlation?: number; covariance?: number }
  categoricalCrossStats?: Record<string, unknown>
}
