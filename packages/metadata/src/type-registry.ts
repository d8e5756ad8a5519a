import type Database from 'better-sqlite3'
import { codeOf, PROPERTY_TYPES, valueOf } from './enum-codes.js'
import { MetadataError } from './errors.js'
import type { PropertyOwner } from './property-codec.js'
import type { ArtifactBaseType, ArtifactType, ContextType, ExecutionBaseType, ExecutionType, PropertyType } from './types.js'

/** The three kinds of types; their numbers are MLMD's `type_kind`. */
export type TypeKind = 'execution' | 'artifact' | 'context'

/** A type as the store keeps it in memory. */
export interface TypeRecord {
  id: number
  kind: TypeKind
  name: string
  version: string | null
  description: string | null
  baseType: string | null
  properties: Map<string, PropertyType>
}

/** Any of the three public type shapes. */
export type AnyType = ArtifactType | ExecutionType | ContextType

interface TypeRow {
  id: number
  name: string
  version: string | null
  description: string | null
  base_type: string | null
}

const KIND_CODE: Record<TypeKind, number> = { execution: 0, artifact: 1, context: 2 }
const NOUN: Record<TypeKind, string> = { execution: 'Execution type', artifact: 'Artifact type', context: 'Context type' }
const PUT: Record<TypeKind, string> = { execution: 'putExecutionType', artifact: 'putArtifactType', context: 'putContextType' }
const BASE_TYPES: Record<TypeKind, readonly string[]> = {
  artifact: ['UNSET', 'DATASET', 'MODEL', 'METRICS', 'STATISTICS'] satisfies ArtifactBaseType[],
  execution: ['UNSET', 'TRAIN', 'TRANSFORM', 'PROCESS', 'EVALUATE', 'DEPLOY'] satisfies ExecutionBaseType[],
  context: ['UNSET'],
}

/** `artifact type "Examples"`: how errors name a type. */
export function typeSubject(kind: TypeKind, name: string): string {
  return `${NOUN[kind].toLowerCase()} "${name}"`
}

/**
 * Reads and writes types, and caches them for node writes and reads.
 *
 * The cache is safe across processes because types are never deleted and properties are only ever added: a
 * miss (unknown type or property) re-reads the database before failing.
 */
export class TypeRegistry {
  private readonly byName = new Map<string, TypeRecord>()
  private readonly byId = new Map<number, TypeRecord>()
  private readonly stmts

  constructor(db: Database.Database) {
    const columns = 'id, name, version, description, base_type'
    this.stmts = {
      byName: db.prepare<[number, string], TypeRow>(`SELECT ${columns} FROM Type WHERE type_kind = ? AND name = ?`),
      byId: db.prepare<[number], TypeRow & { type_kind: number }>(`SELECT ${columns}, type_kind FROM Type WHERE id = ?`),
      all: db.prepare<[number], TypeRow>(`SELECT ${columns} FROM Type WHERE type_kind = ? ORDER BY id`),
      properties: db.prepare<[number], { name: string; data_type: number }>(
        'SELECT name, data_type FROM TypeProperty WHERE type_id = ?',
      ),
      insert: db.prepare<[string, string | null, number, string | null, string | null]>(
        'INSERT INTO Type (name, version, type_kind, description, base_type) VALUES (?, ?, ?, ?, ?)',
      ),
      update: db.prepare<[string | null, string | null, string | null, number]>(
        'UPDATE Type SET version = ?, description = ?, base_type = ? WHERE id = ?',
      ),
      insertProperty: db.prepare<[number, string, number]>(
        'INSERT INTO TypeProperty (type_id, name, data_type) VALUES (?, ?, ?)',
      ),
    }
  }

  /** Creates the type or adds its new properties; call inside a write transaction. */
  put(kind: TypeKind, type: AnyType): number {
    validateType(kind, type)
    const declared = Object.entries(type.properties ?? {})
    const baseType = 'baseType' in type ? (type.baseType ?? null) : null
    const existing = this.load(kind, type.name)
    if (existing === undefined) {
      const id = Number(
        this.stmts.insert.run(type.name, type.version ?? null, KIND_CODE[kind], type.description ?? null, baseType)
          .lastInsertRowid,
      )
      for (const [name, dataType] of declared) this.stmts.insertProperty.run(id, name, codeOf(PROPERTY_TYPES, dataType) ?? 0)
      return this.remember({ id, kind, name: type.name, version: type.version ?? null, description: type.description ?? null, baseType, properties: new Map(declared) }).id
    }
    for (const [name, dataType] of declared) {
      const current = existing.properties.get(name)
      if (current === undefined) {
        this.stmts.insertProperty.run(existing.id, name, codeOf(PROPERTY_TYPES, dataType) ?? 0)
        existing.properties.set(name, dataType)
      } else if (current !== dataType) {
        throw new MetadataError(
          'SLUICE_METADATA_TYPE_CONFLICT',
          `${NOUN[kind]} "${type.name}" already declares property "${name}" as ${current}; it cannot become ${dataType}. ` +
            `Keep ${current}, or use a new property name or a new type name.`,
        )
      }
    }
    const next = {
      version: type.version ?? existing.version,
      description: type.description ?? existing.description,
      baseType: baseType ?? existing.baseType,
    }
    if (next.version !== existing.version || next.description !== existing.description || next.baseType !== existing.baseType) {
      this.stmts.update.run(next.version, next.description, next.baseType, existing.id)
      Object.assign(existing, next)
    }
    return existing.id
  }

  /** The type as stored now (bypasses the cache, refreshing it). */
  load(kind: TypeKind, name: string): TypeRecord | undefined {
    const row = this.stmts.byName.get(KIND_CODE[kind], name)
    return row === undefined ? undefined : this.remember(this.toRecord(kind, row))
  }

  /** All types of a kind as stored now, by id. */
  loadAll(kind: TypeKind): TypeRecord[] {
    return this.stmts.all.all(KIND_CODE[kind]).map((row) => this.remember(this.toRecord(kind, row)))
  }

  /** The named type, from cache or database; fails with NOT_FOUND when it was never put. */
  require(kind: TypeKind, name: string, typeId?: number): TypeRecord {
    if (typeof name !== 'string' || name === '') {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `A node of kind ${kind} has no type name; set \`type\` to the name of a type put with ${PUT[kind]}.`,
      )
    }
    const record = this.find(kind, name)
    if (record === undefined) {
      throw new MetadataError(
        'SLUICE_METADATA_NOT_FOUND',
        `${NOUN[kind]} "${name}" does not exist. Put it first with ${PUT[kind]}({ name: ${JSON.stringify(name)}, ... }).`,
      )
    }
    if (typeId !== undefined && typeId !== record.id) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `typeId ${typeId} does not match ${typeSubject(kind, name)} (id ${record.id}); leave typeId unset or fix it.`,
      )
    }
    return record
  }

  /** The named type from cache or database, undefined when it was never put. */
  find(kind: TypeKind, name: string): TypeRecord | undefined {
    return this.byName.get(cacheKey(kind, name)) ?? this.load(kind, name)
  }

  /** The type with this id, from cache or database. */
  requireId(id: number): TypeRecord {
    const cached = this.byId.get(id)
    if (cached !== undefined) return cached
    const row = this.stmts.byId.get(id)
    const kind = (['execution', 'artifact', 'context'] as const)[row?.type_kind ?? -1]
    if (row === undefined || kind === undefined) {
      throw new MetadataError('SLUICE_METADATA_NOT_FOUND', `Type ${id} does not exist; the metadata store may be damaged.`)
    }
    return this.remember(this.toRecord(kind, row))
  }

  /** Lets the property encoder check declarations, re-reading the type once when a property is unknown. */
  owner(record: TypeRecord): PropertyOwner {
    return {
      subject: typeSubject(record.kind, record.name),
      declared: (name) => record.properties.get(name) ?? this.load(record.kind, record.name)?.properties.get(name),
      declaredNames: () => [...record.properties.keys()],
    }
  }

  /** Forgets cached types; needed after a rollback, since the cache may hold types the rollback removed. */
  clear(): void {
    this.byName.clear()
    this.byId.clear()
  }

  private toRecord(kind: TypeKind, row: TypeRow): TypeRecord {
    const properties = new Map<string, PropertyType>()
    for (const p of this.stmts.properties.all(row.id)) properties.set(p.name, valueOf(PROPERTY_TYPES, p.data_type, 'STRUCT'))
    return { id: row.id, kind, name: row.name, version: row.version, description: row.description, baseType: row.base_type, properties }
  }

  private remember(record: TypeRecord): TypeRecord {
    const cached = this.byId.get(record.id)
    if (cached !== undefined) {
      // Keep one object per type so records held by callers see added properties.
      Object.assign(cached, record)
      return cached
    }
    this.byName.set(cacheKey(record.kind, record.name), record)
    this.byId.set(record.id, record)
    return record
  }
}

/** The public shape of a stored type. */
export function toPublicType(record: TypeRecord): ArtifactType & ExecutionType & ContextType {
  const type: ArtifactType & ExecutionType = { id: record.id, name: record.name, properties: Object.fromEntries(record.properties) }
  if (record.version !== null) type.version = record.version
  if (record.description !== null) type.description = record.description
  if (record.baseType !== null) type.baseType = record.baseType as ArtifactBaseType & ExecutionBaseType
  return type
}

function cacheKey(kind: TypeKind, name: string): string {
  return `${KIND_CODE[kind]}:${name}`
}

function validateType(kind: TypeKind, type: AnyType): void {
  if (typeof type?.name !== 'string' || type.name === '') {
    throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `${PUT[kind]} needs a type with a non-empty name.`)
  }
  for (const [name, dataType] of Object.entries(type.properties ?? {})) {
    if (codeOf(PROPERTY_TYPES, dataType) === undefined) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `Property "${name}" of ${typeSubject(kind, type.name)} has type ${JSON.stringify(dataType)}; ` +
          `use one of INT, DOUBLE, STRING, STRUCT, BOOLEAN.`,
      )
    }
  }
  const baseType = 'baseType' in type ? type.baseType : undefined
  if (baseType !== undefined && !BASE_TYPES[kind].includes(baseType)) {
    throw new MetadataError(
      'SLUICE_METADATA_INVALID_ARGUMENT',
      `${NOUN[kind]} "${type.name}" has baseType ${JSON.stringify(baseType)}; use one of ${BASE_TYPES[kind].join(', ')}.`,
    )
  }
}
