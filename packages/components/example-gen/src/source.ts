// What an ExampleGen executor's `readSplit` returns: a DuckDB relation over one input split and, per
// column, its feature type and the SQL that produces the output value and the hash key.
import type { DuckDBConnection } from '@duckdb/node-api'
import type { FeatureType } from '@sluice/data/examples'
import { describeRelation, featureTypeOfDuckDBType, sqlIdentifier } from '@sluice/data/examples'
import { ExampleGenError } from './errors.js'

/** One column of an input split. */
export interface SourceColumn {
  readonly name: string
  /** The feature type inferred over the whole input split (UNKNOWN: the column never holds a value). */
  readonly type: FeatureType
  /** Whether the column holds lists (a multivalent feature). */
  readonly isList: boolean
  /**
   * SQL over the relation giving the output value as `type` (which may be more general than the
   * column's own type when splits are merged), and as a list when `isList`.
   */
  select(type: FeatureType, isList: boolean): string
  /** SQL over the relation giving the value's canonical text for hash partitioning; '' when missing. */
  readonly key: string
}

/** One input split, ready to be split and written. */
export interface SplitSource {
  /** What follows FROM: a table, a view, or a table function such as `read_parquet([...])`. */
  readonly relation: string
  readonly columns: readonly SourceColumn[]
  /**
   * Turns an error DuckDB raised while scanning the relation into one that names the bad file (and
   * line or record), e.g. by re-reading the input on this error path.
   */
  explain?(error: unknown): Promise<Error>
  /**
   * A check of the input that runs while the split is written (e.g. CSV row widths); a rejection is
   * the input's error and stops the write.
   */
  readonly validation?: Promise<void>
  /**
   * Set when the column types are a guess (e.g. from the first rows) that the `select` expressions
   * check while writing: if the write fails, the executor calls this for a source with exact types
   * and writes again.
   */
  exact?(): Promise<SplitSource>
}

/** The DuckDB type written for a feature type. UNKNOWN columns hold only NULLs, typed INTEGER. */
export function sqlTypeOf(type: FeatureType, isList: boolean): string {
  const scalar = { INT: 'BIGINT', FLOAT: 'DOUBLE', STRING: 'VARCHAR', BYTES: 'BLOB', UNKNOWN: 'INTEGER' }[type]
  return isList && type !== 'UNKNOWN' ? `${scalar}[]` : scalar
}

/**
 * The canonical text of a typed value (the hash key of typed inputs): integers in decimal, floats
 * as C's `%.17g`, strings as they are, bytes as upper-case hex, lists as their elements' texts joined
 * with U+001E; a missing value is ''.
 */
export function canonicalText(expr: string, type: FeatureType, isList: boolean): string {
  const element = (x: string) => {
    switch (type) {
      case 'INT':
        return `CAST(${x} AS VARCHAR)`
      case 'FLOAT':
        return `printf('%.17g', CAST(${x} AS DOUBLE))`
      case 'STRING':
        return `CAST(${x} AS VARCHAR)`
      case 'BYTES':
        return `hex(${x})`
      default:
        return `''`
    }
  }
  if (type === 'UNKNOWN') return `''`
  return isList ? `coalesce(array_to_string(list_transform(${expr}, lambda v: ${element('v')}), chr(30)), '')` : `coalesce(${element(expr)}, '')`
}

/**
 * Converts a typed expression to the output type: casts, wraps scalars in a one-element list for a
 * list column, and turns empty lists into NULL (a missing feature, as TFX's `dict_to_example` does).
 */
export function convertTyped(expr: string, fromList: boolean, type: FeatureType, isList: boolean): string {
  if (type === 'UNKNOWN') return 'CAST(NULL AS INTEGER)'
  const target = sqlTypeOf(type, false)
  if (!isList) {
    if (fromList) throw new Error(`convertTyped: cannot convert the list ${expr} to a scalar`)
    return `CAST(${expr} AS ${target})`
  }
  if (fromList) return `CASE WHEN len(${expr}) = 0 THEN NULL ELSE CAST(${expr} AS ${target}[]) END`
  return `CASE WHEN ${expr} IS NULL THEN NULL ELSE [CAST(${expr} AS ${target})] END`
}

const TEMPORAL = /^(DATE|TIME|TIMESTAMP|INTERVAL|UUID|TIME WITH TIME ZONE|TIMESTAMP WITH TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|ENUM\(.*\))/i

/**
 * Columns of a typed relation (Parquet, a table filled by the executor, a custom reader's view):
 * integers and booleans → INT, floats and decimals → FLOAT, strings → STRING, binary → BYTES,
 * dates, times and UUIDs → STRING (their text), lists of those → the element's type. `known` gives
 * feature types recorded elsewhere (e.g. the `sluice.feature_types` metadata of Sluice's own files).
 *
 * @throws ExampleGenError `SLUICE_EXAMPLEGEN_UNSUPPORTED_TYPE` for structs, maps and nested lists.
 */
export async function typedColumns(
  connection: DuckDBConnection,
  relation: string,
  options: { known?: Readonly<Record<string, FeatureType>>; what?: string; split?: string } = {},
): Promise<SourceColumn[]> {
  const described = await describeRelation(connection, relation)
  return described.map(({ name, duckdbType }) => {
    const ident = sqlIdentifier(name)
    const isList = duckdbType.endsWith('[]')
    const element = isList ? duckdbType.slice(0, -2) : duckdbType
    let type = featureTypeOfDuckDBType(element)
    let source = ident
    if (type === undefined && TEMPORAL.test(element) && !element.endsWith('[]')) {
      type = 'STRING'
      source = isList ? `CAST(${ident} AS VARCHAR[])` : `CAST(${ident} AS VARCHAR)`
    }
    if (type === undefined) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_UNSUPPORTED_TYPE', `${options.what ?? 'The input'}: column "${name}" has type ${duckdbType}, which has no tf.Example equivalent.`, {
        ...(options.split ? { split: options.split } : {}),
        fix: 'Features are integers, floats, strings or bytes, or lists of them; flatten structs and maps before importing.',
      })
    }
    const known = options.known?.[name]
    if (known === 'UNKNOWN') type = 'UNKNOWN'
    const columnType: FeatureType = type
    return {
      name,
      type: columnType,
      isList,
      select: (target, targetList) => convertTyped(source, isList, target, targetList),
      key: canonicalText(source, columnType, isList),
    }
  })
}
