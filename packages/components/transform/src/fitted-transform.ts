// The fitted transform: the preprocessing graph with every analyzer replaced by a reference to its
// computed value, as versioned JSON, and the one function that applies it to raw rows in JS (the same
// code for materialising transformed examples, serving and evaluation, so they cannot skew).
import { TransformError } from './errors.js'
import type { Col } from './evaluate.js'
import { ColumnArena } from './column-arena.js'
import { columnOf, compileColumns, valueAt } from './evaluate.js'
import type { AnalyzerDef, AnalyzerRef, Expr, PerKeyStatistic, ScalarAnalyzerKind, TransformGraph, Value } from './tft/expr.js'
import { analyzerInputs, analyzerKey, analyzersOf, isLiteralList } from './tft/expr.js'
import { normalise } from './values.js'

export { TransformError } from './errors.js'
export { bucketOf, stringKey, toBoolean, toNumber } from './values.js'

/** The `format` field of a fitted transform. */
export const FITTED_TRANSFORM_FORMAT = 'sluice.fitted_transform'
/** The version of the fitted transform JSON this code writes and reads. */
export const FITTED_TRANSFORM_VERSION = 1

/** The computed value of one analyzer. */
export type FittedAnalyzer =
  | { readonly kind: ScalarAnalyzerKind; readonly value: number | null }
  | { readonly kind: 'quantiles'; readonly numBuckets: number; readonly boundaries: readonly number[] }
  | { readonly kind: 'vocabulary'; readonly tokens: readonly string[]; readonly frequencies: readonly number[] }
  /**
   * Per key value (as its vocabulary key, see `stringKey`), the statistics of the input over the
   * analysed rows with that key: `mean`, `var` (population) `min`, `max` (null when the key's rows
   * have no value) and `count` (non-missing values).
   */
  | ({ readonly kind: 'perKey'; readonly keys: readonly string[] } & { readonly [S in PerKeyStatistic]: readonly (number | null)[] })
  /** Per key value, its sorted, deduplicated quantile boundaries. */
  | { readonly kind: 'quantilesPerKey'; readonly numBuckets: number; readonly keys: readonly string[]; readonly boundaries: readonly (readonly number[])[] }

/** Analyzer values by {@link analyzerKey} of their definition: what `analyzeGraph` returns. */
export type AnalyzerValues = ReadonlyMap<string, FittedAnalyzer>

/** A fitted transform (JSON-serialisable). */
export interface FittedTransform {
  readonly format: typeof FITTED_TRANSFORM_FORMAT
  readonly version: typeof FITTED_TRANSFORM_VERSION
  /** The raw features the transform reads. */
  readonly inputs: readonly string[]
  /** The output features, in order. */
  readonly outputs: Readonly<Record<string, Expr<AnalyzerRef>>>
  /** Analyzer values by id (`{kind}_{n}`). */
  readonly analyzers: Readonly<Record<string, FittedAnalyzer>>
}

/**
 * Freezes a traced graph with its analyzer values: each analyzer definition becomes `{ id }`, its
 * value goes to `analyzers[id]`. Throws when a value is missing.
 */
export function fitTransform(graph: TransformGraph, values: AnalyzerValues): FittedTransform {
  const ids = new Map<string, string>()
  const analyzers: Record<string, FittedAnalyzer> = {}
  const ref = (a: AnalyzerDef): AnalyzerRef => {
    const key = analyzerKey(a)
    let id = ids.get(key)
    if (id === undefined) {
      const value = values.get(key)
      if (!value) throw new TransformError(`No value was computed for the ${a.kind} analyzer ${key}.`)
      if (value.kind !== a.kind) throw new TransformError(`The value computed for ${key} is a ${value.kind}, not a ${a.kind}.`)
      id = `${a.kind}_${ids.size}`
      ids.set(key, id)
      analyzers[id] = value
    }
    return { id }
  }
  const freeze = (e: Expr): Expr<AnalyzerRef> => {
    switch (e.op) {
      case 'input':
      case 'const':
        return e
      case 'binary':
        return { ...e, a: freeze(e.a), b: freeze(e.b) }
      case 'where':
        return { ...e, cond: freeze(e.cond), then: freeze(e.then), else: freeze(e.else) }
      case 'analyzer':
        return { op: 'analyzer', analyzer: ref(e.analyzer) }
      case 'perKey':
        return { ...e, analyzer: ref(e.analyzer), key: freeze(e.key) }
      case 'applyBucketsPerKey':
        return { ...e, x: freeze(e.x), key: freeze(e.key), boundaries: ref(e.boundaries) }
      case 'applyVocabulary':
        return { ...e, x: freeze(e.x), vocabulary: isLiteralList(e.vocabulary) ? e.vocabulary : ref(e.vocabulary) }
      case 'applyBuckets':
        return { ...e, x: freeze(e.x), boundaries: isLiteralList(e.boundaries) ? e.boundaries : ref(e.boundaries) }
      default:
        return { ...e, x: freeze(e.x) }
    }
  }
  const outputs: Record<string, Expr<AnalyzerRef>> = {}
  for (const [name, e] of Object.entries(graph.outputs)) outputs[name] = freeze(e)
  return { format: FITTED_TRANSFORM_FORMAT, version: FITTED_TRANSFORM_VERSION, inputs: [...graph.inputs], outputs, analyzers }
}

/** Every analyzer of a graph (nested analyzer inputs included), once each, in discovery order. */
export function collectAnalyzers(graph: TransformGraph): Map<string, AnalyzerDef> {
  const found = new Map<string, AnalyzerDef>()
  const visit = (e: Expr): void => {
    for (const a of analyzersOf(e)) {
      const key = analyzerKey(a)
      if (found.has(key)) continue
      for (const input of analyzerInputs(a)) visit(input)
      found.set(key, a)
    }
  }
  for (const e of Object.values(graph.outputs)) visit(e)
  return found
}

/**
 * The fitted transform as JSON text. JSON has no NaN or Infinity: such numbers (a `fillMissing(x, NaN)`
 * constant, an analyzer over NaN values) are written as `{"$number": "NaN" | "Infinity" | "-Infinity"}`.
 */
export function serializeFittedTransform(fitted: FittedTransform): string {
  return `${JSON.stringify(fitted, replaceNumber, 2)}\n`
}

/** JSON.stringify's replacer for NaN and ±Infinity: `{"$number": "NaN"}` (see {@link serializeFittedTransform}). */
export function replaceNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value
}

const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY }

/** JSON.parse's reviver undoing {@link replaceNumber}. */
export function reviveNumber(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value)
    const n = (value as { $number?: unknown }).$number
    if (keys.length === 1 && typeof n === 'string' && n in NON_FINITE) return NON_FINITE[n]
  }
  return value
}

/**
 * Reads a fitted transform from JSON text written by {@link serializeFittedTransform} (or an already
 * parsed value), checking its format, version and references.
 */
export function parseFittedTransform(json: string | unknown): FittedTransform {
  const value: unknown = typeof json === 'string' ? JSON.parse(json, reviveNumber) : json
  const code = 'SLUICE_TRANSFORM_INVALID_FITTED' as const
  if (typeof value !== 'object' || value === null) throw new TransformError('A fitted transform must be a JSON object.', { code })
  const v = value as Partial<FittedTransform>
  if (v.format !== FITTED_TRANSFORM_FORMAT) throw new TransformError(`Not a fitted transform: format is ${JSON.stringify(v.format)}, expected "${FITTED_TRANSFORM_FORMAT}".`, { code })
  if (v.version !== FITTED_TRANSFORM_VERSION) {
    throw new TransformError(`Fitted transform version ${String(v.version)} is not supported (this code reads version ${FITTED_TRANSFORM_VERSION}).`, {
      code,
      fix: 'Read it with the version of @sluice/component-transform that wrote it, or run Transform again.',
    })
  }
  if (!Array.isArray(v.inputs) || typeof v.outputs !== 'object' || v.outputs === null || typeof v.analyzers !== 'object' || v.analyzers === null) {
    throw new TransformError('A fitted transform needs "inputs", "outputs" and "analyzers".', { code })
  }
  const fitted = v as FittedTransform
  try {
    compileColumns(fitted) // validates every node and analyzer reference
  } catch (cause) {
    if (cause instanceof TransformError) throw new TransformError(cause.message, { code, cause })
    throw cause
  }
  return fitted
}

/**
 * A raw row: an object of feature name to value (any object type, interfaces included). `undefined`
 * and `null` mean missing; bigints are converted to numbers.
 */
export type RawRow = object
/** A transformed row: output name to value (`null` where missing). */
export type TransformedRow = Record<string, Value>

/**
 * A fitted transform compiled once (see src/evaluate.ts): apply it to any number of rows or column
 * chunks. The materialised transformed examples, {@link applyTransform} and
 * `readTransformOutput(…).transformRows` all run this code, so training, evaluation and serving
 * compute the same values.
 */
export interface CompiledTransform {
  /** The raw features read, in order. */
  readonly inputs: readonly string[]
  /** The outputs, in order. */
  readonly outputs: readonly string[]
  /** The outputs of one raw row. */
  applyRow(row: RawRow): TransformedRow
  /** The outputs of raw rows, computed in chunks of 2,048 rows. */
  applyRows(rows: Iterable<RawRow>): TransformedRow[]
  /**
   * The outputs of `rowCount` rows given as columns: `columns[i]` holds the values of `inputs[i]`.
   * Returns one array per output, in `outputs` order.
   */
  applyColumns(columns: readonly (readonly unknown[])[], rowCount: number): Value[][]
  /**
   * As {@link CompiledTransform.applyColumns}, but a numeric output (numbers, booleans as 0/1) comes as
   * its values and missing mask (`missing[i] === 1`, or null when none is) instead of a list of boxed
   * values: what a model's input buffers are filled from. Other outputs come as lists. The typed arrays
   * are reused by the next call: read them first.
   */
  applyColumnsNumeric(columns: readonly (readonly unknown[])[], rowCount: number): (NumericColumn | Value[])[]
}

/** A numeric output column of {@link CompiledTransform.applyColumnsNumeric}. */
export interface NumericColumn {
  readonly values: Float64Array
  readonly missing: Uint8Array | null
}

const CHUNK_ROWS = 2048

/** Compiles a fitted transform (checking every node and analyzer reference) for repeated application. */
export function compileTransform(fitted: FittedTransform): CompiledTransform {
  const program = compileColumns(fitted)
  const { inputs, outputs } = program
  // The input columns of the chunk being run; the program's own arena holds what it computes.
  const inputArena = new ColumnArena()
  const toRows = (results: Col[], n: number, into: TransformedRow[]) => {
    for (let i = 0; i < n; i++) {
      const row: TransformedRow = {}
      for (let j = 0; j < outputs.length; j++) row[outputs[j]!] = valueAt(results[j]!, i)
      into.push(row)
    }
  }
  const applyRows = (rows: Iterable<RawRow>): TransformedRow[] => {
    const out: TransformedRow[] = []
    let batch: RawRow[] = []
    const flush = () => {
      inputArena.reset()
      const columns = inputs.map((name) => columnOf(batch.map((row) => normalise((row as Record<string, unknown>)[name], name)), batch.length, inputArena))
      toRows(program.run(columns, batch.length), batch.length, out)
      batch = []
    }
    for (const row of rows) {
      batch.push(row)
      if (batch.length === CHUNK_ROWS) flush()
    }
    if (batch.length > 0) flush()
    return out
  }
  const runColumns = (columns: readonly (readonly unknown[])[], rowCount: number, method: string): Col[] => {
    if (columns.length !== inputs.length) throw new TransformError(`${method}: expected ${inputs.length} input column(s) (${inputs.join(', ')}), got ${columns.length}.`)
    inputArena.reset()
    const cols = columns.map((values, k) => {
      const v = new Array<Value>(rowCount)
      for (let i = 0; i < rowCount; i++) v[i] = normalise(values[i], inputs[k]!)
      return columnOf(v, rowCount, inputArena)
    })
    return program.run(cols, rowCount)
  }
  const boxed = (col: Col, rowCount: number): Value[] => {
    const v = new Array<Value>(rowCount)
    for (let i = 0; i < rowCount; i++) v[i] = valueAt(col, i)
    return v
  }
  return {
    inputs,
    outputs,
    applyRow: (row) => applyRows([row])[0]!,
    applyRows,
    applyColumns: (columns, rowCount) => runColumns(columns, rowCount, 'applyColumns').map((col) => boxed(col, rowCount)),
    applyColumnsNumeric: (columns, rowCount) =>
      runColumns(columns, rowCount, 'applyColumnsNumeric').map((col): NumericColumn | Value[] => {
        if (col.t === 'n') return { values: col.v, missing: col.m }
        if (col.t === 'b') return { values: Float64Array.from(col.v), missing: col.m }
        if (col.t === 'c' && typeof col.v === 'number') return { values: new Float64Array(rowCount).fill(col.v), missing: null }
        return boxed(col, rowCount)
      }),
  }
}

/**
 * Applies a fitted transform to raw rows in memory. Returns one object per row with the transform's
 * outputs, in output order. Missing values propagate (null) except through `fillMissing`,
 * `isMissing` and `where`'s condition.
 */
export function applyTransform(fitted: FittedTransform, rows: Iterable<RawRow>): TransformedRow[] {
  return compileTransform(fitted).applyRows(rows)
}
