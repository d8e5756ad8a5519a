import { createHash } from 'node:crypto'
import type { AnyNode, Artifact, ExecutionBackend, JsonValue } from '@sluice/core'
import { isFingerprintedFileParameter, stableStringify } from '@sluice/core'
import { resolveFileParameters } from './file-parameters.js'
import { fingerprintPath } from './fingerprint.js'

/** Everything the cache key is made of, kept so `sluice run show` can explain a miss. */
export interface CacheKeyParts {
  readonly pipeline: string
  readonly nodeId: string
  readonly component: string
  readonly componentVersion: string | null
  /** SHA-256 of the executor's code (function source, or the lazy loader for packaged executors). */
  readonly executorCode: string
  /** What the component's own `fingerprint` hook returned (e.g. a container image digest). */
  readonly componentFingerprint: string | null
  /** The execution backend and its fingerprint (e.g. the runner image digest); null in the runner's process. */
  readonly backend: string | null
  /** Content fingerprints of file parameters (module files, data files), by parameter name. */
  readonly files: Readonly<Record<string, string>>
  readonly parameters: Readonly<Record<string, JsonValue>>
  /** Per input key: each artifact's id and content fingerprint. */
  readonly inputs: Readonly<Record<string, readonly { id: number | null; fingerprint: string }[]>>
  /** Output keys and their artifact types. */
  readonly outputs: Readonly<Record<string, string>>
}

/**
 * Computes a node's cache key (DESIGN.md §4, after TFX's `get_cache_context`): SHA-256 over the node
 * identity, component name and version, executor fingerprint (code, the component's fingerprint hook,
 * the execution backend's environment), parameters with the contents of file parameters, and the
 * input artifacts (ids plus content fingerprints).
 */
export async function computeCacheKey(
  pipeline: string,
  node: AnyNode,
  inputs: Readonly<Record<string, readonly Artifact[]>>,
  cwd: string,
  backend?: ExecutionBackend,
): Promise<{ key: string; parts: CacheKeyParts }> {
  const files: Record<string, string> = {}
  const resolvedFiles = resolveFileParameters(node, cwd)
  const shape = node.component.parameters.shape as Record<string, unknown>
  for (const [name, location] of Object.entries(resolvedFiles)) {
    if (isFingerprintedFileParameter(shape[name])) files[name] = await fingerprintPath(location)
  }
  const inputParts: Record<string, { id: number | null; fingerprint: string }[]> = {}
  for (const [key, artifacts] of Object.entries(inputs)) {
    inputParts[key] = await Promise.all(artifacts.map(async (a) => ({ id: a.id ?? null, fingerprint: await fingerprintPath(a.uri) })))
  }
  const parts: CacheKeyParts = {
    pipeline,
    nodeId: node.id,
    component: node.component.name,
    componentVersion: node.component.version ?? null,
    executorCode: createHash('sha256').update(node.component.code).digest('hex'),
    componentFingerprint: node.component.fingerprint ? await node.component.fingerprint(node.component.parameters.parse({ ...node.parameters, ...resolvedFiles })) : null,
    backend: backend ? `${backend.name}:${backend.fingerprint ? await backend.fingerprint() : ''}` : null,
    files,
    parameters: node.parameters,
    inputs: inputParts,
    outputs: Object.fromEntries(Object.entries(node.outputs).map(([k, c]) => [k, c.type.name])),
  }
  return { key: createHash('sha256').update(stableStringify(parts)).digest('hex'), parts }
}
