// The small part of a tensorflow_metadata Schema (proto3 JSON, as schema.json) that statistics use.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { StatisticsInputError } from './errors.js'

/** The Schema fields statistics generation reads (tensorflow_metadata Schema, proto3 JSON). */
export interface StatisticsSchemaView {
  feature?: Array<{
    name?: string
    type?: string
    intDomain?: { isCategorical?: boolean }
    floatDomain?: { isCategorical?: boolean }
  }>
}

/**
 * The features a schema marks categorical: INT features whose `intDomain.isCategorical` is true and
 * FLOAT features whose `floatDomain.isCategorical` is true. TFDV describes them with string
 * statistics (unique, top values, rank histogram) instead of numeric ones.
 */
export function categoricalFeaturesFromSchema(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return []
  const features = (schema as { feature?: unknown }).feature
  if (!Array.isArray(features)) return []
  const out: string[] = []
  for (const raw of features) {
    if (typeof raw !== 'object' || raw === null) continue
    const f = raw as Record<string, unknown>
    const name = f.name
    if (typeof name !== 'string') continue
    const domain = (key: string) => (f[key] ?? f[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]) as Record<string, unknown> | undefined
    const categorical = (d: Record<string, unknown> | undefined) => d !== undefined && (d.isCategorical === true || d.is_categorical === true)
    if (categorical(domain('intDomain')) || categorical(domain('floatDomain'))) out.push(name)
  }
  return out
}

/** The file name of the JSON form of a Schema artifact. */
export const SCHEMA_JSON_FILE_NAME = 'schema.json'

/** Reads `schema.json` of a Schema artifact as plain JSON (the schema package owns the full type). */
export async function readSchemaJsonForStatistics(schemaUri: string): Promise<StatisticsSchemaView> {
  const file = path.join(schemaUri, SCHEMA_JSON_FILE_NAME)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw new StatisticsInputError(`The schema input has no "${SCHEMA_JSON_FILE_NAME}" at "${file}".`, {
      cause,
      file,
      fix: 'Pass a Schema artifact written by SchemaGen or ImportSchemaGen (they write schema.json next to schema.pbtxt).',
    })
  }
  try {
    return JSON.parse(text) as StatisticsSchemaView
  } catch (cause) {
    throw new StatisticsInputError(`The schema file "${file}" is not valid JSON: ${(cause as Error).message}.`, { cause, file })
  }
}
