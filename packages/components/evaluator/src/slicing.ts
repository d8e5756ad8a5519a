// Slices: which examples each slicing spec groups together, in one pass over the rows per spec, and
// which slices a threshold's slicing spec applies to (TFMA's `is_slice_applicable`).
import type { SlicingSpec } from './config.js'
import { sliceFeatures } from './config.js'
import { EvaluatorError } from './errors.js'
import type { SliceKey, SliceValue } from './types.js'

/** The examples of one slice. */
export interface SliceGroup {
  readonly key: SliceKey
  readonly name: string
  /** Row positions, ascending. */
  readonly indices: Int32Array
}

/** TFMA's slice name: `Overall`, `payment_type:Cash`, crosses `payment_type_X_company:Cash_X_Flash Cab`. */
export function sliceName(key: SliceKey): string {
  const entries = Object.entries(key)
  if (entries.length === 0) return 'Overall'
  return `${entries.map(([f]) => f).join('_X_')}:${entries.map(([, v]) => String(v)).join('_X_')}`
}

/**
 * Whether a slicing spec applies to a slice: the slice is over exactly the spec's features, with the
 * spec's pinned values (`{}` applies to Overall only).
 */
export function sliceMatches(spec: SlicingSpec, key: SliceKey): boolean {
  const features = sliceFeatures(spec)
  const keyFeatures = Object.keys(key)
  if (features.length !== keyFeatures.length || !features.every((f) => f in key)) return false
  return Object.entries(spec.featureValues ?? {}).every(([f, v]) => String(key[f]) === String(v))
}

/** A row's value as a slice value; undefined when missing. */
function toSliceValue(value: unknown): SliceValue | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value)
  if (value instanceof Date) return value.toISOString()
  return String(value)
}

function valuesOf(value: unknown): SliceValue[] {
  if (Array.isArray(value)) return [...new Set(value.map(toSliceValue).filter((v): v is SliceValue => v !== undefined))]
  const single = toSliceValue(value)
  return single === undefined ? [] : [single]
}

function compareValues(a: SliceValue, b: SliceValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0
}

/**
 * Groups `n` rows into the slices of `specs`: Overall (`{}`) holds every row; `featureKeys` makes
 * one slice per value (a list-valued feature puts a row in one slice per distinct value; several
 * keys give the cross product); `featureValues` keeps only rows with the pinned value. Rows missing a
 * feature are in none of its slices. A slice produced by several specs appears once. Overall first,
 * then spec by spec with values in ascending order.
 *
 * @param column The values of a feature, one per row.
 */
export function groupSlices(n: number, specs: readonly SlicingSpec[], column: (feature: string) => ArrayLike<unknown>): SliceGroup[] {
  const groups = new Map<string, { key: SliceKey; rows: number[]; owner: number }>()
  const ordered: string[][] = []
  const ordering = [...specs].sort((a, b) => (sliceFeatures(a).length === 0 ? -1 : 0) - (sliceFeatures(b).length === 0 ? -1 : 0))
  for (const [owner, spec] of ordering.entries()) {
    const features = sliceFeatures(spec)
    const columns = features.map((f) => column(f))
    const pinned = features.map((f) => (spec.featureValues && f in spec.featureValues ? String(spec.featureValues[f]) : undefined))
    const specIds: string[] = []
    ordered.push(specIds)
    for (let row = 0; row < n; row++) {
      // The cross product of the row's values of each feature.
      let combos: SliceValue[][] = [[]]
      for (let j = 0; j < features.length && combos.length > 0; j++) {
        let values = valuesOf(columns[j]![row])
        if (pinned[j] !== undefined) values = values.filter((v) => String(v) === pinned[j]).slice(0, 1)
        combos = values.length === 0 ? [] : combos.flatMap((combo) => values.map((v) => [...combo, v]))
      }
      for (const combo of combos) {
        const id = JSON.stringify(features.map((f, j) => [f, combo[j]]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)))
        let group = groups.get(id)
        if (!group) {
          group = { key: Object.fromEntries(features.map((f, j) => [f, combo[j]!])), rows: [], owner }
          groups.set(id, group)
          specIds.push(id)
        }
        // A slice an earlier spec already produced has the same rows: keep them once.
        if (group.owner === owner) group.rows.push(row)
      }
    }
    if (features.length > 0) {
      specIds.sort((a, b) => {
        const ka = Object.values(groups.get(a)!.key)
        const kb = Object.values(groups.get(b)!.key)
        for (let j = 0; j < ka.length; j++) {
          const c = compareValues(ka[j]!, kb[j]!)
          if (c !== 0) return c
        }
        return 0
      })
    }
  }
  const out: SliceGroup[] = []
  const emitted = new Set<string>()
  for (const ids of ordered) {
    for (const id of ids) {
      if (emitted.has(id)) continue
      emitted.add(id)
      const group = groups.get(id)!
      out.push({ key: group.key, name: sliceName(group.key), indices: Int32Array.from(group.rows) })
    }
  }
  // Overall exists even with no rows, so that thresholds on it fail rather than go missing.
  if (ordering.some((s) => sliceFeatures(s).length === 0) && !out.some((g) => Object.keys(g.key).length === 0)) {
    out.unshift({ key: {}, name: 'Overall', indices: new Int32Array(0) })
  }
  return out
}

/** Thrown when a slicing feature is neither a column nor a transformed feature. */
export function missingSliceFeature(feature: string, available: readonly string[]): EvaluatorError {
  return new EvaluatorError('SLUICE_EVALUATOR_MISSING_KEY', `Slicing feature "${feature}" is not a column of the examples nor an output of the model's transform.`, {
    fix: `Slice by one of: ${available.slice(0, 40).join(', ')}${available.length > 40 ? ', …' : ''}.`,
  })
}
