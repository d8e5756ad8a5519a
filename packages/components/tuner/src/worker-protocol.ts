// Messages between the coordinator and trial workers. Functions cannot cross threads, so a worker
// loads the module file and calls tunerFn itself, then runs the trials it is sent. `report` must
// answer synchronously inside the trial: the worker blocks on a shared Int32Array until the
// coordinator has written its decision.
import type { TunerFnArgsRequest } from './fn-args.js'
import type { RawTrialOutcome, SerializedError, TrialRequest } from './trial-runner.js'

/** `workerData` of a trial worker. */
export interface TrialWorkerData {
  readonly moduleFile: string
  readonly fnArgs: TunerFnArgsRequest
  /** Two Int32 slots: [answered flag, stop decision]. */
  readonly sync: SharedArrayBuffer
}

/** Coordinator → worker. */
export type ToWorker = { readonly type: 'trial'; readonly request: TrialRequest }

/** Worker → coordinator. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly error: SerializedError }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string }
  | { readonly type: 'report'; readonly step: number; readonly value: number }
  | { readonly type: 'result'; readonly trialId: string; readonly outcome: RawTrialOutcome }

/** Slot of the shared Int32Array the worker waits on: 0 while a report is pending, 1 once answered. */
export const ANSWERED = 0
/** Slot holding the answer: 1 to stop the trial, 0 to go on. */
export const DECISION = 1
