import { SluiceError, type SluiceErrorOptions } from '@sluice/core'

/** Where in a text file something is: 1-based line and column. */
export interface TextPosition {
  readonly line: number
  readonly column: number
}

/**
 * A `schema.pbtxt` that is not a valid Schema message (or uses a part Sluice does not support).
 * The message starts with `file:line:column`.
 */
export class SchemaParseError extends SluiceError {
  override name = 'SchemaParseError'
  readonly fileName: string
  readonly line: number
  readonly column: number
  constructor(fileName: string, position: TextPosition, message: string, options?: SluiceErrorOptions) {
    super('SLUICE_SCHEMA_PARSE_FAILED', `${fileName}:${position.line}:${position.column}: ${message}`, options)
    this.fileName = fileName
    this.line = position.line
    this.column = position.column
  }
}

/** Codes of {@link SchemaError}. */
export type SchemaErrorCode = 'SLUICE_SCHEMA_NOT_FOUND' | 'SLUICE_SCHEMA_INVALID' | 'SLUICE_STATISTICS_INVALID'

/** A schema artifact or schema object that cannot be used, or statistics a schema cannot be inferred from. */
export class SchemaError extends SluiceError {
  override name = 'SchemaError'
  constructor(code: SchemaErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}
