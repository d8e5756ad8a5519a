// Running one trial, on whichever thread it runs on: the search coordinator hands a TrialRequest to a
// TrialRunner (inline here, or the worker pool) and gets back what the user's trial returned or threw.
// Judging the result stays with the coordinator, so both runners behave the same.
import type { Logger } from '@sluice/core'
import type { HyperParameterValue } from './search-space.js'
import type { ResumeFrom, TrialContext, TrialFunction } from './tuner-fn.js'

/** Everything a trial needs, in structured-clonable form so that it can be posted to a worker. */
export interface TrialRequest {
  readonly trialId: string
  readonly values: Record<string, HyperParameterValue>
  readonly budget: number | undefined
  readonly initialEpoch: number
  readonly seed: number
  readonly trialDir: string
  readonly bracket: number | undefined
  readonly round: number | undefined
  readonly resumeFrom: ResumeFrom | undefined
}

/** An error as it crosses threads (an Error instance loses its class and own properties there). */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  readonly code: string | undefined
}

/** What the user's trial did: returned a value (still to be judged), or threw. */
export type RawTrialOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SerializedError }

/** Decides, for each intermediate report, whether the trial should stop. */
export type ReportHandler = (step: number, value: number) => boolean

/** Runs trials; the coordinator starts at most `concurrency` at a time. */
export interface TrialRunner {
  readonly concurrency: number
  run(request: TrialRequest, report: ReportHandler): Promise<RawTrialOutcome>
  /** Releases threads; idempotent. */
  close(): Promise<void>
}

/** Serialises an error for tuner_results.json and for posting between threads. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return { name: error.name, message: error.message, stack: error.stack, code: typeof code === 'string' ? code : undefined }
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${String(error)}`, stack: undefined, code: undefined }
}

/**
 * Calls the user's trial with its values and a {@link TrialContext} whose `report` goes to `report`,
 * and returns what it returned or threw. Bad arguments to `report` throw inside the trial, so the
 * trial fails with that message unless it catches it.
 */
export async function invokeTrial(trial: TrialFunction, request: TrialRequest, report: ReportHandler, signal: AbortSignal, logger: Logger): Promise<RawTrialOutcome> {
  const context: TrialContext = {
    trialId: request.trialId,
    budget: request.budget,
    initialEpoch: request.initialEpoch,
    resumeFrom: request.resumeFrom,
    trialDir: request.trialDir,
    seed: request.seed,
    bracket: request.bracket,
    round: request.round,
    signal,
    logger,
    report(step: number, value: number): boolean {
      if (typeof step !== 'number' || !Number.isFinite(step)) throw new TypeError(`context.report(step, value): step must be a finite number, got ${String(step)}.`)
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`context.report(step, value): value must be a finite number, got ${String(value)} at step ${step}.`)
      return report(step, value)
    },
  }
  try {
    // A copy of the values: a trial that mutates them must not change what the results record.
    return { ok: true, value: await trial({ ...request.values }, context) }
  } catch (error) {
    return { ok: false, error: serializeError(error) }
  }
}

/** Runs trials one at a time on the calling thread (`numParallelTrials: 1`). */
export function inlineTrialRunner(trial: TrialFunction, signal: AbortSignal, logger: Logger): TrialRunner {
  return {
    concurrency: 1,
    run: (request, report) => invokeTrial(trial, request, report, signal, logger),
    close: async () => {},
  }
}
