// TFRecord files: a sequence of records, each framed as
//   uint64 length (little endian) | uint32 masked CRC32C of the length bytes | data | uint32 masked CRC32C of data
// optionally gzip-compressed as a whole (TFX writes `*.gz`). Gzip is detected from the content, not the name.
import fs from 'node:fs'
import { createGunzip, gzipSync } from 'node:zlib'
import { ExamplesError } from './errors.js'

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8.
const TABLE = (() => {
  const t = new Uint32Array(8 * 256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t[i] = c >>> 0
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const previous = t[(k - 1) * 256 + i]!
      t[k * 256 + i] = (previous >>> 8) ^ t[previous & 0xff]!
    }
  }
  return t
})()

/**
 * CRC-32C of `data`; pass the previous result as `crc` to continue a running checksum.
 *
 * @example
 * crc32c(Buffer.from('123456789')) // 0xe3069283
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  const t = TABLE
  let c = ~crc >>> 0
  let i = 0
  const n = data.length
  const end8 = n - (n % 8)
  for (; i < end8; i += 8) {
    const lo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ c
    const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)
    c =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + (hi & 0xff)]! ^
      t[2 * 256 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!
  }
  for (; i < n; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

/** TFRecord's masked CRC: `((crc >>> 15) | (crc << 17)) + 0xa282ead8`, modulo 2^32. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0
}

/** Frames one record. */
export function encodeTfRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(16 + data.length)
  out.writeBigUInt64LE(BigInt(data.length), 0)
  out.writeUInt32LE(maskCrc(crc32c(out.subarray(0, 8))), 8)
  out.set(data, 12)
  out.writeUInt32LE(maskCrc(crc32c(data)), 12 + data.length)
  return out
}

/** Writes records to a TFRecord file, gzip-compressed when `gzip` is set. */
export async function writeTfRecordFile(file: string, records: Iterable<Uint8Array>, options: { gzip?: boolean } = {}): Promise<void> {
  const framed = Buffer.concat([...records].map(encodeTfRecord))
  await fs.promises.writeFile(file, options.gzip ? gzipSync(framed) : framed)
}

/** Whether the first bytes of a file are a plain TFRecord header (length + its valid masked CRC). */
function isPlainHeader(head: Buffer): boolean {
  return head.length >= 12 && maskCrc(crc32c(head.subarray(0, 8))) === head.readUInt32LE(8)
}

/**
 * Whether a TFRecord file is gzip-compressed: it starts with the gzip magic bytes and is not a plain
 * TFRecord whose first length happens to start with them (checked through the header CRC).
 */
export async function isGzipTfRecordFile(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r')
  try {
    const head = Buffer.alloc(12)
    const { bytesRead } = await handle.read(head, 0, 12, 0)
    const bytes = head.subarray(0, bytesRead)
    return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08 && !isPlainHeader(bytes)
  } finally {
    await handle.close()
  }
}

/** One record read from a TFRecord file. */
export interface TfRecord {
  /** 0-based position of the record in the file. */
  readonly index: number
  readonly data: Buffer
}

/** Options of {@link readTfRecords}. */
export interface ReadTfRecordsOptions {
  /** Check both CRCs of every record (TFX does). @default true */
  verifyCrc?: boolean
  signal?: AbortSignal
}

/**
 * Reads the records of a TFRecord file, plain or gzip-compressed, checking each record's CRCs.
 *
 * @throws ExamplesError `SLUICE_EXAMPLES_BAD_TFRECORD` naming the file and record index when a CRC
 * does not match or the file ends inside a record.
 * @example
 * for await (const { index, data } of readTfRecords('data.tfrecord.gz')) decodeExample(data)
 */
export async function* readTfRecords(file: string, options: ReadTfRecordsOptions = {}): AsyncGenerator<TfRecord> {
  const verify = options.verifyCrc ?? true
  const gzip = await isGzipTfRecordFile(file)
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 })
  const stream = gzip ? raw.pipe(createGunzip()) : raw
  if (gzip) raw.on('error', (error) => stream.destroy(error))
  const bad = (index: number, what: string, cause?: unknown) =>
    new ExamplesError('SLUICE_EXAMPLES_BAD_TFRECORD', `TFRecord file ${file}: record ${index} ${what}.`, {
      file,
      cause,
      fix: 'The file is corrupted or not a TFRecord file; re-export it (TFRecord framing: uint64 length, masked CRC32C, data, masked CRC32C).',
    })
  let pending: Buffer = Buffer.alloc(0)
  let index = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw options.signal.reason
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      let offset = 0
      while (pending.length - offset >= 12) {
        const lengthBig = pending.readBigUInt64LE(offset)
        if (verify && maskCrc(crc32c(pending.subarray(offset, offset + 8))) !== pending.readUInt32LE(offset + 8)) {
          throw bad(index, 'has a bad length CRC (corrupted header)')
        }
        if (lengthBig > BigInt(0x7fffffff)) throw bad(index, `claims an impossible length of ${lengthBig} bytes`)
        const length = Number(lengthBig)
        if (pending.length - offset < 16 + length) break
        const data = pending.subarray(offset + 12, offset + 12 + length)
        if (verify && maskCrc(crc32c(data)) !== pending.readUInt32LE(offset + 12 + length)) throw bad(index, 'has a bad data CRC (corrupted data)')
        yield { index, data }
        index++
        offset += 16 + length
      }
      pending = offset === 0 ? pending : pending.subarray(offset)
    }
  } catch (error) {
    if (error instanceof ExamplesError) throw error
    if (options.signal?.aborted) throw error
    throw bad(index, gzip ? 'could not be decompressed' : 'could not be read', error)
  } finally {
    raw.destroy()
  }
  if (pending.length > 0) throw bad(index, `is truncated (the file ends ${pending.length} bytes into it)`)
}
