import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link ExamplesError}. */
export type ExamplesErrorCode =
  /** An Examples artifact has no `Split-{name}/` directory, or it holds no Parquet file. */
  | 'SLUICE_EXAMPLES_SPLIT_MISSING'
  /** A TFRecord file is truncated or a record's CRC does not match. */
  | 'SLUICE_EXAMPLES_BAD_TFRECORD'
  /** A TFRecord record is not a valid serialized `tf.Example`. */
  | 'SLUICE_EXAMPLES_BAD_EXAMPLE'
  /** Parquet metadata written by Sluice could not be read. */
  | 'SLUICE_EXAMPLES_BAD_METADATA'

/** An error reading or writing examples (Parquet splits, TFRecord files of tf.Example). */
export class ExamplesError extends SluiceError {
  override name = 'ExamplesError'
  declare readonly code: ExamplesErrorCode
  /** The file involved, when there is one. */
  readonly file: string | undefined
  constructor(code: ExamplesErrorCode, message: string, options: SluiceErrorOptions & { file?: string } = {}) {
    super(code, message, options)
    this.file = options.file
  }
}
