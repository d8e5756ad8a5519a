// Trials in worker threads (`tuneArgs.numParallelTrials > 1`). Each worker imports the module file
// and calls tunerFn itself (functions cannot be posted), then runs the trials it is sent; the
// coordinator stays on the executor's thread. Cancelling the run terminates the workers.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Logger } from '@sluice/core'
import { ExecutorError } from '@sluice/core'
import type { TunerFnArgsRequest } from './fn-args.js'
import type { RawTrialOutcome, ReportHandler, SerializedError, TrialRequest, TrialRunner } from './trial-runner.js'
import type { FromWorker, ToWorker, TrialWorkerData } from './worker-protocol.js'
import { ANSWERED, DECISION } from './worker-protocol.js'

/** What {@link createWorkerPool} needs. */
export interface WorkerPoolOptions {
  readonly size: number
  readonly moduleFile: string
  readonly fnArgs: TunerFnArgsRequest
  readonly logger: Logger
  readonly signal: AbortSignal
}

interface Slot {
  worker: Worker
  sync: Int32Array
  /** The trial running on it, if any. */
  current: { request: TrialRequest; report: ReportHandler; resolve: (outcome: RawTrialOutcome) => void } | undefined
  /** Set once the worker is gone (crashed, exited or terminated). */
  dead: boolean
}

/**
 * Starts `size` trial workers and waits until each has loaded the module and called tunerFn. A worker
 * that fails to start fails the pool with its error (naming the module, as the executor would).
 */
export async function createWorkerPool(options: WorkerPoolOptions): Promise<TrialRunner> {
  const launch = workerLaunch()
  const slots: Slot[] = []
  const idle: Slot[] = []
  const waiting: ((slot: Slot) => void)[] = []
  let closed = false
  // Set when every worker is gone and none could be restarted: trials then fail the run with it.
  let broken: Error | undefined

  const release = (slot: Slot) => {
    const next = waiting.shift()
    if (next) next(slot)
    else idle.push(slot)
  }

  const start = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const sync = new Int32Array(new SharedArrayBuffer(8))
      const workerData: TrialWorkerData = { moduleFile: options.moduleFile, fnArgs: options.fnArgs, sync: sync.buffer as SharedArrayBuffer }
      const worker = new Worker(launch.script, { eval: launch.eval, workerData, ...(launch.execArgv ? { execArgv: launch.execArgv } : {}) })
      const slot: Slot = { worker, sync, current: undefined, dead: false }
      let ready = false
      const lost = (why: string, error?: SerializedError) => {
        if (slot.dead) return
        slot.dead = true
        // An idle worker can die too (an interval in the module that throws): never hand it a trial.
        const idleAt = idle.indexOf(slot)
        if (idleAt >= 0) idle.splice(idleAt, 1)
        if (!ready) return reject(startError(options.moduleFile, error ?? { name: 'Error', message: why, stack: undefined, code: undefined }))
        const running = slot.current
        slot.current = undefined
        if (running) running.resolve({ ok: false, error: error ?? { name: 'WorkerError', message: `the worker thread running the trial ${why}`, stack: undefined, code: undefined } })
        if (!closed) void replace(slot)
      }
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            ready = true
            resolve(slot)
            return
          case 'init-failed':
            lost('failed to start', message.error)
            void worker.terminate()
            return
          case 'log':
            options.logger[message.level](message.message)
            return
          case 'report': {
            const stop = slot.current ? slot.current.report(message.step, message.value) : true
            Atomics.store(sync, DECISION, stop ? 1 : 0)
            Atomics.store(sync, ANSWERED, 1)
            Atomics.notify(sync, ANSWERED)
            return
          }
          case 'result': {
            const running = slot.current
            slot.current = undefined
            running?.resolve(message.outcome)
            release(slot)
            return
          }
        }
      })
      worker.on('error', (error) => lost(`crashed: ${error.message}`, { name: error.name, message: `the worker thread crashed: ${error.message}`, stack: error.stack, code: undefined }))
      worker.on('exit', (code) => lost(`exited with code ${code}`))
    })

  // A crashed worker's slot gets a fresh worker so that the pool keeps its width.
  const replace = async (dead: Slot) => {
    const index = slots.indexOf(dead)
    try {
      const fresh = await start()
      if (closed) return void fresh.worker.terminate()
      slots[index] = fresh
      release(fresh)
    } catch (error) {
      options.logger.error(`A trial worker could not be restarted: ${(error as Error).message}`)
      if (slots.every((s) => s.dead)) {
        broken = error as Error
        for (const wake of waiting.splice(0)) wake(undefined as never)
      }
    }
  }

  const close = async () => {
    if (closed) return
    closed = true
    options.signal.removeEventListener('abort', onAbort)
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }
  const onAbort = () => {
    void close()
    for (const slot of slots) slot.current?.resolve({ ok: false, error: { name: 'AbortError', message: 'the run was cancelled', stack: undefined, code: undefined } })
    for (const wake of waiting.splice(0)) wake(undefined as never)
  }

  const started = await Promise.allSettled(Array.from({ length: options.size }, start))
  for (const s of started) if (s.status === 'fulfilled') slots.push(s.value)
  const failure = started.find((s) => s.status === 'rejected')
  if (failure) {
    await Promise.all(slots.map((s) => s.worker.terminate()))
    throw (failure as PromiseRejectedResult).reason
  }
  idle.push(...slots)
  options.signal.addEventListener('abort', onAbort, { once: true })

  return {
    concurrency: options.size,
    async run(request, report) {
      options.signal.throwIfAborted()
      if (broken) throw broken
      const slot = idle.shift() ?? (await new Promise<Slot>((resolve) => waiting.push(resolve)))
      options.signal.throwIfAborted()
      if (broken) throw broken
      return new Promise<RawTrialOutcome>((resolve) => {
        slot.current = { request, report, resolve }
        slot.worker.postMessage({ type: 'trial', request } satisfies ToWorker)
      })
    },
    close,
  }
}

function startError(moduleFile: string, error: SerializedError): Error {
  // The same module loaded on the executor's thread, so what fails here is the worker environment
  // or a tunerFn that behaves differently off the main thread.
  return new ExecutorError(`Tuner: a trial worker thread failed to load ${moduleFile}: ${error.message}`, {
    code: 'SLUICE_TUNER_WORKER_FAILED',
    fix: 'Make tunerFn behave the same in a worker thread (no reliance on main-thread state), or set tuneArgs.numParallelTrials to 1.',
  })
}

interface WorkerLaunch {
  readonly script: string | URL
  readonly eval: boolean
  readonly execArgv: string[] | undefined
}

/**
 * How to start the worker script. Built, it is `trial-worker.js` beside this file (tsup emits it as
 * its own entry). From sources (vitest, the monorepo) it is `trial-worker.ts`: a small bootstrap
 * registers tsx in the new thread first, and the `@sluice/source` condition makes the worker resolve
 * workspace packages to their sources as the tests do.
 */
function workerLaunch(): WorkerLaunch {
  const here = import.meta.url
  if (!new URL(here).pathname.endsWith('.ts')) return { script: new URL('./trial-worker.js', here), eval: false, execArgv: undefined }
  const entry = new URL('./trial-worker.ts', here).href
  const tsxApi = resolveTsxApi(here)
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}) })`
  return { script: bootstrap, eval: true, execArgv: ['--conditions=@sluice/source'] }
}

function resolveTsxApi(from: string): string {
  // The ESM build of tsx's API: its CommonJS build cannot register the loader from a worker.
  const resolved = createRequire(from).resolve('tsx/esm/api')
  return pathToFileURL(resolved.replace(/\.cjs$/, '.mjs')).href
}
