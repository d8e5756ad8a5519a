import { ARTIFACT_STATES, codeOf, EXECUTION_STATES, valueOf } from './enum-codes.js'
import { MetadataError } from './errors.js'
import type { NodeRow, NodeSpec, SqlValue } from './node-table.js'
import type { Artifact, Context, Execution } from './types.js'

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function optionalString(value: unknown, field: string, subject: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') {
    throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `The ${field} of ${subject} must be a string, got ${typeof value}.`)
  }
  return value
}

function stateCode(values: readonly string[], state: unknown, subject: string): number {
  const code = typeof state === 'string' ? codeOf(values, state) : undefined
  if (code === undefined) {
    throw new MetadataError(
      'SLUICE_METADATA_INVALID_ARGUMENT',
      `The state of ${subject} is ${JSON.stringify(state)}; use one of ${values.join(', ')}.`,
    )
  }
  return code
}

/** Optional text columns come back as absent fields rather than nulls. */
function optionalFields(row: NodeRow): { name?: string; externalId?: string } {
  const fields: { name?: string; externalId?: string } = {}
  if (typeof row.name === 'string') fields.name = row.name
  if (typeof row.external_id === 'string') fields.externalId = row.external_id
  return fields
}

/** The Artifact table. */
export const ARTIFACT_SPEC: NodeSpec<Artifact> = {
  kind: 'artifact',
  table: 'Artifact',
  propertyTable: 'ArtifactProperty',
  fk: 'artifact_id',
  columns: ['uri', 'state', 'name', 'external_id'],
  toColumns(a, subject): SqlValue[] {
    if (typeof a.uri !== 'string') {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `${capitalize(subject)} has no uri; set uri to where its files are (a path or URL, '' for value artifacts).`,
      )
    }
    return [a.uri, stateCode(ARTIFACT_STATES, a.state, subject), optionalString(a.name, 'name', subject), optionalString(a.externalId, 'externalId', subject)]
  },
  fromRow(row, shared) {
    const { id, type, typeId, properties, customProperties, createTime, updateTime } = shared
    return {
      id,
      type,
      typeId,
      uri: row.uri as string,
      ...optionalFields(row),
      state: valueOf(ARTIFACT_STATES, row.state as number, 'UNKNOWN'),
      properties,
      customProperties,
      createTime,
      updateTime,
    }
  },
}

/** The Execution table. */
export const EXECUTION_SPEC: NodeSpec<Execution> = {
  kind: 'execution',
  table: 'Execution',
  propertyTable: 'ExecutionProperty',
  fk: 'execution_id',
  columns: ['last_known_state', 'name', 'external_id'],
  toColumns(e, subject): SqlValue[] {
    return [stateCode(EXECUTION_STATES, e.state, subject), optionalString(e.name, 'name', subject), optionalString(e.externalId, 'externalId', subject)]
  },
  fromRow(row, shared) {
    const { id, type, typeId, properties, customProperties, createTime, updateTime } = shared
    return {
      id,
      type,
      typeId,
      ...optionalFields(row),
      state: valueOf(EXECUTION_STATES, row.last_known_state as number, 'UNKNOWN'),
      properties,
      customProperties,
      createTime,
      updateTime,
    }
  },
}

/** The Context table. */
export const CONTEXT_SPEC: NodeSpec<Context> = {
  kind: 'context',
  table: 'Context',
  propertyTable: 'ContextProperty',
  fk: 'context_id',
  columns: ['name', 'external_id'],
  toColumns(c, subject): SqlValue[] {
    if (typeof c.name !== 'string' || c.name === '') {
      throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `${capitalize(subject)} has no name; contexts are identified by (type, name), so set name.`)
    }
    return [c.name, optionalString(c.externalId, 'externalId', subject)]
  },
  fromRow(row, shared) {
    const { id, type, typeId, properties, customProperties, createTime, updateTime } = shared
    const { externalId } = optionalFields(row)
    return {
      id,
      type,
      typeId,
      name: row.name as string,
      ...(externalId === undefined ? {} : { externalId }),
      properties,
      customProperties,
      createTime,
      updateTime,
    }
  },
}
