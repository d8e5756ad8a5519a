import path from 'node:path'
import type { AnyNode, Artifact, ArtifactRecord, JsonValue } from '@sluice/core'
import type { Artifact as StoredArtifact } from '@sluice/metadata'
import { fingerprintPath } from './fingerprint.js'
import { fromStoredArtifact, toArtifactRecord, toStoredArtifact } from './metadata-mapping.js'
import type { NodeRunner } from './execution-records.js'
import { executionProperties, inputEvents, nodeContexts, reportOutputs } from './execution-records.js'
import type { NodeResult } from './run-events.js'

/**
 * Importer (TFX's system node): registers an external path as an artifact. Unless `reimport` is set,
 * an artifact with the same uri, type, properties and content fingerprint is reused and the
 * execution recorded CACHED; a changed file gets a new artifact, so downstream caches miss.
 */
export async function runImporter(run: NodeRunner, node: AnyNode): Promise<NodeResult> {
  const started = Date.now()
  const spec = node.system
  if (spec?.kind !== 'importer') throw new Error('runImporter called on a node that is not an Importer')
  const uri = path.resolve(run.cwd, spec.sourceUri)
  const fingerprint = await fingerprintPath(uri)
  const base = executionProperties(run, node, { source_uri: uri })
  if (fingerprint === 'missing') {
    const message = `Importer "${node.id}": ${uri} does not exist.`
    const { executionId } = await run.store.putExecution({
      execution: { type: node.component.name, state: 'FAILED', customProperties: { ...base, error_code: 'SLUICE_IMPORT_SOURCE_MISSING', error_message: message } },
      contexts: nodeContexts(run, node),
    })
    return { nodeId: node.id, status: 'FAILED', executionId, durationMs: Date.now() - started, attempts: 1, outputs: {}, error: { code: 'SLUICE_IMPORT_SOURCE_MISSING', message, retryable: false } }
  }
  // Properties are given with TypeScript names (splitNames) and stored with TFX's (split_names).
  const fresh = toStoredArtifact({
    id: undefined,
    type: spec.artifactType,
    uri,
    properties: { ...spec.properties },
    customProperties: { ...spec.customProperties, is_external: 1, source_fingerprint: fingerprint },
  })
  let reused: StoredArtifact | undefined
  if (!spec.reimport) {
    const existing = await run.store.getArtifacts({ type: spec.artifactType.name, uri, state: 'LIVE', order: 'id-desc', limit: 50 })
    const wantedCustom = fresh.customProperties ?? {}
    const wantedProperties = fresh.properties ?? {}
    reused = existing.find((a) => sameJson(a.customProperties ?? {}, wantedCustom, Object.keys(wantedCustom)) && sameJson(a.properties ?? {}, wantedProperties, Object.keys(wantedProperties)))
  }
  const artifact: StoredArtifact = reused ?? fresh
  const { executionId, artifactIds } = await run.store.putExecution({
    execution: { type: node.component.name, state: reused ? 'CACHED' : 'COMPLETE', customProperties: { ...base, duration_ms: Date.now() - started } },
    artifactEventPairs: [{ artifact, event: { type: 'OUTPUT', path: [{ key: 'result' }, { index: 0 }] } }],
    contexts: nodeContexts(run, node),
  })
  const outputs = { result: await run.withValues([fromStoredArtifact({ ...artifact, id: artifactIds[0]! }, spec.artifactType)]) }
  run.published.set(node.id, outputs)
  return { nodeId: node.id, status: reused ? 'CACHED' : 'COMPLETE', executionId, durationMs: Date.now() - started, attempts: 1, outputs: reportOutputs(outputs) }
}

function sameJson(actual: Record<string, unknown>, wanted: Record<string, unknown>, keys: string[]): boolean {
  return keys.every((k) => JSON.stringify(actual[k]) === JSON.stringify(wanted[k]))
}

/**
 * Resolver (TFX's system node): hands the strategy every LIVE candidate (this run's upstream outputs,
 * or for a standalone channel every artifact of the type in this pipeline) and passes on what it
 * picks. When the strategy finds nothing, the node and its dependants are skipped.
 */
export async function runResolver(run: NodeRunner, node: AnyNode, upstream: Record<string, Artifact[]>): Promise<NodeResult> {
  const started = Date.now()
  const spec = node.system
  if (spec?.kind !== 'resolver') throw new Error('runResolver called on a node that is not a Resolver')
  const candidates: Record<string, ArtifactRecord[]> = {}
  const storedById = new Map<number, StoredArtifact>()
  for (const [key, channels] of Object.entries(node.inputs)) {
    const list: StoredArtifact[] = []
    for (const channel of channels) {
      if (channel.producer) {
        const ids = (upstream[key] ?? []).map((a) => a.id!).filter((id) => id !== undefined)
        list.push(...(await run.store.getArtifactsById(ids)))
      } else {
        list.push(...(await run.store.getArtifacts({ type: channel.type.name, contextId: run.pipelineContext.id!, state: 'LIVE', order: 'id-desc', limit: 1000 })))
      }
    }
    for (const a of list) storedById.set(a.id!, a)
    candidates[key] = list.map(toArtifactRecord).sort((a, b) => b.id - a.id)
  }
  const chosen = spec.strategy.resolve(candidates)
  if (chosen === undefined) {
    return { nodeId: node.id, status: 'SKIPPED', executionId: undefined, durationMs: Date.now() - started, attempts: 0, outputs: {}, reason: `strategy ${spec.strategy.name} found nothing to resolve` }
  }
  const outputs: Record<string, Artifact[]> = {}
  for (const [key, records] of Object.entries(chosen)) {
    const type = node.outputs[key]!.type
    outputs[key] = await run.withValues(records.map((r) => fromStoredArtifact(storedById.get(r.id)!, type)))
  }
  const { executionId } = await run.store.putExecution({
    execution: { type: node.component.name, state: 'COMPLETE', customProperties: executionProperties(run, node, { strategy: spec.strategy.name, strategy_config: spec.strategy.config as JsonValue, duration_ms: Date.now() - started }) },
    artifactEventPairs: await inputEvents(run.store, outputs),
    contexts: nodeContexts(run, node),
  })
  run.published.set(node.id, outputs)
  return { nodeId: node.id, status: 'COMPLETE', executionId, durationMs: Date.now() - started, attempts: 1, outputs: reportOutputs(outputs) }
}
