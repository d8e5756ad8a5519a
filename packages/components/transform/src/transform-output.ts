// TFT's TFTransformOutput for Sluice: everything downstream of Transform (Trainer, Tuner, serving,
// evaluation) reads a TransformGraph artifact through this one reader.
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Schema } from '@sluice/data/schema'
import { readSchema } from '@sluice/data/schema'
import type { CompiledTransform, FittedTransform, RawRow, TransformedRow } from './fitted-transform.js'
import { compileTransform, parseFittedTransform } from './fitted-transform.js'
import type { OutputType } from './output-types.js'
import { categoricalRange, outputTypes, transformedSchemaOf } from './output-types.js'
import type { AnalyzerRef, Expr } from './tft/expr.js'

/** Where the fitted transform lives inside a TransformGraph artifact. */
export const FITTED_TRANSFORM_PATH = path.join('transform_fn', 'fitted_transform.json')
/** Vocabulary files (one token per line, most frequent first) inside a TransformGraph artifact, as TFT's `transform_fn/assets`. */
export const ASSETS_DIR = path.join('transform_fn', 'assets')
/** Where the raw input schema lives inside a TransformGraph artifact (TFT's `metadata/`). */
export const RAW_METADATA_DIR = 'metadata'
/** Where the schema of the transformed outputs lives inside a TransformGraph artifact (TFT's `transformed_metadata/`). */
export const TRANSFORMED_METADATA_DIR = 'transformed_metadata'

/** A TransformGraph artifact, read: the fitted transform, the raw and transformed schemas, and what the outputs are. */
export interface TransformOutput {
  /** The TransformGraph artifact's directory. */
  readonly uri: string
  readonly fitted: FittedTransform
  /** The raw examples' schema Transform was given (TFT's `raw_metadata`). */
  readonly rawSchema: Schema
  /**
   * The schema of the transformed outputs (TFT's `transformed_metadata`): types, presence, and
   * `intDomain { min, max, isCategorical }` for vocabulary, bucket and hash outputs.
   */
  readonly transformedSchema: Schema
  /** The feature type of every transformed output, in output order. */
  readonly transformedFeatureTypes: Readonly<Record<string, OutputType>>
  /**
   * The number of distinct integer values a categorical output takes (TFT's
   * `get_num_buckets_for_transformed_feature`, its int domain's max + 1): vocabulary size + OOV
   * buckets, bucket count, hash buckets; `undefined` for non-categorical outputs.
   */
  numBuckets(feature: string): number | undefined
  /** Applies the fitted transform to raw rows (the same code that materialised transformed examples). */
  transformRows(rows: Iterable<RawRow>): TransformedRow[]
  /** The fitted transform compiled once, for applying it to many rows or column chunks (serving, batch scoring). */
  readonly compiled: CompiledTransform
}

/** Reads the TransformGraph artifact at `uri`. */
export async function readTransformOutput(uri: string): Promise<TransformOutput> {
  const fitted = parseFittedTransform(await readFile(path.join(uri, FITTED_TRANSFORM_PATH), 'utf8'))
  const rawSchema = await readSchema(path.join(uri, RAW_METADATA_DIR))
  const inputTypes: Record<string, string> = {}
  for (const feature of rawSchema.feature ?? []) if (feature.name) inputTypes[feature.name] = String(feature.type ?? '')
  const transformedDir = path.join(uri, TRANSFORMED_METADATA_DIR)
  // Artifacts written before transformed_metadata existed: derive the same schema from the transform.
  const transformedSchema = (await stat(transformedDir).catch(() => undefined)) ? await readSchema(transformedDir) : transformedSchemaOf(fitted, inputTypes, rawSchema)
  const transformedFeatureTypes = outputTypesFromSchema(fitted, transformedSchema) ?? outputTypes(fitted, inputTypes)
  const compiled = compileTransform(fitted)
  return {
    uri,
    fitted,
    rawSchema,
    transformedSchema,
    transformedFeatureTypes,
    numBuckets: (feature) => {
      const e = fitted.outputs[feature]
      return e === undefined ? undefined : bucketCount(fitted, e)
    },
    transformRows: (rows) => compiled.applyRows(rows),
    compiled,
  }
}

/**
 * The output types recorded by the transformed schema (BOOL from a bool domain), when it lists every
 * output. Raw schemas spell a string feature BYTES, which `outputTypes` reads as STRING too, but the
 * transformed schema also knows what the executor saw in the data.
 */
function outputTypesFromSchema(fitted: FittedTransform, schema: Schema): Record<string, OutputType> | undefined {
  const byName = new Map(schema.feature.map((f) => [f.name, f]))
  const types: Record<string, OutputType> = {}
  for (const name of Object.keys(fitted.outputs)) {
    const f = byName.get(name)
    if (!f) return undefined
    types[name] = f.type === 'FLOAT' ? 'FLOAT' : f.type === 'BYTES' ? 'STRING' : f.boolDomain ? 'BOOL' : 'INT'
  }
  return types
}

/** The number of categories an expression yields (its int domain's max + 1), when it is categorical. */
export function bucketCount(fitted: FittedTransform, e: Expr<AnalyzerRef>): number | undefined {
  const range = categoricalRange(fitted, e)
  return range === undefined ? undefined : range.max + 1
}
