// TFX's taxi `preprocessing_fn` (taxi_utils_native_keras.py, paraphrased in shared/reference/tfx.md
// §5.3) for the Transform benchmark. A stand-in until packages/examples/src/taxi/preprocessing.ts
// exists: transform-throughput.ts uses that module when it is there.
import type { PreprocessingFn } from '@sluice/component-transform'

const DENSE_FLOAT_FEATURES = ['trip_miles', 'fare', 'trip_seconds']
const VOCAB_FEATURES = ['payment_type', 'company']
const BUCKET_FEATURES = ['pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude']
const CATEGORICAL_FEATURES = [
  'trip_start_hour',
  'trip_start_day',
  'trip_start_month',
  'pickup_census_tract',
  'dropoff_census_tract',
  'pickup_community_area',
  'dropoff_community_area',
]
const VOCAB_SIZE = 1000
const OOV_SIZE = 10
const FEATURE_BUCKET_COUNT = 10

const xf = (key: string) => `${key}_xf`

/** Scaled floats, vocabularies with OOV buckets, bucketized coordinates, filled categoricals and the big-tipper label. */
export const preprocessingFn: PreprocessingFn = (inputs, tft) => {
  const outputs: Record<string, ReturnType<typeof tft.constant>> = {}
  for (const key of DENSE_FLOAT_FEATURES) outputs[xf(key)] = tft.scaleToZScore(tft.fillMissing(inputs[key]!, 0))
  for (const key of VOCAB_FEATURES) outputs[xf(key)] = tft.computeAndApplyVocabulary(tft.fillMissing(inputs[key]!, ''), { topK: VOCAB_SIZE, numOovBuckets: OOV_SIZE })
  for (const key of BUCKET_FEATURES) outputs[xf(key)] = tft.bucketize(tft.fillMissing(inputs[key]!, 0), FEATURE_BUCKET_COUNT)
  for (const key of CATEGORICAL_FEATURES) outputs[xf(key)] = tft.fillMissing(inputs[key]!, 0)
  // Big tipper: tips > 20% of the fare; 0 when the fare is missing (NaN compares false).
  const fare = tft.fillMissing(inputs.fare!, Number.NaN)
  outputs.tips_xf = tft.cast(tft.gt(tft.fillMissing(inputs.tips!, 0), tft.mul(fare, 0.2)), 'int')
  return outputs
}
