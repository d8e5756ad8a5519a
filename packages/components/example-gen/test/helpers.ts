import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { openDuckDB, openSplitView, readParquetKeyValueMetadata, sqlIdentifier } from '@sluice/data/examples'
import type { SplitView } from '@sluice/data/examples'

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'example-gen-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix))
}

/** Writes files (relative path → contents) under `dir`. */
export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [name, contents] of Object.entries(files)) {
    const file = path.join(dir, name)
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, contents)
  }
}

/** One split read back: its view description, rows (JS values) and the Parquet files' key-value metadata. */
export interface ReadBack {
  readonly view: SplitView
  readonly rows: Record<string, unknown>[]
  readonly types: Record<string, string>
  readonly metadata: Record<string, string>
}

/** Reads one split of an Examples artifact with DuckDB. */
export async function readSplit(uri: string, split: string, orderBy?: string): Promise<ReadBack> {
  await using db = await openDuckDB({ threads: 2 })
  const view = await openSplitView(db.connection, uri, split)
  const reader = await db.connection.runAndReadAll(`SELECT * FROM ${sqlIdentifier(view.view)}${orderBy ? ` ORDER BY ${orderBy}` : ''}`)
  const rows = reader.getRowObjectsJS() as Record<string, unknown>[]
  const types = Object.fromEntries(view.columns.map((c) => [c.name, c.duckdbType]))
  const metadata = await readParquetKeyValueMetadata(db.connection, view.files[0]!)
  return { view, rows, types, metadata }
}

let roots = 0
/** A fresh pipeline root inside `dir`, so that runComponent's outputs go away with it. */
export function rootIn(dir: string): string {
  return path.join(dir, `pipeline-root-${++roots}`)
}
