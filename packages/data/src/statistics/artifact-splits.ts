import fs from 'node:fs/promises'
import type { Artifact, ExampleStatistics } from '@sluice/core'
import { ExecutorError, isSluiceError } from '@sluice/core'
import { readSplitStatistics } from './json.js'
import type { DatasetFeatureStatistics } from './types.js'

/** The splits of a statistics artifact: its `splitNames`, or its `Split-*` directories when unset (an imported artifact). */
export async function splitNamesOf(artifact: Artifact<typeof ExampleStatistics>): Promise<string[]> {
  const declared = artifact.properties.splitNames
  if (Array.isArray(declared) && declared.length > 0) return declared
  const entries = await fs.readdir(artifact.uri, { withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isDirectory() && e.name.startsWith('Split-'))
    .map((e) => e.name.slice('Split-'.length))
    .sort()
}

/** The splits to use: all but the excluded ones; an error naming both lists when none is left. */
export function selectSplits(component: string, input: string, all: string[], excludeSplits: readonly string[]): string[] {
  const splits = all.filter((s) => !excludeSplits.includes(s))
  if (splits.length === 0) {
    throw new ExecutorError(
      all.length === 0
        ? `${component}: input "${input}" has no splits (no splitNames property and no Split-* directory).`
        : `${component}: every split of input "${input}" (${all.map((s) => `"${s}"`).join(', ')}) is excluded by excludeSplits.`,
      { code: 'SLUICE_NO_SPLITS', fix: all.length === 0 ? 'Connect the output of StatisticsGen.' : 'Leave at least one split out of excludeSplits.' },
    )
  }
  return splits
}

/** One split's statistics, with errors that name the component, the input and the split. */
export async function readStatisticsSplit(component: string, input: string, artifact: Artifact, split: string): Promise<DatasetFeatureStatistics> {
  try {
    return await readSplitStatistics(artifact.uri, split)
  } catch (cause) {
    if (!isSluiceError(cause)) throw cause
    throw new ExecutorError(`${component}: input "${input}", split "${split}": ${cause.message}`, { code: cause.code, cause })
  }
}
