// The executor every file-based ExampleGen shares (TFX's BaseExampleGenExecutor): resolve the input
// splits, let the subclass turn each one into a DuckDB relation with typed columns (`readSplit`),
// then either hash-split the single input split into the output splits or keep the input splits,
// and write Split-{name}/data_parquet-NNNNN-of-MMMMM.parquet with the artifact's properties.
import path from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { Artifact, ExecutionContext, Examples } from '@sluice/core'
import { isSluiceError } from '@sluice/core'
import type { DuckDB, FeatureType, FeatureTypes, WriteSplitsOptions } from '@sluice/data/examples'
import { FEATURE_TYPES_PROPERTY, mergeFeatureTypes, openDuckDB, sqlIdentifier, writeSplits } from '@sluice/data/examples'
import { ExampleGenError } from './errors.js'
import type { ResolvedInput, ResolvedSplit } from './input.js'
import { resolveInput } from './input.js'
import type { FileBasedExampleGenParameters, OutputConfig } from './parameters.js'
import { DEFAULT_OUTPUT_SPLITS } from './parameters.js'
import type { SourceColumn, SplitSource } from './source.js'

/** What an ExampleGen executor receives (any file-based ExampleGen's parameters). */
export interface ExampleGenExecutorArgs {
  readonly inputs: unknown
  readonly outputs: { examples: Artifact<typeof Examples> }
  readonly parameters: FileBasedExampleGenParameters
  readonly context: ExecutionContext
}

/** What {@link FileBasedExampleGenExecutor.readSplit} receives. */
export interface ReadSplitArgs {
  /** A connection to the execution's DuckDB database. */
  readonly connection: DuckDBConnection
  readonly db: DuckDB
  /** The input split: its name, resolved pattern and files (absolute, sorted). */
  readonly split: ResolvedSplit
  readonly parameters: FileBasedExampleGenParameters
  readonly context: ExecutionContext
}

/** How the input splits become output splits. */
export type OutputPlan =
  | { readonly kind: 'hash'; readonly splits: readonly { name: string; hashBuckets: number }[]; readonly partitionFeatureName: string | undefined }
  | { readonly kind: 'input' }

/** TFX's rule: output splits when given (one input split only), else train:eval 2:1 for one input split, else the input splits. */
export function planOutput(inputSplitCount: number, outputConfig: OutputConfig | undefined): OutputPlan {
  const config = outputConfig?.splitConfig
  if (config) {
    if (inputSplitCount !== 1) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_CONFIG', 'outputConfig.splitConfig is set but the input has more than one split.', {
        fix: 'Hash splitting needs exactly one input split; remove splitConfig to keep the input splits.',
      })
    }
    return { kind: 'hash', splits: config.splits, partitionFeatureName: config.partitionFeatureName }
  }
  if (inputSplitCount === 1) return { kind: 'hash', splits: DEFAULT_OUTPUT_SPLITS.map((s) => ({ ...s })), partitionFeatureName: undefined }
  return { kind: 'input' }
}

/**
 * The SQL of a row's hash bucket from the hex digest of its key: the digest's first 64 bits as an
 * unsigned big-endian integer, modulo the total number of buckets. (TFX takes the whole SHA-256
 * digest modulo the total; the first 64 bits of MD5 are as uniform and cost a third of the CPU.)
 */
export function bucketExpression(hashHexExpr: string, total: number): string {
  return `(('0x' || substr(${hashHexExpr}, 1, 16))::UBIGINT % ${total})::BIGINT`
}

/** The SQL of a bucket's split index: the first split whose cumulative bucket boundary exceeds it (TFX's bisect). */
export function splitIndexExpression(bucketExpr: string, buckets: readonly number[]): string {
  if (buckets.length === 1) return '0'
  let boundary = 0
  const cases: string[] = []
  buckets.slice(0, -1).forEach((b, i) => {
    boundary += b
    cases.push(`WHEN ${bucketExpr} < ${boundary} THEN ${i}`)
  })
  return `CASE ${cases.join(' ')} ELSE ${buckets.length - 1} END`
}

const BUCKET = '__sluice_bucket'
const SPLIT = '__sluice_split'

/**
 * The base class of file-based ExampleGen executors. Subclass it and implement {@link readSplit} to
 * read another file format; splitting, writing and artifact properties stay the same.
 *
 * @example
 * class TsvExecutor extends FileBasedExampleGenExecutor {
 *   async readSplit({ connection, split }: ReadSplitArgs): Promise<SplitSource> {
 *     const relation = `read_csv(${sqlStringList(split.files)}, delim = '\t', header = true)`
 *     return { relation, columns: await typedColumns(connection, relation) }
 *   }
 * }
 */
export abstract class FileBasedExampleGenExecutor {
  /** Turns one input split into a relation with typed columns. */
  abstract readSplit(args: ReadSplitArgs): Promise<SplitSource>

  /** The `payload_format` custom property of the output. */
  protected payloadFormat = 'FORMAT_PARQUET'

  async execute({ outputs, parameters, context }: ExampleGenExecutorArgs): Promise<void> {
    const { logger } = context
    const input = await resolveInput(parameters.inputBase, parameters.inputConfig, parameters.rangeConfig)
    for (const split of input.splits) logger.info(`split "${split.name}": ${split.files.length} file(s) matching "${split.pattern}"`)
    if (input.span !== 0 || input.version !== undefined) logger.info(`span ${input.span}${input.version === undefined ? '' : `, version ${input.version}`}`)
    const plan = planOutput(input.splits.length, parameters.outputConfig)
    const examples = outputs.examples
    context.progress(0.02, 'reading input')

    await using db = await openDuckDB({ tempDirectory: path.join(context.tmpDir, 'duckdb'), signal: context.signal })
    const connection = db.connection
    const sources: SplitSource[] = []
    for (const [i, split] of input.splits.entries()) {
      sources.push(await this.readSplit({ connection, db, split, parameters, context }))
      context.progress(0.05 + (0.35 * (i + 1)) / input.splits.length, `read split ${split.name}`)
    }
    const writeOptions = {
      examplesUri: examples.uri,
      rowsPerFile: parameters.rowsPerFile,
      compression: parameters.compression,
      stagingDirectory: path.join(context.tmpDir, 'staging'),
    }
    const write = (current: readonly SplitSource[]) => writeAll(connection, input, plan, current, writeOptions, context)
    context.progress(0.45, 'splitting and writing')
    let result: { splitNames: string[]; featureTypes: FeatureTypes }
    const validations = sources.flatMap((s) => (s.validation ? [s.validation] : []))
    for (const v of validations) v.catch(() => connection.interrupt())
    const [first, ...checks] = await Promise.allSettled([write(sources), ...validations])
    for (const check of checks) if (check.status === 'rejected') throw check.reason
    if (first.status === 'fulfilled') result = first.value
    else if (!isSluiceError(first.reason) && sources.some((s) => s.exact)) {
      // The column types guessed from the first rows did not hold for every row: infer them over
      // whole splits and write again.
      logger.info(`the write stopped (${firstLine(first.reason)}): column types guessed from the first rows may not hold; inferring them over every row`)
      context.progress(0.5, 'inferring column types over every row')
      const exact: SplitSource[] = []
      for (const source of sources) exact.push(source.exact ? await source.exact() : source)
      try {
        result = await write(exact)
      } catch (error) {
        throw await explainError(exact, error)
      }
    } else throw await explainError(sources, first.reason)
    const { splitNames, featureTypes } = result
    setOutputProperties(examples, input, splitNames, featureTypes, this.payloadFormat)
    context.progress(1, 'done')
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim()
}

/** A DuckDB error raised while scanning, as the first source able to explain it names it (the bad file). */
async function explainError(sources: readonly SplitSource[], error: unknown): Promise<unknown> {
  if (isSluiceError(error)) return error
  for (const source of sources) if (source.explain) return source.explain(error)
  return error
}

/** Writes every output split from the sources (hash split of the one input split, or one output split per input split). */
async function writeAll(
  connection: DuckDBConnection,
  input: ResolvedInput,
  plan: OutputPlan,
  sources: readonly SplitSource[],
  options: Omit<WriteSplitsOptions, 'query' | 'splits' | 'splitColumn' | 'featureTypes'>,
  context: ExecutionContext,
): Promise<{ splitNames: string[]; featureTypes: FeatureTypes }> {
  const { logger } = context
  sources.forEach((source, i) => {
    if (source.columns.length === 0) {
      const split = input.splits[i]!
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_EMPTY_FILE', `Split "${split.name}" has no columns (no header cell, key or feature in ${split.files.length} file(s)).`, {
        split: split.name,
        fix: 'Check that the input files hold data.',
      })
    }
  })
  for (const [i, source] of sources.entries()) {
    const reserved = source.columns.find((c) => c.name.toLowerCase().startsWith('__sluice_'))
    if (reserved) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_HEADER', `Split "${input.splits[i]!.name}": column "${reserved.name}" uses the reserved prefix "__sluice_".`, {
        split: input.splits[i]!.name,
        fix: 'Rename the column.',
      })
    }
  }
  const merged = mergeColumns(sources)
  const featureTypes: FeatureTypes = Object.fromEntries([...merged].map(([name, c]) => [name, c.type]))
  if (plan.kind === 'hash') {
    const source = sources[0]!
    const key = hashKey(source, plan.partitionFeatureName, input.splits[0]!.name)
    const buckets = plan.splits.map((s) => s.hashBuckets)
    const total = buckets.reduce((a, b) => a + b, 0)
    const query =
      `SELECT ${selectList(source.columns, merged)}, ${splitIndexExpression(sqlIdentifier(BUCKET), buckets)} AS ${sqlIdentifier(SPLIT)} ` +
      `FROM (SELECT *, ${bucketExpression(`md5(${key})`, total)} AS ${sqlIdentifier(BUCKET)} FROM ${source.relation})`
    const splitNames = plan.splits.map((s) => s.name)
    logger.debug(`split query: ${query}`)
    const written = await writeSplits(connection, { ...options, query, splits: splitNames, splitColumn: SPLIT, featureTypes })
    for (const w of written) logger.info(`wrote split "${w.split}": ${w.numRows} rows in ${w.files.length} file(s)`)
    return { splitNames, featureTypes }
  }
  for (const [i, split] of input.splits.entries()) {
    const source = sources[i]!
    const types: FeatureTypes = Object.fromEntries(source.columns.map((c) => [c.name, merged.get(c.name)!.type]))
    const query = `SELECT ${selectList(source.columns, merged)} FROM ${source.relation}`
    const [written] = await writeSplits(connection, { ...options, query, splits: [split.name], featureTypes: types })
    logger.info(`wrote split "${split.name}": ${written!.numRows} rows in ${written!.files.length} file(s)`)
    context.progress(0.45 + (0.5 * (i + 1)) / input.splits.length, `wrote split ${split.name}`)
  }
  return { splitNames: input.splits.map((s) => s.name), featureTypes }
}

/** Column name → final type and valency, merged over the input splits (types promoted INT → FLOAT → STRING). */
function mergeColumns(sources: readonly SplitSource[]): Map<string, { type: FeatureType; isList: boolean }> {
  const merged = new Map<string, { type: FeatureType; isList: boolean }>()
  for (const source of sources) {
    for (const column of source.columns) {
      const seen = merged.get(column.name)
      merged.set(column.name, seen ? { type: mergeFeatureTypes(seen.type, column.type), isList: seen.isList || column.isList } : { type: column.type, isList: column.isList })
    }
  }
  return merged
}

function selectList(columns: readonly SourceColumn[], merged: Map<string, { type: FeatureType; isList: boolean }>): string {
  return columns
    .map((c) => {
      const final = merged.get(c.name)!
      return `${c.select(final.type, final.isList)} AS ${sqlIdentifier(c.name)}`
    })
    .join(', ')
}

/** The hash key: the whole record's cells joined with U+001F, or the partition feature's value. */
function hashKey(source: SplitSource, partitionFeatureName: string | undefined, split: string): string {
  if (partitionFeatureName === undefined) {
    if (source.columns.length === 0) return `''`
    return `concat_ws(chr(31), ${source.columns.map((c) => c.key).join(', ')})`
  }
  const column = source.columns.find((c) => c.name === partitionFeatureName)
  if (!column) {
    throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_PARTITION_FEATURE', `partitionFeatureName "${partitionFeatureName}" is not a column of split "${split}".`, {
      split,
      fix: `Columns are ${source.columns.map((c) => `"${c.name}"`).join(', ')}.`,
    })
  }
  if (column.type !== 'INT' && column.type !== 'STRING' && column.type !== 'BYTES') {
    throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_PARTITION_FEATURE', `partitionFeatureName "${partitionFeatureName}" is a ${column.type} column; only INT and STRING (bytes) features can partition, as in TFX.`, {
      split,
      fix: 'Partition by an integer or string id column.',
    })
  }
  return column.key
}

/** Sets what TFX's ExampleGen sets on its output, plus the feature types. */
function setOutputProperties(examples: Artifact<typeof Examples>, input: ResolvedInput, splitNames: string[], featureTypes: FeatureTypes, payloadFormat: string): void {
  examples.properties.splitNames = splitNames
  examples.properties.span = input.span
  if (input.version !== undefined) examples.properties.version = input.version
  examples.customProperties.input_fingerprint = input.fingerprint
  examples.customProperties.span = input.span
  if (input.version !== undefined) examples.customProperties.version = input.version
  examples.customProperties.payload_format = payloadFormat
  examples.customProperties.file_format = 'parquet'
  examples.customProperties[FEATURE_TYPES_PROPERTY] = featureTypes
}
