import fs from 'node:fs/promises'
import { ExecutorError } from '@sluice/core'
import { formatSchemaText, parseSchemaText, schemaFromJson, writeSchema } from '@sluice/data/schema'
import type { ImportSchemaGenArgs } from './spec.js'

/**
 * ImportSchemaGen's executor: parses the curated schema file strictly (errors name the file, line
 * and column), then writes it as `schema.pbtxt` (the user's text unchanged) and `schema.json`.
 */
export default async function importSchemaGenExecutor({ outputs, parameters, context }: ImportSchemaGenArgs): Promise<void> {
  const file = parameters.schemaFile
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT'
    throw new ExecutorError(`ImportSchemaGen: schemaFile ${file} ${missing ? 'does not exist' : `cannot be read (${(cause as Error).message})`}.`, {
      code: 'SLUICE_SCHEMA_NOT_FOUND',
      cause,
      fix: 'Pass the path of a schema.pbtxt (relative paths are resolved from the directory the pipeline runs in).',
    })
  }
  if (file.endsWith('.json')) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (cause) {
      throw new ExecutorError(`ImportSchemaGen: schemaFile ${file} is not valid JSON: ${(cause as Error).message}.`, { code: 'SLUICE_SCHEMA_INVALID', cause })
    }
    const schema = schemaFromJson(value, file)
    await writeSchema(outputs.schema.uri, schema, { text: formatSchemaText(schema) })
    context.logger.info(`Imported ${schema.feature.length} features from ${file}.`)
    return
  }
  const schema = parseSchemaText(text, file)
  await writeSchema(outputs.schema.uri, schema, { text: text.endsWith('\n') || text === '' ? text : `${text}\n` })
  context.logger.info(`Imported ${schema.feature.length} features from ${file}.`)
}
