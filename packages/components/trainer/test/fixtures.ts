// Small examples for the Trainer's tests (and the model server's, which build bundles on them): raw examples where the label is `x1 > x2`, a colour that does
// not matter, a schema, and the real Transform run over them (z-scores, a vocabulary, the label cast).
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Transform } from '@sluice/component-transform'
import { openDuckDB, sqlString, writeSplits } from '@sluice/data/examples'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'

/** Everything a Trainer test needs as inputs. */
export interface TrainerFixture {
  readonly tmp: TempDirectory
  readonly rawExamplesUri: string
  readonly schemaUri: string
  readonly transformGraphUri: string
  readonly transformedExamplesUri: string
  /** Writes a module file into the fixture's directory and returns its path. */
  module(name: string, source: string): Promise<string>
}

/** Raw rows: x1, x2 in [0, 1), colour, label y = x1 > x2; split 2:1 train/eval by row number. */
export const RAW_QUERY = (rows: number) => `SELECT
  ((i * 7919) % 1000) / 1000.0 AS x1,
  ((i * 104729 + 13) % 997) / 997.0 AS x2,
  CASE i % 3 WHEN 0 THEN 'red' WHEN 1 THEN 'green' ELSE 'blue' END AS color,
  (((i * 7919) % 1000) / 1000.0 > ((i * 104729 + 13) % 997) / 997.0)::BIGINT AS y,
  (i % 3 = 2)::INT AS s
FROM range(0, ${rows}) t(i)`

export const PREPROCESSING = `export function preprocessingFn(inputs, tft) {
  return {
    x1_xf: tft.scaleToZScore(inputs.x1),
    x2_xf: tft.scaleToZScore(inputs.x2),
    color_xf: tft.computeAndApplyVocabulary(inputs.color, { numOovBuckets: 1 }),
    y_xf: tft.cast(inputs.y, 'int'),
  }
}
`

/** Builds raw examples (`rows` rows), a schema, and runs Transform over them. */
export async function createTrainerFixture(rows = 600): Promise<TrainerFixture> {
  const tmp = await createTempDirectory('sluice-trainer-test-')
  const rawExamplesUri = path.join(tmp.path, 'raw')
  const schemaUri = path.join(tmp.path, 'schema')
  await mkdir(schemaUri, { recursive: true })
  await writeFile(
    path.join(schemaUri, 'schema.json'),
    JSON.stringify({
      feature: [
        { name: 'x1', type: 'FLOAT' },
        { name: 'x2', type: 'FLOAT' },
        { name: 'color', type: 'BYTES' },
        { name: 'y', type: 'INT' },
      ],
    }),
  )
  {
    await using db = await openDuckDB({ threads: 1 })
    await writeSplits(db.connection, {
      query: RAW_QUERY(rows),
      examplesUri: rawExamplesUri,
      splits: ['train', 'eval'],
      splitColumn: 's',
      featureTypes: { x1: 'FLOAT', x2: 'FLOAT', color: 'STRING', y: 'INT' },
    })
  }
  const module = async (name: string, source: string) => {
    const file = path.join(tmp.path, name)
    await writeFile(file, source)
    return file
  }
  const preprocessing = await module('preprocessing.mjs', PREPROCESSING)
  const { outputs } = await runComponent(Transform, {
    inputs: { examples: { uri: rawExamplesUri, properties: { splitNames: ['train', 'eval'] } }, schema: { uri: schemaUri } },
    parameters: { moduleFile: preprocessing, disableStatistics: true },
    root: path.join(tmp.path, 'transform-root'),
  })
  return { tmp, rawExamplesUri, schemaUri, transformGraphUri: outputs.transformGraph.uri, transformedExamplesUri: outputs.transformedExamples.uri, module }
}

/** Reads every row of a split's Parquet files, in file order. */
export async function readSplitRows(examplesUri: string, split: string): Promise<Record<string, unknown>[]> {
  await using db = await openDuckDB({ threads: 1 })
  const reader = await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(path.join(examplesUri, `Split-${split}`, '*.parquet'))})`)
  return reader.getRowObjectsJS()
}
