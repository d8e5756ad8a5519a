// Shared test helpers: raw example splits written with DuckDB, a schema directory, reading splits
// back, and the form a transformed value takes once materialised in Parquet.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { FeatureTypes } from '@sluice/data/examples'
import { listSplitFiles, openDuckDB, sqlIdentifier, sqlString, sqlStringList, writeSplits } from '@sluice/data/examples'
import type { OutputType, TransformedRow } from '@sluice/component-transform'

/** A raw column: its DuckDB type, its feature type and one value per row. */
export interface RawColumn {
  readonly sqlType: 'DOUBLE' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN'
  readonly featureType: FeatureTypes[string]
  readonly values: readonly (number | string | boolean | null)[]
}

function sqlValue(v: number | string | boolean | null, type: RawColumn['sqlType']): string {
  if (v === null) return `NULL::${type}`
  if (typeof v === 'string') return sqlString(v)
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE'
  if (Number.isNaN(v)) return `'NaN'::DOUBLE`
  return `${v}::${type}`
}

/**
 * Writes an Examples artifact at `uri` with one split per entry of `splits` (column name to column),
 * in row order, optionally sharded into files of at most `rowsPerFile` rows.
 */
export async function writeExamples(uri: string, splits: Readonly<Record<string, Readonly<Record<string, RawColumn>>>>, options: { rowsPerFile?: number } = {}): Promise<void> {
  await using db = await openDuckDB({ threads: 2 })
  for (const [split, columns] of Object.entries(splits)) {
    const names = Object.keys(columns)
    const rows = columns[names[0]!]!.values.length
    const tuples: string[] = []
    for (let i = 0; i < rows; i++) tuples.push(`(${i}, ${names.map((n) => sqlValue(columns[n]!.values[i]!, columns[n]!.sqlType)).join(', ')})`)
    const select = names.map((n) => `CAST(${sqlIdentifier(n)} AS ${columns[n]!.sqlType}) AS ${sqlIdentifier(n)}`).join(', ')
    await writeSplits(db.connection, {
      query: `SELECT ${select} FROM (VALUES ${tuples.join(', ')}) t(__row, ${names.map(sqlIdentifier).join(', ')}) ORDER BY __row`,
      examplesUri: uri,
      splits: [split],
      featureTypes: Object.fromEntries(names.map((n) => [n, columns[n]!.featureType])),
      ...(options.rowsPerFile ? { rowsPerFile: options.rowsPerFile } : {}),
    })
  }
}

/** Writes a Schema artifact directory holding `schema.json` with the given features. */
export async function writeSchemaDir(dir: string, features: Readonly<Record<string, string>>, required: readonly string[] = []): Promise<string> {
  await mkdir(dir, { recursive: true })
  const feature = Object.entries(features).map(([name, type]) => ({ name, type, ...(required.includes(name) ? { presence: { minFraction: 1, minCount: 1 } } : {}) }))
  await writeFile(path.join(dir, 'schema.json'), `${JSON.stringify({ feature }, null, 2)}\n`)
  return dir
}

/** Every row of one split of an Examples artifact, in file order, as `getRowObjectsJS` reads them. */
export async function readSplit(connection: DuckDBConnection, examplesUri: string, split: string): Promise<Record<string, unknown>[]> {
  const files = await listSplitFiles(examplesUri, split)
  return (await connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlStringList(files)})`)).getRowObjectsJS() as Record<string, unknown>[]
}

/**
 * A transformed value as it reads back from the materialised Parquet: INT as BIGINT (bigint), BOOL
 * as BIGINT 0/1, FLOAT as DOUBLE (NaN kept), STRING as VARCHAR; null stays null.
 */
export function materialisedForm(row: TransformedRow, types: Readonly<Record<string, OutputType>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, type] of Object.entries(types)) {
    const v = row[name] ?? null
    if (v === null) out[name] = null
    else if (type === 'BOOL') out[name] = v ? 1n : 0n
    else if (type === 'INT') out[name] = Number.isFinite(Number(v)) ? BigInt(Number(v)) : null
    else out[name] = v
  }
  return out
}

/** The first difference between two lists of rows, compared with `Object.is` per value (NaN equals NaN, -0 differs from 0). */
export function firstDifference(actual: readonly Record<string, unknown>[], expected: readonly Record<string, unknown>[]): string | undefined {
  if (actual.length !== expected.length) return `row count ${actual.length} != ${expected.length}`
  for (let i = 0; i < expected.length; i++) {
    const keys = new Set([...Object.keys(actual[i]!), ...Object.keys(expected[i]!)])
    for (const key of keys) {
      if (!Object.is(actual[i]![key], expected[i]![key])) return `row ${i}, "${key}": ${String(actual[i]![key])} (${typeof actual[i]![key]}) != ${String(expected[i]![key])} (${typeof expected[i]![key]})`
    }
  }
  return undefined
}
