import { SluiceError } from '@sluice/core'

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

/** The error every metadata store operation throws: a {@link SluiceError} with a `SLUICE_METADATA_*` code. */
export class MetadataError extends SluiceError {
  override name = 'MetadataError'
  declare readonly code: MetadataErrorCode

  constructor(code: MetadataErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    // Only lock contention is worth retrying unless the caller says otherwise.
    super(code, message, { ...options, retryable: options?.retryable ?? code === 'SLUICE_METADATA_BUSY' })
  }
}
