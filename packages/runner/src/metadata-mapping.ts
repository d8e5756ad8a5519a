import type { AnyArtifactType, Artifact, ArtifactRecord, ExecutionTypeAnnotation, JsonValue, Pipeline, PropertyKind } from '@sluice/core'
import { metadataPropertyName } from '@sluice/core'
import type { ArtifactType as StoredArtifactType, Artifact as StoredArtifact, ExecutionBaseType, MetadataStore, PropertyType, PropertyValue } from '@sluice/metadata'

// How Sluice's values map onto ML Metadata's data model, following TFX so that a store written here
// reads like one TFX wrote: snake_case property names, `split_names` as a JSON list in a STRING.

/** Context type names, as TFX names them. */
export const ContextTypes = {
  pipeline: 'pipeline',
  run: 'pipeline_run',
  node: 'node',
  cache: 'execution_cache',
} as const

const PROPERTY_TYPES: Record<PropertyKind, PropertyType> = {
  int: 'INT',
  float: 'DOUBLE',
  string: 'STRING',
  boolean: 'BOOLEAN',
  json: 'STRUCT',
  'string[]': 'STRING',
}

const EXECUTION_BASE_TYPES: Record<ExecutionTypeAnnotation, ExecutionBaseType> = {
  Train: 'TRAIN',
  Transform: 'TRANSFORM',
  Process: 'PROCESS',
  Evaluate: 'EVALUATE',
  Deploy: 'DEPLOY',
}

/** The metadata store's form of an artifact type. */
export function toStoredArtifactType(type: AnyArtifactType): StoredArtifactType {
  const properties: Record<string, PropertyType> = {}
  for (const [name, k] of Object.entries(type.properties)) properties[metadataPropertyName(name)] = PROPERTY_TYPES[k]
  return { name: type.name, properties, ...(type.baseType ? { baseType: type.baseType } : {}), ...(type.description ? { description: type.description } : {}) }
}

/** Puts every context, execution and artifact type the pipeline uses; idempotent. */
export async function registerPipelineTypes(store: MetadataStore, pipeline: Pipeline): Promise<void> {
  for (const name of Object.values(ContextTypes)) await store.putContextType({ name })
  const artifactTypes = new Map<string, AnyArtifactType>()
  for (const node of pipeline.nodes) {
    const base = node.component.executionType
    await store.putExecutionType({ name: node.component.name, ...(base ? { baseType: EXECUTION_BASE_TYPES[base] } : {}) })
    for (const channel of Object.values(node.outputs)) artifactTypes.set(channel.type.name, channel.type)
    for (const channels of Object.values(node.inputs)) for (const c of channels) artifactTypes.set(c.type.name, c.type)
  }
  for (const type of artifactTypes.values()) await store.putArtifactType(toStoredArtifactType(type))
}

/** The metadata store's form of an artifact. */
export function toStoredArtifact(artifact: Artifact, extraCustom: Record<string, JsonValue> = {}): StoredArtifact {
  const properties: Record<string, PropertyValue> = {}
  for (const [name, value] of Object.entries(artifact.properties)) {
    if (value === undefined) continue
    properties[metadataPropertyName(name)] = artifact.type.properties[name] === 'string[]' ? JSON.stringify(value) : (value as PropertyValue)
  }
  return {
    ...(artifact.id === undefined ? {} : { id: artifact.id }),
    type: artifact.type.name,
    uri: artifact.uri,
    state: 'LIVE',
    properties,
    customProperties: { ...artifact.customProperties, ...extraCustom } as Record<string, PropertyValue>,
  }
}

/** An executor-facing artifact from a stored one, decoding properties against the artifact type. */
export function fromStoredArtifact(stored: StoredArtifact, type: AnyArtifactType): Artifact {
  const properties: Record<string, JsonValue> = {}
  const stored_ = stored.properties ?? {}
  for (const [name, k] of Object.entries(type.properties)) {
    const value = stored_[metadataPropertyName(name)]
    if (value === undefined) continue
    properties[name] = k === 'string[]' && typeof value === 'string' ? (JSON.parse(value) as JsonValue) : (value as JsonValue)
  }
  return { id: stored.id, type, uri: stored.uri, properties, customProperties: { ...(stored.customProperties ?? {}) } as Record<string, JsonValue> }
}

/** The record resolver strategies and reports see. */
export function toArtifactRecord(stored: StoredArtifact): ArtifactRecord {
  return {
    id: stored.id!,
    typeName: stored.type,
    uri: stored.uri,
    state: stored.state,
    properties: (stored.properties ?? {}) as Record<string, JsonValue>,
    customProperties: (stored.customProperties ?? {}) as Record<string, JsonValue>,
    createTime: stored.createTime ?? 0,
  }
}
