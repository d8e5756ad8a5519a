import type { AnyArtifactType } from './artifact-type.js'
import { metadataPropertyName } from './artifact-type.js'
import type { Artifact } from './artifact.js'
import { ExecutorError } from './errors.js'
import type { JsonObject, JsonValue } from './json.js'

// The serialised executor call. Its shape is Kubeflow Pipelines v2's ExecutorInput / ExecutorOutput
// (pipeline_spec.proto, proto3 JSON names), so the same container entrypoint serves the local
// runner, Docker and a Kubeflow cluster. Sluice's own fields sit under `sluice`.

/** An artifact in the executor input or output (KFP's RuntimeArtifact). */
export interface RuntimeArtifact {
  /** `sluice/artifacts/{id}` for a recorded artifact, the output key for a new one. */
  name: string
  type: { schemaTitle: string }
  uri: string
  /** Declared properties (metadata names, e.g. `split_names`) and custom properties, flat, as KFP keeps them. */
  metadata: JsonObject
}

/** The executor input JSON. */
export interface ExecutorInput {
  inputs: {
    parameterValues: Record<string, JsonValue>
    artifacts: Record<string, { artifacts: RuntimeArtifact[] }>
  }
  outputs: {
    parameters: Record<string, { outputFile: string }>
    artifacts: Record<string, { artifacts: RuntimeArtifact[] }>
    /** Where the executor writes its {@link ExecutorOutput}. */
    outputFile: string
  }
  /** Where to find the component and what run this is. */
  sluice: {
    component: string
    /** A module whose default export is the pipeline holding `nodeId` (pipeline files). */
    pipelineModule?: string
    /** A module (package name or file) exporting the component by name (plugins, packaged components). */
    componentModule?: string
    nodeId: string
    pipelineName: string
    pipelineRoot: string
    runId: string
    executionId: number
    tmpDir: string
  }
}

/** The executor output JSON. */
export interface ExecutorOutput {
  /** Payloads of value outputs. */
  parameterValues?: Record<string, JsonValue>
  /** Output artifacts with the properties the executor set. */
  artifacts?: Record<string, { artifacts: Pick<RuntimeArtifact, 'name' | 'uri' | 'metadata'>[] }>
}

const SCHEMA_PREFIX = 'sluice.'

/** Encodes an artifact for the executor input. Value artifacts carry their payload in metadata `value`. */
export function toRuntimeArtifact(artifact: Artifact, name: string): RuntimeArtifact {
  const metadata: JsonObject = { ...artifact.customProperties }
  for (const [key, value] of Object.entries(artifact.properties)) if (value !== undefined) metadata[metadataPropertyName(key)] = value as JsonValue
  if (artifact.value !== undefined) metadata.value = artifact.value as JsonValue
  return { name: artifact.id === undefined ? name : `sluice/artifacts/${artifact.id}`, type: { schemaTitle: SCHEMA_PREFIX + artifact.type.name }, uri: artifact.uri, metadata }
}

/** Decodes a runtime artifact against the expected artifact type. */
export function fromRuntimeArtifact(runtime: RuntimeArtifact, type: AnyArtifactType, where: string): Artifact {
  const title = runtime.type?.schemaTitle
  if (title !== undefined && title !== SCHEMA_PREFIX + type.name) {
    throw new ExecutorError(`Executor input ${where}: expected artifact type "${type.name}", found "${title}".`, { code: 'SLUICE_EXECUTOR_INPUT_INVALID' })
  }
  if (typeof runtime.uri !== 'string') throw new ExecutorError(`Executor input ${where}: the artifact has no uri.`, { code: 'SLUICE_EXECUTOR_INPUT_INVALID' })
  const properties: Record<string, JsonValue> = {}
  const customProperties: Record<string, JsonValue> = {}
  const declared = new Map(Object.keys(type.properties).map((k) => [metadataPropertyName(k), k]))
  let value: JsonValue | undefined
  for (const [key, v] of Object.entries(runtime.metadata ?? {})) {
    if (key === 'value' && type.valueKind !== undefined) value = v
    else if (declared.has(key)) properties[declared.get(key)!] = v
    else customProperties[key] = v
  }
  const match = /^sluice\/artifacts\/(\d+)$/.exec(runtime.name ?? '')
  return { id: match ? Number(match[1]) : undefined, type, uri: runtime.uri, properties, customProperties, ...(value === undefined ? {} : { value }) } as Artifact
}
