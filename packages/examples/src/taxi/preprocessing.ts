// The taxi example's Transform module (TFX's `taxi_utils.preprocessing_fn`): how raw trips become
// model features. Transform fits the analyzers (means, variances, vocabularies, quantiles) on the
// train split once; the same fitted transform then runs in training, evaluation and serving.
import type { Column, PreprocessingFn, Tft } from '@sluice/component-transform'

/** Trip quantities, z-scored. */
export const DENSE_FLOAT_FEATURES = ['trip_miles', 'fare', 'trip_seconds'] as const
/** Strings mapped through a vocabulary with out-of-vocabulary buckets. */
export const VOCABULARY_FEATURES = ['payment_type', 'company'] as const
/** Coordinates bucketized into deciles. */
export const BUCKET_FEATURES = ['pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude'] as const
/** Small integers used as categories, with the number of values each can take (TFX's maxima). */
export const CATEGORICAL_FEATURES = { trip_start_hour: 24, trip_start_day: 8, trip_start_month: 13, pickup_community_area: 78, dropoff_community_area: 78 } as const
/** Census tracts are 11-digit ids: a vocabulary makes them dense categories. */
export const TRACT_FEATURES = ['pickup_census_tract', 'dropoff_census_tract'] as const

export const VOCABULARY_SIZE = 1000
export const OOV_BUCKETS = 10
export const FEATURE_BUCKETS = 10
export const DENSE_BUCKETS = 20

/** The raw label column and the transformed label feature. */
export const RAW_LABEL_KEY = 'tips'
export const LABEL_KEY = 'tips_xf'

/** The transformed name of a raw feature (TFX's `_transformed_name`). */
export const transformedName = (key: string): string => `${key}_xf`
/** The name of a dense feature's quantile bucket. */
export const bucketizedName = (key: string): string => `${key}_bucket_xf`

export const preprocessingFn: PreprocessingFn = (inputs, tft: Tft) => {
  const outputs: Record<string, Column> = {}
  for (const key of DENSE_FLOAT_FEATURES) {
    // TFX fills missing values with the default before scaling.
    const value = tft.fillMissing(tft.cast(inputs[key]!, 'float'), 0)
    outputs[transformedName(key)] = tft.scaleToZScore(value)
    // Quantile buckets too: fares and distances are heavy-tailed, and the tip share depends on the
    // fare non-linearly (a fixed tip on a short ride is a big share).
    outputs[bucketizedName(key)] = tft.bucketize(value, DENSE_BUCKETS)
  }
  for (const key of VOCABULARY_FEATURES) {
    outputs[transformedName(key)] = tft.computeAndApplyVocabulary(tft.fillMissing(inputs[key]!, ''), { topK: VOCABULARY_SIZE, numOovBuckets: OOV_BUCKETS })
  }
  for (const key of TRACT_FEATURES) {
    outputs[transformedName(key)] = tft.computeAndApplyVocabulary(tft.fillMissing(tft.cast(inputs[key]!, 'string'), ''), { topK: VOCABULARY_SIZE, numOovBuckets: OOV_BUCKETS })
  }
  for (const key of BUCKET_FEATURES) {
    outputs[transformedName(key)] = tft.bucketize(tft.fillMissing(tft.cast(inputs[key]!, 'float'), 0), FEATURE_BUCKETS)
  }
  for (const [key, size] of Object.entries(CATEGORICAL_FEATURES)) {
    // Literal boundaries 1..size-1 keep the value as it is within [0, size) and clamp anything outside,
    // so a model's one-hot encoding never sees an index it has no slot for.
    const boundaries = Array.from({ length: size - 1 }, (_, i) => i + 1)
    outputs[transformedName(key)] = tft.applyBuckets(tft.fillMissing(tft.cast(inputs[key]!, 'int'), 0), boundaries)
  }
  // The label: a big tipper gave more than 20% of the fare; a trip without a fare is not one.
  const fare = inputs.fare!
  const tips = inputs[RAW_LABEL_KEY]!
  outputs[LABEL_KEY] = tft.where(tft.gt(tips, tft.mul(fare, 0.2)), 1, 0)
  return outputs
}
