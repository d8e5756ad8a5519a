// Test helper: writes rows to a Parquet file with DuckDB, from SQL literals (independent of the
// code under test).
import { DuckDBInstance } from '@duckdb/node-api'

export type Cell = number | string | null | readonly (number | string | null)[]

function literal(value: Cell, type: string): string {
  if (value === null) return 'NULL'
  if (Array.isArray(value)) {
    const element = type.replace(/\[\]$/, '')
    return `[${value.map((v) => literal(v, element)).join(', ')}]::${type}`
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return `'nan'::${type}`
    if (!Number.isFinite(value)) return `'${value > 0 ? 'inf' : '-inf'}'::${type}`
    return `'${String(value)}'::${type}`
  }
  return `'${String(value).replaceAll("'", "''")}'::${type}`
}

/** Writes `rows` (objects keyed by column) to `file` with the given DuckDB column types and key-value metadata. */
export async function writeParquet(
  file: string,
  columns: Record<string, string>,
  rows: readonly Record<string, Cell>[],
  kvMetadata: Record<string, string> = {},
): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    const names = Object.keys(columns)
    await connection.run(`CREATE TABLE t (${names.map((n) => `"${n.replaceAll(`"`, `""`)}" ${columns[n]}`).join(', ')})`)
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500)
      await connection.run(`INSERT INTO t VALUES ${chunk.map((row) => `(${names.map((n) => literal(row[n] ?? null, columns[n]!)).join(', ')})`).join(', ')}`)
    }
    const kv = Object.entries(kvMetadata).map(([k, v]) => `'${k}': '${v.replaceAll("'", "''")}'`)
    await connection.run(`COPY t TO '${file.replaceAll("'", "''")}' (FORMAT PARQUET${kv.length > 0 ? `, KV_METADATA {${kv.join(', ')}}` : ''})`)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/** A small seeded PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
