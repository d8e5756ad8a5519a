import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** Examples cannot be read for statistics: a split directory without Parquet files, an unreadable file. */
export class StatisticsInputError extends SluiceError {
  override name = 'StatisticsInputError'
  /** The split concerned, when known. */
  readonly split: string | undefined
  /** The file or directory concerned, when known. */
  readonly file: string | undefined
  constructor(message: string, options: SluiceErrorOptions & { split?: string; file?: string } = {}) {
    super('SLUICE_STATISTICS_INPUT', message, options)
    this.split = options.split
    this.file = options.file
  }
}

/** A feature cannot be described as asked: an unsupported column type, a bad weight feature. */
export class StatisticsFeatureError extends SluiceError {
  override name = 'StatisticsFeatureError'
  readonly split: string | undefined
  readonly feature: string
  constructor(message: string, options: SluiceErrorOptions & { split?: string; feature: string }) {
    super('SLUICE_STATISTICS_FEATURE', message, options)
    this.split = options.split
    this.feature = options.feature
  }
}

/** A statistics file (FeatureStats.json) is missing or is not a DatasetFeatureStatisticsList. */
export class StatisticsFormatError extends SluiceError {
  override name = 'StatisticsFormatError'
  readonly file: string | undefined
  constructor(message: string, options: SluiceErrorOptions & { file?: string } = {}) {
    super('SLUICE_STATISTICS_FORMAT', message, options)
    this.file = options.file
  }
}
