// The one place that creates DuckDB instances for the data plane. `@duckdb/node-api` is imported
// lazily, so importing `@sluice/data/examples` (for its types, layout helpers or TFRecord codec)
// never loads the native library; only opening a database does.
import os from 'node:os'
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'

/** Options of {@link openDuckDB}. */
export interface DuckDBOptions {
  /**
   * Worker threads DuckDB may use. The `SLUICE_DUCKDB_THREADS` environment variable overrides the
   * default. @default os.availableParallelism()
   */
  threads?: number
  /** DuckDB's `memory_limit`, e.g. `'4GB'`. @default DuckDB's default (80% of RAM) */
  memoryLimit?: string
  /** Where DuckDB spills intermediate results that do not fit in memory (e.g. the executor's `context.tmpDir`). */
  tempDirectory?: string
  /** Interrupts the running query when aborted (pass the executor's `context.signal`). */
  signal?: AbortSignal
}

/** An in-memory DuckDB database with one default connection. Close it when done (or `await using`). */
export interface DuckDB extends AsyncDisposable {
  readonly instance: DuckDBInstance
  /** The default connection. */
  readonly connection: DuckDBConnection
  /** The number of threads the database was opened with. */
  readonly threads: number
  /** Another connection to the same database (e.g. for concurrent queries). */
  connect(): Promise<DuckDBConnection>
  /** Closes every connection made through this object and the database. Idempotent. */
  close(): Promise<void>
}

/** The thread count {@link openDuckDB} uses when none is given. */
export function defaultDuckDBThreads(): number {
  const fromEnv = Number(process.env.SLUICE_DUCKDB_THREADS)
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism()
}

/**
 * Opens an in-memory DuckDB database for one unit of work (an executor run, a test).
 *
 * @example
 * await using db = await openDuckDB({ tempDirectory: context.tmpDir, signal: context.signal })
 * const reader = await db.connection.runAndReadAll('SELECT 42')
 */
export async function openDuckDB(options: DuckDBOptions = {}): Promise<DuckDB> {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const threads = options.threads ?? defaultDuckDBThreads()
  const config: Record<string, string> = { threads: String(threads) }
  if (options.memoryLimit) config.memory_limit = options.memoryLimit
  if (options.tempDirectory) config.temp_directory = options.tempDirectory
  const instance = await DuckDBInstance.create(':memory:', config)
  const connections: DuckDBConnection[] = []
  const connect = async () => {
    const connection = await instance.connect()
    connections.push(connection)
    return connection
  }
  const connection = await connect()
  const onAbort = () => {
    for (const c of connections) c.interrupt()
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    options.signal?.removeEventListener('abort', onAbort)
    for (const c of connections) c.closeSync()
    instance.closeSync()
  }
  return { instance, connection, threads, connect, close, [Symbol.asyncDispose]: close }
}

/** A SQL string literal: `it's` → `'it''s'`. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** A SQL identifier, always quoted: `fare` → `"fare"`, `a"b` → `"a""b"`. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** A SQL list of string literals, e.g. the file list of `read_parquet([...])`. */
export function sqlStringList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`
}
