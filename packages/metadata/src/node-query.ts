import { MetadataError } from './errors.js'
import { inferPropertyType } from './property-codec.js'
import type { NodeOrder, PropertyFilter } from './store.js'
import type { SqlValue } from './node-table.js'

/** A node list query with every name already resolved to ids and codes. */
export interface NodeQuerySpec {
  table: 'Artifact' | 'Execution' | 'Context'
  /** Select list aliased `n`. */
  select: string
  propertyTable: string
  fk: string
  typeId?: number
  /** `n.column = value`, or `n.column IN (values)` for arrays. */
  equals: [column: string, value: SqlValue | SqlValue[]][]
  /** Only nodes linked to this context through Attribution or Association. */
  link?: { table: 'Attribution' | 'Association'; column: 'artifact_id' | 'execution_id'; contextId: number }
  property?: PropertyFilter
  order?: NodeOrder
  limit?: number
}

/**
 * SQL for a list query, shaped so SQLite walks an index in id order and stops at the limit.
 *
 * With a context filter the link table drives the loop (CROSS JOIN fixes the join order), because its primary key
 * (context_id, node id) yields the context's nodes already sorted: a cache lookup then reads a handful of rows
 * however many executions the store holds.
 */
export function buildNodeQuery(spec: NodeQuerySpec): { sql: string; params: SqlValue[] } {
  const where: string[] = []
  const params: SqlValue[] = []
  let from = `${spec.table} n`
  let idColumn = 'n.id'
  if (spec.link !== undefined) {
    from = `${spec.link.table} l CROSS JOIN ${spec.table} n`
    where.push('l.context_id = ?', `n.id = l.${spec.link.column}`)
    params.push(spec.link.contextId)
    idColumn = `l.${spec.link.column}`
  }
  if (spec.typeId !== undefined) {
    where.push('n.type_id = ?')
    params.push(spec.typeId)
  }
  for (const [column, value] of spec.equals) {
    if (Array.isArray(value)) {
      where.push(`n.${column} IN (${value.map(() => '?').join(', ')})`)
      params.push(...value)
    } else {
      where.push(`n.${column} = ?`)
      params.push(value)
    }
  }
  if (spec.property !== undefined) {
    const match = propertyMatch(spec.propertyTable, spec.fk, spec.property)
    where.push(`n.id IN (${match.sql})`)
    params.push(...match.params)
  }
  const limit = spec.limit === undefined ? -1 : spec.limit
  if (!Number.isSafeInteger(limit) || limit < -1) {
    throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `limit ${String(spec.limit)} is not a non-negative integer.`)
  }
  if (spec.order !== undefined && spec.order !== 'id-asc' && spec.order !== 'id-desc') {
    throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `order ${JSON.stringify(spec.order)} is not 'id-asc' or 'id-desc'.`)
  }
  const direction = spec.order === 'id-desc' ? 'DESC' : 'ASC'
  const sql =
    `SELECT ${spec.select} FROM ${from}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ` +
    `ORDER BY ${idColumn} ${direction} LIMIT ?`
  params.push(limit)
  return { sql, params }
}

/**
 * Node ids having the property, one indexed lookup per value column the value could be stored in: an integer
 * may be an INT or a DOUBLE property, so both partial indexes are probed.
 */
function propertyMatch(table: string, fk: string, filter: PropertyFilter): { sql: string; params: SqlValue[] } {
  const { name, value, custom } = filter
  const kind = inferPropertyType(value)
  const conditions: [string, SqlValue][] = []
  if (typeof value === 'number' && Number.isNaN(value)) conditions.push(['data_type = 2 AND double_value IS NULL AND 1 = ?', 1])
  else if (kind === 'INT') conditions.push(['int_value = ?', value as number], ['double_value = ?', value as number])
  else if (kind === 'DOUBLE') conditions.push(['double_value = ?', value as number])
  else if (kind === 'STRING') conditions.push(['string_value = ?', value as string])
  else if (kind === 'BOOLEAN') conditions.push(['bool_value = ?', value ? 1 : 0])
  else if (kind === 'STRUCT') conditions.push(['struct_value = ?', JSON.stringify(value)])
  else throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `Property filter "${name}" has a ${typeof value} value; pass a property value.`)
  const customCondition = custom === undefined ? '' : ` AND is_custom_property = ${custom ? 1 : 0}`
  const sql = conditions.map(([c]) => `SELECT ${fk} FROM ${table} WHERE name = ? AND ${c}${customCondition}`).join(' UNION ALL ')
  return { sql, params: conditions.flatMap(([, v]) => [name, v]) }
}
