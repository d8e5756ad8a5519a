// The feature type of every column of an Examples artifact: written by ExampleGen into each Parquet
// file's key-value metadata and into the artifact's `feature_types` custom property, so readers
// (StatisticsGen, SchemaGen, Transform) never have to guess it from the physical Parquet type.
import type { JsonValue } from '@sluice/core'
import { ExamplesError } from './errors.js'

/**
 * A feature's type, after tensorflow_metadata's `FeatureNameStatistics.Type` (INT, FLOAT, STRING,
 * BYTES) plus `UNKNOWN` for a column that never holds a value (TFX's always-empty CSV column).
 * A LIST column has the type of its elements.
 */
export type FeatureType = 'INT' | 'FLOAT' | 'STRING' | 'BYTES' | 'UNKNOWN'

/** Column name to feature type, in column order. */
export type FeatureTypes = Record<string, FeatureType>

/** The key of the Parquet key-value metadata entry holding the JSON {@link FeatureTypes}. */
export const FEATURE_TYPES_METADATA_KEY = 'sluice.feature_types'

/** The name of the Examples artifact custom property holding the {@link FeatureTypes} (a JSON object). */
export const FEATURE_TYPES_PROPERTY = 'feature_types'

const FEATURE_TYPES: readonly FeatureType[] = ['INT', 'FLOAT', 'STRING', 'BYTES', 'UNKNOWN']

/** Whether `value` is a {@link FeatureType}. */
export function isFeatureType(value: unknown): value is FeatureType {
  return typeof value === 'string' && (FEATURE_TYPES as readonly string[]).includes(value)
}

/** The order of the type hierarchy used when merging (UNKNOWN < INT < FLOAT < STRING); BYTES only merges with itself. */
const RANK: Record<FeatureType, number> = { UNKNOWN: -1, INT: 0, FLOAT: 1, STRING: 2, BYTES: 3 }

/**
 * The more general of two feature types, as TFX's CSV type inference promotes them
 * (UNKNOWN → INT → FLOAT → STRING). BYTES with anything but UNKNOWN or BYTES gives BYTES.
 */
export function mergeFeatureTypes(a: FeatureType, b: FeatureType): FeatureType {
  return RANK[a] >= RANK[b] ? a : b
}

/**
 * The feature type of a DuckDB column type (as `DESCRIBE` spells it), or undefined when the type
 * has no tf.Example equivalent (DATE, STRUCT, MAP…). Lists take their element's type.
 *
 * @example
 * featureTypeOfDuckDBType('BIGINT') // 'INT'
 * featureTypeOfDuckDBType('DOUBLE[]') // 'FLOAT'
 */
export function featureTypeOfDuckDBType(type: string): FeatureType | undefined {
  const t = type.trim().toUpperCase()
  if (t.endsWith('[]')) return featureTypeOfDuckDBType(t.slice(0, -2))
  if (/^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'INT'
  if (t === 'FLOAT' || t === 'DOUBLE' || t.startsWith('DECIMAL')) return 'FLOAT'
  if (t === 'VARCHAR') return 'STRING'
  if (t === 'BLOB') return 'BYTES'
  if (t === 'NULL' || t === '"NULL"') return 'UNKNOWN'
  return undefined
}

/** Parses feature types from the JSON text of the Parquet metadata entry or from the custom property value. */
export function parseFeatureTypes(value: JsonValue | undefined, where = 'feature types'): FeatureTypes | undefined {
  if (value === undefined || value === null) return undefined
  let parsed: unknown = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch (cause) {
      throw new ExamplesError('SLUICE_EXAMPLES_BAD_METADATA', `The ${where} are not valid JSON.`, { cause })
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ExamplesError('SLUICE_EXAMPLES_BAD_METADATA', `The ${where} must be a JSON object of column name to type.`)
  }
  const result: FeatureTypes = {}
  for (const [name, type] of Object.entries(parsed)) {
    if (!isFeatureType(type)) {
      throw new ExamplesError('SLUICE_EXAMPLES_BAD_METADATA', `The ${where} give column "${name}" the unknown type ${JSON.stringify(type)}.`, {
        fix: `Types are ${FEATURE_TYPES.join(', ')}.`,
      })
    }
    result[name] = type
  }
  return result
}

/** The feature types an Examples artifact records in its `feature_types` custom property, if any. */
export function featureTypesOf(artifact: { customProperties: Readonly<Record<string, JsonValue>> }): FeatureTypes | undefined {
  return parseFeatureTypes(artifact.customProperties[FEATURE_TYPES_PROPERTY], `"${FEATURE_TYPES_PROPERTY}" custom property`)
}
