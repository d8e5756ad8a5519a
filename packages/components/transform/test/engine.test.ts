// The columnar engine (src/evaluate.ts) against the row-at-a-time closure engine it replaced
// (test/reference-engine.ts): every operation, on every kind of value — numbers, NaN, ±Infinity,
// -0, numeric and other strings, booleans, missing — must give the identical value (Object.is).
import { describe, expect, it } from 'vitest'
import { applyTransform, collectAnalyzers, compileTransform, fitTransform, tft, traceTransform } from '@sluice/component-transform'
import type { AnalyzerValues, Column, FittedAnalyzer, Operand, TransformInputs } from '@sluice/component-transform'
import { analyzerKey } from '../src/tft/expr.js'
import { referenceApply } from './reference-engine.js'
import { seededRandom } from '@sluice/core'

const random = seededRandom(7)
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
const NUMBERS = [0, -0, 1, 2, 2.5, -3, 3, 1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null]
const STRINGS = ['a', 'b', '3', '3.5', '', ' 2 ', 'true', 'f', 'NaN', 'é', null]
const MIXED = [...NUMBERS, ...STRINGS, true, false, undefined]

// 3,000 rows: more than one 2,048-row chunk.
const ROWS = Array.from({ length: 3000 }, () => ({
  x: pick(NUMBERS),
  y: pick(NUMBERS),
  s: pick(STRINGS),
  f: pick([true, false, null]),
  m: pick(MIXED),
  k: pick(['a', 'b', '3', 'zz', 3, null]),
}))

function analyzerValue(kind: string, key: string): FittedAnalyzer {
  // Deterministic values per analyzer, including the awkward ones (null, NaN, zero variance).
  const h = [...key].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7)
  switch (kind) {
    case 'perKey':
      return { kind: 'perKey', keys: ['3', 'a', 'b'], mean: [1, null, 2.5], var: [0, 4, Number.NaN], min: [0, 1, 1], max: [0, 5, 2], count: [3, 1, 7] }
    case 'quantilesPerKey':
      return { kind: 'quantilesPerKey', numBuckets: 3, keys: ['3', 'a', 'b'], boundaries: [[0, 1], [2.5], []] }
    case 'quantiles':
      return { kind: 'quantiles', numBuckets: 3, boundaries: [0, 2.5] }
    case 'vocabulary':
      return { kind: 'vocabulary', tokens: ['a', '3', 'true', '2.5'], frequencies: [4, 3, 2, 1] }
    default:
      return { kind: kind as 'mean', value: [null, 2, Number.NaN, 0, -1.5][h % 5]! }
  }
}

function everyOperation(inputs: TransformInputs): Record<string, Column> {
  const { x, y, s, f, m, k } = inputs as Record<string, Column>
  const operands: Record<string, Operand> = { x: x!, y: y!, s: s!, f: f!, m: m!, zero: 0, half: 2.5, text: 'b', none: null, yes: true }
  const out: Record<string, Column> = {}
  for (const fn of ['add', 'sub', 'mul', 'div', 'gt', 'ge', 'lt', 'le', 'eq', 'and', 'or'] as const) {
    for (const [an, a] of Object.entries(operands)) for (const [bn, b] of Object.entries(operands)) if (['x', 'y', 's', 'f', 'm'].includes(an) || ['x', 'y', 's', 'f', 'm'].includes(bn)) out[`${fn}_${an}_${bn}`] = tft[fn](a, b)
  }
  for (const [name, c] of Object.entries({ x: x!, y: y!, s: s!, f: f!, m: m! })) {
    out[`not_${name}`] = tft.not(c)
    out[`sqrt_${name}`] = tft.sqrt(c)
    out[`sigmoid_${name}`] = tft.sigmoid(c)
    out[`missing_${name}`] = tft.isMissing(c)
    for (const to of ['float', 'int', 'string', 'bool'] as const) out[`cast_${to}_${name}`] = tft.cast(c, to)
    for (const [fn, fill] of Object.entries({ zero: 0, nan: Number.NaN, z: 'z', yes: true, none: null })) out[`fill_${fn}_${name}`] = tft.fillMissing(c, fill)
    out[`vocab_${name}`] = tft.applyVocabulary(c, ['a', '3', 'true'])
    out[`vocab_oov_${name}`] = tft.applyVocabulary(c, ['a', '3'], { numOovBuckets: 2 })
    out[`vocab_default_${name}`] = tft.applyVocabulary(c, ['b'], { defaultValue: 9 })
    out[`analyzed_vocab_${name}`] = tft.computeAndApplyVocabulary(c, { numOovBuckets: 1 })
    out[`buckets_${name}`] = tft.applyBuckets(c, [0, 1, 2.5])
    out[`bucketize_${name}`] = tft.bucketize(c, 3)
    out[`hash_${name}`] = tft.hashStrings(c, 5)
    out[`z_${name}`] = tft.scaleToZScore(c)
    out[`unit_${name}`] = tft.scaleTo01(c)
    out[`z_key_${name}`] = tft.scaleToZScorePerKey(c, k!)
    out[`unit_key_${name}`] = tft.scaleTo01PerKey(c, k!)
    out[`bucket_key_${name}`] = tft.bucketizePerKey(c, k!, 3)
    out[`count_key_${name}`] = tft.countPerKey(c)
    for (const [cn, cond] of Object.entries({ f: f!, gt: tft.gt(x!, y!), s: s!, yes: true, no: false })) {
      out[`where_${cn}_${name}_x`] = tft.where(cond, c, x!)
      out[`where_${cn}_${name}_text`] = tft.where(cond, c, 'other')
      out[`where_${cn}_${name}_none`] = tft.where(cond, null, c)
    }
  }
  out.label = tft.cast(tft.gt(tft.fillMissing(y!, 0), tft.mul(tft.fillMissing(x!, Number.NaN), 0.2)), 'int')
  return out
}

describe('the columnar engine', () => {
  const graph = traceTransform(everyOperation)
  const values: AnalyzerValues = new Map([...collectAnalyzers(graph)].map(([key, a]) => [key, analyzerValue(a.kind, analyzerKey(a))]))
  const fitted = fitTransform(graph, values)

  it('gives the values of the row-at-a-time reference engine for every operation and kind of value', () => {
    const expected = referenceApply(fitted, ROWS)
    const actual = applyTransform(fitted, ROWS)
    expect(actual).toHaveLength(ROWS.length)
    const names = Object.keys(fitted.outputs)
    expect(names.length).toBeGreaterThan(1000)
    for (let i = 0; i < ROWS.length; i++) {
      for (const name of names) {
        if (!Object.is(actual[i]![name], expected[i]![name])) {
          throw new Error(`row ${i} ${JSON.stringify(ROWS[i])}, output "${name}": ${String(actual[i]![name])} (${typeof actual[i]![name]}), reference ${String(expected[i]![name])} (${typeof expected[i]![name]})`)
        }
      }
    }
  })

  it('reuses its column memory from chunk to chunk without one chunk changing another (chunks of varying sizes)', () => {
    // Columns are carved out of one buffer per program, grown to the largest chunk and reused: a small
    // chunk after a large one, and a large one after small ones, must still give the reference values.
    const compiled = compileTransform(fitted)
    const names = compiled.outputs
    const expected = referenceApply(fitted, ROWS)
    const results: { start: number; size: number; columns: unknown[][] }[] = []
    let start = 0
    for (const size of [1, 33, 5, 700, 3, 2048, 9, 33]) {
      const rows = ROWS.slice(start, start + size)
      const columns = compiled.inputs.map((name) => rows.map((r) => (r as Record<string, unknown>)[name]))
      results.push({ start, size, columns: compiled.applyColumns(columns, size) })
      start = (start + size) % (ROWS.length - 2048)
    }
    for (const { start: first, size, columns } of results) {
      for (let i = 0; i < size; i++) {
        names.forEach((name, j) => {
          if (!Object.is(columns[j]![i], expected[first + i]![name])) throw new Error(`chunk at ${first} (${size} rows), row ${i}, output "${name}": ${String(columns[j]![i])}, reference ${String(expected[first + i]![name])}`)
        })
      }
    }
  })

  it('gives the same values row by row, in batches and from columns', () => {
    const compiled = compileTransform(fitted)
    const rows = ROWS.slice(0, 50)
    const batch = compiled.applyRows(rows)
    expect(rows.map((r) => compiled.applyRow(r))).toEqual(batch)
    const columns = compiled.inputs.map((name) => rows.map((r) => (r as Record<string, unknown>)[name]))
    const byColumn = compiled.applyColumns(columns, rows.length)
    batch.forEach((row, i) => compiled.outputs.forEach((name, j) => expect(Object.is(byColumn[j]![i], row[name])).toBe(true)))
    // Numeric outputs as typed values and a missing mask (booleans as 1/0), the others as lists.
    const numeric = compiled.applyColumnsNumeric(columns, rows.length)
    let typed = 0
    numeric.forEach((col, j) => {
      if (!Array.isArray(col)) typed++
      for (let i = 0; i < rows.length; i++) {
        const value = Array.isArray(col) ? col[i] : col.missing !== null && col.missing[i] === 1 ? null : col.values[i]
        const expected = byColumn[j]![i]
        if (!Object.is(value, typeof expected === 'boolean' && !Array.isArray(col) ? Number(expected) : expected)) throw new Error(`output "${compiled.outputs[j]}", row ${i}: ${String(value)}, applyColumns ${String(expected)}`)
      }
    })
    expect(typed).toBeGreaterThan(numeric.length / 2)
  })
})
