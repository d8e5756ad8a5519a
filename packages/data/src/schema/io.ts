// Reading and writing the files of a Schema artifact: `schema.pbtxt` (text format, what TFX reads)
// and `schema.json` (proto3 JSON).

import fs from 'node:fs/promises'
import path from 'node:path'
import { SchemaError } from './errors.js'
import { schemaFromJson, schemaToJson } from './json.js'
import { formatSchemaText, parseSchemaText } from './text-format.js'
import type { Schema } from './types.js'

/** The text-format file of a Schema artifact. */
export const SCHEMA_TEXT_FILE = 'schema.pbtxt'
/** The proto3 JSON file of a Schema artifact. */
export const SCHEMA_JSON_FILE = 'schema.json'

/**
 * Reads the schema of a Schema artifact: its `schema.pbtxt` (parsed strictly), or its `schema.json`
 * when there is no text file (a directory imported from elsewhere may hold either). The uri may also
 * be the path of a `.pbtxt` or `.json` file.
 *
 * @example
 * const schema = await readSchema(inputs.schema.uri)
 */
export async function readSchema(artifactUri: string): Promise<Schema> {
  const stat = await fs.stat(artifactUri).catch(() => undefined)
  if (!stat) {
    throw new SchemaError('SLUICE_SCHEMA_NOT_FOUND', `Schema artifact ${artifactUri} does not exist.`, {
      fix: 'Check the uri of the Schema artifact (SchemaGen, ImportSchemaGen or an Importer of a directory holding schema.pbtxt).',
    })
  }
  if (stat.isFile()) return readSchemaFile(artifactUri)
  for (const name of [SCHEMA_TEXT_FILE, SCHEMA_JSON_FILE]) {
    const file = path.join(artifactUri, name)
    if (await fs.stat(file).then((s) => s.isFile()).catch(() => false)) return readSchemaFile(file)
  }
  throw new SchemaError('SLUICE_SCHEMA_NOT_FOUND', `Schema artifact ${artifactUri} has neither ${SCHEMA_TEXT_FILE} nor ${SCHEMA_JSON_FILE}.`, {
    fix: `Write the schema to ${path.join(artifactUri, SCHEMA_TEXT_FILE)}, or import it with ImportSchemaGen({ schemaFile }).`,
  })
}

async function readSchemaFile(file: string): Promise<Schema> {
  const text = await fs.readFile(file, 'utf8')
  if (file.endsWith('.json')) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (cause) {
      throw new SchemaError('SLUICE_SCHEMA_INVALID', `${file} is not valid JSON: ${(cause as Error).message}.`, { cause, fix: 'Regenerate it with SchemaGen, or fix the JSON.' })
    }
    return schemaFromJson(value, file)
  }
  return parseSchemaText(text, file)
}

/** What {@link writeSchema} writes. */
export interface WriteSchemaOptions {
  /** Text to write as `schema.pbtxt` instead of the formatted schema (ImportSchemaGen keeps the user's file and its comments). */
  text?: string
}

/**
 * Writes a Schema artifact's two files into `dir`: `schema.pbtxt` (protobuf text format, loadable
 * by TFX and TFDV) and `schema.json` (proto3 JSON).
 */
export async function writeSchema(dir: string, schema: Schema, options: WriteSchemaOptions = {}): Promise<void> {
  const json = schemaToJson(schema)
  const text = options.text ?? formatSchemaText(schema)
  await fs.mkdir(dir, { recursive: true })
  await fs.writeFile(path.join(dir, SCHEMA_TEXT_FILE), text)
  await fs.writeFile(path.join(dir, SCHEMA_JSON_FILE), `${JSON.stringify(json, null, 2)}\n`)
}
