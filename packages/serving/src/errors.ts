import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link ServingError}. */
export type ServingErrorCode =
  /** The request body is not JSON, or not shaped as the endpoint expects (400). */
  | 'SLUICE_SERVING_BAD_REQUEST'
  /** No such model, version, label or endpoint (404). */
  | 'SLUICE_SERVING_NOT_FOUND'
  /** The endpoint exists but not for this HTTP method (405). */
  | 'SLUICE_SERVING_METHOD_NOT_ALLOWED'
  /** The request body is larger than `maxRequestBytes` (413). */
  | 'SLUICE_SERVING_REQUEST_TOO_LARGE'
  /** The model has no version that can serve right now, or the server is shutting down (503). */
  | 'SLUICE_SERVING_UNAVAILABLE'
  /** Server options, flags or the model config file are invalid. */
  | 'SLUICE_SERVING_CONFIG_INVALID'
  /** Command-line flags the server does not understand (exit code 2). */
  | 'SLUICE_SERVING_USAGE'
  /** The server could not listen on its port or socket. */
  | 'SLUICE_SERVING_LISTEN_FAILED'

const STATUS: Record<ServingErrorCode, number> = {
  SLUICE_SERVING_BAD_REQUEST: 400,
  SLUICE_SERVING_NOT_FOUND: 404,
  SLUICE_SERVING_METHOD_NOT_ALLOWED: 405,
  SLUICE_SERVING_REQUEST_TOO_LARGE: 413,
  SLUICE_SERVING_UNAVAILABLE: 503,
  SLUICE_SERVING_CONFIG_INVALID: 500,
  SLUICE_SERVING_USAGE: 500,
  SLUICE_SERVING_LISTEN_FAILED: 500,
}

/**
 * An error of the model server. Request errors carry the HTTP status the REST API answers with
 * (`{ "error": message }`); configuration errors stop the server before it listens.
 */
export class ServingError extends SluiceError {
  override name = 'ServingError'
  declare readonly code: ServingErrorCode
  /** The HTTP status of a request error. */
  readonly status: number
  constructor(code: ServingErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
    this.status = STATUS[code]
  }
}

/**
 * The HTTP status for any error a request handler meets: a ServingError's own, 400 for a row that
 * does not match the signature (the bundle's SLUICE_SERVING_BAD_INPUT), 500 otherwise.
 */
export function httpStatusOf(error: unknown): number {
  if (error instanceof ServingError) return error.status
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  if (code === 'SLUICE_SERVING_BAD_INPUT' || code === 'SLUICE_TRANSFORM_APPLY_FAILED') return 400
  if (typeof code === 'string' && typeof (error as { status?: unknown }).status === 'number') return (error as { status: number }).status
  return 500
}
