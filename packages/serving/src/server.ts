// The model server: node:http with hand-written routing (a framework's per-request cost would be a
// visible share of a small model's latency), TF Serving's REST paths, one ServedModel per configured
// model, a poller for new versions, and a graceful close.
import { lstat, rm } from 'node:fs/promises'
import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
// Node's global `performance` is a lazy accessor looked up on every use; the module binding is not.
import { performance } from 'node:perf_hooks'
import type { Logger } from '@sluice/core'
import type { ServingBundle } from '@sluice/component-trainer/bundle'
import { ServingError, httpStatusOf } from './errors.js'
import { ServerMetrics } from './metrics.js'
import type { RestMethod } from './metrics.js'
import {
  DEFAULT_BATCH_TIMEOUT_MICROS,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_POLL_WAIT_SECONDS,
  DEFAULT_REST_PORT,
} from './options.js'
import type { ModelConfig, ModelServerOptions, ResolvedServerOptions } from './options.js'
import { classifyResponse, exampleRows, metadataResponse, parseJsonObject, predictResponse, predictRows, regressResponse } from './rest-format.js'
import type { Outputs } from './batcher.js'
import { ServedModel } from './served-model.js'
import type { ServedVersion, VersionSelector } from './served-model.js'

/** A running model server. */
export interface ModelServer {
  /** `http://HOST:PORT`, or `unix:PATH` when listening on a unix socket. */
  readonly url: string
  /** The TCP port (the one picked when `port: 0` was asked); undefined on a unix socket. */
  readonly port: number | undefined
  /** The unix socket listened on, if any. */
  readonly socketPath: string | undefined
  /** Names of the served models. */
  readonly models: readonly string[]
  /** The versions of a model the server knows (any state), newest first. */
  versions(model: string): ServedVersion[]
  /** The `/metrics` text (Prometheus exposition format). */
  metricsText(): Promise<string>
  /**
   * Scans every base path now and loads/unloads versions, as the poller does. With `models`, first
   * replaces the model list (TF Serving's ReloadConfig): new models are added, missing ones unloaded.
   */
  reload(models?: readonly ModelConfig[]): Promise<void>
  /**
   * Graceful shutdown: stops accepting connections, answers requests already received (new ones on
   * open connections get 503), then unloads the models. Idempotent.
   */
  close(): Promise<void>
}

/** A logger that keeps warnings and errors on stderr and drops the rest. */
export function defaultLogger(): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (message) => void process.stderr.write(`sluice-model-server: warning: ${message}\n`),
    error: (message) => void process.stderr.write(`sluice-model-server: error: ${message}\n`),
  }
}

function checkModels(models: readonly ModelConfig[]): void {
  const bad = (problem: string): never => {
    throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', problem, { fix: 'Pass models: [{ name, basePath }] (or --model-name and --model-base-path).' })
  }
  const names = new Set<string>()
  for (const m of models) {
    if (typeof m.name !== 'string' || !/^[^/:?#\s]+$/.test(m.name)) bad(`Model name ${JSON.stringify(m.name)} is not usable in a URL path (no "/", ":", "?", "#" or spaces).`)
    if (names.has(m.name)) bad(`Model "${m.name}" is configured twice.`)
    names.add(m.name)
    if (typeof m.basePath !== 'string' || m.basePath === '') bad(`Model "${m.name}" has no basePath.`)
    const policy = m.versionPolicy
    if (policy && 'latest' in policy && !(Number.isSafeInteger(policy.latest.numVersions) && policy.latest.numVersions >= 1)) bad(`Model "${m.name}": versionPolicy.latest.numVersions must be a whole number of at least 1.`)
    if (policy && 'specific' in policy && (policy.specific.versions.length === 0 || policy.specific.versions.some((v) => !Number.isSafeInteger(v) || v < 0))) bad(`Model "${m.name}": versionPolicy.specific.versions must list version numbers.`)
    for (const [label, v] of Object.entries(m.versionLabels ?? {})) if (!Number.isSafeInteger(v) || v < 0) bad(`Model "${m.name}": version label "${label}" must name a version number.`)
  }
}

function resolveOptions(options: ModelServerOptions): ResolvedServerOptions {
  checkModels(options.models)
  const batching = options.batching === false ? false : { maxBatchSize: options.batching?.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, batchTimeoutMicros: options.batching?.batchTimeoutMicros ?? DEFAULT_BATCH_TIMEOUT_MICROS }
  if (batching && !(Number.isSafeInteger(batching.maxBatchSize) && batching.maxBatchSize >= 1)) throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', `batching.maxBatchSize must be a whole number of at least 1, got ${batching.maxBatchSize}.`)
  if (batching && !(batching.batchTimeoutMicros >= 0)) throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', `batching.batchTimeoutMicros must be at least 0, got ${batching.batchTimeoutMicros}.`)
  const port = options.port ?? DEFAULT_REST_PORT
  if (!(Number.isSafeInteger(port) && port >= 0 && port < 65536)) throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', `port must be 0..65535, got ${port}.`)
  if (options.onnxThreads !== undefined && !(Number.isSafeInteger(options.onnxThreads) && options.onnxThreads >= 1)) throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', `onnxThreads must be a whole number of at least 1, got ${options.onnxThreads}.`)
  const poll = options.fileSystemPollWaitSeconds ?? DEFAULT_POLL_WAIT_SECONDS
  if (!(poll >= 0)) throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', `fileSystemPollWaitSeconds must be at least 0, got ${poll}.`)
  return {
    models: options.models,
    port,
    host: options.host ?? '127.0.0.1',
    socketPath: options.socketPath,
    batching,
    fileSystemPollWaitSeconds: poll,
    maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    backend: options.backend ?? 'auto',
    onnxThreads: options.onnxThreads ?? 1,
    logger: options.logger ?? defaultLogger(),
  }
}

/** A parsed REST path. */
interface Route {
  readonly model: string
  readonly selector: VersionSelector
  readonly verb: 'status' | 'metadata' | 'predict' | 'classify' | 'regress'
}

const MODELS_PREFIX = '/v1/models/'

/** Parses `/v1/models/{name}[/versions/{v}|/labels/{l}][/metadata|:predict|:classify|:regress]`; undefined when it is none. */
export function parseRoute(pathname: string): Route | undefined {
  if (!pathname.startsWith(MODELS_PREFIX)) return undefined
  let rest = pathname.slice(MODELS_PREFIX.length)
  let verb: Route['verb'] = 'status'
  const colon = rest.lastIndexOf(':')
  if (colon !== -1) {
    const v = rest.slice(colon + 1)
    if (v !== 'predict' && v !== 'classify' && v !== 'regress') return undefined
    verb = v
    rest = rest.slice(0, colon)
  }
  const parts = rest.split('/')
  if (verb === 'status' && parts.length > 1 && parts[parts.length - 1] === 'metadata') {
    verb = 'metadata'
    parts.pop()
  }
  let model: string
  try {
    model = decodeURIComponent(parts[0]!)
  } catch {
    return undefined
  }
  if (model === '') return undefined
  if (parts.length === 1) return { model, selector: { kind: 'latest' }, verb }
  if (parts.length !== 3) return undefined
  if (parts[1] === 'versions' && /^\d+$/.test(parts[2]!)) return { model, selector: { kind: 'version', version: Number(parts[2]) }, verb }
  if (parts[1] === 'labels' && parts[2] !== '') {
    try {
      return { model, selector: { kind: 'label', label: decodeURIComponent(parts[2]!) }, verb }
    } catch {
      return undefined
    }
  }
  return undefined
}

/** TF Serving's GetModelStatusResponse for some versions. */
function statusResponse(versions: readonly ServedVersion[]): string {
  return JSON.stringify({
    model_version_status: versions.map((v) => ({
      version: String(v.version),
      state: v.state,
      status: v.error !== undefined ? { error_code: 'UNKNOWN', error_message: v.error } : { error_code: 'OK', error_message: '' },
    })),
  })
}

/**
 * Starts a model server with TensorFlow Serving's REST API over Sluice serving bundles. Resolves
 * once it listens, after a first scan of every base path has loaded what the version policies want
 * (a model whose versions fail to load is logged and served as soon as one loads).
 *
 * @example
 * const server = await startModelServer({ models: [{ name: 'taxi', basePath: './serving/taxi' }], port: 8501 })
 * // curl -d '{"instances":[{"fare":12.5,…}]}' http://127.0.0.1:8501/v1/models/taxi:predict
 * await server.close()
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const config = resolveOptions(options)
  const { logger } = config
  const metrics = new ServerMetrics()
  const loadBundle = async (dir: string): Promise<ServingBundle> => {
    // Imported on first load only. The bundle picks its runtime (ONNX when it has model.onnx) and
    // imports tfjs only when it needs it.
    const { loadServingBundle } = await import('@sluice/component-trainer/bundle')
    return loadServingBundle(dir, { backend: config.backend, onnxThreads: config.onnxThreads, logger })
  }
  const deps = { loadBundle, logger, metrics, batching: config.batching }
  const models = new Map<string, ServedModel>()
  for (const m of config.models) models.set(m.name, new ServedModel(m, deps))
  await Promise.all([...models.values()].map((m) => m.sync()))

  let closing = false
  let inFlight = 0
  let drained: (() => void) | undefined
  // Parsed routes by URL: clients send the same few URLs over and over.
  const routes = new Map<string, Route | null>()

  /** One request's bookkeeping, settled by the one response it gets (see send). */
  interface Exchange {
    readonly res: ServerResponse
    readonly started: number
    model: string
    method: RestMethod
    done: boolean
  }

  const send = (x: Exchange, status: number, body: string, contentType = 'application/json'): void => {
    if (x.done) return
    x.done = true
    const { res } = x
    // A client that went away before its answer is counted as 499 (nginx's "client closed request").
    const gone = res.destroyed
    if (!gone) {
      res.writeHead(status, closing ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), Connection: 'close' } : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) })
      res.end(body)
    }
    metrics.request(x.model, x.method, gone ? 499 : status, (performance.now() - x.started) / 1000)
    if (--inFlight === 0 && drained) drained()
  }
  const sendError = (x: Exchange, error: unknown, extraHeaders?: Record<string, string>): void => {
    const status = httpStatusOf(error)
    if (status >= 500 && status !== 503) logger.error(`Request failed: ${(error as Error).stack ?? String(error)}`)
    if (extraHeaders && !x.res.headersSent) for (const [k, v] of Object.entries(extraHeaders)) x.res.setHeader(k, v)
    send(x, status, JSON.stringify({ error: error instanceof Error ? error.message : String(error) }))
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++
    const x: Exchange = { res, started: performance.now(), model: '', method: 'other', done: false }
    try {
      const url = req.url ?? '/'
      if (closing) {
        throw new ServingError('SLUICE_SERVING_UNAVAILABLE', 'The server is shutting down.', { fix: 'Retry against another replica.' })
      }
      let route = routes.get(url)
      if (route === undefined) {
        const q = url.indexOf('?')
        const pathname = q === -1 ? url : url.slice(0, q)
        if (pathname === '/metrics' || pathname === '/monitoring/prometheus/metrics') {
          x.method = 'metrics'
          if (req.method !== 'GET' && req.method !== 'HEAD') return void sendError(x, methodNotAllowed(req.method, 'GET'), { Allow: 'GET, HEAD' })
          metrics.render().then(
            ({ contentType, text }) => send(x, 200, text, contentType),
            (error: unknown) => sendError(x, error),
          )
          return
        }
        route = parseRoute(pathname) ?? null
        // Bounded: a scanner sending endless distinct URLs must not grow it.
        if (routes.size >= 1024) routes.clear()
        routes.set(url, route)
        if (!route) throw new ServingError('SLUICE_SERVING_NOT_FOUND', `No endpoint at ${pathname}.`, { fix: 'Use /v1/models/{name}[/versions/{v}|/labels/{l}][/metadata|:predict|:classify|:regress] or /metrics.' })
      }
      if (route === null) throw new ServingError('SLUICE_SERVING_NOT_FOUND', `No endpoint at ${url}.`, { fix: 'Use /v1/models/{name}[/versions/{v}|/labels/{l}][/metadata|:predict|:classify|:regress] or /metrics.' })
      const r = route
      x.method = r.verb
      const served = models.get(r.model)
      // Only served names become label values: a scanner must not be able to grow the series.
      if (served) x.model = r.model
      if (r.verb === 'status' || r.verb === 'metadata') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return void sendError(x, methodNotAllowed(req.method, 'GET'), { Allow: 'GET, HEAD' })
        if (!served) throw unknownModel(r.model, models)
        if (r.verb === 'status') return void send(x, 200, statusOf(served, r.selector))
        const { version, bundle } = served.resolve(r.selector)
        return void send(x, 200, JSON.stringify(metadataResponse(served.name, version, bundle.signature)))
      }
      if (req.method !== 'POST') return void sendError(x, methodNotAllowed(req.method, 'POST'), { Allow: 'POST' })
      if (!served) throw unknownModel(r.model, models)
      served.pendingBodies++
      readBody(req, config.maxRequestBytes, (error, body) => {
        served.pendingBodies--
        if (error) return void sendError(x, error, { Connection: 'close' })
        try {
          answer(served, r, body!, x, send, sendError)
        } catch (e) {
          sendError(x, e)
        }
      })
    } catch (error) {
      sendError(x, error)
    }
  }

  const server = http.createServer(handle)
  try {
    await listen(server, config)
  } catch (error) {
    await Promise.all([...models.values()].map((m) => m.close()))
    throw error
  }
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? (address as AddressInfo).port : undefined
  const url = config.socketPath !== undefined ? `unix:${config.socketPath}` : `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`

  // Poll for new versions; a scan that takes longer than the interval delays the next one.
  let pollTimer: NodeJS.Timeout | undefined
  const schedulePoll = () => {
    if (closing || config.fileSystemPollWaitSeconds === 0) return
    pollTimer = setTimeout(() => {
      void Promise.all([...models.values()].map((m) => m.sync())).finally(schedulePoll)
    }, config.fileSystemPollWaitSeconds * 1000)
    pollTimer.unref()
  }
  schedulePoll()

  let closed: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closing = true
    clearTimeout(pollTimer)
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve))
    // Keep-alive connections that carried the last requests are idle now.
    server.closeAllConnections()
    await serverClosed
    await Promise.all([...models.values()].map((m) => m.close()))
    if (config.socketPath !== undefined) await rm(config.socketPath, { force: true })
    logger.info('Server closed.')
  }

  return {
    url,
    port: config.socketPath !== undefined ? undefined : port,
    socketPath: config.socketPath,
    get models() {
      return [...models.keys()]
    },
    versions: (name) => models.get(name)?.versions() ?? [],
    metricsText: async () => (await metrics.render()).text,
    async reload(next) {
      if (closing) return
      if (next) {
        checkModels(next)
        const wanted = new Map(next.map((m) => [m.name, m]))
        for (const [name, served] of models) {
          if (!wanted.has(name)) {
            models.delete(name)
            await served.close()
          }
        }
        for (const m of next) {
          const existing = models.get(m.name)
          if (existing) existing.reconfigure(m)
          else models.set(m.name, new ServedModel(m, deps))
        }
      }
      await Promise.all([...models.values()].map((m) => m.sync()))
    },
    close: () => (closed ??= close()),
  }
}

function statusOf(served: ServedModel, selector: VersionSelector): string {
  if (selector.kind === 'latest') {
    const versions = served.versions()
    if (versions.length === 0) {
      throw new ServingError('SLUICE_SERVING_NOT_FOUND', `Could not find any versions of model "${served.name}" under ${served.basePath}.`, { fix: 'Write a serving bundle to <base path>/<version>/; the server picks it up.' })
    }
    return statusResponse(versions)
  }
  return statusResponse([served.entryFor(selector)])
}

/**
 * Parses a predict/classify/regress body, queues its rows and answers when the batch is done. Throws
 * (synchronously) what is wrong with the request; the model's errors go to `fail`.
 */
function answer<X>(served: ServedModel, route: Route, text: string, x: X, reply: (x: X, status: number, body: string) => void, fail: (x: X, error: unknown) => void): void {
  const body = parseJsonObject(text)
  const { bundle, queue } = served.resolve(route.selector)
  const { signature } = bundle
  if (route.verb === 'predict') {
    const { rows, columnar } = predictRows(body, signature)
    if (rows.length === 0) return reply(x, 200, predictResponse({}, 0, signature, columnar))
    queue.enqueue(rows, (error, outputs, start, batchRows) => {
      if (error !== undefined || !outputs) return fail(x, error)
      let text: string
      try {
        text = predictResponse(outputs, rows.length, signature, columnar, start, batchRows)
      } catch (e) {
        return fail(x, e)
      }
      reply(x, 200, text)
    })
    return
  }
  const rows = exampleRows(body, signature, route.verb as 'classify' | 'regress')
  const respond = (outputs: Outputs) => (route.verb === 'classify' ? classifyResponse(outputs, rows.length, signature) : regressResponse(outputs, rows.length, signature))
  if (rows.length === 0) return reply(x, 200, respond({}))
  queue.submit(rows).then(
    (outputs) => {
      let text: string
      try {
        text = respond(outputs)
      } catch (error) {
        return fail(x, error)
      }
      reply(x, 200, text)
    },
    (error: unknown) => fail(x, error),
  )
}

function unknownModel(name: string, models: ReadonlyMap<string, ServedModel>): ServingError {
  return new ServingError('SLUICE_SERVING_NOT_FOUND', `Model "${name}" is not served here (models: ${[...models.keys()].join(', ') || 'none'}).`)
}

function methodNotAllowed(method: string | undefined, allowed: string): ServingError {
  return new ServingError('SLUICE_SERVING_METHOD_NOT_ALLOWED', `${method ?? 'This method'} is not allowed here; use ${allowed}.`)
}

/** A request body being read (see readBody). */
interface BodyRead {
  readonly limit: number
  readonly done: (error: ServingError | undefined, body?: string) => void
  chunks: Buffer[]
  size: number
  settled: boolean
}

const BODY = Symbol('sluice.body')
type ReadingRequest = IncomingMessage & { [BODY]: BodyRead }

function tooLarge(limit: number): ServingError {
  return new ServingError('SLUICE_SERVING_REQUEST_TOO_LARGE', `The request body is larger than ${limit} bytes.`, { fix: 'Send fewer rows per request, or raise maxRequestBytes (--max-request-bytes).' })
}

function settleBody(state: BodyRead, error: ServingError | undefined, body?: string): void {
  if (state.settled) return
  state.settled = true
  state.chunks = []
  state.done(error, body)
}

// The listeners are shared functions reading their state from the request: nothing is allocated per
// request for them.
function onBodyData(this: ReadingRequest, chunk: Buffer): void {
  const state = this[BODY]
  if (state.settled) return
  state.size += chunk.length
  if (state.size > state.limit) settleBody(state, tooLarge(state.limit))
  else state.chunks.push(chunk)
}

function onBodyEnd(this: ReadingRequest): void {
  const state = this[BODY]
  const { chunks } = state
  settleBody(state, undefined, chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, state.size).toString('utf8'))
}

/** A client that goes away mid-body: 'error' or just 'close', depending on how it left. Every request ends with 'close'. */
function onBodyGone(this: ReadingRequest): void {
  const state = this[BODY]
  if (!state.settled) settleBody(state, new ServingError('SLUICE_SERVING_BAD_REQUEST', 'The request body could not be read: the client went away.'))
}

/** Reads a request body up to `limit` bytes (413 beyond, from Content-Length when given). Calls `done` exactly once. */
function readBody(req: IncomingMessage, limit: number, done: (error: ServingError | undefined, body?: string) => void): void {
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) return done(tooLarge(limit))
  ;(req as ReadingRequest)[BODY] = { limit, done, chunks: [], size: 0, settled: false }
  req.on('data', onBodyData)
  req.on('end', onBodyEnd)
  // No 'error' listener: a request emits 'error' only to listeners it has, and 'close' always follows.
  req.on('close', onBodyGone)
}

async function listen(server: http.Server, config: ResolvedServerOptions): Promise<void> {
  if (config.socketPath !== undefined) {
    // A socket left by a server that was killed would make listen fail with EADDRINUSE; anything
    // else at that path is not ours to remove.
    const existing = await lstat(config.socketPath).catch(() => undefined)
    if (existing?.isSocket()) await rm(config.socketPath, { force: true })
    else if (existing) {
      throw new ServingError('SLUICE_SERVING_LISTEN_FAILED', `Cannot listen on unix socket ${config.socketPath}: a file that is not a socket is in the way.`, { fix: 'Pick another --rest-api-socket path, or remove the file.' })
    }
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = config.socketPath !== undefined ? `unix socket ${config.socketPath}` : `${config.host}:${config.port}`
      reject(
        new ServingError('SLUICE_SERVING_LISTEN_FAILED', `Cannot listen on ${where}: ${error.message}.`, {
          fix: error.code === 'EADDRINUSE' ? 'Stop the process using it, or pick another --port (0 picks a free one).' : undefined,
          cause: error,
        }),
      )
    }
    server.once('error', onError)
    const ready = () => {
      server.off('error', onError)
      resolve()
    }
    if (config.socketPath !== undefined) server.listen(config.socketPath, ready)
    else server.listen(config.port, config.host, ready)
  })
}
