// ExampleGen parameters: TFX's example_gen.proto Input/Output and range_config.proto RangeConfig in
// camelCase (inputConfig.splits[].pattern, outputConfig.splitConfig.splits[].hashBuckets,
// rangeConfig.staticRange.startSpanNumber…), plus the Parquet output options.
import { fileParameter, z } from '@sluice/core'
import { ExampleGenError } from './errors.js'
import { analyzePattern } from './input.js'

/** TFX's split name rule. */
export const SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

const splitName = z.string().regex(SPLIT_NAME, 'split names use letters, digits, "_" and "-" and start with a letter or digit')

/** Input splits: names and glob patterns relative to inputBase (TFX's `example_gen_pb2.Input`). */
export const inputConfigSchema = z
  .object({
    splits: z.array(z.object({ name: splitName, pattern: z.string().min(1) }).strict()).min(1),
  })
  .strict()

/** Output splits by hash buckets (TFX's `example_gen_pb2.Output`). */
export const outputConfigSchema = z
  .object({
    splitConfig: z
      .object({
        splits: z.array(z.object({ name: splitName, hashBuckets: z.number().int().positive() }).strict()).min(1),
        /** Hash this feature's value instead of the whole record, so equal values land in the same split. */
        partitionFeatureName: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

/** Which span to read (TFX's `range_config_pb2.RangeConfig`; ExampleGen needs start == end). */
export const rangeConfigSchema = z
  .object({
    staticRange: z.object({ startSpanNumber: z.number().int().min(0), endSpanNumber: z.number().int().min(0) }).strict(),
  })
  .strict()

export type InputConfig = z.output<typeof inputConfigSchema>
export type OutputConfig = z.output<typeof outputConfigSchema>
export type RangeConfig = z.output<typeof rangeConfigSchema>

/** The default input: every file directly under inputBase, as one split. */
export const DEFAULT_INPUT_CONFIG: InputConfig = { splits: [{ name: 'single_split', pattern: '*' }] }

/** The default output of a single input split: train and eval, 2:1. */
export const DEFAULT_OUTPUT_SPLITS = [
  { name: 'train', hashBuckets: 2 },
  { name: 'eval', hashBuckets: 1 },
] as const

/** The largest total number of hash buckets (the bucket arithmetic is done in 64-bit integers). */
export const MAX_TOTAL_BUCKETS = 1_000_000_000

/** Parameters every file-based ExampleGen shares. */
export const fileBasedExampleGenShape = {
  /**
   * The directory the split patterns are relative to. The files the patterns match are part of the
   * cache key through the fingerprint hook (TFX's input fingerprint), so the runner does not stat
   * everything under it, and unrelated files there do not invalidate the cache.
   */
  inputBase: fileParameter({ fingerprint: false }),
  inputConfig: inputConfigSchema.default(DEFAULT_INPUT_CONFIG),
  outputConfig: outputConfigSchema.optional(),
  rangeConfig: rangeConfigSchema.optional(),
  /** At most this many rows per Parquet file. */
  rowsPerFile: z.number().int().min(1).default(1_000_000),
  /** Parquet compression codec. */
  compression: z.enum(['snappy', 'zstd']).default('snappy'),
}

type Issue = { path: (string | number)[]; message: string }

/** The cross-field rules of TFX's `generate_output_split_names` and driver, checked when the component is called. */
export function configurationIssues(parameters: { inputConfig: InputConfig; outputConfig?: OutputConfig | undefined; rangeConfig?: RangeConfig | undefined }): Issue[] {
  const issues: Issue[] = []
  const inputNames = parameters.inputConfig.splits.map((s) => s.name)
  if (new Set(inputNames).size !== inputNames.length) issues.push({ path: ['inputConfig', 'splits'], message: `duplicate split name in ${JSON.stringify(inputNames)}` })
  parameters.inputConfig.splits.forEach((split, index) => {
    try {
      analyzePattern(split.pattern)
    } catch (error) {
      if (!(error instanceof ExampleGenError)) throw error
      issues.push({ path: ['inputConfig', 'splits', index, 'pattern'], message: error.message })
    }
  })
  const output = parameters.outputConfig?.splitConfig
  if (output) {
    if (parameters.inputConfig.splits.length !== 1) {
      issues.push({ path: ['outputConfig', 'splitConfig'], message: 'output splits are given but the input has more than one split (hash splitting needs exactly one input split; remove splitConfig to keep the input splits)' })
    }
    const names = output.splits.map((s) => s.name)
    if (new Set(names).size !== names.length) issues.push({ path: ['outputConfig', 'splitConfig', 'splits'], message: `duplicate split name in ${JSON.stringify(names)}` })
    const total = output.splits.reduce((sum, s) => sum + s.hashBuckets, 0)
    if (total > MAX_TOTAL_BUCKETS) issues.push({ path: ['outputConfig', 'splitConfig', 'splits'], message: `at most ${MAX_TOTAL_BUCKETS} hash buckets in total (got ${total})` })
  }
  const range = parameters.rangeConfig?.staticRange
  if (range && range.startSpanNumber !== range.endSpanNumber) {
    issues.push({ path: ['rangeConfig', 'staticRange'], message: `ExampleGen reads exactly one span: startSpanNumber (${range.startSpanNumber}) must equal endSpanNumber (${range.endSpanNumber})` })
  }
  return issues
}

/** Adds {@link configurationIssues} to a zod object schema of ExampleGen parameters. */
export function withConfigurationRules<S extends z.ZodObject<typeof fileBasedExampleGenShape & z.ZodRawShape>>(schema: S): S {
  return schema.superRefine((value, ctx) => {
    for (const issue of configurationIssues(value as Parameters<typeof configurationIssues>[0])) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
  }) as S
}

/** CsvExampleGen's parameters. */
export const csvExampleGenParameters = withConfigurationRules(z.object({ ...fileBasedExampleGenShape }))

/** The input formats ImportExampleGen reads. `auto` recognises each file by its content. */
export const IMPORT_FORMATS = ['auto', 'parquet', 'jsonl', 'tfrecord'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

/** ImportExampleGen's parameters. */
export const importExampleGenParameters = withConfigurationRules(
  z.object({
    ...fileBasedExampleGenShape,
    /** The input files' format. @default 'auto' (Parquet by its magic bytes, TFRecord by its framing, else JSON lines) */
    format: z.enum(IMPORT_FORMATS).default('auto'),
  }),
)

/** CsvExampleGen's parameters after defaults. */
export type CsvExampleGenParameters = z.output<typeof csvExampleGenParameters>
/** ImportExampleGen's parameters after defaults. */
export type ImportExampleGenParameters = z.output<typeof importExampleGenParameters>
/** What every file-based ExampleGen executor receives. */
export type FileBasedExampleGenParameters = CsvExampleGenParameters & { format?: ImportFormat }
