import type Database from 'better-sqlite3'
import { MetadataError } from './errors.js'
import { encodeProperties, sameRows } from './property-codec.js'
import { addJoinedProperty, JOINED_PROPERTY_COLUMNS, PropertyTable, type NodeProperties } from './property-table.js'
import { typeSubject, type TypeKind, type TypeRegistry } from './type-registry.js'
import type { Artifact, Context, Execution } from './types.js'

/** A value bound to or read from an SQL column. */
export type SqlValue = string | number | null

/** A node row as selected by {@link NodeTable.selectColumns}. */
export interface NodeRow {
  id: number
  typeId: number
  createTime: number
  updateTime: number
  [column: string]: SqlValue
}

type AnyNode = Artifact | Execution | Context

/** What differs between the artifact, execution and context tables. */
export interface NodeSpec<N extends AnyNode> {
  kind: TypeKind
  table: 'Artifact' | 'Execution' | 'Context'
  propertyTable: string
  /** The property table's column pointing at the node. */
  fk: string
  /** Columns besides id, type_id and the two times, as named in the table. */
  columns: readonly string[]
  /** Values for `columns`; validates the node's own fields. */
  toColumns(node: N, subject: string): SqlValue[]
  /** The public node from a row (kind-specific fields) plus the shared fields. */
  fromRow(row: NodeRow, shared: Pick<N, 'id' | 'type' | 'typeId'> & NodeProperties & { createTime: number; updateTime: number }): N
}

/** Fields of an update that never override the stored node. */
const STORE_OWNED = new Set(['id', 'typeId', 'createTime', 'updateTime'])

/** Inserts, updates and reads one kind of node together with its properties. */
export class NodeTable<N extends AnyNode> {
  readonly properties: PropertyTable
  /** Select list (aliased `n`) that {@link fromRows} understands. */
  readonly selectColumns: string
  private readonly noun: string
  private readonly stmts

  constructor(
    db: Database.Database,
    private readonly registry: TypeRegistry,
    readonly spec: NodeSpec<N>,
  ) {
    const { table, columns } = spec
    this.noun = table
    this.properties = new PropertyTable(db, spec.propertyTable, spec.fk)
    this.selectColumns = [
      'n.id AS id',
      'n.type_id AS typeId',
      ...columns.map((c) => `n.${c} AS ${c}`),
      'n.create_time_since_epoch AS createTime',
      'n.last_update_time_since_epoch AS updateTime',
    ].join(', ')
    const placeholders = columns.map(() => '?').join(', ')
    const joined =
      `SELECT ${this.selectColumns}, ${JOINED_PROPERTY_COLUMNS} FROM ${table} n ` +
      `LEFT JOIN ${spec.propertyTable} p ON p.${spec.fk} = n.id`
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO ${table} (type_id, ${columns.join(', ')}, create_time_since_epoch, last_update_time_since_epoch) ` +
          `VALUES (?, ${placeholders}, ?, ?)`,
      ),
      update: db.prepare(
        `UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')}, last_update_time_since_epoch = ? WHERE id = ?`,
      ),
      // Nodes and their properties in one statement, so a read by id needs no transaction to be consistent.
      byId: db.prepare<[number], NodeRow>(`${joined} WHERE n.id = ?`),
      byIds: db.prepare<[string], NodeRow>(`${joined} WHERE n.id IN (SELECT value FROM json_each(?))`),
      idByName: db.prepare<[number, string], number>(`SELECT id FROM ${table} WHERE type_id = ? AND name = ?`).pluck(),
    }
  }

  /** Inserts the node (no id) or updates it (id), returning its id; call inside a write transaction. */
  put(node: N, now: number): number {
    if (node === null || typeof node !== 'object') {
      throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `Expected ${this.noun.toLowerCase()} objects, got ${String(node)}.`)
    }
    const type = this.registry.require(this.spec.kind, node.type, node.typeId)
    const article = this.spec.kind === 'context' ? 'a' : 'an'
    const subject = `${article} ${this.noun.toLowerCase()} of ${typeSubject(type.kind, type.name)}`
    const owner = this.registry.owner(type)
    if (node.id === undefined) {
      const columns = this.spec.toColumns(node, subject)
      const rows = encodeProperties(owner, node.properties, node.customProperties)
      const id = Number(this.run(() => this.stmts.insert.run(type.id, ...columns, now, now), node, subject).lastInsertRowid)
      this.properties.insert(id, rows)
      return id
    }
    if (!Number.isSafeInteger(node.id) || node.id <= 0) {
      throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `${this.noun} id ${String(node.id)} is not a valid id; omit id to insert.`)
    }
    const existing = this.getByIds([node.id])[0]
    if (existing === undefined) {
      throw new MetadataError(
        'SLUICE_METADATA_NOT_FOUND',
        `${this.noun} ${node.id} does not exist, so it cannot be updated; omit id to insert a new ${this.noun.toLowerCase()}.`,
      )
    }
    if (existing.typeId !== type.id) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `${this.noun} ${node.id} is of type "${existing.type}", not "${type.name}"; a node's type cannot change.`,
      )
    }
    const merged = { ...existing }
    for (const [key, value] of Object.entries(node)) {
      if (value !== undefined && !STORE_OWNED.has(key)) (merged as unknown as Record<string, unknown>)[key] = value
    }
    const columns = this.spec.toColumns(merged, subject)
    const rows = encodeProperties(owner, merged.properties, merged.customProperties)
    const unchanged =
      sameColumns(columns, this.spec.toColumns(existing, subject)) &&
      sameRows(rows, encodeProperties(owner, existing.properties, existing.customProperties))
    if (unchanged) return node.id // re-publishing an unchanged input writes nothing and keeps its updateTime
    const updateTime = Math.max(now, (existing.updateTime ?? 0) + 1)
    this.run(() => this.stmts.update.run(...columns, updateTime, node.id), node, subject)
    this.properties.replace(node.id, rows)
    return node.id
  }

  /** Id of the node with this (type, name), if any. */
  findIdByName(typeId: number, name: string): number | undefined {
    return this.stmts.idByName.get(typeId, name)
  }

  /** Nodes in the order of `ids`; unknown and repeated ids are skipped. One statement: safe outside a transaction. */
  getByIds(ids: readonly number[]): N[] {
    if (ids.length === 0) return []
    const unique = ids.length === 1 ? ids : [...new Set(ids)]
    const rows = unique.length === 1 ? this.stmts.byId.all(unique[0] as number) : this.stmts.byIds.all(JSON.stringify(unique))
    const grouped = new Map<number, { row: NodeRow; props: NodeProperties }>()
    for (const row of rows) {
      let entry = grouped.get(row.id)
      if (entry === undefined) {
        entry = { row, props: { properties: {}, customProperties: {} } }
        grouped.set(row.id, entry)
      }
      addJoinedProperty(entry.props, row)
    }
    return unique.flatMap((id) => {
      const entry = grouped.get(id)
      return entry === undefined ? [] : [this.toNode(entry.row, entry.props)]
    })
  }

  /** Public nodes from selected rows, loading their properties with one more query (run it in a transaction). */
  fromRows(rows: readonly NodeRow[]): N[] {
    if (rows.length === 0) return []
    const properties = this.properties.load(rows.map((r) => r.id))
    return rows.map((row) => this.toNode(row, properties.get(row.id) ?? { properties: {}, customProperties: {} }))
  }

  private toNode(row: NodeRow, props: NodeProperties): N {
    return this.spec.fromRow(row, {
      id: row.id,
      type: this.registry.requireId(row.typeId).name,
      typeId: row.typeId,
      ...props,
      createTime: row.createTime,
      updateTime: row.updateTime,
    })
  }

  private run<T>(statement: () => T, node: N, subject: string): T {
    try {
      return statement()
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error
      const named = [
        node.name === undefined ? undefined : `name "${node.name}"`,
        node.externalId === undefined ? undefined : `externalId "${node.externalId}"`,
      ].filter((x) => x !== undefined)
      throw new MetadataError(
        'SLUICE_METADATA_ALREADY_EXISTS',
        `${subject.replace(/^an? /, 'Another ')} already has ${named.join(' or ') || 'these unique fields'}: names are unique per type and ` +
          `external ids per kind of node. Pick another, leave it unset, or pass the existing node's id to update it.`,
        { cause: error },
      )
    }
  }
}

function sameColumns(a: readonly SqlValue[], b: readonly SqlValue[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
