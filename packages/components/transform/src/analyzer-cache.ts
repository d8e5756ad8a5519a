// TFX's analyzer cache for Sluice: analyzer values keyed by the data they were computed over (the
// analyze splits' files) and by the analyzer's identity (kind, parameters, the SQL of its inputs
// with earlier analyzers' values inlined). Transform reads the `analyzerCache` input and writes every
// value it used or computed to `updatedAnalyzerCache`, so a re-run over the same data — after an
// edit of the module file, say — computes only the analyzers that changed.
//
// Layout: `{uri}/{datasetKey}/analyzers.json`, one directory per analyzed data set, as TFX's
// per-dataset cache directories. The data set key hashes each split's file names (relative to the
// split) and contents: the same data matches wherever it lives (in a container, on another machine,
// in a re-written artifact), and any change to the data misses — never a stale hit.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { listSplitFiles } from '@sluice/data/examples'
import type { AnalyzerCache } from './analyze.js'
import { TransformError } from './errors.js'
import type { FittedAnalyzer } from './fitted-transform.js'
import { replaceNumber, reviveNumber } from './fitted-transform.js'

/** The file of one data set's cached analyzer values. */
export const ANALYZER_CACHE_FILE = 'analyzers.json'
const FORMAT = 'sluice.analyzer_cache'

interface CacheFile {
  format: typeof FORMAT
  version: 1
  /** What the data set is: split names and files (for people reading the cache). */
  dataset: unknown
  /** Analyzer values by the SHA-256 of their identity. */
  entries: Record<string, { identity: string; value: FittedAnalyzer }>
}

/** An analyzer cache for one data set, loaded from a TransformCache artifact (or empty). */
export interface LoadedAnalyzerCache extends AnalyzerCache {
  /** The data set's key: the directory of its entries. */
  readonly datasetKey: string
  /** Identities reused from the input cache. */
  readonly hits: number
  /** Identities computed in this run. */
  readonly misses: number
  /** Writes the entries of this data set (reused and computed) into a TransformCache artifact directory. */
  write(uri: string): Promise<void>
}

/** The key and description of the data the analyzers run over: the analyze splits' Parquet files. */
export async function analyzedDataset(examplesUri: string, splits: readonly string[]): Promise<{ key: string; description: unknown }> {
  const description = []
  for (const split of splits) {
    const files = []
    for (const file of await listSplitFiles(examplesUri, split)) {
      files.push({ file: path.basename(file), size: (await stat(file)).size, sha256: await sha256OfFile(file) })
    }
    description.push({ split, files })
  }
  return { key: createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 32), description }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * Opens the analyzer cache of one data set: the entries `cacheUri` (a TransformCache artifact, or
 * undefined for none) holds for it, plus whatever this run computes.
 */
export async function openAnalyzerCache(cacheUri: string | undefined, dataset: { key: string; description: unknown }): Promise<LoadedAnalyzerCache> {
  const entries = new Map<string, { identity: string; value: FittedAnalyzer }>()
  if (cacheUri !== undefined) {
    const file = path.join(cacheUri, dataset.key, ANALYZER_CACHE_FILE)
    const text = await readFile(file, 'utf8').catch(() => undefined)
    if (text !== undefined) {
      let parsed: CacheFile
      try {
        parsed = JSON.parse(text, reviveNumber) as CacheFile
      } catch (cause) {
        throw new TransformError(`Transform: the analyzer cache ${file} is not valid JSON: ${(cause as Error).message}.`, { cause, fix: 'Run without the analyzerCache input once.' })
      }
      if (parsed.format === FORMAT && parsed.version === 1) for (const [hash, entry] of Object.entries(parsed.entries ?? {})) entries.set(hash, entry)
    }
  }
  const hash = (identity: string) => createHash('sha256').update(identity).digest('hex')
  const used = new Map<string, { identity: string; value: FittedAnalyzer }>()
  let hits = 0
  let misses = 0
  return {
    datasetKey: dataset.key,
    get hits() {
      return hits
    },
    get misses() {
      return misses
    },
    get(identity) {
      const entry = entries.get(hash(identity))
      // A hash collision would need SHA-256 to collide; the identity check costs nothing.
      if (!entry || entry.identity !== identity) return undefined
      hits++
      used.set(hash(identity), entry)
      return entry.value
    },
    set(identity, value) {
      misses++
      used.set(hash(identity), { identity, value })
    },
    async write(uri) {
      // TFX keeps the input entries of the data sets it analyses: a value unused today may serve the next edit.
      const all = new Map([...entries, ...used])
      const file: CacheFile = { format: FORMAT, version: 1, dataset: dataset.description, entries: Object.fromEntries(all) }
      await mkdir(path.join(uri, dataset.key), { recursive: true })
      await writeFile(path.join(uri, dataset.key, ANALYZER_CACHE_FILE), `${JSON.stringify(file, replaceNumber, 2)}\n`)
    },
  }
}
