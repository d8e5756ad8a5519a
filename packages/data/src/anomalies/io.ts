// The files of an ExampleAnomalies artifact: `Split-{name}/SchemaDiff.json` per split.

import fs from 'node:fs/promises'
import path from 'node:path'
import type { Anomalies } from './types.js'
import { AnomaliesError } from './validate.js'

/** The anomalies file of one split. */
export const ANOMALIES_FILE = 'SchemaDiff.json'

/** Writes `{dir}/Split-{split}/SchemaDiff.json`. */
export async function writeAnomalies(dir: string, split: string, anomalies: Anomalies): Promise<string> {
  const splitDir = path.join(dir, `Split-${split}`)
  await fs.mkdir(splitDir, { recursive: true })
  const file = path.join(splitDir, ANOMALIES_FILE)
  await fs.writeFile(file, `${JSON.stringify(anomalies, null, 2)}\n`)
  return file
}

/**
 * Reads the anomalies of every split of an ExampleAnomalies artifact (or only `splits`), by split
 * name in split order, ready for `formatAnomaliesTable`.
 *
 * @example
 * console.log(formatAnomaliesTable(await readAnomalies(artifact.uri), { color: true }))
 */
export async function readAnomalies(artifactUri: string, splits?: readonly string[]): Promise<Record<string, Anomalies>> {
  const names =
    splits ??
    (await fs.readdir(artifactUri, { withFileTypes: true }).catch((cause: unknown) => {
      throw new AnomaliesError('SLUICE_ANOMALIES_NOT_FOUND', `ExampleAnomalies artifact ${artifactUri} cannot be read.`, { cause, fix: 'Check the artifact uri.' })
    }))
      .filter((entry) => entry.isDirectory() && entry.name.startsWith('Split-'))
      .map((entry) => entry.name.slice('Split-'.length))
      .sort()
  const result: Record<string, Anomalies> = {}
  for (const split of names) {
    const file = path.join(artifactUri, `Split-${split}`, ANOMALIES_FILE)
    const text = await fs.readFile(file, 'utf8').catch((cause: unknown) => {
      throw new AnomaliesError('SLUICE_ANOMALIES_NOT_FOUND', `Split "${split}" of ExampleAnomalies ${artifactUri} has no ${ANOMALIES_FILE}.`, {
        cause,
        fix: `Check the split name; the artifact holds ${file}'s siblings only for the splits ExampleValidator validated.`,
      })
    })
    try {
      result[split] = JSON.parse(text) as Anomalies
    } catch (cause) {
      throw new AnomaliesError('SLUICE_ANOMALIES_INVALID', `${file} is not valid JSON: ${(cause as Error).message}.`, { cause })
    }
  }
  return result
}
