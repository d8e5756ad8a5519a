// Writes the Parquet splits of an Examples artifact with DuckDB's COPY: one scan of the source
// query, rows routed to their split with PARTITION_BY, then each split sharded so that no file holds
// more than `rowsPerFile` rows, named data_parquet-NNNNN-of-MMMMM.parquet, with the feature types in
// every file's key-value metadata.
import fs from 'node:fs/promises'
import path from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { sqlIdentifier, sqlString, sqlStringList } from './duckdb.js'
import type { FeatureTypes } from './feature-types.js'
import { FEATURE_TYPES_METADATA_KEY } from './feature-types.js'
import { parquetShardName, splitDirectory } from './layout.js'
import { countParquetRows } from './read.js'

/** Parquet compression codecs the writer offers. */
export type ParquetCompression = 'snappy' | 'zstd'

/** The default shard size: at most this many rows per Parquet file. */
export const DEFAULT_ROWS_PER_FILE = 1_000_000

/** What {@link writeSplits} takes. */
export interface WriteSplitsOptions {
  /**
   * A SELECT statement producing the output columns in order. With several splits it also produces
   * `splitColumn`: the 0-based index of the row's split in `splits` (rows with another value are dropped).
   */
  query: string
  /** The Examples artifact's uri; splits go to `{examplesUri}/Split-{name}/`. */
  examplesUri: string
  /** The output split names. */
  splits: readonly string[]
  /** With several splits: the column of `query` holding each row's split index. It is not written. */
  splitColumn?: string
  /** The feature type of every output column, written as `sluice.feature_types` key-value metadata. */
  featureTypes: FeatureTypes
  /** At most this many rows per file. @default 1,000,000 */
  rowsPerFile?: number
  /** @default 'snappy' */
  compression?: ParquetCompression
  /** Scratch space on the same filesystem as `examplesUri`. @default `{examplesUri}/.staging` (removed afterwards) */
  stagingDirectory?: string
}

/** One written split. */
export interface WrittenSplit {
  readonly split: string
  /** Absolute paths, in shard order. */
  readonly files: readonly string[]
  readonly numRows: number
}

/**
 * Writes split Parquet files from one query (see {@link WriteSplitsOptions}). A split that receives
 * no row still gets one (empty) file, so its schema and metadata are always readable.
 *
 * @example
 * await writeSplits(db.connection, {
 *   query: `SELECT fare, company, (hash_bucket < 2)::INT AS s FROM source`,
 *   examplesUri: outputs.examples.uri, splits: ['eval', 'train'], splitColumn: 's',
 *   featureTypes: { fare: 'FLOAT', company: 'STRING' },
 * })
 */
export async function writeSplits(connection: DuckDBConnection, options: WriteSplitsOptions): Promise<WrittenSplit[]> {
  const { splits, examplesUri } = options
  if (splits.length === 0) throw new Error('writeSplits: no split to write.')
  if (splits.length > 1 && !options.splitColumn) throw new Error('writeSplits: several splits need a splitColumn.')
  const rowsPerFile = options.rowsPerFile ?? DEFAULT_ROWS_PER_FILE
  if (!Number.isInteger(rowsPerFile) || rowsPerFile < 1) throw new Error(`writeSplits: rowsPerFile must be a positive integer, got ${rowsPerFile}.`)
  const staging = options.stagingDirectory ?? path.join(examplesUri, '.staging')
  await fs.rm(staging, { recursive: true, force: true })
  await fs.mkdir(staging, { recursive: true })
  const format = `FORMAT PARQUET, COMPRESSION ${options.compression ?? 'snappy'}, KV_METADATA {${sqlString(FEATURE_TYPES_METADATA_KEY)}: ${sqlString(JSON.stringify(options.featureTypes))}}`
  const written: WrittenSplit[] = []
  try {
    // 1. One scan of the source: every split's rows into staging.
    const staged: string[][] = []
    if (splits.length === 1) {
      const file = path.join(staging, 'all.parquet')
      const query = options.splitColumn ? `SELECT * EXCLUDE (${sqlIdentifier(options.splitColumn)}) FROM (${options.query})` : options.query
      await connection.run(`COPY (${query}) TO ${sqlString(file)} (${format})`)
      staged.push([file])
    } else {
      const column = options.splitColumn!
      const parts = path.join(staging, 'parts')
      await connection.run(`COPY (${options.query}) TO ${sqlString(parts)} (${format}, PARTITION_BY (${sqlIdentifier(column)}), FILENAME_PATTERN 'part_{i}')`)
      for (let index = 0; index < splits.length; index++) staged.push(await parquetFilesIn(path.join(parts, `${column}=${index}`)))
    }
    // 2. Per split: rename, or re-shard when over the row limit, into Split-{name}/.
    for (let index = 0; index < splits.length; index++) {
      const split = splits[index]!
      const target = splitDirectory(examplesUri, split)
      await fs.rm(target, { recursive: true, force: true })
      await fs.mkdir(target, { recursive: true })
      let files = staged[index]!
      if (files.length === 0) {
        // No row reached this split: an empty file keeps its schema readable.
        const empty = path.join(staging, `empty_${index}.parquet`)
        const columns = options.splitColumn ? `* EXCLUDE (${sqlIdentifier(options.splitColumn)})` : '*'
        await connection.run(`COPY (SELECT ${columns} FROM (${options.query}) LIMIT 0) TO ${sqlString(empty)} (${format})`)
        files = [empty]
      }
      const numRows = await countParquetRows(connection, files)
      let shards: string[]
      if (files.length === 1 && numRows <= rowsPerFile) shards = files
      else shards = await reshard(connection, files, numRows, rowsPerFile, path.join(staging, `shards_${index}`), format)
      const finalFiles: string[] = []
      for (let i = 0; i < shards.length; i++) {
        const destination = path.join(target, parquetShardName(i, shards.length))
        await move(shards[i]!, destination)
        finalFiles.push(destination)
      }
      written.push({ split, files: finalFiles, numRows })
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true })
  }
  return written
}

/** Splits `files` (in order) into shards of at most `rowsPerFile` rows: one streaming pass, shard = row index / rowsPerFile. */
async function reshard(connection: DuckDBConnection, files: readonly string[], numRows: number, rowsPerFile: number, directory: string, format: string): Promise<string[]> {
  const count = Math.max(1, Math.ceil(numRows / rowsPerFile))
  const shardColumn = '__sluice_shard'
  await connection.run(
    `COPY (SELECT *, ((row_number() OVER () - 1) // ${rowsPerFile})::INTEGER AS ${sqlIdentifier(shardColumn)} FROM read_parquet(${sqlStringList(files)}, hive_partitioning = false)) ` +
      `TO ${sqlString(directory)} (${format}, PARTITION_BY (${sqlIdentifier(shardColumn)}), FILENAME_PATTERN 'part_{i}')`,
  )
  const shards: string[] = []
  for (let shard = 0; shard < count; shard++) {
    const parts = await parquetFilesIn(path.join(directory, `${shardColumn}=${shard}`))
    if (parts.length === 1) shards.push(parts[0]!)
    else {
      // DuckDB wrote this shard in several pieces (or none): merge them into one file.
      const merged = path.join(directory, `merged_${shard}.parquet`)
      const source = parts.length > 0 ? `read_parquet(${sqlStringList(parts)}, hive_partitioning = false)` : `(SELECT * FROM read_parquet(${sqlStringList(files)}, hive_partitioning = false) LIMIT 0)`
      await connection.run(`COPY (SELECT * FROM ${source}) TO ${sqlString(merged)} (${format})`)
      shards.push(merged)
    }
  }
  return shards
}

async function parquetFilesIn(directory: string): Promise<string[]> {
  try {
    return (await fs.readdir(directory))
      .filter((n) => n.endsWith('.parquet'))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      .map((n) => path.join(directory, n))
  } catch {
    return []
  }
}

async function move(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    await fs.copyFile(from, to)
    await fs.rm(from, { force: true })
  }
}
