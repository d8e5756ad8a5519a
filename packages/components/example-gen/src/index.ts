// The public API of @sluice/component-example-gen: CsvExampleGen and ImportExampleGen. Executors
// are loaded lazily, so defining a pipeline never loads DuckDB; the cache-key fingerprint hook
// resolves spans and fingerprints the input files with plain `fs`.
import { Examples, defineComponent } from '@sluice/core'
import { resolveInput } from './input.js'
import type { InputConfig, RangeConfig } from './parameters.js'
import { csvExampleGenParameters, importExampleGenParameters } from './parameters.js'

/**
 * The cache-key fingerprint of an ExampleGen: the resolved span, version, patterns and TFX's input
 * fingerprint (file count, total size, XOR and sum of modification times per split), so a new span
 * or a changed input file re-executes the node. An input that cannot be resolved fingerprints as
 * its error; the executor then fails with that error.
 */
export async function exampleGenFingerprint(parameters: { inputBase: string; inputConfig: InputConfig; rangeConfig?: RangeConfig | undefined }): Promise<string> {
  try {
    const input = await resolveInput(parameters.inputBase, parameters.inputConfig, parameters.rangeConfig)
    return JSON.stringify({
      span: input.span,
      version: input.version ?? null,
      splits: input.splits.map((s) => ({ name: s.name, pattern: s.pattern })),
      input_fingerprint: input.fingerprint,
    })
  } catch (error) {
    return `unresolved: ${(error as { code?: string }).code ?? 'ERROR'}: ${(error as Error).message}`
  }
}

const outputs = { examples: Examples }

/**
 * Reads CSV files into Examples (TFX's CsvExampleGen): a header row names the columns, each column's
 * type is inferred over all rows of the split (INT, FLOAT, STRING; UNKNOWN when always empty), empty
 * cells are missing values, quoted cells may hold commas and newlines. The single input split is
 * hash-split 2:1 into train and eval unless `outputConfig` says otherwise.
 *
 * @example
 * const gen = CsvExampleGen({ inputBase: './data' })
 * const stats = StatisticsGen({ examples: gen.outputs.examples })
 */
export const CsvExampleGen = defineComponent({
  name: 'CsvExampleGen',
  description: 'Reads CSV files into Parquet examples, split by hash buckets or by input pattern.',
  version: '1.0.0',
  outputs,
  parameters: csvExampleGenParameters,
  fingerprint: exampleGenFingerprint,
  executor: () => import('./csv-executor.js'),
})

/**
 * Imports existing examples into Examples (TFX's ImportExampleGen): Parquet files, JSON lines, and
 * TFRecord files of serialized tf.Example (plain or gzip, CRC-checked), so data produced by TFX can
 * be read. tf.Example features become columns (int64_list → BIGINT, float_list → DOUBLE, bytes_list →
 * VARCHAR, or BLOB when not UTF-8); a feature with exactly one value in every example becomes a scalar
 * column, otherwise a LIST column; an absent or empty feature is NULL.
 *
 * @example
 * const gen = ImportExampleGen({ inputBase: './tfx-output/examples', inputConfig: { splits: [
 *   { name: 'train', pattern: 'Split-train/*' }, { name: 'eval', pattern: 'Split-eval/*' }] } })
 */
export const ImportExampleGen = defineComponent({
  name: 'ImportExampleGen',
  description: 'Imports Parquet, JSON lines or TFRecord (tf.Example) files into Parquet examples.',
  version: '1.0.0',
  outputs,
  parameters: importExampleGenParameters,
  fingerprint: exampleGenFingerprint,
  executor: () => import('./import-executor.js'),
})

export { ExampleGenError } from './errors.js'
export type { ExampleGenErrorCode, ExampleGenErrorLocation } from './errors.js'
export {
  csvExampleGenParameters,
  importExampleGenParameters,
  inputConfigSchema,
  outputConfigSchema,
  rangeConfigSchema,
  DEFAULT_INPUT_CONFIG,
  DEFAULT_OUTPUT_SPLITS,
  IMPORT_FORMATS,
  SPLIT_NAME,
} from './parameters.js'
export type {
  InputConfig,
  OutputConfig,
  RangeConfig,
  ImportFormat,
  CsvExampleGenParameters,
  ImportExampleGenParameters,
  FileBasedExampleGenParameters,
} from './parameters.js'
export { resolveInput, analyzePattern, splitFingerprint, dateToSpan, spanToDateTokens } from './input.js'
export type { ResolvedInput, ResolvedSplit, PatternSpecs } from './input.js'
export { globFiles } from './glob.js'
