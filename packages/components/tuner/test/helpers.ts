// Shared fixtures: a tiny Examples artifact and module files written to a temp directory. Module files
// import the hp helpers from this package's sources by file URL, so no build is needed.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { openDuckDB, writeSplits } from '@sluice/data/examples'

/** The file URL of the package's search-space helpers, for module files in temp directories. */
export const SEARCH_SPACE_URL = pathToFileURL(path.resolve(import.meta.dirname, '../src/search-space.ts')).href

/** Writes a small Examples artifact (train/eval splits of x, y) under `dir` and returns its uri. */
export async function writeExamples(dir: string): Promise<string> {
  const examplesUri = path.join(dir, 'examples')
  await using db = await openDuckDB({ threads: 1 })
  await writeSplits(db.connection, {
    query: `SELECT (i % 17)::DOUBLE / 17 AS x, ((i % 17) * 2 + 1)::DOUBLE / 17 AS y, (i % 4 = 0)::INT AS s FROM range(0, 400) t(i)`,
    examplesUri,
    splits: ['train', 'eval'],
    splitColumn: 's',
    featureTypes: { x: 'FLOAT', y: 'FLOAT' },
  })
  return examplesUri
}

/** Writes a module file and returns its path. */
export async function writeModule(dir: string, name: string, source: string): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, source)
  return file
}

let runs = 0
/** A fresh pipeline root under `dir`, so runComponent's outputs go away with the test's temp directory. */
export function runRoot(dir: string): string {
  return path.join(dir, `run-${runs++}`)
}
