// What the outputs of a transform are, statically: their feature type (from the expression and the
// raw input types, the same for every split), whether they can be missing, and the integer range of
// categorical outputs. From these comes the transformed schema (TFT's `transformed_metadata`).
import type { FeatureType } from '@sluice/data/examples'
import type { Feature, Schema } from '@sluice/data/schema'
import { TransformError } from './errors.js'
import type { FittedTransform } from './fitted-transform.js'
import { applyTransform, toBoolean, toNumber } from './fitted-transform.js'
import type { AnalyzerRef, Expr } from './tft/expr.js'
import { childrenOf, isLiteralList } from './tft/expr.js'

/** The feature type of an output: INT (BIGINT), FLOAT (DOUBLE), STRING (VARCHAR) or BOOL (BOOLEAN). */
export type OutputType = 'INT' | 'FLOAT' | 'STRING' | 'BOOL'

/** Raw feature types by name: `FeatureType`s, or DuckDB/schema spellings (`BOOLEAN`, `BYTES`). */
export type InputTypes = Readonly<Record<string, FeatureType | string>>

/**
 * The static type of an expression given the raw features' types. `NULL` is the type of a constant
 * null (it unifies with anything). Throws when a `where` or `fillMissing` mixes strings and numbers.
 */
export function expressionType<A>(e: Expr<A>, inputTypes: InputTypes): OutputType | 'NULL' {
  const typeOf = (x: Expr<A>): OutputType | 'NULL' => {
    switch (x.op) {
      case 'input': {
        const t = String(inputTypes[x.name] ?? '').toUpperCase()
        return t === 'INT' ? 'INT' : t === 'FLOAT' ? 'FLOAT' : t === 'BOOL' || t === 'BOOLEAN' ? 'BOOL' : 'STRING'
      }
      case 'const':
        return constantType(x.value)
      case 'binary':
        return ['add', 'sub', 'mul', 'div'].includes(x.fn) ? 'FLOAT' : 'BOOL'
      case 'not':
      case 'isMissing':
        return 'BOOL'
      case 'sqrt':
      case 'sigmoid':
      case 'analyzer':
        return 'FLOAT'
      case 'perKey':
        return x.statistic === 'count' ? 'INT' : 'FLOAT'
      case 'cast':
        return ({ float: 'FLOAT', int: 'INT', string: 'STRING', bool: 'BOOL' } as const)[x.to]
      case 'applyVocabulary':
      case 'applyBuckets':
      case 'applyBucketsPerKey':
      case 'hashStrings':
        return 'INT'
      case 'fillMissing':
        return unify(typeOf(x.x), constantType(x.value), x.op)
      case 'where':
        return unify(typeOf(x.then), typeOf(x.else), x.op)
    }
  }
  return typeOf(e)
}

function constantType(value: unknown): OutputType | 'NULL' {
  if (value === null) return 'NULL'
  if (typeof value === 'boolean') return 'BOOL'
  if (typeof value === 'string') return 'STRING'
  return Number.isInteger(value) ? 'INT' : 'FLOAT'
}

function unify(a: OutputType | 'NULL', b: OutputType | 'NULL', op: string): OutputType | 'NULL' {
  if (a === 'NULL' || a === b) return b
  if (b === 'NULL') return a
  if ((a === 'INT' || a === 'FLOAT') && (b === 'INT' || b === 'FLOAT')) return 'FLOAT'
  throw new TransformError(`A ${op} mixes ${a} and ${b} values.`, { fix: 'Cast one side with tft.cast(x, …) so both have one type.' })
}

/** The type of every output of `fitted`, given the raw features' types (INT, FLOAT, STRING, …). */
export function outputTypes(fitted: FittedTransform, inputTypes: InputTypes): Record<string, OutputType> {
  const out: Record<string, OutputType> = {}
  for (const [name, e] of Object.entries(fitted.outputs)) {
    let t: OutputType | 'NULL'
    try {
      t = expressionType(e, inputTypes)
    } catch (cause) {
      if (!(cause instanceof TransformError)) throw cause
      throw new TransformError(`Transform: output "${name}": ${cause.message}`, { cause, ...(cause.fix ? { fix: cause.fix } : {}) })
    }
    out[name] = t === 'NULL' ? 'FLOAT' : t
  }
  return out
}

/**
 * Whether an output can be missing (null) for some row. Conservative: `false` only when every path
 * yields a value — a constant, `fillMissing` with a value, a per-key lookup, or operations on such
 * values that cannot fail. `requiredInputs` are raw features that are never missing (their schema
 * presence has `minFraction: 1`).
 */
export function mayBeMissing(fitted: FittedTransform, e: Expr<AnalyzerRef>, inputTypes: InputTypes, requiredInputs: ReadonlySet<string>): boolean {
  const type = (x: Expr<AnalyzerRef>) => expressionType(x, inputTypes)
  const numeric = (x: Expr<AnalyzerRef>) => {
    const t = type(x)
    return t === 'INT' || t === 'FLOAT' || t === 'BOOL'
  }
  const readsRow = (x: Expr<AnalyzerRef>): boolean => x.op === 'input' || childrenOf(x).some(readsRow)
  // A subtree of constants and analyzer values has one value, computed by the transform itself.
  const constant = (x: Expr<AnalyzerRef>) => applyTransform({ ...fitted, outputs: { value: x } }, [{}])[0]!.value ?? null
  const missing = (x: Expr<AnalyzerRef>): boolean => {
    if (!readsRow(x)) return constant(x) === null
    switch (x.op) {
      case 'input':
        return !requiredInputs.has(x.name)
      case 'const':
        return x.value === null
      case 'isMissing':
        return false
      case 'binary':
        if (x.fn === 'div' && (readsRow(x.b) || toNumber(constant(x.b)) === 0)) return true // division by zero gives null
        if (x.fn === 'and' || x.fn === 'or') return missing(x.a) || missing(x.b) || type(x.a) !== 'BOOL' || type(x.b) !== 'BOOL'
        // A string operand may not parse as a number.
        return missing(x.a) || missing(x.b) || !(numeric(x.a) && numeric(x.b)) && !(type(x.a) === 'STRING' && type(x.b) === 'STRING')
      case 'not':
        return missing(x.x) || type(x.x) !== 'BOOL'
      case 'sqrt':
      case 'sigmoid':
      case 'applyBuckets':
        return missing(x.x) || !numeric(x.x)
      case 'applyBucketsPerKey':
        return missing(x.x) || !numeric(x.x) || missing(x.key)
      case 'cast':
        if (x.to === 'string') return missing(x.x)
        if (x.to === 'float') return missing(x.x) || !numeric(x.x)
        if (x.to === 'int') return missing(x.x) || (type(x.x) !== 'INT' && type(x.x) !== 'BOOL')
        return missing(x.x) || type(x.x) !== 'BOOL'
      case 'fillMissing':
        return x.value === null && missing(x.x)
      case 'where':
        if (!readsRow(x.cond)) return missing(toBoolean(constant(x.cond)) === true ? x.then : x.else)
        return missing(x.then) || missing(x.else)
      case 'analyzer': {
        const a = fitted.analyzers[x.analyzer.id]
        return !a || !('value' in a) || a.value === null
      }
      case 'perKey':
        return missing(x.key)
      case 'applyVocabulary':
      case 'hashStrings':
        return missing(x.x)
    }
  }
  return missing(e)
}

/** The closed integer range a categorical output takes (TFT's schema overrides), or undefined for other outputs. */
export function categoricalRange(fitted: FittedTransform, e: Expr<AnalyzerRef>): { min: number; max: number } | undefined {
  switch (e.op) {
    case 'applyVocabulary': {
      const vocabulary = isLiteralList(e.vocabulary) ? e.vocabulary : fitted.analyzers[e.vocabulary.id]
      const size = Array.isArray(vocabulary) ? vocabulary.length : vocabulary && 'tokens' in vocabulary ? vocabulary.tokens.length : 0
      // TFT: with OOV buckets the range is the table; without, it also covers defaultValue.
      if (e.numOovBuckets > 0) return { min: 0, max: size + e.numOovBuckets - 1 }
      return { min: Math.min(0, e.defaultValue), max: Math.max(size - 1, e.defaultValue) }
    }
    case 'applyBuckets': {
      let count = 0
      if (isLiteralList(e.boundaries)) count = e.boundaries.length
      else {
        const a = fitted.analyzers[e.boundaries.id]
        if (a?.kind === 'quantiles') count = a.boundaries.length
      }
      return { min: 0, max: count }
    }
    case 'applyBucketsPerKey': {
      const a = fitted.analyzers[e.boundaries.id]
      // TFT's bucketize_per_key declares [0, numBuckets - 1]; an unseen key's -1 falls outside, as in TFT.
      return { min: 0, max: (a && 'numBuckets' in a ? a.numBuckets : 1) - 1 }
    }
    case 'hashStrings':
      return { min: 0, max: e.hashBuckets - 1 }
    case 'fillMissing': {
      const inner = categoricalRange(fitted, e.x)
      if (!inner || typeof e.value !== 'number' || !Number.isInteger(e.value)) return inner
      return { min: Math.min(inner.min, e.value), max: Math.max(inner.max, e.value) }
    }
    case 'cast':
      return e.to === 'int' ? categoricalRange(fitted, e.x) : undefined
    default:
      return undefined
  }
}

/**
 * The schema of the transformed examples (TFT's `transformed_metadata`): one feature per output with
 * its type (STRING as BYTES, BOOL as INT 0/1 with a bool domain), presence and a scalar shape for
 * outputs that are never missing, `valueCount` 1..1 for the others, and `intDomain { min, max,
 * isCategorical: true }` for vocabulary, bucket and hash outputs.
 */
export function transformedSchemaOf(fitted: FittedTransform, inputTypes: InputTypes, rawSchema?: Schema): Schema {
  const required = new Set((rawSchema?.feature ?? []).filter((f) => f.presence?.minFraction === 1).map((f) => f.name))
  const types = outputTypes(fitted, inputTypes)
  const feature: Feature[] = []
  for (const [name, e] of Object.entries(fitted.outputs)) {
    const t = types[name]!
    const f: Feature = { name, type: t === 'FLOAT' ? 'FLOAT' : t === 'STRING' ? 'BYTES' : 'INT' }
    if (mayBeMissing(fitted, e, inputTypes, required)) {
      f.presence = { minCount: 0 }
      f.valueCount = { min: 1, max: 1 }
    } else {
      f.presence = { minFraction: 1, minCount: 1 }
      f.shape = { dim: [{ size: 1 }] }
    }
    const range = categoricalRange(fitted, e)
    if (range && t === 'INT') f.intDomain = { min: range.min, max: range.max, isCategorical: true }
    else if (t === 'BOOL') f.boolDomain = {}
    feature.push(f)
  }
  return { feature }
}
