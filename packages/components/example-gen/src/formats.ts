// Recognising ImportExampleGen's input formats from file contents.
import fs from 'node:fs/promises'
import { maskCrc, crc32c } from '@sluice/data/examples'
import { ExampleGenError } from './errors.js'
import type { ImportFormat } from './parameters.js'

/** A concrete input format. */
export type FileFormat = Exclude<ImportFormat, 'auto'>

const JSON_NAME = /\.(jsonl|ndjson|json)(\.gz)?$/i

/**
 * The format of one file: Parquet by its `PAR1` magic, JSON lines by a first non-blank `{` (or a
 * `.jsonl`/`.ndjson`/`.json` name when gzip-compressed), TFRecord by a valid first record header or
 * any other gzip file.
 *
 * @throws ExampleGenError `SLUICE_EXAMPLEGEN_EMPTY_FILE` for an empty file, `SLUICE_EXAMPLEGEN_UNKNOWN_FORMAT` otherwise.
 */
export async function detectFormat(file: string, split: string): Promise<FileFormat> {
  const handle = await fs.open(file, 'r')
  let head: Buffer
  let size: number
  try {
    size = (await handle.stat()).size
    head = Buffer.alloc(Math.min(size, 4096))
    await handle.read(head, 0, head.length, 0)
  } finally {
    await handle.close()
  }
  if (size === 0) throw emptyFile(file, split)
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet'
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const plain = head.length >= 12 && maskCrc(crc32c(head.subarray(0, 8))) === head.readUInt32LE(8)
    if (!plain) return JSON_NAME.test(file) ? 'jsonl' : 'tfrecord'
  }
  if (head.length >= 12 && maskCrc(crc32c(head.subarray(0, 8))) === head.readUInt32LE(8)) return 'tfrecord'
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart()
  if (text.startsWith('{')) return 'jsonl'
  if (text === '') throw emptyFile(file, split)
  throw new ExampleGenError('SLUICE_EXAMPLEGEN_UNKNOWN_FORMAT', `Split "${split}": file ${file} is not Parquet, JSON lines or a TFRecord file.`, {
    file,
    split,
    fix: 'ImportExampleGen reads Parquet, JSON lines (one object per line) and TFRecord files of tf.Example; use CsvExampleGen for CSV.',
  })
}

export function emptyFile(file: string, split: string): ExampleGenError {
  return new ExampleGenError('SLUICE_EXAMPLEGEN_EMPTY_FILE', `Split "${split}": file ${file} is empty.`, {
    file,
    split,
    fix: 'Remove empty files from the input, or narrow the split pattern.',
  })
}

/** The one format of a split's files (checked to be the same for every file). */
export async function splitFormat(files: readonly string[], split: string, requested: ImportFormat): Promise<FileFormat> {
  if (requested !== 'auto') {
    for (const file of files) if ((await fs.stat(file)).size === 0) throw emptyFile(file, split)
    return requested
  }
  let format: FileFormat | undefined
  let firstFile = ''
  for (const file of files) {
    const detected = await detectFormat(file, split)
    if (format === undefined) {
      format = detected
      firstFile = file
    } else if (detected !== format) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_UNKNOWN_FORMAT', `Split "${split}" mixes formats: ${firstFile} is ${format} but ${file} is ${detected}.`, {
        file,
        split,
        fix: 'Put files of different formats in different splits, or narrow the split pattern.',
      })
    }
  }
  return format!
}
