import type Database from 'better-sqlite3'
import { decodeProperty, type PropertyRow } from './property-codec.js'
import type { PropertyValue } from './types.js'

/** The decoded properties of one node. */
export interface NodeProperties {
  properties: Record<string, PropertyValue>
  customProperties: Record<string, PropertyValue>
}

type LoadedRow = PropertyRow & { nodeId: number }

/** Property columns for a LEFT JOIN on alias `p`, named like {@link PropertyRow} fields with a `p_` prefix. */
export const JOINED_PROPERTY_COLUMNS =
  'p.name AS p_name, p.is_custom_property AS p_isCustom, p.data_type AS p_dataType, p.int_value AS p_intValue, ' +
  'p.double_value AS p_doubleValue, p.string_value AS p_stringValue, p.bool_value AS p_boolValue, p.struct_value AS p_structValue'

/** Adds the property of a joined row (see {@link JOINED_PROPERTY_COLUMNS}) to `target`; rows without one are skipped. */
export function addJoinedProperty(target: NodeProperties, row: Record<string, unknown>): void {
  if (row.p_name === null || row.p_name === undefined) return
  const property: PropertyRow = {
    name: row.p_name as string,
    isCustom: row.p_isCustom as 0 | 1,
    dataType: row.p_dataType as number,
    intValue: row.p_intValue as number | null,
    doubleValue: row.p_doubleValue as number | null,
    stringValue: row.p_stringValue as string | null,
    boolValue: row.p_boolValue as 0 | 1 | null,
    structValue: row.p_structValue as string | null,
  }
  ;(property.isCustom ? target.customProperties : target.properties)[property.name] = decodeProperty(property)
}

/** Reads and writes one of the ArtifactProperty / ExecutionProperty / ContextProperty tables. */
export class PropertyTable {
  private readonly stmts

  constructor(db: Database.Database, table: string, fk: string) {
    const select =
      `SELECT ${fk} AS nodeId, name, is_custom_property AS isCustom, data_type AS dataType, int_value AS intValue, ` +
      `double_value AS doubleValue, string_value AS stringValue, bool_value AS boolValue, struct_value AS structValue ` +
      `FROM ${table}`
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO ${table} (${fk}, name, is_custom_property, data_type, int_value, double_value, string_value, ` +
          `bool_value, struct_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      delete: db.prepare<[number]>(`DELETE FROM ${table} WHERE ${fk} = ?`),
      loadOne: db.prepare<[number], LoadedRow>(`${select} WHERE ${fk} = ?`),
      loadMany: db.prepare<[string], LoadedRow>(`${select} WHERE ${fk} IN (SELECT value FROM json_each(?))`),
    }
  }

  /** Writes the rows of a new node. */
  insert(nodeId: number, rows: readonly PropertyRow[]): void {
    for (const r of rows) {
      this.stmts.insert.run(nodeId, r.name, r.isCustom, r.dataType, r.intValue, r.doubleValue, r.stringValue, r.boolValue, r.structValue)
    }
  }

  /** Replaces all rows of an existing node. */
  replace(nodeId: number, rows: readonly PropertyRow[]): void {
    this.stmts.delete.run(nodeId)
    this.insert(nodeId, rows)
  }

  /** Decoded properties of each node id; ids without properties get empty objects. */
  load(ids: readonly number[]): Map<number, NodeProperties> {
    const result = new Map<number, NodeProperties>()
    for (const id of ids) result.set(id, { properties: {}, customProperties: {} })
    const rows = ids.length === 1 ? this.stmts.loadOne.all(ids[0] as number) : this.stmts.loadMany.all(JSON.stringify(ids))
    for (const row of rows) {
      const target = result.get(row.nodeId)
      if (target === undefined) continue
      ;(row.isCustom ? target.customProperties : target.properties)[row.name] = decodeProperty(row)
    }
    return result
  }
}
