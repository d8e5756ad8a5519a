import { Examples, defineArtifactType, defineComponent, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

/** This package's version; also the component's version, so a new release re-executes cached exports. */
export const version = '0.1.0'

/** One split of an Examples artifact as a single CSV file, `<uri>/<split>.csv`. */
export const CsvExport = defineArtifactType({
  name: 'CsvExport',
  properties: { split: 'string', rows: 'int' },
  baseType: 'DATASET',
  description: 'One split of an Examples artifact as a single CSV file <uri>/<split>.csv.',
})

const inputs = { examples: Examples }
const outputs = { csv: CsvExport }
const parameters = z.object({
  split: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'a split name is letters, digits, "_", "." or "-"')
    .default('eval')
    .describe('the split to export: the Split-<split> folder of the examples'),
  header: z.boolean().default(true).describe('write the column names as the first row'),
  delimiter: z.string().length(1).default(',').describe('the field separator, one character'),
})

/** What the executor receives. */
export type ExportSplitToCsvArgs = ExecutorArgs<typeof inputs, typeof outputs, typeof parameters>

/**
 * Reads one split of an `Examples` artifact (Parquet, CSV or JSON lines files in `Split-<split>/`)
 * and writes it as one CSV file into a `CsvExport` artifact, with the row count in its `rows`
 * property. DuckDB does the reading and writing; it is loaded only when the node runs.
 *
 * @example
 * const csv = ExportSplitToCsv({ examples: gen.outputs.examples, split: 'eval', delimiter: ';' })
 */
export const ExportSplitToCsv = defineComponent({
  name: 'ExportSplitToCsv',
  description: 'Writes one split of an Examples artifact as a single CSV file.',
  version,
  executionType: 'Process',
  inputs,
  outputs,
  parameters,
  executor: () => import('./executor.js'),
})
