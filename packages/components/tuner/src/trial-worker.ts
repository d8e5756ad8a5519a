// Entry point of a trial worker thread (see worker-pool.ts): rebuilds fnArgs, loads the module file,
// calls tunerFn, then runs each trial it is sent and posts back what the trial returned.
import { parentPort, workerData } from 'node:worker_threads'
import type { Logger } from '@sluice/core'
import { buildTunerFnArgs } from './fn-args.js'
import { loadTuning } from './load-tuning.js'
import type { RawTrialOutcome } from './trial-runner.js'
import { invokeTrial, serializeError } from './trial-runner.js'
import type { FromWorker, ToWorker, TrialWorkerData } from './worker-protocol.js'
import { ANSWERED, DECISION } from './worker-protocol.js'

// A report waits at most this long for the coordinator; past it the trial simply goes on.
const REPORT_TIMEOUT_MS = 60_000

const port = parentPort!
const data = workerData as TrialWorkerData
const sync = new Int32Array(data.sync)
const post = (message: FromWorker) => port.postMessage(message)

const logger: Logger = {
  debug: (message) => post({ type: 'log', level: 'debug', message }),
  info: (message) => post({ type: 'log', level: 'info', message }),
  warn: (message) => post({ type: 'log', level: 'warn', message }),
  error: (message) => post({ type: 'log', level: 'error', message }),
}

// The coordinator terminates the worker to cancel, so this signal never fires; trials still get one.
const signal = new AbortController().signal

const report = (step: number, value: number): boolean => {
  Atomics.store(sync, ANSWERED, 0)
  post({ type: 'report', step, value })
  Atomics.wait(sync, ANSWERED, 0, REPORT_TIMEOUT_MS)
  return Atomics.load(sync, DECISION) === 1
}

try {
  const fnArgs = await buildTunerFnArgs(data.fnArgs, { logger, signal })
  const { trial } = await loadTuning(data.moduleFile, fnArgs)
  port.on('message', async (message: ToWorker) => {
    if (message.type !== 'trial') return
    const outcome = await invokeTrial(trial, message.request, report, signal, logger)
    try {
      post({ type: 'result', trialId: message.request.trialId, outcome })
    } catch (error) {
      // What the trial returned could not be structured-cloned (a function, a tensor…).
      const failed: RawTrialOutcome = {
        ok: false,
        error: { ...serializeError(error), message: `its result cannot be sent from the worker thread (${(error as Error).message}); return plain data (numbers, objects, arrays, typed arrays)` },
      }
      post({ type: 'result', trialId: message.request.trialId, outcome: failed })
    }
  })
  post({ type: 'ready' })
} catch (error) {
  post({ type: 'init-failed', error: serializeError(error) })
}
