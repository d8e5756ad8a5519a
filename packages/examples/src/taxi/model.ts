// The user module of the taxi example's trainer (TFX's `module_file`): how a raw CSV row becomes
// features and a label. Editing this file changes the trainer's cache key, so the next run retrains
// and re-evaluates while everything upstream stays cached.

/** One taxi trip as ExampleGen wrote it: numbers and strings, null where the CSV cell was empty. */
export type TaxiRow = Record<string, unknown>

const PAYMENT_TYPES = ['Credit Card', 'Cash', 'No Charge', 'Dispute', 'Unknown']

/** Names of the model's inputs, in order. */
export const featureNames = ['fare', 'trip_miles', 'trip_seconds', 'trip_start_hour', ...PAYMENT_TYPES.map((p) => `payment=${p}`)]

function numberOr(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number.NaN
  return Number.isFinite(n) ? n : fallback
}

/** Numeric features of one row, aligned with {@link featureNames}. */
export function toFeatures(row: TaxiRow): number[] {
  return [
    Math.log1p(numberOr(row.fare, 0)),
    Math.log1p(numberOr(row.trip_miles, 0)),
    Math.log1p(numberOr(row.trip_seconds, 0)),
    numberOr(row.trip_start_hour, 12),
    ...PAYMENT_TYPES.map((p) => (row.payment_type === p ? 1 : 0)),
  ]
}

/** TFX's taxi label: the tip was more than 20% of the fare. */
export function label(row: TaxiRow): 0 | 1 {
  return numberOr(row.tips, 0) > 0.2 * numberOr(row.fare, 0) ? 1 : 0
}
