// ImportExampleGen's executor: Parquet, JSON lines and TFRecord (tf.Example) inputs, recognised per
// split from the files' contents unless `format` says which.
import type { ReadSplitArgs } from './executor.js'
import { FileBasedExampleGenExecutor } from './executor.js'
import { splitFormat } from './formats.js'
import { jsonLinesSource, parquetSource, tfRecordSource } from './import-sources.js'
import type { SplitSource } from './source.js'

/** ImportExampleGen's executor. */
export class ImportExampleGenExecutor extends FileBasedExampleGenExecutor {
  async readSplit({ connection, split, parameters, context }: ReadSplitArgs): Promise<SplitSource> {
    const format = await splitFormat(split.files, split.name, parameters.format ?? 'auto')
    context.logger.info(`split "${split.name}": reading ${split.files.length} ${format} file(s)`)
    if (format === 'parquet') return parquetSource(connection, split)
    if (format === 'jsonl') return jsonLinesSource(connection, split)
    return tfRecordSource(connection, split, context.signal)
  }
}

export default ImportExampleGenExecutor
