import type { ArtifactState, EventType, ExecutionState, PropertyType } from './types.js'

// Enums are stored as MLMD's protobuf numbers, so a row reads the same as in an MLMD database.

/** MLMD's Artifact.State numbers, indexed by code. */
export const ARTIFACT_STATES: readonly ArtifactState[] = [
  'UNKNOWN',
  'PENDING',
  'LIVE',
  'MARKED_FOR_DELETION',
  'DELETED',
  'ABANDONED',
  'REFERENCE',
]

/** MLMD's Execution.State numbers, indexed by code. */
export const EXECUTION_STATES: readonly ExecutionState[] = [
  'UNKNOWN',
  'NEW',
  'RUNNING',
  'COMPLETE',
  'FAILED',
  'CACHED',
  'CANCELED',
]

/** MLMD's Event.Type numbers, indexed by code. */
export const EVENT_TYPES: readonly EventType[] = [
  'UNKNOWN',
  'DECLARED_OUTPUT',
  'DECLARED_INPUT',
  'INPUT',
  'OUTPUT',
  'INTERNAL_INPUT',
  'INTERNAL_OUTPUT',
  'PENDING_OUTPUT',
]

/** MLMD's PropertyType numbers (4 = STRUCT, 5 = PROTO is not supported), indexed by code. */
export const PROPERTY_TYPES: readonly (PropertyType | undefined)[] = [
  undefined,
  'INT',
  'DOUBLE',
  'STRING',
  'STRUCT',
  undefined,
  'BOOLEAN',
]

/** The stored number of an enum value, or undefined when the value is not one of `values`. */
export function codeOf<T extends string>(values: readonly (T | undefined)[], value: T): number | undefined {
  if (value === undefined) return undefined
  const code = values.indexOf(value)
  return code < 0 ? undefined : code
}

/** The enum value of a stored number; unknown numbers (from a newer writer) read as `fallback`. */
export function valueOf<T extends string>(values: readonly (T | undefined)[], code: number, fallback: T): T {
  return values[code] ?? fallback
}
