// One validation try: start a server on the copied model, wait until the model is AVAILABLE (or
// failed, or the loading deadline passed), optionally send one predict request, and always stop the
// server again.
import type { JsonValue, Logger } from '@sluice/core'
import type { HttpAnswer } from './http.js'
import { describeEndpoint, requestJson } from './http.js'
import type { Endpoint, RunningServer, ServerExit, ServerLauncher } from './server/server.js'

/** How often the model's status is asked for, TFX's interval. */
const POLL_INTERVAL_MS = 1_000
/** The longest a status request may take. */
const STATUS_TIMEOUT_MS = 5_000
/** The longest the predict request may take. */
const PREDICT_TIMEOUT_MS = 60_000

/** What one try needs. */
export interface TryOptions {
  readonly launcher: ServerLauncher
  readonly modelName: string
  /** The model base path: the directory of versions, holding `1/`. */
  readonly modelBasePath: string
  readonly maxLoadingTimeMs: number
  /** Rows to send to `:predict` (LOAD_AND_QUERY); none for LOAD_ONLY. */
  readonly instances?: readonly Record<string, JsonValue>[]
  readonly signal: AbortSignal
  readonly logger: Logger
  /** Reports the try's progress in [0, 1]. */
  readonly progress: (fraction: number, message: string) => void
}

/** How a try went. */
export type TryOutcome =
  | { readonly ok: true; readonly label: string; readonly loadSeconds: number }
  | { readonly ok: false; readonly label: string; readonly reason: string; readonly log: readonly string[] }

/**
 * Runs one try. Environment errors (the server cannot be found, Docker refuses the container) and
 * cancellation reject; everything the model or the server did wrong is an outcome with its reason and
 * the server's output. The server is stopped before this returns or rejects, whatever happened.
 */
export async function validateOnce(options: TryOptions): Promise<TryOutcome> {
  const { launcher, signal, logger } = options
  const started = Date.now()
  const deadline = started + options.maxLoadingTimeMs
  const server = await launcher.start({
    modelName: options.modelName,
    modelBasePath: options.modelBasePath,
    signal,
    onLine: (line) => logger.debug(`server: ${line}`),
  })
  logger.info(`Started ${server.label}.`)
  let problem: string | undefined
  try {
    problem = await loadAndQuery(server, options, deadline, started)
  } finally {
    await server.stop()
  }
  if (problem === undefined) return { ok: true, label: server.label, loadSeconds: (Date.now() - started) / 1000 }
  return { ok: false, label: server.label, reason: problem, log: server.log.lines() }
}

/** Undefined when the model loaded (and answered); else what went wrong. Rejects only when cancelled. */
async function loadAndQuery(server: RunningServer, options: TryOptions, deadline: number, started: number): Promise<string | undefined> {
  const { signal, logger, modelName } = options
  const seconds = options.maxLoadingTimeMs / 1000
  options.progress(0.1, 'starting the model server')
  const listening = await waitFor(server.listening, server, deadline - Date.now(), signal)
  if (listening.kind === 'exit') return `${server.label} ${describeExit(listening.exit)} before it listened.`
  if (listening.kind !== 'value') return `${server.label} was not serving within ${seconds} s (maxLoadingTimeSeconds): it had not started listening.`
  const endpoint = listening.value
  logger.info(`The model server listens at ${describeEndpoint(endpoint)}; waiting for model "${modelName}" to be AVAILABLE.`)
  options.progress(0.3, 'loading the model')

  const statusPath = `/v1/models/${encodeURIComponent(modelName)}`
  let last = 'no answer yet'
  for (;;) {
    const remaining = deadline - Date.now()
    const asked = await waitFor(requestJson(endpoint, 'GET', statusPath, { timeoutMs: Math.max(1, Math.min(STATUS_TIMEOUT_MS, remaining)), signal }), server, Number.POSITIVE_INFINITY, signal)
    if (asked.kind === 'exit') return `${server.label} ${describeExit(asked.exit)} while the model was loading (last status: ${last}).`
    if (asked.kind === 'error') last = asked.error.message
    else if (asked.kind === 'value') {
      const status = versionStatus(asked.value)
      if (status.state === 'AVAILABLE') break
      if (status.state === 'END') return `the model failed to load: ${status.message ?? 'the server ended its version 1 without saying why'}`
      last = status.describe
    }
    if (Date.now() >= deadline) return `the model was not AVAILABLE within ${seconds} s (maxLoadingTimeSeconds; last status: ${last}).`
    const paused = await waitFor(new Promise<void>(() => {}), server, Math.min(POLL_INTERVAL_MS, deadline - Date.now()), signal)
    if (paused.kind === 'exit') return `${server.label} ${describeExit(paused.exit)} while the model was loading (last status: ${last}).`
  }
  logger.info(`Model "${modelName}" version 1 is AVAILABLE after ${((Date.now() - started) / 1000).toFixed(1)} s.`)

  if (options.instances === undefined) return undefined
  options.progress(0.7, 'querying the model')
  const instances = options.instances
  const predicted = await waitFor(
    requestJson(endpoint, 'POST', `/v1/models/${encodeURIComponent(modelName)}:predict`, { body: { instances }, timeoutMs: PREDICT_TIMEOUT_MS, signal }),
    server,
    Number.POSITIVE_INFINITY,
    signal,
  )
  if (predicted.kind === 'exit') return `${server.label} ${describeExit(predicted.exit)} while answering the predict request.`
  if (predicted.kind === 'error') return `the predict request failed: ${predicted.error.message}`
  if (predicted.kind !== 'value') return 'the predict request got no answer.'
  const problem = checkPredictions(predicted.value, instances.length)
  if (problem !== undefined) return problem
  logger.info(`:predict answered ${instances.length} prediction(s) for ${instances.length} instance(s).`)
  return undefined
}

/** What a status answer says about version 1 (or the only version). */
export function versionStatus(answer: HttpAnswer): { state?: string; message?: string; describe: string } {
  const body = answer.json as { model_version_status?: unknown; error?: unknown } | undefined
  if (answer.status !== 200) {
    const error = typeof body?.error === 'string' ? body.error : answer.text.slice(0, 300)
    return { describe: `HTTP ${answer.status}${error ? ` ${error}` : ''}` }
  }
  const versions = Array.isArray(body?.model_version_status) ? (body.model_version_status as { version?: unknown; state?: unknown; status?: { error_code?: unknown; error_message?: unknown } }[]) : []
  const version = versions.find((v) => String(v?.version) === '1') ?? versions[0]
  if (!version || typeof version.state !== 'string') return { describe: `an answer without a version state: ${answer.text.slice(0, 300)}` }
  const message = typeof version.status?.error_message === 'string' && version.status.error_message !== '' ? version.status.error_message : undefined
  const code = typeof version.status?.error_code === 'string' && version.status.error_code !== 'OK' ? version.status.error_code : undefined
  return {
    state: version.state,
    ...(message !== undefined || code !== undefined ? { message: [message, code && `(${code})`].filter(Boolean).join(' ') } : {}),
    describe: version.state,
  }
}

/** Undefined when the answer is a 200 with one prediction of finite numbers per instance; else what is wrong. */
export function checkPredictions(answer: HttpAnswer, count: number): string | undefined {
  const body = answer.json as { predictions?: unknown; error?: unknown } | undefined
  if (answer.status !== 200) {
    return `the predict request was answered with HTTP ${answer.status}: ${typeof body?.error === 'string' ? body.error : answer.text.slice(0, 500)}`
  }
  if (!Array.isArray(body?.predictions)) return `the predict answer has no "predictions" list: ${answer.text.slice(0, 300)}`
  const predictions = body.predictions as unknown[]
  if (predictions.length !== count) return `the predict answer has ${predictions.length} prediction(s) for ${count} instance(s).`
  const bad = predictions.findIndex((p) => !finiteNumbers(p))
  if (bad >= 0) return `prediction ${bad} is not made of finite numbers: ${JSON.stringify(predictions[bad])?.slice(0, 200)}`
  return undefined
}

/** A finite number, or a non-empty list or object whose leaves all are. */
function finiteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.length > 0 && value.every(finiteNumbers)
  if (typeof value === 'object' && value !== null) {
    const values = Object.values(value)
    return values.length > 0 && values.every(finiteNumbers)
  }
  return false
}

/** `exited with code 1`, `was killed by SIGKILL`, `could not run (spawn ENOENT)`. */
export function describeExit(exit: ServerExit): string {
  if (exit.error) return `could not run (${exit.error.message})`
  if (exit.signal) return `was killed by ${exit.signal}`
  return `exited with code ${exit.code ?? 'unknown'}`
}

type Waited<T> = { kind: 'value'; value: T } | { kind: 'error'; error: Error } | { kind: 'exit'; exit: ServerExit } | { kind: 'timeout' }

/**
 * Waits for `work`, the server's end, `ms` or the signal, whichever comes first. A rejection of
 * `work` is a result; cancellation rejects with the signal's reason.
 */
async function waitFor<T>(work: Promise<T>, server: RunningServer, ms: number, signal: AbortSignal): Promise<Waited<T>> {
  // Settled into a result first, so that `work` never rejects unhandled, even when already cancelled.
  const settled = work.then(
    (value) => ({ kind: 'value' as const, value }),
    (error: unknown) => ({ kind: 'error' as const, error: error instanceof Error ? error : new Error(String(error)) }),
  )
  signal.throwIfAborted()
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    const result = await Promise.race<Waited<T> | { kind: 'aborted' }>([
      settled,
      server.exited.then((exit) => ({ kind: 'exit' as const, exit })),
      new Promise<{ kind: 'timeout' }>((resolve) => {
        if (Number.isFinite(ms)) timer = setTimeout(() => resolve({ kind: 'timeout' }), Math.max(0, ms))
      }),
      new Promise<{ kind: 'aborted' }>((resolve) => {
        onAbort = () => resolve({ kind: 'aborted' })
        signal.addEventListener('abort', onAbort, { once: true })
      }),
    ])
    if (result.kind === 'aborted' || signal.aborted) throw signal.reason
    return result
  } finally {
    clearTimeout(timer)
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}

export type { Endpoint }
