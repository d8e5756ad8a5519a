/** Declared type of a typed property (MLMD's PropertyType without the protobuf-only PROTO). */
export type PropertyType = 'INT' | 'DOUBLE' | 'STRING' | 'STRUCT' | 'BOOLEAN'

/** Any value `JSON.stringify` round-trips; what a STRUCT property holds. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue }

/** A property value: INT and DOUBLE are numbers, STRUCT is any JSON value. */
export type PropertyValue = number | string | boolean | JsonValue

/** Lifecycle state of an artifact (MLMD's Artifact.State). */
export type ArtifactState = 'UNKNOWN' | 'PENDING' | 'LIVE' | 'MARKED_FOR_DELETION' | 'DELETED' | 'ABANDONED' | 'REFERENCE'

/** Lifecycle state of an execution (MLMD's Execution.State). */
export type ExecutionState = 'UNKNOWN' | 'NEW' | 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED' | 'CANCELED'

/** How an artifact relates to an execution (MLMD's Event.Type). */
export type EventType =
  | 'UNKNOWN'
  | 'DECLARED_OUTPUT'
  | 'DECLARED_INPUT'
  | 'INPUT'
  | 'OUTPUT'
  | 'INTERNAL_INPUT'
  | 'INTERNAL_OUTPUT'
  | 'PENDING_OUTPUT'

/** MLMD's system base type of an artifact type, which tools use to recognise datasets, models, … */
export type ArtifactBaseType = 'UNSET' | 'DATASET' | 'MODEL' | 'METRICS' | 'STATISTICS'

/** MLMD's system base type of an execution type. */
export type ExecutionBaseType = 'UNSET' | 'TRAIN' | 'TRANSFORM' | 'PROCESS' | 'EVALUATE' | 'DEPLOY'

/** Fields shared by artifact, execution and context types. */
interface TypeBase {
  /** Set by the store. */
  id?: number
  /** Unique per kind (artifact, execution, context). */
  name: string
  version?: string
  description?: string
  /** Typed properties; putting a type again may add properties but never change one. */
  properties?: Record<string, PropertyType>
}

/** An artifact type such as `Examples` or `Model`. */
export interface ArtifactType extends TypeBase {
  baseType?: ArtifactBaseType
}

/** An execution type, usually one per component. */
export interface ExecutionType extends TypeBase {
  baseType?: ExecutionBaseType
}

/** A context type such as `pipeline`, `pipeline_run`, `node` or `execution_cache`. */
export interface ContextType extends TypeBase {}

/**
 * Fields shared by artifacts, executions and contexts.
 *
 * On update (id given) an `undefined` field keeps the stored value, while `properties: {}` clears them.
 */
interface NodeBase {
  /** Absent: insert; present: update that node. */
  id?: number
  /** Type name; the type must have been put first. */
  type: string
  /** Filled by the store; if given it must match `type`. */
  typeId?: number
  /** Unique per type when set. */
  externalId?: string
  /** Values of the properties declared on the type. */
  properties?: Record<string, PropertyValue>
  /** Free-form properties; their type is inferred from the JS value. */
  customProperties?: Record<string, PropertyValue>
  /** Milliseconds since epoch, set by the store. */
  createTime?: number
  /** Milliseconds since epoch, set by the store; bumped only when an update changes something. */
  updateTime?: number
}

/** An artifact: a file or directory (or a small value) produced or consumed by executions. */
export interface Artifact extends NodeBase {
  uri: string
  /** Unique per type when set. */
  name?: string
  state: ArtifactState
}

/** One run of a component. */
export interface Execution extends NodeBase {
  /** Unique per type when set. */
  name?: string
  state: ExecutionState
}

/** A group of artifacts and executions: a pipeline, a run, a node, a cache key. */
export interface Context extends NodeBase {
  /** Unique per type: putting the same (type, name) again reuses the stored context. */
  name: string
}

/** One step of an event path: the input/output key, then the index in that list. */
export type EventStep = { key: string } | { index: number }

/** An edge between an artifact and an execution. */
export interface Event {
  artifactId: number
  executionId: number
  type: EventType
  /** Where the artifact sits in the execution's inputs or outputs, e.g. `[{ key: 'examples' }, { index: 0 }]`. */
  path?: EventStep[]
  /** Milliseconds since epoch; defaults to the time of the put. */
  time?: number
}
