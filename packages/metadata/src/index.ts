export { MetadataError, type MetadataErrorCode } from './errors.js'
export { SCHEMA_VERSION } from './migrations.js'
export type { SqliteStoreOptions } from './sqlite-connection.js'
export { openMemoryStore, openSqliteStore } from './sqlite-store.js'
export type {
  ArtifactQuery,
  Association,
  Attribution,
  ContextQuery,
  ExecutionQuery,
  LineageQuery,
  LineageResult,
  MetadataStore,
  NodeOrder,
  ParentContextLink,
  PropertyFilter,
  PutExecutionInput,
  PutExecutionResult,
} from './store.js'
export type {
  Artifact,
  ArtifactBaseType,
  ArtifactState,
  ArtifactType,
  Context,
  ContextType,
  Event,
  EventStep,
  EventType,
  Execution,
  ExecutionBaseType,
  ExecutionState,
  ExecutionType,
  JsonValue,
  PropertyType,
  PropertyValue,
} from './types.js'
