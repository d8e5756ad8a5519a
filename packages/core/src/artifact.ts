import type { AnyArtifactType, PropertyValues, ValueOf } from './artifact-type.js'
import type { JsonValue } from './json.js'

/** ML Metadata's artifact states. */
export type ArtifactState = 'UNKNOWN' | 'PENDING' | 'LIVE' | 'MARKED_FOR_DELETION' | 'DELETED' | 'ABANDONED' | 'REFERENCE'

/**
 * An artifact as an executor sees it: its type, where it lives and its properties. Executors may set
 * `properties` and `customProperties` of their outputs in place; the runner records them when it
 * publishes the execution.
 */
export interface Artifact<T extends AnyArtifactType = AnyArtifactType> {
  /** The metadata store id; undefined for an output not yet published. */
  readonly id: number | undefined
  readonly type: T
  /** A directory, or for value artifacts the file holding the value. */
  readonly uri: string
  /** Declared properties. */
  properties: PropertyValues<T['properties']>
  /** Free-form properties. */
  customProperties: Record<string, JsonValue>
  /** The decoded payload of an input value artifact (Integer, String…). */
  readonly value?: ValueOf<T>
}

/** An artifact record from the metadata store, as resolver strategies and the CLI see it. */
export interface ArtifactRecord {
  readonly id: number
  readonly typeName: string
  readonly uri: string
  readonly state: ArtifactState
  readonly properties: Readonly<Record<string, JsonValue>>
  readonly customProperties: Readonly<Record<string, JsonValue>>
  readonly createTime: number
}
