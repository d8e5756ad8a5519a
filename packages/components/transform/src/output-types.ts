// The static feature type of each output of a fitted transform, from its expression and the raw
// input types: what the materialised Parquet columns are declared as, the same for every split.
import type { FeatureType } from '@sluice/data/examples'
import type { FittedTransform } from './fitted-transform.js'
import { TransformError } from './fitted-transform.js'
import type { AnalyzerRef, Expr } from './tft/expr.js'

/** The feature type of an output: INT (BIGINT), FLOAT (DOUBLE), STRING (VARCHAR) or BOOL (BOOLEAN). */
export type OutputType = 'INT' | 'FLOAT' | 'STRING' | 'BOOL'

/** The type of every output of `fitted`, given the raw features' types (INT, FLOAT, STRING, …). */
export function outputTypes(fitted: FittedTransform, inputTypes: Readonly<Record<string, FeatureType | string>>): Record<string, OutputType> {
  const typeOf = (e: Expr<AnalyzerRef>): OutputType | 'NULL' => {
    switch (e.op) {
      case 'input': {
        const t = inputTypes[e.name]
        return t === 'INT' ? 'INT' : t === 'FLOAT' ? 'FLOAT' : t === 'BOOL' || t === 'BOOLEAN' ? 'BOOL' : 'STRING'
      }
      case 'const':
        return e.value === null ? 'NULL' : typeof e.value === 'boolean' ? 'BOOL' : typeof e.value === 'string' ? 'STRING' : Number.isInteger(e.value) ? 'INT' : 'FLOAT'
      case 'binary':
        return ['add', 'sub', 'mul', 'div'].includes(e.fn) ? 'FLOAT' : 'BOOL'
      case 'not':
        return 'BOOL'
      case 'sqrt':
      case 'analyzer':
        return 'FLOAT'
      case 'cast':
        return { float: 'FLOAT', int: 'INT', string: 'STRING', bool: 'BOOL' }[e.to] as OutputType
      case 'applyVocabulary':
      case 'applyBuckets':
      case 'hashStrings':
        return 'INT'
      case 'fillMissing':
        return unify(typeOf(e.x), typeOf({ op: 'const', value: e.value }), e)
      case 'where':
        return unify(typeOf(e.then), typeOf(e.else), e)
    }
  }
  const unify = (a: OutputType | 'NULL', b: OutputType | 'NULL', e: Expr<AnalyzerRef>): OutputType | 'NULL' => {
    if (a === 'NULL' || a === b) return b
    if (b === 'NULL') return a
    if ((a === 'INT' || a === 'FLOAT') && (b === 'INT' || b === 'FLOAT')) return 'FLOAT'
    throw new TransformError(`A ${e.op} mixes ${a} and ${b} values; cast one side.`)
  }
  const out: Record<string, OutputType> = {}
  for (const [name, e] of Object.entries(fitted.outputs)) {
    const t = typeOf(e)
    out[name] = t === 'NULL' ? 'FLOAT' : t
  }
  return out
}
