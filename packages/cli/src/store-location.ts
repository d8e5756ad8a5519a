import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { openSqliteStore, type MetadataStore } from '@sluice/metadata'
import { resolvePipelineLocations } from '@sluice/runner'
import type { CliIo } from './cli-io.js'
import { writeJson } from './command-context.js'
import { CliError } from './errors.js'
import { loadPipeline } from './load-pipeline.js'

/** How a read command was told where the metadata store is. */
export interface StoreLocationOptions {
  /** `--metadata <path>`: the SQLite file. */
  readonly metadata?: string | undefined
  /** `--pipeline <file>`: a pipeline file whose metadataPath to use. */
  readonly pipeline?: string | undefined
}

/** Where the store was found and why, so messages can say which store they looked in. */
export interface StoreLocation {
  /** Absolute path of the SQLite file. */
  readonly path: string
  readonly source: 'metadata-option' | 'pipeline-option' | 'default'
}

/** The file name and folder pattern `sluice run` writes by default: `.sluice/<pipeline>/metadata.sqlite`. */
export const DEFAULT_STORE_GLOB = '.sluice/*/metadata.sqlite'

/**
 * Finds the metadata store for a read command: `--metadata`, else the pipeline file's metadataPath,
 * else the single `.sluice/<name>/metadata.sqlite` under `cwd`. Returns undefined when the default
 * search finds none, which the commands report as "no runs yet" rather than as an error.
 *
 * @throws CliError when an explicit location has no store, or the default search finds several.
 */
export async function locateStore(options: StoreLocationOptions, cwd: string): Promise<StoreLocation | undefined> {
  if (options.metadata !== undefined) {
    const file = path.resolve(cwd, options.metadata)
    if (!existsSync(file)) throw new CliError('SLUICE_CLI_STORE_NOT_FOUND', `Metadata store "${options.metadata}" does not exist (looked for ${file}).`)
    return { path: file, source: 'metadata-option' }
  }
  if (options.pipeline !== undefined) {
    const { pipeline } = await loadPipeline(options.pipeline, cwd)
    const file = resolvePipelineLocations(pipeline, cwd).metadataPath
    if (!existsSync(file)) {
      throw new CliError('SLUICE_CLI_STORE_NOT_FOUND', `Pipeline "${pipeline.name}" has no metadata store yet (looked for ${file}).`, {
        fix: `Run it first with \`sluice run ${options.pipeline}\`.`,
      })
    }
    return { path: file, source: 'pipeline-option' }
  }
  const found = defaultStores(cwd)
  if (found.length > 1) {
    throw new CliError(
      'SLUICE_CLI_STORE_AMBIGUOUS',
      `Found ${found.length} metadata stores under ${cwd}: ${found.map((f) => path.relative(cwd, f)).join(', ')}.`,
      { fix: 'Pass --metadata <path> or --pipeline <file> to pick one.' },
    )
  }
  return found[0] === undefined ? undefined : { path: found[0], source: 'default' }
}

/** Every `.sluice/<name>/metadata.sqlite` under `cwd`, sorted. */
export function defaultStores(cwd: string): string[] {
  const base = path.join(cwd, '.sluice')
  let entries: string[]
  try {
    entries = readdirSync(base, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return []
  }
  return entries
    .sort()
    .map((name) => path.join(base, name, 'metadata.sqlite'))
    .filter((file) => existsSync(file))
}

/**
 * What a read command answers when there is no store yet: an empty JSON list for scripts, the
 * how-to-run hint for people.
 */
export function reportNoStore(io: CliIo, json: boolean | undefined): void {
  if (json) writeJson(io, [])
  else io.stdout.write(`${noRunsMessage(io.cwd)}\n`)
}

/** What read commands say when there is no store: nothing has run here yet. */
export function noRunsMessage(cwd: string): string {
  return `No runs found: there is no ${DEFAULT_STORE_GLOB} under ${cwd}.\nRun a pipeline with \`sluice run pipeline.ts\`, or point at a store with --metadata <path> or --pipeline <file>.`
}

/** Opens the store read-only, so reading never migrates or locks a store a run is writing. */
export function openStoreForReading(location: StoreLocation): MetadataStore {
  return openSqliteStore(location.path, { readonly: true })
}

/** Opens the store at `location` read-only, runs `read` and closes it whatever happens. */
export async function withStoreForReading<T>(location: StoreLocation, read: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = openStoreForReading(location)
  try {
    return await read(store)
  } finally {
    await store.close()
  }
}
