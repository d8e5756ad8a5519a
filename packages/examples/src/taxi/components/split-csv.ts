import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { Examples, component, fileParameter, z } from '@sluice/core'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'

/**
 * Reads a CSV file and splits its rows into `train` and `eval` by hashing each row, so the split is
 * the same on every run (a function-based stand-in for CsvExampleGen until the data plane lands).
 */
export const SplitCsv = component(
  {
    name: 'SplitCsv',
    executionType: 'Process',
    outputs: { examples: Examples },
    parameters: z.object({
      dataPath: fileParameter(),
      /** train:eval hash buckets, TFX's default 2:1. */
      trainBuckets: z.number().int().positive().default(2),
      evalBuckets: z.number().int().positive().default(1),
    }),
  },
  async ({ outputs, parameters, context }) => {
    const text = await fs.readFile(parameters.dataPath, 'utf8')
    const rows = parse(text, { columns: false, skip_empty_lines: true }) as string[][]
    const [header, ...body] = rows
    if (!header) throw new Error(`${parameters.dataPath} is empty: a header row is required.`)
    const total = parameters.trainBuckets + parameters.evalBuckets
    const splits: Record<'train' | 'eval', string[][]> = { train: [], eval: [] }
    for (const [i, row] of body.entries()) {
      if (row.length !== header.length) throw new Error(`${parameters.dataPath} line ${i + 2}: ${row.length} cells, the header has ${header.length}.`)
      const bucket = createHash('md5').update(row.join('\u0001')).digest().readUInt32BE(0) % total
      splits[bucket < parameters.trainBuckets ? 'train' : 'eval'].push(row)
    }
    for (const [name, split] of Object.entries(splits)) {
      const dir = path.join(outputs.examples.uri, `Split-${name}`)
      await fs.mkdir(dir, { recursive: true })
      await fs.writeFile(path.join(dir, 'data.csv'), stringify([header, ...split]))
      context.logger.info(`${name}: ${split.length} rows`)
    }
    outputs.examples.properties.splitNames = Object.keys(splits)
    outputs.examples.properties.span = 0
    outputs.examples.properties.version = 0
    outputs.examples.customProperties.file_format = 'csv'
  },
)

/** Reads one split written by {@link SplitCsv} as records keyed by column name. */
export async function readSplit(examplesUri: string, split: string): Promise<Record<string, string>[]> {
  const text = await fs.readFile(path.join(examplesUri, `Split-${split}`, 'data.csv'), 'utf8')
  return parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[]
}
