import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { ContextLinks } from './context-links.js'
import { codeOf, ARTIFACT_STATES, EXECUTION_STATES } from './enum-codes.js'
import { MetadataError } from './errors.js'
import { EventTable } from './event-table.js'
import { walkLineage, type LineageIds } from './lineage.js'
import { migrate } from './migrations.js'
import { buildNodeQuery, type NodeQuerySpec } from './node-query.js'
import { ARTIFACT_SPEC, CONTEXT_SPEC, EXECUTION_SPEC } from './node-specs.js'
import { NodeTable, type NodeRow, type SqlValue } from './node-table.js'
import { fromSqliteError } from './sqlite-errors.js'
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
import { TransactionGate } from './transaction-gate.js'
import { toPublicType, TypeRegistry, type AnyType, type TypeKind } from './type-registry.js'
import type { Artifact, ArtifactType, Context, ContextType, Event, Execution, ExecutionType } from './types.js'

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Open without write access; the file must exist and be migrated already. */
  readonly?: boolean
  /** How long a write waits for another process's write transaction before failing with SLUICE_METADATA_BUSY. Default 10000. */
  busyTimeoutMs?: number
  /** Receives every SQL statement run, with its parameters inlined; for debugging and query-plan checks. */
  trace?: (sql: string) => void
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000
const DEFAULT_MAX_HOPS = 20

/**
 * Opens (creating the file and its directory if needed) and migrates an SQLite metadata store.
 *
 * The file is put in WAL mode with synchronous=NORMAL: a commit costs no fsync, readers never block the writer,
 * and a power loss can lose only the last transactions, never corrupt the file.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): MetadataStore {
  return new SqliteMetadataStore(path, options)
}

/** Opens an empty store in memory; for tests and one-off runs whose metadata need not survive the process. */
export function openMemoryStore(): MetadataStore {
  return new SqliteMetadataStore(':memory:', {})
}

type WriteFn = (fn: () => unknown) => unknown

class SqliteMetadataStore implements MetadataStore {
  readonly location: string
  private readonly db: Database.Database
  private readonly readonly: boolean
  private readonly busyTimeoutMs: number
  private readonly types: TypeRegistry
  private readonly artifacts: NodeTable<Artifact>
  private readonly executions: NodeTable<Execution>
  private readonly contexts: NodeTable<Context>
  private readonly events: EventTable
  private readonly links: ContextLinks
  private readonly tx: Database.Transaction<WriteFn>
  private readonly gate = new TransactionGate()
  private readonly queries = new Map<string, Database.Statement<SqlValue[], NodeRow>>()
  private savepoints = 0
  private closed = false

  constructor(path: string, options: SqliteStoreOptions) {
    const memory = path === ':memory:'
    this.location = memory ? path : resolve(path)
    this.readonly = options.readonly ?? false
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
    this.db = this.open(memory, options)
    this.types = new TypeRegistry(this.db)
    this.artifacts = new NodeTable(this.db, this.types, ARTIFACT_SPEC)
    this.executions = new NodeTable(this.db, this.types, EXECUTION_SPEC)
    this.contexts = new NodeTable(this.db, this.types, CONTEXT_SPEC)
    this.events = new EventTable(this.db)
    this.links = new ContextLinks(this.db)
    this.tx = this.db.transaction<WriteFn>((fn) => fn())
  }

  private open(memory: boolean, options: SqliteStoreOptions): Database.Database {
    let db: Database.Database
    try {
      if (!memory && !this.readonly) mkdirSync(dirname(this.location), { recursive: true })
      db = new Database(this.location, {
        readonly: this.readonly,
        fileMustExist: this.readonly,
        timeout: this.busyTimeoutMs,
        ...(options.trace === undefined ? {} : { verbose: (sql: unknown) => options.trace?.(String(sql)) }),
      })
    } catch (cause) {
      throw new MetadataError(
        'SLUICE_METADATA_OPEN_FAILED',
        `Cannot open metadata store ${this.location}: ${(cause as Error).message}. ` +
          (this.readonly ? 'A read-only store must exist already; check the path.' : 'Check that the directory is writable.'),
        { cause },
      )
    }
    try {
      // WAL is a property of the file; switching takes a lock, so skip it when another process already did.
      if (!memory && !this.readonly && db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      migrate(db, this.location, { readonly: this.readonly })
      return db
    } catch (error) {
      db.close()
      throw fromSqliteError(error, this.location, this.busyTimeoutMs)
    }
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
    return this.read(() => this.types.loadAll('artifact').map(toPublicType))
  }
  getExecutionTypes(): Promise<ExecutionType[]> {
    return this.read(() => this.types.loadAll('execution').map(toPublicType))
  }
  getContextTypes(): Promise<ContextType[]> {
    return this.read(() => this.types.loadAll('context').map(toPublicType))
  }

  private putType(kind: TypeKind, type: AnyType): Promise<number> {
    return this.write(() => this.types.put(kind, type))
  }

  private getType(kind: TypeKind, name: string): Promise<(ArtifactType & ExecutionType & ContextType) | undefined> {
    return this.read(() => {
      const record = this.types.load(kind, name)
      return record === undefined ? undefined : toPublicType(record)
    })
  }

  // ---- nodes and edges

  putArtifacts(artifacts: Artifact[]): Promise<number[]> {
    return this.write((now) => list(artifacts, 'putArtifacts').map((a) => this.artifacts.put(a, now)))
  }

  putExecutions(executions: Execution[]): Promise<number[]> {
    return this.write((now) => list(executions, 'putExecutions').map((e) => this.executions.put(e, now)))
  }

  putContexts(contexts: Context[]): Promise<number[]> {
    return this.write((now) => list(contexts, 'putContexts').map((c) => this.putContext(c, now)))
  }

  putEvents(events: Event[]): Promise<void> {
    return this.write((now) => this.events.insert(list(events, 'putEvents'), now))
  }

  putAttributionsAndAssociations(attributions: Attribution[], associations: Association[]): Promise<void> {
    return this.write(() => {
      for (const a of list(attributions, 'putAttributionsAndAssociations')) this.links.attribute(a.artifactId, a.contextId)
      for (const a of list(associations, 'putAttributionsAndAssociations')) this.links.associate(a.executionId, a.contextId)
    })
  }

  putParentContexts(links: ParentContextLink[]): Promise<void> {
    return this.write(() => {
      for (const link of list(links, 'putParentContexts')) this.links.addParent(link.childId, link.parentId)
    })
  }

  putExecution(input: PutExecutionInput): Promise<PutExecutionResult> {
    return this.write((now) => {
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
    return this.read(() => this.artifacts.getByIds(list(ids, 'getArtifactsById')))
  }

  getExecutionsById(ids: number[]): Promise<Execution[]> {
    return this.read(() => this.executions.getByIds(list(ids, 'getExecutionsById')))
  }

  getContextsById(ids: number[]): Promise<Context[]> {
    return this.read(() => this.contexts.getByIds(list(ids, 'getContextsById')))
  }

  getArtifacts(query: ArtifactQuery = {}): Promise<Artifact[]> {
    return this.read(() => {
      const equals: NodeQuerySpec['equals'] = []
      if (query.uri !== undefined) equals.push(['uri', query.uri])
      if (query.state !== undefined) equals.push(['state', stateCodes(ARTIFACT_STATES, [query.state], 'artifact')])
      const link = query.contextId === undefined ? undefined : ({ table: 'Attribution', column: 'artifact_id', contextId: query.contextId } as const)
      return this.list(this.artifacts, 'artifact', query, equals, link)
    })
  }

  getExecutions(query: ExecutionQuery = {}): Promise<Execution[]> {
    return this.read(() => {
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
    return this.read(() => {
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
      statement = this.db.prepare<SqlValue[], NodeRow>(sql)
      this.queries.set(sql, statement)
    }
    return table.fromRows(statement.all(...params))
  }

  getContextByTypeAndName(type: string, name: string): Promise<Context | undefined> {
    return this.read(() => {
      const record = this.types.find('context', type)
      const id = record === undefined ? undefined : this.contexts.findIdByName(record.id, name)
      return id === undefined ? undefined : this.contexts.getByIds([id])[0]
    })
  }

  getContextsByArtifact(artifactId: number): Promise<Context[]> {
    return this.read(() => this.contexts.getByIds(this.links.contextIdsOfArtifact(artifactId)))
  }

  getContextsByExecution(executionId: number): Promise<Context[]> {
    return this.read(() => this.contexts.getByIds(this.links.contextIdsOfExecution(executionId)))
  }

  getParentContexts(contextId: number): Promise<Context[]> {
    return this.read(() => this.contexts.getByIds(this.links.parentIds(contextId)))
  }

  getChildContexts(contextId: number): Promise<Context[]> {
    return this.read(() => this.contexts.getByIds(this.links.childIds(contextId)))
  }

  getEventsByExecutionIds(executionIds: number[]): Promise<Event[]> {
    return this.read(() => this.events.byExecutionIds([...new Set(list(executionIds, 'getEventsByExecutionIds'))]))
  }

  getEventsByArtifactIds(artifactIds: number[]): Promise<Event[]> {
    return this.read(() => this.events.byArtifactIds([...new Set(list(artifactIds, 'getEventsByArtifactIds'))]))
  }

  getLineage(query: LineageQuery): Promise<LineageResult> {
    return this.read(() => {
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

  async transaction<T>(fn: () => Promise<T> | T): Promise<T> {
    this.assertOpen()
    if (this.gate.insideOwn) return this.nested(fn)
    return this.gate.run(
      () => {
        this.assertOpen()
        try {
          this.db.exec(this.readonly ? 'BEGIN' : 'BEGIN IMMEDIATE')
        } catch (error) {
          throw fromSqliteError(error, this.location, this.busyTimeoutMs)
        }
      },
      fn,
      (failed) => {
        if (!failed) {
          try {
            this.db.exec('COMMIT')
            return
          } catch (error) {
            this.rollback('ROLLBACK')
            throw fromSqliteError(error, this.location, this.busyTimeoutMs)
          }
        }
        this.rollback('ROLLBACK')
      },
    )
  }

  private async nested<T>(fn: () => Promise<T> | T): Promise<T> {
    const name = `sluice_${++this.savepoints}`
    this.db.exec(`SAVEPOINT ${name}`)
    let result: T
    try {
      result = await fn()
    } catch (error) {
      this.rollback(`ROLLBACK TO ${name}; RELEASE ${name}`)
      throw error
    }
    this.db.exec(`RELEASE ${name}`)
    return result
  }

  private rollback(sql: string): void {
    this.types.clear()
    if (this.db.open && this.db.inTransaction) this.db.exec(sql)
  }

  async close(): Promise<void> {
    while (this.gate.blocked) await this.gate.released
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  /** Runs `fn` in its own BEGIN IMMEDIATE transaction, or a savepoint inside an open `transaction()`. */
  private async write<T>(fn: (now: number) => T): Promise<T> {
    while (this.gate.blocked) await this.gate.released
    this.assertOpen()
    if (this.readonly) {
      throw new MetadataError(
        'SLUICE_METADATA_READONLY',
        `Metadata store ${this.location} was opened with { readonly: true }; open it without that option to write.`,
      )
    }
    try {
      return this.tx.immediate(() => fn(Date.now())) as T
    } catch (error) {
      this.types.clear()
      throw fromSqliteError(error, this.location, this.busyTimeoutMs)
    }
  }

  /** Runs `fn` in a read transaction, so its several statements see one snapshot. */
  private async read<T>(fn: () => T): Promise<T> {
    while (this.gate.blocked) await this.gate.released
    this.assertOpen()
    try {
      return this.tx.deferred(fn) as T
    } catch (error) {
      throw fromSqliteError(error, this.location, this.busyTimeoutMs)
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new MetadataError('SLUICE_METADATA_CLOSED', `Metadata store ${this.location} is closed; open it again to use it.`)
    }
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
