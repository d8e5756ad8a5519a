import type { JsonValue } from '@sluice/core'
import { isSluiceError } from '@sluice/core'
import type { NodeFailure } from './run-events.js'

/** The reportable form of any error. */
export function toFailure(error: unknown): NodeFailure {
  if (isSluiceError(error)) return { code: error.code, message: error.message, retryable: error.retryable, ...(error.stack ? { stack: error.stack } : {}) }
  if (error instanceof Error) return { code: 'SLUICE_EXECUTOR_FAILED', message: error.message || error.name, retryable: false, ...(error.stack ? { stack: error.stack } : {}) }
  return { code: 'SLUICE_EXECUTOR_FAILED', message: String(error as JsonValue), retryable: false }
}
