// TFT's TFTransformOutput for Sluice: everything downstream of Transform (Trainer, Tuner, serving,
// evaluation) reads a TransformGraph artifact through this one reader.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Schema } from '@sluice/data/schema'
import { readSchema } from '@sluice/data/schema'
import type { FittedTransform, RawRow, TransformedRow } from './fitted-transform.js'
import { applyTransform, parseFittedTransform } from './fitted-transform.js'
import type { OutputType } from './output-types.js'
import { outputTypes } from './output-types.js'
import type { AnalyzerRef, Expr } from './tft/expr.js'
import { isLiteralList } from './tft/expr.js'

/** Where the fitted transform lives inside a TransformGraph artifact. */
export const FITTED_TRANSFORM_PATH = path.join('transform_fn', 'fitted_transform.json')
/** Where the raw input schema lives inside a TransformGraph artifact (TFT's `metadata/`). */
export const RAW_METADATA_DIR = 'metadata'

/** A TransformGraph artifact, read: the fitted transform, the raw schema and what the outputs are. */
export interface TransformOutput {
  /** The TransformGraph artifact's directory. */
  readonly uri: string
  readonly fitted: FittedTransform
  /** The raw examples' schema Transform was given (TFT's `raw_metadata`). */
  readonly rawSchema: Schema
  /** The feature type of every transformed output, in output order. */
  readonly transformedFeatureTypes: Readonly<Record<string, OutputType>>
  /**
   * The number of distinct integer values a categorical output takes (TFT's
   * `num_buckets_for_transformed_feature`): vocabulary size + OOV buckets, bucket count, hash buckets;
   * `undefined` for non-categorical outputs.
   */
  numBuckets(feature: string): number | undefined
  /** Applies the fitted transform to raw rows (the same code that materialised transformed examples). */
  transformRows(rows: Iterable<RawRow>): TransformedRow[]
}

/** Reads the TransformGraph artifact at `uri`. */
export async function readTransformOutput(uri: string): Promise<TransformOutput> {
  const fitted = parseFittedTransform(await readFile(path.join(uri, FITTED_TRANSFORM_PATH), 'utf8'))
  const rawSchema = await readSchema(path.join(uri, RAW_METADATA_DIR))
  const inputTypes: Record<string, string> = {}
  for (const feature of rawSchema.feature ?? []) if (feature.name) inputTypes[feature.name] = String(feature.type ?? '')
  const transformedFeatureTypes = outputTypes(fitted, inputTypes)
  return {
    uri,
    fitted,
    rawSchema,
    transformedFeatureTypes,
    numBuckets: (feature) => {
      const e = fitted.outputs[feature]
      return e === undefined ? undefined : bucketCount(fitted, e)
    },
    transformRows: (rows) => applyTransform(fitted, rows),
  }
}

/** The number of categories an expression yields, when it is categorical. */
export function bucketCount(fitted: FittedTransform, e: Expr<AnalyzerRef>): number | undefined {
  switch (e.op) {
    case 'applyVocabulary': {
      const vocabulary = isLiteralList(e.vocabulary) ? e.vocabulary : fitted.analyzers[e.vocabulary.id]
      const size = Array.isArray(vocabulary) ? vocabulary.length : vocabulary && 'tokens' in vocabulary ? vocabulary.tokens.length : 0
      return size + e.numOovBuckets
    }
    case 'applyBuckets': {
      const boundaries = isLiteralList(e.boundaries) ? e.boundaries : fitted.analyzers[e.boundaries.id]
      const count = Array.isArray(boundaries) ? boundaries.length : boundaries && 'boundaries' in boundaries ? boundaries.boundaries.length : 0
      return count + 1
    }
    case 'hashStrings':
      return e.hashBuckets
    case 'fillMissing':
    case 'cast':
      return e.op === 'cast' && e.to !== 'int' ? undefined : bucketCount(fitted, e.x)
    default:
      return undefined
  }
}
