import type Database from 'better-sqlite3'
import { ContextLinks } from './context-links.js'
import { ARTIFACT_STATES, codeOf, EXECUTION_STATES } from './enum-codes.js'
import { MetadataError } from './errors.js'
import { EventTable } from './event-table.js'
import { walkLineage, type LineageIds } from './lineage.js'
import { buildNodeQuery, type NodeQuerySpec } from './node-query.js'
import { ARTIFACT_SPEC, CONTEXT_SPEC, EXECUTION_SPEC } from './node-specs.js'
import { NodeTable, type NodeRow, type SqlValue } from './node-table.js'
import { SqliteConnection, type SqliteStoreOptions } from './sqlite-connection.js'
import type {
  ArtifactQuery,
  Association,
  Attribution,
  ContextQuery,
  ExecutionQuery,
  LineageQuery,
  LineageResult,
  MetadataStore,
  ParentContextLink,
  PutExecutionInput,
  PutExecutionResult,
} from './store.js'
import { toPublicType, TypeRegistry, type AnyType, type TypeKind } from './type-registry.js'
import type { Artifact, ArtifactType, Context, ContextType, Event, Execution, ExecutionType } from './types.js'

const DEFAULT_MAX_HOPS = 20

/**
 * Opens (creating the file and its directory if needed) and migrates an SQLite metadata store.
 *
 * The file is put in WAL mode with synchronous=NORMAL: a commit costs no fsync, readers never block the writer,
 * and a power loss can lose only the last transactions, never corrupt the file.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): MetadataStore {
  return new SqliteMetadataStore(new SqliteConnection(path, options))
}

/** Opens an empty store in memory; for tests and one-off runs whose metadata need not survive the process. */
export function openMemoryStore(): MetadataStore {
  return new SqliteMetadataStore(new SqliteConnection(':memory:', {}))
}

/** MLMD's store API mapped onto the tables; transactions and locking are the connection's business. */
class SqliteMetadataStore implements MetadataStore {
  readonly location: string
  private readonly types: TypeRegistry
  private readonly artifacts: NodeTable<Artifact>
  private readonly executions: NodeTable<Execution>
  private readonly contexts: NodeTable<Context>
  private readonly events: EventTable
  private readonly links: ContextLinks
  private readonly queries = new Map<string, Database.Statement<SqlValue[], NodeRow>>()

  constructor(private readonly conn: SqliteConnection) {
    const db = conn.db
    this.location = conn.location
    this.types = new TypeRegistry(db)
    this.artifacts = new NodeTable(db, this.types, ARTIFACT_SPEC)
    this.executions = new NodeTable(db, this.types, EXECUTION_SPEC)
    this.contexts = new NodeTable(db, this.types, CONTEXT_SPEC)
    this.events = new EventTable(db)
    this.links = new ContextLinks(db)
    // A rollback may undo types the cache has seen.
    conn.onRollback = () => this.types.clear()
  }

  // ---- types

  putArtifactType(type: ArtifactType): Promise<number> {
    return this.putType('artifact', type)
  }
  putExecutionType(type: ExecutionType): Promise<number> {
    return this.putType('execution', type)
  }
  putContextType(type: ContextType): Promise<number> {
    return this.putType('context', type)
  }
  getArtifactType(name: string): Promise<ArtifactType | undefined> {
    return this.getType('artifact', name)
  }
  getExecutionType(name: string): Promise<ExecutionType | undefined> {
    return this.getType('execution', name)
  }
  getContextType(name: string): Promise<ContextType | undefined> {
    return this.getType('context', name)
  }
  getArtifactTypes(): Promise<ArtifactType[]> {
    return this.conn.read(() => this.types.loadAll('artifact').map(toPublicType))
  }
  getExecutionTypes(): Promise<ExecutionType[]> {
    return this.conn.read(() => this.types.loadAll('execution').map(toPublicType))
  }
  getContextTypes(): Promise<ContextType[]> {
    return this.conn.read(() => this.types.loadAll('context').map(toPublicType))
  }

  private putType(kind: TypeKind, type: AnyType): Promise<number> {
    return this.conn.write(() => this.types.put(kind, type))
  }

  private getType(kind: TypeKind, name: string): Promise<(ArtifactType & ExecutionType & ContextType) | undefined> {
    return this.conn.read(() => {
      const record = this.types.load(kind, name)
      return record === undefined ? undefined : toPublicType(record)
    })
  }

  // ---- nodes and edges

  putArtifacts(artifacts: Artifact[]): Promise<number[]> {
    return this.conn.write((now) => list(artifacts, 'putArtifacts').map((a) => this.artifacts.put(a, now)))
  }

  putExecutions(executions: Execution[]): Promise<number[]> {
    return this.conn.write((now) => list(executions, 'putExecutions').map((e) => this.executions.put(e, now)))
  }

  putContexts(contexts: Context[]): Promise<number[]> {
    return this.conn.write((now) => list(contexts, 'putContexts').map((c) => this.putContext(c, now)))
  }

  putEvents(events: Event[]): Promise<void> {
    return this.conn.write((now) => this.events.insert(list(events, 'putEvents'), now))
  }

  putAttributionsAndAssociations(attributions: Attribution[], associations: Association[]): Promise<void> {
    return this.conn.write(() => {
      for (const a of list(attributions, 'putAttributionsAndAssociations')) this.links.attribute(a.artifactId, a.contextId)
      for (const a of list(associations, 'putAttributionsAndAssociations')) this.links.associate(a.executionId, a.contextId)
    })
  }

  putParentContexts(links: ParentContextLink[]): Promise<void> {
    return this.conn.write(() => {
      for (const link of list(links, 'putParentContexts')) this.links.addParent(link.childId, link.parentId)
    })
  }

  putExecution(input: PutExecutionInput): Promise<PutExecutionResult> {
    return this.conn.write((now) => {
      const pairs = list(input.artifactEventPairs ?? [], 'putExecution artifactEventPairs')
      const executionId = this.executions.put(input.execution, now)
      const artifactIds = pairs.map((pair) => this.artifacts.put(pair.artifact, now))
      const events: Event[] = []
      pairs.forEach((pair, i) => {
        if (pair.event !== undefined) events.push({ ...pair.event, artifactId: artifactIds[i] as number, executionId })
      })
      this.events.insert(events, now)
      const contextIds = list(input.contexts ?? [], 'putExecution contexts').map((c) => this.putContext(c, now))
      const attributed = [...new Set(artifactIds)]
      for (const contextId of new Set(contextIds)) {
        this.links.associate(executionId, contextId)
        for (const artifactId of attributed) this.links.attribute(artifactId, contextId)
      }
      return { executionId, artifactIds, contextIds }
    })
  }

  /** Reuses the stored context of the same (type, name); the check and the insert share the write lock, so no race. */
  private putContext(context: Context, now: number): number {
    if (context?.id === undefined && typeof context?.name === 'string') {
      const type = this.types.require('context', context.type, context.typeId)
      const existing = this.contexts.findIdByName(type.id, context.name)
      if (existing !== undefined) return existing
    }
    return this.contexts.put(context, now)
  }

  // ---- reads

  getArtifactsById(ids: number[]): Promise<Artifact[]> {
    return this.conn.readOneStatement(() => this.artifacts.getByIds(list(ids, 'getArtifactsById')))
  }

  getExecutionsById(ids: number[]): Promise<Execution[]> {
    return this.conn.readOneStatement(() => this.executions.getByIds(list(ids, 'getExecutionsById')))
  }

  getContextsById(ids: number[]): Promise<Context[]> {
    return this.conn.readOneStatement(() => this.contexts.getByIds(list(ids, 'getContextsById')))
  }

  getArtifacts(query: ArtifactQuery = {}): Promise<Artifact[]> {
    return this.conn.read(() => {
      const equals: NodeQuerySpec['equals'] = []
      if (query.uri !== undefined) equals.push(['uri', query.uri])
      if (query.state !== undefined) equals.push(['state', stateCodes(ARTIFACT_STATES, [query.state], 'artifact')])
      const link = query.contextId === undefined ? undefined : ({ table: 'Attribution', column: 'artifact_id', contextId: query.contextId } as const)
      return this.list(this.artifacts, 'artifact', query, equals, link)
    })
  }

  getExecutions(query: ExecutionQuery = {}): Promise<Execution[]> {
    return this.conn.read(() => {
      const equals: NodeQuerySpec['equals'] = []
      if (query.state !== undefined) {
        const states = Array.isArray(query.state) ? query.state : [query.state]
        if (states.length === 0) return []
        equals.push(['last_known_state', stateCodes(EXECUTION_STATES, states, 'execution')])
      }
      const link = query.contextId === undefined ? undefined : ({ table: 'Association', column: 'execution_id', contextId: query.contextId } as const)
      return this.list(this.executions, 'execution', query, equals, link)
    })
  }

  getContexts(query: ContextQuery = {}): Promise<Context[]> {
    return this.conn.read(() => {
      const equals: NodeQuerySpec['equals'] = query.name === undefined ? [] : [['name', query.name]]
      return this.list(this.contexts, 'context', query, equals, undefined)
    })
  }

  private list<N extends Artifact | Execution | Context>(
    table: NodeTable<N>,
    kind: TypeKind,
    query: { type?: string; property?: NodeQuerySpec['property']; limit?: number; order?: NodeQuerySpec['order'] },
    equals: NodeQuerySpec['equals'],
    link: NodeQuerySpec['link'],
  ): N[] {
    let typeId: number | undefined
    if (query.type !== undefined) {
      typeId = this.types.find(kind, query.type)?.id
      if (typeId === undefined) return []
    }
    const { sql, params } = buildNodeQuery({
      table: table.spec.table,
      select: table.selectColumns,
      propertyTable: table.spec.propertyTable,
      fk: table.spec.fk,
      ...(typeId === undefined ? {} : { typeId }),
      equals,
      ...(link === undefined ? {} : { link }),
      ...(query.property === undefined ? {} : { property: query.property }),
      ...(query.order === undefined ? {} : { order: query.order }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    })
    let statement = this.queries.get(sql)
    if (statement === undefined) {
      statement = this.conn.db.prepare<SqlValue[], NodeRow>(sql)
      this.queries.set(sql, statement)
    }
    return table.fromRows(statement.all(...params))
  }

  getContextByTypeAndName(type: string, name: string): Promise<Context | undefined> {
    return this.conn.read(() => {
      const record = this.types.find('context', type)
      const id = record === undefined ? undefined : this.contexts.findIdByName(record.id, name)
      return id === undefined ? undefined : this.contexts.getByIds([id])[0]
    })
  }

  getContextsByArtifact(artifactId: number): Promise<Context[]> {
    return this.conn.read(() => this.contexts.getByIds(this.links.contextIdsOfArtifact(artifactId)))
  }

  getContextsByExecution(executionId: number): Promise<Context[]> {
    return this.conn.read(() => this.contexts.getByIds(this.links.contextIdsOfExecution(executionId)))
  }

  getParentContexts(contextId: number): Promise<Context[]> {
    return this.conn.read(() => this.contexts.getByIds(this.links.parentIds(contextId)))
  }

  getChildContexts(contextId: number): Promise<Context[]> {
    return this.conn.read(() => this.contexts.getByIds(this.links.childIds(contextId)))
  }

  getEventsByExecutionIds(executionIds: number[]): Promise<Event[]> {
    return this.conn.read(() => this.events.byExecutionIds([...new Set(list(executionIds, 'getEventsByExecutionIds'))]))
  }

  getEventsByArtifactIds(artifactIds: number[]): Promise<Event[]> {
    return this.conn.read(() => this.events.byArtifactIds([...new Set(list(artifactIds, 'getEventsByArtifactIds'))]))
  }

  getLineage(query: LineageQuery): Promise<LineageResult> {
    return this.conn.read(() => {
      const maxHops = query.maxHops ?? DEFAULT_MAX_HOPS
      if (!Number.isSafeInteger(maxHops) || maxHops < 0) {
        throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `getLineage maxHops ${String(query.maxHops)} is not a non-negative integer.`)
      }
      if (!['upstream', 'downstream', 'both'].includes(query.direction)) {
        throw new MetadataError(
          'SLUICE_METADATA_INVALID_ARGUMENT',
          `getLineage direction ${JSON.stringify(query.direction)} is not 'upstream', 'downstream' or 'both'.`,
        )
      }
      // Start nodes that do not exist are dropped, so they do not show up as phantom ids.
      const start = {
        artifactIds: this.artifacts.getByIds(list(query.artifactIds ?? [], 'getLineage artifactIds')).map((a) => a.id as number),
        executionIds: this.executions.getByIds(list(query.executionIds ?? [], 'getLineage executionIds')).map((e) => e.id as number),
      }
      const reached: LineageIds = { artifactIds: new Set(), executionIds: new Set(), events: new Map() }
      for (const direction of ['upstream', 'downstream'] as const) {
        if (query.direction === direction || query.direction === 'both') walkLineage(this.events, start, direction, maxHops, reached)
      }
      const byId = (a: number, b: number) => a - b
      return {
        artifacts: this.artifacts.getByIds([...reached.artifactIds].sort(byId)),
        executions: this.executions.getByIds([...reached.executionIds].sort(byId)),
        events: [...reached.events.values()],
      }
    })
  }

  // ---- transactions and lifecycle

  transaction<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.conn.transaction(fn)
  }

  close(): Promise<void> {
    return this.conn.close()
  }
}

function list<T>(value: T[], operation: string): T[] {
  if (!Array.isArray(value)) {
    throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `${operation} expects an array, got ${value === null ? 'null' : typeof value}.`)
  }
  return value
}

function stateCodes(values: readonly string[], states: readonly string[], noun: string): number[] {
  return states.map((state) => {
    const code = codeOf(values, state)
    if (code === undefined) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `${JSON.stringify(state)} is not an ${noun} state; use one of ${values.join(', ')}.`,
      )
    }
    return code
  })
}
