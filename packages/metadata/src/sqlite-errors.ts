import { MetadataError } from './errors.js'

/**
 * Turns SQLite failures a caller can act on into MetadataErrors naming the file; other errors pass through.
 *
 * Constraint failures are translated where they happen, since only there is the offending node known.
 */
export function fromSqliteError(error: unknown, location: string, busyTimeoutMs: number): unknown {
  if (error instanceof MetadataError) return error
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new MetadataError(
      'SLUICE_METADATA_BUSY',
      `Metadata store ${location} stayed locked by another process for more than ${busyTimeoutMs} ms. ` +
        `Retry, or open the store with a larger busyTimeoutMs.`,
      { cause: error, retryable: true },
    )
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new MetadataError(
      'SLUICE_METADATA_READONLY',
      `Metadata store ${location} is read-only (opened with { readonly: true }, or the file or its directory is not ` +
        `writable); open it read-write to change it.`,
      { cause: error },
    )
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_CANTOPEN')) {
    return new MetadataError(
      'SLUICE_METADATA_OPEN_FAILED',
      `Cannot use ${location} as a metadata store (${code}): ${(error as Error).message}. ` +
        `Check the path, or move the file aside and let Sluice create a new one.`,
      { cause: error },
    )
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new MetadataError(
      'SLUICE_METADATA_NOT_FOUND',
      `A write to ${location} refers to an artifact, execution, context or type that does not exist; ` +
        `put it first and use the id it returns.`,
      { cause: error },
    )
  }
  return error
}
