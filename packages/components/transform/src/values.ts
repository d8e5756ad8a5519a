// How values convert, in the one place every path uses: numbers, booleans and the string token of
// vocabularies, hashes and per-key lookups.
import { TransformError } from './errors.js'
import type { Value } from './tft/expr.js'

/** The bucket of `x`: the number of boundaries `<= x`; NaN goes to the last bucket. */
export function bucketOf(x: number, boundaries: readonly number[]): number {
  if (Number.isNaN(x)) return boundaries.length
  let lo = 0
  let hi = boundaries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (boundaries[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** A raw value as a transform value: bigints become numbers, `undefined` null; anything else fails naming the feature. */
export function normalise(v: unknown, feature: string): Value {
  if (v === undefined || v === null) return null
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v
  throw new TransformError(
    `Feature "${feature}": unsupported raw value ${Array.isArray(v) ? `[${v.slice(0, 5).map(String).join(', ')}${v.length > 5 ? ', …' : ''}]` : String(v)} (${Array.isArray(v) ? 'a list' : typeof v}); the transform reads scalar numbers, strings and booleans.`,
    { code: 'SLUICE_TRANSFORM_APPLY_FAILED', fix: Array.isArray(v) ? 'List (multivalent) features are not supported by Transform: give the feature one value per example.' : 'Convert the value to a number or a string first.' },
  )
}

/** A value as a number: booleans 1/0, numeric strings parsed, anything else missing. */
export function toNumber(v: Value): number | null {
  if (v === null) return null
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  const trimmed = v.trim()
  if (trimmed === '') return null
  const n = Number(trimmed)
  return Number.isNaN(n) && trimmed.toLowerCase() !== 'nan' ? null : n
}

/** A value as a boolean: numbers non-zero, strings true/t/1 and false/f/0, anything else missing. */
export function toBoolean(v: Value): boolean | null {
  if (v === null) return null
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return Number.isNaN(v) ? null : v !== 0
  const s = v.trim().toLowerCase()
  if (s === 'true' || s === 't' || s === '1') return true
  if (s === 'false' || s === 'f' || s === '0') return false
  return null
}

/**
 * The vocabulary and hash key of a value: strings as they are, integral numbers without a decimal
 * point (`3`, as for an INT64 feature), other numbers in JS's shortest form, booleans `true`/`false`.
 */
export function stringKey(v: Exclude<Value, null>): string {
  if (typeof v !== 'number') return String(v)
  // Ids cast to strings for a vocabulary (census tracts, product ids) repeat across rows, and
  // String() of an 11-digit number costs about 110 ns where a Map lookup by the number costs 15.
  // Map keys compare as SameValueZero, so -0 meets 0 and NaN meets NaN: their strings are equal too.
  let key = numberKeys.get(v)
  if (key === undefined) {
    key = String(v)
    if (numberKeys.size < MAX_NUMBER_KEYS) numberKeys.set(v, key)
  }
  return key
}

/** Bounds the cache of {@link stringKey}: past it, numbers are converted each time. */
const MAX_NUMBER_KEYS = 65_536
const numberKeys = new Map<number, string>()
