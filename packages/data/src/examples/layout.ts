// Where an Examples artifact keeps its data (DESIGN.md §5, TFX's layout):
//   {uri}/Split-{split}/data_parquet-NNNNN-of-MMMMM.parquet
import fs from 'node:fs/promises'
import path from 'node:path'
import type { JsonValue } from '@sluice/core'
import { ExamplesError } from './errors.js'

/** The prefix of a split directory. */
export const SPLIT_DIRECTORY_PREFIX = 'Split-'

/** The directory of one split of an Examples artifact. */
export function splitDirectory(examplesUri: string, split: string): string {
  return path.join(examplesUri, `${SPLIT_DIRECTORY_PREFIX}${split}`)
}

/** The name of shard `index` (0-based) of `count` in a split directory: `data_parquet-00000-of-00003.parquet`. */
export function parquetShardName(index: number, count: number): string {
  return `data_parquet-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.parquet`
}

/**
 * The Parquet files of one split, as absolute paths in shard order.
 *
 * @throws ExamplesError `SLUICE_EXAMPLES_SPLIT_MISSING` when the split directory is missing or holds no Parquet file.
 */
export async function listSplitFiles(examplesUri: string, split: string): Promise<string[]> {
  const directory = splitDirectory(examplesUri, split)
  let names: string[]
  try {
    names = await fs.readdir(directory)
  } catch (cause) {
    const available = await listSplitDirectories(examplesUri).catch(() => [])
    throw new ExamplesError('SLUICE_EXAMPLES_SPLIT_MISSING', `Examples at ${examplesUri} have no split "${split}" (no directory ${directory}).`, {
      cause,
      file: directory,
      fix: available.length > 0 ? `Available splits: ${available.join(', ')}.` : 'Check that the artifact was written by an ExampleGen.',
    })
  }
  const files = names.filter((n) => n.endsWith('.parquet')).sort()
  if (files.length === 0) {
    throw new ExamplesError('SLUICE_EXAMPLES_SPLIT_MISSING', `Split "${split}" of the examples at ${examplesUri} holds no Parquet file.`, { file: directory })
  }
  return files.map((n) => path.join(directory, n))
}

/** The split names found on disk: every `Split-{name}` directory under the uri, sorted. */
export async function listSplitDirectories(examplesUri: string): Promise<string[]> {
  const entries = await fs.readdir(examplesUri, { withFileTypes: true })
  return entries
    .filter((e) => e.isDirectory() && e.name.startsWith(SPLIT_DIRECTORY_PREFIX))
    .map((e) => e.name.slice(SPLIT_DIRECTORY_PREFIX.length))
    .sort()
}

/**
 * The split names of an Examples artifact: its `splitNames` property in the producer's order (a JSON
 * list string is accepted too, as TFX stores `split_names`), or, when it has none (an imported
 * directory), its `Split-*` directories sorted by name.
 */
export async function examplesSplitNames(artifact: { uri: string; properties: Readonly<Record<string, JsonValue | undefined>> }): Promise<string[]> {
  const value = artifact.properties.splitNames ?? artifact.properties.split_names
  const list = typeof value === 'string' ? (JSON.parse(value) as JsonValue) : value
  if (Array.isArray(list) && list.length > 0 && list.every((s) => typeof s === 'string')) return list as string[]
  return listSplitDirectories(artifact.uri).catch(() => [])
}
