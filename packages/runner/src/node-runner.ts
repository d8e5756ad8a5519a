import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { AnyNode, Artifact, ExecutionBackend, ExecutionContext, JsonValue, Logger } from '@sluice/core'
import { describeInput, encodeValue, isSluiceError } from '@sluice/core'
import type { Artifact as StoredArtifact, Context, Execution } from '@sluice/metadata'
import { computeCacheKey } from './cache-key.js'
import { childProcessBackend } from './child-process-backend.js'
import { invokeOutOfProcess } from './out-of-process-invocation.js'
import { resolveFileParameters } from './file-parameters.js'
import { NodeCanceledError, NodeTimeoutError, RunError } from './errors.js'
import type { InvocationResult } from './executor-invocation.js'
import { invokeExecutor } from './executor-invocation.js'
import { ContextTypes, fromStoredArtifact, toStoredArtifact } from './metadata-mapping.js'
import type { NodeRunner } from './execution-records.js'
import { executionProperties, inputEvents, nodeContexts, reportOutputs } from './execution-records.js'
import { toFailure } from './failure.js'
import { allocateOutputs, executionSystemDir } from './output-allocation.js'
import type { NodeResult } from './run-events.js'
import { runImporter, runResolver } from './system-node-runner.js'

// Value artifacts keep their payload in the store too when it is small, so `sluice artifacts` can show it.
const MAX_VALUE_IN_STORE = 4096

// How long an aborted in-process executor may take to clean up before its node is failed anyway.
const ABORT_GRACE_MS = 15_000

/** Resolves a node's inputs from what upstream nodes published in this run. */
function resolveInputs(run: NodeRunner, node: AnyNode): Record<string, Artifact[]> | string {
  const inputs: Record<string, Artifact[]> = {}
  for (const [key, channels] of Object.entries(node.inputs)) {
    // A standalone channel (no producer) only feeds a Resolver, which reads it from the store itself.
    inputs[key] = channels.flatMap((c) => (c.producer ? (run.published.get(c.producer.id)?.[c.outputKey!] ?? []) : []))
    const spec = describeInput(node.component.inputs[key])
    if (spec && !spec.optional && inputs[key].length === 0 && channels.length > 0) return `input "${key}" resolved to no artifact`
  }
  return inputs
}

/** Runs one node to its end state and records it. Never throws for executor failures: they become FAILED results. */
export async function runNode(run: NodeRunner, node: AnyNode): Promise<NodeResult> {
  if (node.system?.kind === 'importer') return runImporter(run, node)
  const resolved = resolveInputs(run, node)
  if (typeof resolved === 'string') {
    return { nodeId: node.id, status: 'SKIPPED', executionId: undefined, durationMs: 0, attempts: 0, outputs: {}, reason: resolved }
  }
  if (node.system?.kind === 'resolver') return runResolver(run, node, resolved)
  const inputs: Record<string, Artifact[]> = {}
  for (const [key, list] of Object.entries(resolved)) inputs[key] = await run.withValues(list)
  return runComponentNode(run, node, inputs)
}

async function runComponentNode(run: NodeRunner, node: AnyNode, inputs: Record<string, Artifact[]>): Promise<NodeResult> {
  const started = Date.now()
  const { store } = run
  let cacheKey: Awaited<ReturnType<typeof computeCacheKey>>
  try {
    cacheKey = await computeCacheKey(run.pipeline.name, node, inputs, run.cwd, backendOf(run, node))
  } catch (error) {
    // A component's fingerprint hook (or a backend's) failed before anything ran: record the failure.
    const failure = toFailure(error)
    const { executionId } = await store.putExecution({
      execution: {
        type: node.component.name,
        state: 'FAILED',
        customProperties: executionProperties(run, node, { parameters: node.parameters, error_code: failure.code, error_message: failure.message, duration_ms: Date.now() - started }),
      },
      artifactEventPairs: await inputEvents(store, inputs),
      contexts: nodeContexts(run, node),
    })
    return { nodeId: node.id, status: 'FAILED', executionId, durationMs: Date.now() - started, attempts: 0, outputs: {}, error: failure }
  }
  const { key, parts } = cacheKey

  const earlier = run.resumable.get(node.id)
  if (earlier !== undefined) {
    const reusable = await reusableOutputs(run, node, earlier, key)
    if (reusable) {
      run.published.set(node.id, reusable)
      return { nodeId: node.id, status: 'REUSED', executionId: earlier, durationMs: Date.now() - started, attempts: 0, outputs: reportOutputs(reusable) }
    }
  }

  const cacheContext: Context = { type: ContextTypes.cache, name: key }
  if (run.cacheEnabled && node.options.cache !== false) {
    const hit = await lookupCache(run, node, key)
    if (hit) {
      const { executionId } = await store.putExecution({
        execution: { type: node.component.name, state: 'CACHED', customProperties: executionProperties(run, node, { cache_key: key, cached_from: hit.executionId, duration_ms: Date.now() - started }) },
        artifactEventPairs: [
          ...(await inputEvents(store, inputs)),
          ...Object.entries(hit.stored).flatMap(([k, list]) => list.map((artifact, index) => ({ artifact, event: { type: 'OUTPUT' as const, path: [{ key: k }, { index }] } }))),
        ],
        contexts: [...nodeContexts(run, node), cacheContext],
      })
      run.published.set(node.id, hit.outputs)
      return { nodeId: node.id, status: 'CACHED', executionId, durationMs: Date.now() - started, attempts: 0, outputs: reportOutputs(hit.outputs) }
    }
  }

  const baseProperties = executionProperties(run, node, { cache_key: key, parameters: node.parameters, cache_key_parts: parts as unknown as JsonValue })
  const { executionId } = await store.putExecution({
    execution: { type: node.component.name, state: 'RUNNING', customProperties: baseProperties },
    artifactEventPairs: await inputEvents(store, inputs),
    contexts: nodeContexts(run, node),
  })
  const systemDir = executionSystemDir(run.root, node.id, executionId)
  const log = new ExecutionLog(path.join(systemDir, 'executor.log'), node.id, run)
  const maxAttempts = 1 + Math.max(0, node.options.retries ?? 0)
  let attempt = 0
  try {
    let result: InvocationResult | undefined
    while (result === undefined) {
      attempt++
      run.emit({ type: 'node-start', nodeId: node.id, executionId, attempt })
      const outputs = await allocateOutputs(run.root, node.id, executionId, node.component.outputs)
      try {
        result = await invokeOnce(run, node, executionId, inputs, outputs, systemDir, log)
      } catch (error) {
        const retryable = isSluiceError(error) ? error.retryable : (error as { retryable?: unknown })?.retryable === true
        if (!retryable || attempt >= maxAttempts || run.options.signal?.aborted) throw error
        const delayMs = (node.options.retryBackoffMs ?? 1000) * 2 ** (attempt - 1)
        log.warn(`attempt ${attempt} failed (${toFailure(error).message}); retrying in ${delayMs} ms`)
        run.emit({ type: 'node-retry', nodeId: node.id, attempt, delayMs, error: toFailure(error) })
        await sleep(delayMs, run.options.signal)
        // Cancelled during the backoff: stop here rather than start another attempt.
        if (run.options.signal?.aborted) throw new NodeCanceledError(node.id)
      }
    }
    const published = await publish(run, node, executionId, result, { ...baseProperties, duration_ms: Date.now() - started, attempts: attempt }, cacheContext)
    run.published.set(node.id, published)
    return { nodeId: node.id, status: 'COMPLETE', executionId, durationMs: Date.now() - started, attempts: attempt, outputs: reportOutputs(published) }
  } catch (error) {
    const canceled = run.options.signal?.aborted === true
    const failure = toFailure(error)
    log.error(failure.stack ?? failure.message)
    await store.putExecutions([
      {
        id: executionId,
        type: node.component.name,
        state: canceled ? 'CANCELED' : 'FAILED',
        customProperties: { ...baseProperties, duration_ms: Date.now() - started, attempts: attempt, error_code: failure.code, error_message: failure.message },
      },
    ])
    return { nodeId: node.id, status: canceled ? 'CANCELED' : 'FAILED', executionId, durationMs: Date.now() - started, attempts: attempt, outputs: {}, error: failure }
  } finally {
    await log.close()
    await fsp.rm(path.join(systemDir, '.temp'), { recursive: true, force: true })
  }
}

async function invokeOnce(
  run: NodeRunner,
  node: AnyNode,
  executionId: number,
  inputs: Record<string, Artifact[]>,
  outputs: Record<string, Artifact>,
  systemDir: string,
  logger: Logger,
): Promise<InvocationResult> {
  const controller = new AbortController()
  const runSignal = run.options.signal
  const onRunAbort = () => controller.abort(new NodeCanceledError(node.id))
  if (runSignal?.aborted) onRunAbort()
  runSignal?.addEventListener('abort', onRunAbort, { once: true })
  const timeoutMs = node.options.timeoutMs
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new NodeTimeoutError(node.id, timeoutMs)), timeoutMs)
  const tmpDir = path.join(systemDir, '.temp')
  await fsp.mkdir(tmpDir, { recursive: true })
  const context: ExecutionContext = {
    pipelineName: run.pipeline.name,
    pipelineRoot: run.root,
    runId: run.runId,
    nodeId: node.id,
    executionId,
    tmpDir,
    signal: controller.signal,
    logger,
    progress: (fraction, message) => run.emit({ type: 'node-progress', nodeId: node.id, fraction, ...(message === undefined ? {} : { message }) }),
  }
  const invocationInputs: Record<string, Artifact | Artifact[] | undefined> = {}
  for (const [key, list] of Object.entries(inputs)) invocationInputs[key] = describeInput(node.component.inputs[key])!.list ? list : list[0]
  // Executors get file parameters as absolute paths, resolved where the cache key fingerprinted them.
  const files = resolveFileParameters(node, run.cwd)
  const invocation = { component: node.component, nodeId: node.id, inputs: invocationInputs, outputs, parameters: { ...node.parameters, ...files }, context }
  try {
    if (controller.signal.aborted) throw controller.signal.reason
    const backend = backendOf(run, node)
    if (backend) {
      // On abort the backend stops the executor (child process, container) and is awaited, so nothing of the node outlives it.
      const location = { ...locationOf(run, node, executionId, tmpDir), outputFile: path.join(systemDir, 'executor_output.json') }
      return await invokeOutOfProcess(invocation, location, systemDir, backend, Object.values(files))
    }
    const work = invokeExecutor(invocation)
    // In-process executors cannot be killed. When aborted, give one that honours the signal (a
    // container component removing its container) a bounded moment to finish, then fail the node.
    const aborted = new Promise<never>((_, reject) => {
      const fail = async () => {
        await Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, ABORT_GRACE_MS).unref())])
        reject(controller.signal.reason)
      }
      if (controller.signal.aborted) void fail()
      else controller.signal.addEventListener('abort', () => void fail(), { once: true })
    })
    work.catch(() => {})
    return await Promise.race([work, aborted])
  } finally {
    if (timer) clearTimeout(timer)
    runSignal?.removeEventListener('abort', onRunAbort)
  }
}

/** The backend a node's executor runs in, or undefined for the runner's own process. */
export function backendOf(run: NodeRunner, node: AnyNode): ExecutionBackend | undefined {
  // A component that must stay in the runner's process (a container component drives Docker from
  // here) ignores the run-wide default, though a node may still ask for isolation explicitly.
  const isolation = node.options.isolation ?? (node.component.isolation === 'inline' ? 'inline' : run.options.isolation) ?? 'inline'
  if (isolation === 'inline') return undefined
  return isolation === 'process' ? childProcessBackend : isolation
}

function locationOf(run: NodeRunner, node: AnyNode, executionId: number, tmpDir: string) {
  if (!run.options.pipelineModule) {
    throw new RunError('SLUICE_PIPELINE_MODULE_REQUIRED', `Node "${node.id}" runs outside the runner's process (a child process or a container), which must re-load the pipeline, but the run has no pipelineModule.`, {
      fix: 'Run it with `sluice run <file>`, or pass { pipelineModule: <absolute path of the pipeline file> } to LocalDagRunner.run.',
    })
  }
  return {
    component: node.component.name,
    pipelineModule: run.options.pipelineModule,
    nodeId: node.id,
    pipelineName: run.pipeline.name,
    pipelineRoot: run.root,
    runId: run.runId,
    executionId,
    tmpDir,
  }
}

/** Publishes outputs LIVE and the execution COMPLETE in one transaction, linked to every context and the cache key. */
async function publish(
  run: NodeRunner,
  node: AnyNode,
  executionId: number,
  result: InvocationResult,
  properties: Record<string, JsonValue>,
  cacheContext: Context,
): Promise<Record<string, Artifact[]>> {
  const entries = Object.entries(result.outputs)
  const pairs = entries.map(([key, artifact]) => {
    const extra: Record<string, JsonValue> = { producer_node: node.id, pipeline_name: run.pipeline.name }
    if (key in result.values) {
      const encoded = encodeValue(artifact.type, result.values[key])
      if (encoded.length <= MAX_VALUE_IN_STORE) extra.value = result.values[key]!
    }
    return { artifact: toStoredArtifact(artifact, extra), event: { type: 'OUTPUT' as const, path: [{ key }, { index: 0 }] } }
  })
  const { artifactIds } = await run.store.putExecution({
    execution: { id: executionId, type: node.component.name, state: 'COMPLETE', customProperties: properties },
    artifactEventPairs: pairs,
    contexts: [...nodeContexts(run, node), cacheContext],
  })
  const published: Record<string, Artifact[]> = {}
  entries.forEach(([key, artifact], i) => {
    const value = result.values[key]
    const customProperties = pairs[i]!.artifact.customProperties as Record<string, JsonValue>
    published[key] = [{ ...artifact, id: artifactIds[i]!, customProperties, ...(value === undefined ? {} : { value }) } as Artifact]
  })
  return published
}

/** Outputs of a successful execution, by output key, if every one is still LIVE and on disk. */
async function validOutputs(run: NodeRunner, node: AnyNode, executionId: number): Promise<{ outputs: Record<string, Artifact[]>; stored: Record<string, StoredArtifact[]> } | undefined> {
  const events = (await run.store.getEventsByExecutionIds([executionId])).filter((e) => e.type === 'OUTPUT')
  const artifacts = await run.store.getArtifactsById(events.map((e) => e.artifactId))
  const byId = new Map(artifacts.map((a) => [a.id!, a]))
  const outputs: Record<string, Artifact[]> = {}
  const stored: Record<string, StoredArtifact[]> = {}
  for (const event of events) {
    const step = event.path?.[0]
    const key = step && 'key' in step ? step.key : undefined
    const artifact = byId.get(event.artifactId)
    if (key === undefined || !artifact || !(key in node.outputs)) continue
    if (artifact.state !== 'LIVE' || !fs.existsSync(artifact.uri)) return undefined
    ;(stored[key] ??= []).push(artifact)
    ;(outputs[key] ??= []).push(fromStoredArtifact(artifact, node.outputs[key]!.type))
  }
  for (const key of Object.keys(node.outputs)) if (!outputs[key]?.length) return undefined
  for (const [key, list] of Object.entries(outputs)) outputs[key] = await run.withValues(list)
  return { outputs, stored }
}

async function lookupCache(run: NodeRunner, node: AnyNode, key: string) {
  const context = await run.store.getContextByTypeAndName(ContextTypes.cache, key)
  if (!context) return undefined
  const candidates: Execution[] = await run.store.getExecutions({ contextId: context.id!, state: ['COMPLETE', 'CACHED'], order: 'id-desc', limit: 10 })
  for (const candidate of candidates) {
    const valid = await validOutputs(run, node, candidate.id!)
    if (valid) return { executionId: candidate.id!, ...valid }
  }
  return undefined
}

async function reusableOutputs(run: NodeRunner, node: AnyNode, executionId: number, key: string): Promise<Record<string, Artifact[]> | undefined> {
  const [execution] = await run.store.getExecutionsById([executionId])
  // A node whose definition or inputs changed since the failed attempt runs again.
  if (!execution || execution.customProperties?.cache_key !== key) return undefined
  return (await validOutputs(run, node, executionId))?.outputs
}

/** Waits `ms`, or less when the signal is aborted. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const onAbort = () => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Lines an executor logs: sent as events and kept in `.system/executor_execution/<id>/executor.log`. */
class ExecutionLog implements Logger {
  readonly #lines: string[] = []
  constructor(
    readonly file: string,
    readonly nodeId: string,
    readonly run: NodeRunner,
  ) {}
  #write(level: 'debug' | 'info' | 'warn' | 'error', message: string) {
    this.#lines.push(`${new Date().toISOString()} ${level.toUpperCase()} ${message}`)
    this.run.emit({ type: 'node-log', nodeId: this.nodeId, level, message })
  }
  debug(message: string) {
    this.#write('debug', message)
  }
  info(message: string) {
    this.#write('info', message)
  }
  warn(message: string) {
    this.#write('warn', message)
  }
  error(message: string) {
    this.#write('error', message)
  }
  async close(): Promise<void> {
    if (this.#lines.length === 0) return
    await fsp.mkdir(path.dirname(this.file), { recursive: true })
    await fsp.appendFile(this.file, `${this.#lines.join('\n')}\n`)
  }
}

