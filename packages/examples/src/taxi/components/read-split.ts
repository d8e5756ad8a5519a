import { openDuckDB, openSplitView, sqlIdentifier } from '@sluice/data/examples'

/** One row of an Examples split: column name to value (numbers, strings, or null when missing). */
export type Row = Record<string, unknown>

/** Reads one split of an Examples artifact (Parquet files written by ExampleGen) into memory. */
export async function readSplit(examplesUri: string, split: string): Promise<Row[]> {
  await using db = await openDuckDB({ threads: 1 })
  const view = await openSplitView(db.connection, examplesUri, split)
  // One thread reads the files in order, so sums (and so the trained model) are reproducible.
  const reader = await db.connection.runAndReadAll(`SELECT * FROM ${sqlIdentifier(view.view)}`)
  return reader.getRowObjectsJS() as Row[]
}
