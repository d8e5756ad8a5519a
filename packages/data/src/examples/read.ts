// Readers over the Parquet splits of an Examples artifact.
import type { DuckDBConnection } from '@duckdb/node-api'
import { sqlIdentifier, sqlString, sqlStringList } from './duckdb.js'
import { ExamplesError } from './errors.js'
import type { FeatureType, FeatureTypes } from './feature-types.js'
import { FEATURE_TYPES_METADATA_KEY, featureTypeOfDuckDBType, parseFeatureTypes } from './feature-types.js'
import { listSplitFiles } from './layout.js'

/** One column of a split, as DuckDB reads it. */
export interface SplitColumn {
  readonly name: string
  /** DuckDB's type, e.g. `BIGINT`, `DOUBLE[]`, `VARCHAR`. */
  readonly duckdbType: string
  readonly featureType: FeatureType
  /** Whether the column is a LIST (a multivalent feature). */
  readonly isList: boolean
}

/** A split opened as a DuckDB view. */
export interface SplitView {
  /** The view name (already a valid identifier; quote it with `sqlIdentifier` in SQL). */
  readonly view: string
  readonly split: string
  readonly files: readonly string[]
  readonly columns: readonly SplitColumn[]
  readonly featureTypes: FeatureTypes
  /** Row count, from the Parquet footers (no scan). */
  readonly numRows: number
}

/**
 * Reads the Parquet key-value metadata of a file as text (DuckDB returns BLOBs).
 */
export async function readParquetKeyValueMetadata(connection: DuckDBConnection, file: string): Promise<Record<string, string>> {
  const reader = await connection.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${sqlString(file)})`)
  const result: Record<string, string> = {}
  for (const [k, v] of reader.getRows()) if (typeof k === 'string' && typeof v === 'string') result[k] = v
  return result
}

/** The columns of a relation (a view, a table, or a table function call such as `read_parquet([...])`). */
export async function describeRelation(connection: DuckDBConnection, relation: string): Promise<{ name: string; duckdbType: string }[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)
  return reader.getRowObjectsJS().map((row) => ({ name: String(row.column_name), duckdbType: String(row.column_type) }))
}

/**
 * The feature types of Parquet examples files: the `sluice.feature_types` metadata ExampleGen writes
 * into every file (read from the first file), or, for files written elsewhere, derived from the
 * Parquet column types (integers → INT, floating point and decimals → FLOAT, strings → STRING,
 * binary → BYTES, lists → their element's type).
 */
export async function readFeatureTypes(connection: DuckDBConnection, files: readonly string[]): Promise<FeatureTypes> {
  const first = files[0]
  if (first === undefined) return {}
  const metadata = await readParquetKeyValueMetadata(connection, first)
  const recorded = parseFeatureTypes(metadata[FEATURE_TYPES_METADATA_KEY], `"${FEATURE_TYPES_METADATA_KEY}" metadata of ${first}`)
  if (recorded) return recorded
  const types: FeatureTypes = {}
  for (const column of await describeRelation(connection, `read_parquet(${sqlStringList(files)})`)) {
    types[column.name] = featureTypeOfDuckDBType(column.duckdbType) ?? 'STRING'
  }
  return types
}

/** Total rows of Parquet files, from their footers. */
export async function countParquetRows(connection: DuckDBConnection, files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0
  const reader = await connection.runAndReadAll(`SELECT coalesce(sum(num_rows), 0)::BIGINT FROM parquet_file_metadata(${sqlStringList(files)})`)
  return Number(reader.getRows()[0]?.[0] ?? 0)
}

/**
 * Opens one split of an Examples artifact as a temporary DuckDB view over `read_parquet([...files])`.
 *
 * @example
 * await using db = await openDuckDB()
 * const train = await openSplitView(db.connection, examples.uri, 'train')
 * await db.connection.runAndReadAll(`SELECT avg(fare) FROM ${sqlIdentifier(train.view)}`)
 */
export async function openSplitView(connection: DuckDBConnection, examplesUri: string, split: string, options: { view?: string } = {}): Promise<SplitView> {
  const files = await listSplitFiles(examplesUri, split)
  const view = options.view ?? `split_${split}`
  try {
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${sqlIdentifier(view)} AS SELECT * FROM read_parquet(${sqlStringList(files)})`)
  } catch (cause) {
    throw new ExamplesError('SLUICE_EXAMPLES_SPLIT_MISSING', `Split "${split}" of the examples at ${examplesUri} could not be opened: ${(cause as Error).message}`, { cause })
  }
  const featureTypes = await readFeatureTypes(connection, files)
  const columns = (await describeRelation(connection, sqlIdentifier(view))).map((c) => ({
    name: c.name,
    duckdbType: c.duckdbType,
    featureType: featureTypes[c.name] ?? featureTypeOfDuckDBType(c.duckdbType) ?? 'STRING',
    isList: c.duckdbType.endsWith('[]'),
  }))
  return { view, split, files, columns, featureTypes, numRows: await countParquetRows(connection, files) }
}
