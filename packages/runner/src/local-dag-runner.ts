import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import type { AnyNode, Artifact, JsonValue, Pipeline } from '@sluice/core'
import { PipelineError, decodeValue } from '@sluice/core'
import type { Context, MetadataStore } from '@sluice/metadata'
import { openSqliteStore } from '@sluice/metadata'
import { RunError } from './errors.js'
import { ContextTypes, registerPipelineTypes } from './metadata-mapping.js'
import type { NodeRunner } from './execution-records.js'
import { runNode } from './node-runner.js'
import { resolvePipelineLocations } from './pipeline-locations.js'
import { toFailure } from './failure.js'
import type { NodeResult, NodeStatus, RunEvent, RunResult, RunStatus } from './run-events.js'
import type { RunOptions } from './run-options.js'

const SUCCEEDED: readonly NodeStatus[] = ['COMPLETE', 'CACHED', 'REUSED']

/**
 * Runs pipelines on this machine: resolves each node's inputs, skips what is cached, executes the
 * rest (independent nodes in parallel), publishes outputs atomically to the metadata store, retries
 * retryable failures, and can resume a failed or cancelled run.
 *
 * @example
 * const result = await new LocalDagRunner().run(pipeline, { onEvent: console.log })
 */
export class LocalDagRunner {
  readonly #defaults: RunOptions

  constructor(defaults: RunOptions = {}) {
    this.#defaults = defaults
  }

  /** Runs the pipeline to the end and reports what happened to every node. */
  async run(pipeline: Pipeline, options: RunOptions = {}): Promise<RunResult> {
    const merged: RunOptions = { ...this.#defaults, ...options }
    const cwd = merged.cwd ?? process.cwd()
    const locations = resolvePipelineLocations(pipeline, cwd)
    checkStandaloneChannels(pipeline)
    const ownStore = merged.store === undefined
    fs.mkdirSync(locations.root, { recursive: true })
    const store = merged.store ?? openSqliteStore(locations.metadataPath)
    try {
      const session = await RunSession.start(pipeline, store, merged, locations.root, cwd)
      return await session.execute()
    } finally {
      if (ownStore) await store.close()
    }
  }
}

function checkStandaloneChannels(pipeline: Pipeline): void {
  for (const node of pipeline.nodes) {
    if (node.system?.kind === 'resolver') continue
    for (const [key, channels] of Object.entries(node.inputs)) {
      if (channels.some((c) => c.producer === undefined)) {
        throw new PipelineError(`Pipeline "${pipeline.name}": node "${node.id}" input "${key}" reads a standalone Channel(${channels[0]!.type.name}).`, {
          fix: 'Only a Resolver reads standalone channels: pass them through Resolver({ strategy: latestArtifacts(), … }).',
        })
      }
    }
  }
}

/** A unique, sortable run id: UTC timestamp plus a random suffix. */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}-${p(now.getUTCMilliseconds(), 3)}`
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

/** One run in progress: its contexts, the published outputs so far, and the scheduling loop. */
class RunSession implements NodeRunner {
  readonly results = new Map<string, NodeResult>()
  readonly published = new Map<string, Record<string, Artifact[]>>()
  readonly startTime = Date.now()

  private constructor(
    readonly pipeline: Pipeline,
    readonly store: MetadataStore,
    readonly options: RunOptions,
    readonly root: string,
    readonly cwd: string,
    readonly runId: string,
    readonly pipelineContext: Context,
    readonly runContext: Context,
    /** For a resumed run: the successful execution of each node in the earlier attempt. */
    readonly resumable: ReadonlyMap<string, number>,
  ) {}

  static async start(pipeline: Pipeline, store: MetadataStore, options: RunOptions, root: string, cwd: string): Promise<RunSession> {
    await registerPipelineTypes(store, pipeline)
    const [pipelineContextId] = await store.putContexts([{ type: ContextTypes.pipeline, name: pipeline.name }])
    const pipelineContext = (await store.getContextsById([pipelineContextId!]))[0]!
    const resumable = new Map<string, number>()
    let runId = options.runId ?? newRunId()
    const runProperties = {
      pipeline_name: pipeline.name,
      status: 'RUNNING',
      start_time: Date.now(),
      // Who runs it: a run left RUNNING by a process that no longer exists was interrupted.
      pid: process.pid,
      hostname: os.hostname(),
      ...(options.pipelineModule ? { pipeline_module: options.pipelineModule } : {}),
    }
    let runContext: Context
    if (options.resume !== undefined) {
      runId = options.resume
      const earlier = await store.getContextByTypeAndName(ContextTypes.run, runId)
      if (!earlier) {
        throw new RunError('SLUICE_RUN_NOT_FOUND', `There is no run "${runId}" in the metadata store ${store.location}.`, { fix: 'List runs with `sluice runs`.' })
      }
      if (earlier.customProperties?.pipeline_name !== pipeline.name) {
        throw new RunError('SLUICE_RUN_OTHER_PIPELINE', `Run "${runId}" belongs to pipeline "${String(earlier.customProperties?.pipeline_name)}", not "${pipeline.name}".`)
      }
      if (earlier.customProperties?.status === 'COMPLETE') {
        throw new RunError('SLUICE_RUN_ALREADY_COMPLETE', `Run "${runId}" completed; there is nothing to resume.`, {
          fix: 'Run the pipeline again without --resume: unchanged nodes come from the cache.',
        })
      }
      for (const execution of await store.getExecutions({ contextId: earlier.id!, state: ['COMPLETE', 'CACHED'], order: 'id-asc' })) {
        const nodeId = execution.customProperties?.node_id
        if (typeof nodeId === 'string') resumable.set(nodeId, execution.id!)
      }
      await store.putContexts([{ ...earlier, customProperties: { ...earlier.customProperties, ...runProperties, resumed_time: Date.now(), start_time: earlier.customProperties?.start_time ?? Date.now() } }])
      runContext = (await store.getContextsById([earlier.id!]))[0]!
    } else {
      if (await store.getContextByTypeAndName(ContextTypes.run, runId)) {
        throw new RunError('SLUICE_RUN_EXISTS', `A run with id "${runId}" already exists.`, { fix: 'Pick another run id, or pass it as resume to finish it.' })
      }
      const [runContextId] = await store.putContexts([{ type: ContextTypes.run, name: runId, customProperties: runProperties }])
      runContext = (await store.getContextsById([runContextId!]))[0]!
      await store.putParentContexts([{ childId: runContext.id!, parentId: pipelineContext.id! }])
    }
    return new RunSession(pipeline, store, options, root, cwd, runId, pipelineContext, runContext, resumable)
  }

  emit(event: RunEvent): void {
    try {
      this.options.onEvent?.(event)
    } catch {
      // A failing progress display must not fail the run.
    }
  }

  get cacheEnabled(): boolean {
    return this.options.enableCache ?? this.pipeline.enableCache
  }

  async execute(): Promise<RunResult> {
    const { pipeline, options } = this
    const parallelism = Math.max(1, options.parallelism ?? os.availableParallelism())
    this.emit({ type: 'run-start', runId: this.runId, pipelineName: pipeline.name, nodeIds: pipeline.nodes.map((n) => n.id), resumed: options.resume !== undefined })
    const pending = [...pipeline.nodes]
    const running = new Map<AnyNode, Promise<void>>()
    while (pending.length > 0 || running.size > 0) {
      for (const node of [...pending]) {
        if (running.size >= parallelism) break
        const upstream = node.upstream.map((u) => this.results.get(u.id))
        if (upstream.some((r) => r === undefined)) continue
        pending.splice(pending.indexOf(node), 1)
        const blocked = upstream.find((r) => !SUCCEEDED.includes(r!.status))
        if (options.signal?.aborted) this.finish({ nodeId: node.id, status: 'CANCELED', executionId: undefined, durationMs: 0, attempts: 0, outputs: {}, reason: 'the run was cancelled before it started' })
        else if (blocked) this.finish({ nodeId: node.id, status: 'SKIPPED', executionId: undefined, durationMs: 0, attempts: 0, outputs: {}, reason: `upstream node "${blocked.nodeId}" ${blocked.status}` })
        else {
          const task = this.runOne(node).finally(() => running.delete(node))
          running.set(node, task)
        }
      }
      if (running.size > 0) await Promise.race(running.values())
    }
    return this.complete()
  }

  private async runOne(node: AnyNode): Promise<void> {
    const started = Date.now()
    try {
      this.finish(await runNode(this, node))
    } catch (error) {
      // runNode records failures itself; this only guards against bugs in the bookkeeping.
      this.finish({ nodeId: node.id, status: 'FAILED', executionId: undefined, durationMs: Date.now() - started, attempts: 1, outputs: {}, error: toFailure(error) })
    }
  }

  finish(result: NodeResult): void {
    this.results.set(result.nodeId, result)
    this.emit({ type: 'node-end', result })
  }

  /**
   * Copies of the artifacts, with the payload of value artifacts (Integer, String…) read so executors
   * get `artifact.value`. Every consumer gets its own copy: an executor changing an input's properties
   * must not change what other nodes see or what is recorded.
   */
  async withValues(artifacts: Artifact[]): Promise<Artifact[]> {
    return Promise.all(
      artifacts.map(async (a) => {
        const copy = { ...a, properties: structuredClone(a.properties), customProperties: structuredClone(a.customProperties) }
        return (a.type.valueKind === undefined ? copy : { ...copy, value: decodeValue(a.type, await fs.promises.readFile(a.uri, 'utf8')) }) as Artifact
      }),
    )
  }

  private async complete(): Promise<RunResult> {
    const statuses = [...this.results.values()].map((r) => r.status)
    const status: RunStatus = this.options.signal?.aborted ? 'CANCELED' : statuses.includes('FAILED') ? 'FAILED' : 'COMPLETE'
    const endTime = Date.now()
    const nodes: Record<string, NodeResult> = {}
    for (const node of this.pipeline.nodes) nodes[node.id] = this.results.get(node.id)!
    // Skipped and never-started nodes have no execution: the run context is where they are remembered.
    const nodeStatuses: Record<string, JsonValue> = {}
    for (const [id, r] of Object.entries(nodes)) {
      nodeStatuses[id] = { status: r.status, ...(r.executionId === undefined ? {} : { execution_id: r.executionId }), ...(r.reason ? { reason: r.reason } : {}) }
    }
    await this.store.putContexts([
      { ...this.runContext, customProperties: { ...this.runContext.customProperties, status, end_time: endTime, node_statuses: nodeStatuses } },
    ])
    const result: RunResult = { runId: this.runId, pipelineName: this.pipeline.name, status, durationMs: endTime - this.startTime, nodes }
    this.emit({ type: 'run-end', result })
    return result
  }
}

