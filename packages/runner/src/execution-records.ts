import type { AnyNode, Artifact, JsonValue, Pipeline } from '@sluice/core'
import type { Context, MetadataStore } from '@sluice/metadata'
import { ContextTypes, toStoredArtifact } from './metadata-mapping.js'
import type { PublishedArtifact, RunEvent } from './run-events.js'
import type { RunOptions } from './run-options.js'

/** What a node needs from the run it belongs to. */
export interface NodeRunner {
  readonly pipeline: Pipeline
  readonly store: MetadataStore
  readonly options: RunOptions
  readonly root: string
  readonly cwd: string
  readonly runId: string
  readonly pipelineContext: Context
  readonly runContext: Context
  readonly resumable: ReadonlyMap<string, number>
  readonly published: Map<string, Record<string, Artifact[]>>
  readonly cacheEnabled: boolean
  emit(event: RunEvent): void
  withValues(artifacts: Artifact[]): Promise<Artifact[]>
}

/** The contexts every execution and artifact of this node is linked to. */
export function nodeContexts(run: NodeRunner, node: AnyNode): Context[] {
  return [
    { type: ContextTypes.pipeline, name: run.pipeline.name },
    { type: ContextTypes.run, name: run.runId },
    { type: ContextTypes.node, name: `${run.pipeline.name}.${node.id}` },
  ]
}

/** Execution custom properties shared by every state of a node's execution. */
export function executionProperties(run: NodeRunner, node: AnyNode, extra: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return { node_id: node.id, run_id: run.runId, pipeline_name: run.pipeline.name, component_version: node.component.version ?? '', ...extra }
}

/**
 * INPUT events for the resolved inputs. Each event carries the artifact as stored, unchanged: an
 * artifact with an id is updated by `putExecution`, so re-encoding the in-memory copy would rewrite
 * (and could drop) properties the store holds, such as the `value` of a value artifact.
 */
export async function inputEvents(store: MetadataStore, inputs: Readonly<Record<string, readonly Artifact[]>>) {
  const ids = Object.values(inputs).flatMap((list) => list.flatMap((a) => (a.id === undefined ? [] : [a.id])))
  const stored = new Map((ids.length === 0 ? [] : await store.getArtifactsById(ids)).map((a) => [a.id!, a]))
  return Object.entries(inputs).flatMap(([key, list]) =>
    list.map((a, index) => ({
      artifact: (a.id === undefined ? undefined : stored.get(a.id)) ?? toStoredArtifact(a),
      event: { type: 'INPUT' as const, path: [{ key }, { index }] },
    })),
  )
}

/** The reportable form of published outputs. */
export function reportOutputs(outputs: Readonly<Record<string, readonly Artifact[]>>): Record<string, PublishedArtifact[]> {
  const report: Record<string, PublishedArtifact[]> = {}
  for (const [key, list] of Object.entries(outputs)) {
    report[key] = list.map((a) => ({
      id: a.id!,
      type: a.type.name,
      uri: a.uri,
      properties: a.properties as Record<string, JsonValue>,
      customProperties: a.customProperties,
      ...(a.value === undefined ? {} : { value: a.value as JsonValue }),
    }))
  }
  return report
}

