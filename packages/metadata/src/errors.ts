/** Error codes raised by the metadata store; every code is prefixed so logs can be grepped across packages. */
export type MetadataErrorCode =
  | 'SLUICE_METADATA_TYPE_CONFLICT'
  | 'SLUICE_METADATA_NOT_FOUND'
  | 'SLUICE_METADATA_ALREADY_EXISTS'
  | 'SLUICE_METADATA_INVALID_ARGUMENT'
  | 'SLUICE_METADATA_SCHEMA_TOO_NEW'
  | 'SLUICE_METADATA_SCHEMA_TOO_OLD'
  | 'SLUICE_METADATA_OPEN_FAILED'
  | 'SLUICE_METADATA_READONLY'
  | 'SLUICE_METADATA_CLOSED'
  | 'SLUICE_METADATA_BUSY'

/**
 * The error every metadata store operation throws.
 *
 * Kept as one small class with the same shape as `@sluice/core`'s `SluiceError` (code, retryable, cause)
 * so that re-basing it on `SluiceError` later is a one-line change.
 */
export class MetadataError extends Error {
  override readonly name = 'MetadataError'
  readonly code: MetadataErrorCode
  /** True when retrying the same call may succeed (only lock contention today). */
  readonly retryable: boolean

  constructor(code: MetadataErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.retryable = options?.retryable ?? code === 'SLUICE_METADATA_BUSY'
  }
}
