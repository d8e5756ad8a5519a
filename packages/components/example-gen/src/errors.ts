import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Stable codes of {@link ExampleGenError}. */
export type ExampleGenErrorCode =
  /** A split pattern matched no file under `inputBase` (or the span asked for is not there). */
  | 'SLUICE_EXAMPLEGEN_NO_FILES'
  /** An input file is empty (no header row, no record). */
  | 'SLUICE_EXAMPLEGEN_EMPTY_FILE'
  /** A CSV row has a different number of cells than the header. */
  | 'SLUICE_EXAMPLEGEN_RAGGED_ROW'
  /** The files of one split have different CSV headers. */
  | 'SLUICE_EXAMPLEGEN_HEADER_MISMATCH'
  /** A CSV header is unusable (an empty or duplicate column name). */
  | 'SLUICE_EXAMPLEGEN_BAD_HEADER'
  /** A CSV file could not be parsed (e.g. a quote that is never closed). */
  | 'SLUICE_EXAMPLEGEN_BAD_CSV'
  /** A split pattern is not a valid glob, or its {SPAN}/{VERSION}/date placeholders break TFX's rules. */
  | 'SLUICE_EXAMPLEGEN_BAD_GLOB'
  /** Spans or versions could not be resolved (different spans across splits, invalid date, range config). */
  | 'SLUICE_EXAMPLEGEN_BAD_SPAN'
  /** Input or output configuration is inconsistent (e.g. output splits with several input splits). */
  | 'SLUICE_EXAMPLEGEN_BAD_CONFIG'
  /** A Parquet file could not be read, or its schema differs from the split's first file. */
  | 'SLUICE_EXAMPLEGEN_BAD_PARQUET'
  /** A TFRecord file is corrupted (bad CRC, truncated) or holds records that are not tf.Example. */
  | 'SLUICE_EXAMPLEGEN_BAD_TFRECORD'
  /** A JSON lines file holds a line that is not a JSON object. */
  | 'SLUICE_EXAMPLEGEN_BAD_JSON'
  /** A column's type cannot be stored as a tf.Example feature (nested structs, maps, lists of lists). */
  | 'SLUICE_EXAMPLEGEN_UNSUPPORTED_TYPE'
  /** The input files of one split have different formats, or a file's format was not recognised. */
  | 'SLUICE_EXAMPLEGEN_UNKNOWN_FORMAT'
  /** `partitionFeatureName` names a missing column or one that is not INT or STRING. */
  | 'SLUICE_EXAMPLEGEN_BAD_PARTITION_FEATURE'

/** Where an {@link ExampleGenError} happened. */
export interface ExampleGenErrorLocation {
  /** The input split. */
  split?: string
  /** The input file (absolute path). */
  file?: string
  /** 1-based line of a text file. */
  line?: number
  /** 0-based record index of a TFRecord file. */
  record?: number
}

/**
 * An ExampleGen input or configuration error. Messages name the split, file and line or record,
 * say what is wrong and end with the fix.
 */
export class ExampleGenError extends SluiceError {
  override name = 'ExampleGenError'
  declare readonly code: ExampleGenErrorCode
  readonly split: string | undefined
  readonly file: string | undefined
  readonly line: number | undefined
  readonly record: number | undefined
  constructor(code: ExampleGenErrorCode, message: string, options: SluiceErrorOptions & ExampleGenErrorLocation = {}) {
    super(code, message, options)
    this.split = options.split
    this.file = options.file
    this.line = options.line
    this.record = options.record
  }
}
