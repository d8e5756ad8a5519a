import type {
  Artifact,
  ArtifactState,
  ArtifactType,
  Context,
  ContextType,
  Event,
  Execution,
  ExecutionState,
  ExecutionType,
  PropertyValue,
} from './types.js'

/** Result order of list queries; ids grow with insertion, so `id-desc` is newest first. */
export type NodeOrder = 'id-desc' | 'id-asc'

/** Matches nodes whose property `name` equals `value`. */
export interface PropertyFilter {
  name: string
  value: PropertyValue
  /** true: custom properties only; false: typed properties only; absent: either. */
  custom?: boolean
}

/** Filters for {@link MetadataStore.getArtifacts}; all given filters must match. */
export interface ArtifactQuery {
  type?: string
  uri?: string
  state?: ArtifactState
  /** Only artifacts attributed to this context. */
  contextId?: number
  property?: PropertyFilter
  limit?: number
  /** Default `id-asc`. */
  order?: NodeOrder
}

/** Filters for {@link MetadataStore.getExecutions}; all given filters must match. */
export interface ExecutionQuery {
  type?: string
  /** One state, or any of several (e.g. `['COMPLETE', 'CACHED']` for a cache lookup). */
  state?: ExecutionState | ExecutionState[]
  /** Only executions associated with this context. */
  contextId?: number
  property?: PropertyFilter
  limit?: number
  /** Default `id-asc`. */
  order?: NodeOrder
}

/** Filters for {@link MetadataStore.getContexts}. */
export interface ContextQuery {
  type?: string
  name?: string
  limit?: number
  /** Default `id-asc`. */
  order?: NodeOrder
}

/** Links an artifact to a context. */
export interface Attribution {
  artifactId: number
  contextId: number
}

/** Links an execution to a context. */
export interface Association {
  executionId: number
  contextId: number
}

/** Makes `parentId` a parent of `childId` in the context hierarchy. */
export interface ParentContextLink {
  childId: number
  parentId: number
}

/** Everything an execution publishes in one transaction (what TFX's launcher writes). */
export interface PutExecutionInput {
  execution: Execution
  /** Artifacts to upsert, each with the event linking it to the execution (no event: attribution only). */
  artifactEventPairs?: { artifact: Artifact; event?: Omit<Event, 'artifactId' | 'executionId'> }[]
  /** Contexts to upsert (an existing (type, name) is reused); the execution and every artifact are linked to all. */
  contexts?: Context[]
}

/** Ids assigned by {@link MetadataStore.putExecution}, in input order. */
export interface PutExecutionResult {
  executionId: number
  artifactIds: number[]
  contextIds: number[]
}

/** Start nodes and direction of a lineage walk. */
export interface LineageQuery {
  artifactIds?: number[]
  executionIds?: number[]
  /** `both` is the union of the upstream and the downstream walk (ancestors and descendants, not siblings). */
  direction: 'upstream' | 'downstream' | 'both'
  /** Edges to walk from the start nodes (artifact→execution is one hop); default 20. */
  maxHops?: number
}

/** The subgraph a lineage walk reached, start nodes included, sorted by id. */
export interface LineageResult {
  artifacts: Artifact[]
  executions: Execution[]
  /** The events walked. */
  events: Event[]
}

/**
 * ML Metadata's store API.
 *
 * Async although the SQLite backend is synchronous underneath, because the PostgreSQL backend implements the
 * same interface. Every write call is one transaction: it either fully happens or not at all.
 */
export interface MetadataStore {
  /** File path, or `:memory:`. */
  readonly location: string

  /** Creates or extends an artifact type and returns its id; re-putting is idempotent and may add properties. */
  putArtifactType(type: ArtifactType): Promise<number>
  /** Creates or extends an execution type and returns its id. */
  putExecutionType(type: ExecutionType): Promise<number>
  /** Creates or extends a context type and returns its id. */
  putContextType(type: ContextType): Promise<number>
  /** The artifact type with this name, if any. */
  getArtifactType(name: string): Promise<ArtifactType | undefined>
  /** The execution type with this name, if any. */
  getExecutionType(name: string): Promise<ExecutionType | undefined>
  /** The context type with this name, if any. */
  getContextType(name: string): Promise<ContextType | undefined>
  /** All artifact types, by id. */
  getArtifactTypes(): Promise<ArtifactType[]>
  /** All execution types, by id. */
  getExecutionTypes(): Promise<ExecutionType[]>
  /** All context types, by id. */
  getContextTypes(): Promise<ContextType[]>

  /** Inserts artifacts without id and updates those with one; returns ids in input order. */
  putArtifacts(artifacts: Artifact[]): Promise<number[]>
  /** Inserts executions without id and updates those with one; returns ids in input order. */
  putExecutions(executions: Execution[]): Promise<number[]>
  /** Inserts or updates contexts; a context without id whose (type, name) exists is reused as is. */
  putContexts(contexts: Context[]): Promise<number[]>
  /** Inserts events; events of one call with the same (artifact, execution, type) are merged into one. */
  putEvents(events: Event[]): Promise<void>
  /** Links artifacts and executions to contexts; links that already exist are ignored. */
  putAttributionsAndAssociations(attributions: Attribution[], associations: Association[]): Promise<void>
  /** Adds parent links between contexts; existing links are ignored, cycles are refused. */
  putParentContexts(links: ParentContextLink[]): Promise<void>
  /** Publishes an execution with its artifacts, events and contexts in one transaction. */
  putExecution(input: PutExecutionInput): Promise<PutExecutionResult>

  /** Artifacts with these ids, in the order asked; unknown ids are skipped. */
  getArtifactsById(ids: number[]): Promise<Artifact[]>
  /** Executions with these ids, in the order asked; unknown ids are skipped. */
  getExecutionsById(ids: number[]): Promise<Execution[]>
  /** Contexts with these ids, in the order asked; unknown ids are skipped. */
  getContextsById(ids: number[]): Promise<Context[]>
  /** Artifacts matching every given filter. */
  getArtifacts(query?: ArtifactQuery): Promise<Artifact[]>
  /** Executions matching every given filter. */
  getExecutions(query?: ExecutionQuery): Promise<Execution[]>
  /** Contexts matching every given filter. */
  getContexts(query?: ContextQuery): Promise<Context[]>
  /** The context of this type and name, if any. */
  getContextByTypeAndName(type: string, name: string): Promise<Context | undefined>
  /** Contexts an artifact is attributed to. */
  getContextsByArtifact(artifactId: number): Promise<Context[]>
  /** Contexts an execution is associated with. */
  getContextsByExecution(executionId: number): Promise<Context[]>
  /** Direct parents of a context. */
  getParentContexts(contextId: number): Promise<Context[]>
  /** Direct children of a context. */
  getChildContexts(contextId: number): Promise<Context[]>
  /** Events of these executions, by event id. */
  getEventsByExecutionIds(executionIds: number[]): Promise<Event[]>
  /** Events of these artifacts, by event id. */
  getEventsByArtifactIds(artifactIds: number[]): Promise<Event[]>
  /** Walks events from the start nodes up (producers, their inputs, …), down (consumers, their outputs, …) or both. */
  getLineage(query: LineageQuery): Promise<LineageResult>

  /**
   * Runs `fn` in one transaction; store calls made inside it join the transaction, and calls made elsewhere in
   * the process wait until it ends. Rolls back when `fn` throws.
   */
  transaction<T>(fn: () => Promise<T> | T): Promise<T>
  /** Closes the connection; later calls fail with SLUICE_METADATA_CLOSED. */
  close(): Promise<void>
}
