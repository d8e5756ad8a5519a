import os from 'node:os'
import type { Artifact, Context, Execution, MetadataStore, PropertyValue } from '@sluice/metadata'
import type { RecordedNodeStatus } from './display/node-status.js'
import { CliError } from './errors.js'
import { isoTimestamp } from './format/timestamp.js'

// Reads runs back from the metadata store, following the runner's (TFX's) recording convention:
// a `pipeline_run` context per run (name = run id) with pipeline_name, status, start_time, end_time
// and pipeline_module; executions associated with it carrying node_id, duration_ms, attempts, …

/** Context type names the runner records. */
export const RUN_CONTEXT_TYPE = 'pipeline_run'
export const PIPELINE_CONTEXT_TYPE = 'pipeline'

/** A run as recorded. */
export interface RunRecord {
  readonly runId: string
  readonly pipelineName: string
  /** RUNNING, COMPLETE, FAILED, CANCELED, or INTERRUPTED for a RUNNING run whose process on this machine is gone. */
  readonly status: string
  /** Ms since epoch. */
  readonly startTime: number | undefined
  readonly endTime: number | undefined
  readonly durationMs: number | undefined
  /** The pipeline file the run was started from, when recorded. */
  readonly pipelineModule: string | undefined
  /** The `pipeline_run` context's id. */
  readonly contextId: number
  /**
   * Every node's final status as the runner recorded it on the run context (`node_statuses`),
   * including nodes that never got an execution (skipped, cancelled before starting); empty for a
   * run that has not ended.
   */
  readonly recordedNodes: Readonly<Record<string, { readonly status: string; readonly reason?: string }>>
}

/** An artifact as read commands list it. */
export interface ArtifactRef {
  readonly id: number
  readonly type: string
  readonly uri: string
  readonly state: string
}

/** What one node did in a run: its latest execution there. */
export interface NodeRecord {
  readonly nodeId: string
  /** The component (execution type) name. */
  readonly component: string
  /** Undefined for a node that never got an execution in this run (skipped, cancelled before it started). */
  readonly executionId: number | undefined
  /** The execution's state as stored. */
  readonly state: string
  /** The state as a node status: SKIPPED for an execution with a skipped_reason, RUNNING/NEW for one that never ended. */
  readonly status: RecordedNodeStatus
  readonly durationMs: number | undefined
  readonly attempts: number | undefined
  readonly cacheKey: string | undefined
  readonly error: { readonly code: string | undefined; readonly message: string } | undefined
  readonly skippedReason: string | undefined
  /** Executions of the node recorded earlier in the same run (a failed attempt before a resume), oldest first. */
  readonly earlierExecutions: readonly { readonly id: number; readonly state: string }[]
  readonly inputs: Readonly<Record<string, readonly ArtifactRef[]>>
  readonly outputs: Readonly<Record<string, readonly ArtifactRef[]>>
}

/** Every recorded run, newest first. */
export async function listRuns(store: MetadataStore): Promise<RunRecord[]> {
  const contexts = await store.getContexts({ type: RUN_CONTEXT_TYPE, order: 'id-desc' })
  return contexts.map(toRunRecord)
}

/**
 * The run with this id, or with this unique id prefix (run ids are long timestamps; the first
 * characters usually suffice).
 *
 * @throws CliError when no run, or several, match.
 */
export async function findRun(store: MetadataStore, runId: string): Promise<RunRecord> {
  const exact = await store.getContextByTypeAndName(RUN_CONTEXT_TYPE, runId)
  if (exact) return toRunRecord(exact)
  const runs = await listRuns(store)
  const matches = runs.filter((r) => r.runId.startsWith(runId))
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new CliError('SLUICE_CLI_RUN_AMBIGUOUS', `Run id "${runId}" is ambiguous: it starts ${matches.length} runs (${matches.slice(0, 5).map((r) => r.runId).join(', ')}${matches.length > 5 ? ', …' : ''}).`, {
      fix: 'Give more of the id.',
    })
  }
  const latest = runs.slice(0, 3).map((r) => r.runId)
  throw new CliError('SLUICE_CLI_RUN_NOT_FOUND', `No run "${runId}" in the metadata store ${store.location}.`, {
    fix: latest.length > 0 ? `The latest runs are ${latest.join(', ')}; \`sluice runs\` lists them all.` : 'The store has no runs yet.',
  })
}

/** The nodes of a run, in the order they first executed, with their inputs and outputs. */
export async function runNodes(store: MetadataStore, run: RunRecord): Promise<NodeRecord[]> {
  const byNode = await executionsByNode(store, run)
  const latest = [...byNode.values()].map((list) => list[list.length - 1]!)
  const events = await store.getEventsByExecutionIds(latest.map((e) => e.id!))
  const artifacts = new Map((await store.getArtifactsById([...new Set(events.map((e) => e.artifactId))])).map((a) => [a.id!, a]))
  const nodes: NodeRecord[] = [...byNode.entries()].map(([nodeId, list]) => {
    const execution = list[list.length - 1]!
    const inputs: Record<string, ArtifactRef[]> = {}
    const outputs: Record<string, ArtifactRef[]> = {}
    for (const event of events) {
      if (event.executionId !== execution.id) continue
      const target = event.type === 'INPUT' ? inputs : event.type === 'OUTPUT' ? outputs : undefined
      const artifact = artifacts.get(event.artifactId)
      if (!target || !artifact) continue
      const step = event.path?.find((s): s is { key: string } => 'key' in s)
      const key = step?.key ?? '(unnamed)'
      ;(target[key] ??= []).push(toArtifactRef(artifact))
    }
    const errorMessage = stringProperty(execution, 'error_message')
    const skippedReason = stringProperty(execution, 'skipped_reason')
    return {
      nodeId,
      component: execution.type,
      executionId: execution.id!,
      state: execution.state,
      status: nodeStatusOf(execution.state, skippedReason),
      durationMs: numberProperty(execution, 'duration_ms'),
      attempts: numberProperty(execution, 'attempts'),
      cacheKey: stringProperty(execution, 'cache_key'),
      error: errorMessage === undefined ? undefined : { code: stringProperty(execution, 'error_code'), message: errorMessage },
      skippedReason,
      earlierExecutions: list.slice(0, -1).map((e) => ({ id: e.id!, state: e.state })),
      inputs,
      outputs,
    }
  })
  // Nodes without an execution are known only from the run context.
  for (const [nodeId, recorded] of Object.entries(run.recordedNodes)) {
    if (byNode.has(nodeId)) continue
    nodes.push({
      nodeId,
      component: '-',
      executionId: undefined,
      state: recorded.status,
      status: recordedOnlyStatus(recorded.status),
      durationMs: undefined,
      attempts: undefined,
      cacheKey: undefined,
      error: undefined,
      skippedReason: recorded.reason,
      earlierExecutions: [],
      inputs: {},
      outputs: {},
    })
  }
  return nodes
}

/** The run's executions grouped by node id (oldest first), nodes in the order they first executed. */
export async function executionsByNode(store: MetadataStore, run: RunRecord): Promise<Map<string, Execution[]>> {
  const executions = await store.getExecutions({ contextId: run.contextId, order: 'id-asc' })
  const byNode = new Map<string, Execution[]>()
  for (const execution of executions) {
    const nodeId = stringProperty(execution, 'node_id') ?? execution.type
    byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), execution])
  }
  return byNode
}

/** The status of every node of the run, from its latest execution. */
export async function runNodeStatuses(store: MetadataStore, run: RunRecord): Promise<RecordedNodeStatus[]> {
  // Statuses only: no events or artifacts, since `sluice runs` asks this for every run it lists.
  const byNode = await executionsByNode(store, run)
  const statuses = [...byNode.values()].map((list) => {
    const execution = list[list.length - 1]!
    return nodeStatusOf(execution.state, stringProperty(execution, 'skipped_reason'))
  })
  for (const [nodeId, recorded] of Object.entries(run.recordedNodes)) {
    if (!byNode.has(nodeId)) statuses.push(recordedOnlyStatus(recorded.status))
  }
  return statuses
}

/** The status of a node known only from the run context (it never got an execution). */
function recordedOnlyStatus(status: string): RecordedNodeStatus {
  return status === 'SKIPPED' ? 'SKIPPED' : status === 'CANCELED' ? 'CANCELED' : 'NEW'
}

/** An artifact as read commands show it. */
export function toArtifactRef(artifact: Artifact): ArtifactRef {
  return { id: artifact.id!, type: artifact.type, uri: artifact.uri, state: artifact.state }
}

/** A node's status from its recorded execution's state. */
export function nodeStatusOf(state: string, skippedReason: string | undefined): RecordedNodeStatus {
  if (skippedReason !== undefined) return 'SKIPPED'
  switch (state) {
    case 'COMPLETE':
    case 'CACHED':
    case 'FAILED':
    case 'CANCELED':
    case 'RUNNING':
      return state
    default:
      return 'NEW'
  }
}

/**
 * The run's status; INTERRUPTED for a run still marked RUNNING whose process, on this machine, no
 * longer exists (killed, crashed, machine restarted): it will never finish by itself.
 */
function recordedStatus(context: Context): string {
  const status = stringProperty(context, 'status') ?? 'UNKNOWN'
  if (status !== 'RUNNING') return status
  const pid = numberProperty(context, 'pid')
  if (pid === undefined || stringProperty(context, 'hostname') !== os.hostname()) return status
  try {
    process.kill(pid, 0)
    return status
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'INTERRUPTED' : status
  }
}

function toRunRecord(context: Context): RunRecord {
  const startTime = numberProperty(context, 'start_time')
  const endTime = numberProperty(context, 'end_time')
  return {
    runId: context.name,
    pipelineName: stringProperty(context, 'pipeline_name') ?? '?',
    status: recordedStatus(context),
    startTime: startTime ?? context.createTime,
    endTime,
    durationMs: startTime !== undefined && endTime !== undefined ? endTime - startTime : undefined,
    pipelineModule: stringProperty(context, 'pipeline_module'),
    contextId: context.id!,
    recordedNodes: recordedNodesOf(context),
  }
}

function recordedNodesOf(context: Context): RunRecord['recordedNodes'] {
  const raw = context.customProperties?.node_statuses
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {}
  const nodes: Record<string, { status: string; reason?: string }> = {}
  for (const [nodeId, entry] of Object.entries(raw)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue
    const { status, reason } = entry as { status?: unknown; reason?: unknown }
    if (typeof status === 'string') nodes[nodeId] = { status, ...(typeof reason === 'string' ? { reason } : {}) }
  }
  return nodes
}

type WithProperties = { customProperties?: Record<string, PropertyValue>; properties?: Record<string, PropertyValue> }

/** A custom (or typed) property as a string, when present. */
export function stringProperty(node: WithProperties, name: string): string | undefined {
  const value = node.customProperties?.[name] ?? node.properties?.[name]
  return value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value)
}

/** A custom (or typed) property as a number, when present and numeric. */
export function numberProperty(node: WithProperties, name: string): number | undefined {
  const value = node.customProperties?.[name] ?? node.properties?.[name]
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
  return Number.isFinite(n) ? n : undefined
}

/** The fields of a run as `--json` output shows them (`runs` and `run show`). */
export interface RunJsonFields {
  readonly runId: string
  readonly pipelineName: string
  readonly status: string
  readonly startTime: string | null
  readonly endTime: string | null
  readonly durationMs: number | null
  readonly pipelineModule: string | null
}

/** A run's {@link RunJsonFields}. */
export function runJsonFields(run: RunRecord): RunJsonFields {
  return {
    runId: run.runId,
    pipelineName: run.pipelineName,
    status: run.status,
    startTime: isoTimestamp(run.startTime),
    endTime: isoTimestamp(run.endTime),
    durationMs: run.durationMs ?? null,
    pipelineModule: run.pipelineModule ?? null,
  }
}
