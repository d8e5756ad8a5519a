import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ExamplesError, crc32c, decodeExample, encodeExample, encodeTfRecord, isGzipTfRecordFile, maskCrc, readTfRecords, writeTfRecordFile } from '../src/examples.js'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'data-tfrecord-'))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

async function readAll(file: string): Promise<Buffer[]> {
  const out: Buffer[] = []
  for await (const record of readTfRecords(file)) out.push(Buffer.from(record.data))
  return out
}

describe('crc32c', () => {
  test('matches the standard check values (RFC 3720 / iSCSI)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(0))).toBe(0)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c)
  })
  test('continues a running checksum across chunks of any length', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog, twice over: the quick brown fox.')
    const whole = crc32c(data)
    for (const cut of [1, 3, 8, 13, 40]) expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(whole)
  })
  test('masking follows TFRecord: rotate right by 15 and add 0xa282ead8', () => {
    const crc = 0xe3069283
    expect(maskCrc(crc)).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0)
  })
})

describe('TFRecord framing', () => {
  test('encodes length, masked length CRC, data and masked data CRC, little endian', () => {
    const data = Buffer.from('hello')
    const framed = encodeTfRecord(data)
    expect(framed.length).toBe(8 + 4 + 5 + 4)
    expect(framed.readBigUInt64LE(0)).toBe(5n)
    expect(framed.readUInt32LE(8)).toBe(maskCrc(crc32c(framed.subarray(0, 8))))
    expect(framed.subarray(12, 17).toString()).toBe('hello')
    expect(framed.readUInt32LE(17)).toBe(maskCrc(crc32c(data)))
  })

  test('reads back plain and gzip files, detecting gzip from the content', async () => {
    const records = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(70_000, 7), Buffer.from('last')]
    const plain = path.join(dir, 'plain.tfrecord')
    const gz = path.join(dir, 'named-without-gz-extension')
    await writeTfRecordFile(plain, records)
    await writeTfRecordFile(gz, records, { gzip: true })
    expect(await isGzipTfRecordFile(plain)).toBe(false)
    expect(await isGzipTfRecordFile(gz)).toBe(true)
    expect(await readAll(plain)).toEqual(records)
    expect(await readAll(gz)).toEqual(records)
  })

  test('a plain file whose first length starts with the gzip magic bytes is still plain', async () => {
    // length 0x088b1f = 560,927 bytes: the file starts 1f 8b 08, like gzip.
    const record = Buffer.alloc(0x088b1f, 1)
    const file = path.join(dir, 'looks-like-gzip.tfrecord')
    await writeTfRecordFile(file, [record])
    const head = (await fs.readFile(file)).subarray(0, 3)
    expect([...head]).toEqual([0x1f, 0x8b, 0x08])
    expect(await isGzipTfRecordFile(file)).toBe(false)
    expect((await readAll(file))[0]!.length).toBe(record.length)
  })

  test('an empty file has no records', async () => {
    const file = path.join(dir, 'empty.tfrecord')
    await fs.writeFile(file, '')
    expect(await readAll(file)).toEqual([])
  })

  test('a bad data CRC is an error naming the file and record index', async () => {
    const file = path.join(dir, 'bad-data.tfrecord')
    const bytes = Buffer.concat([encodeTfRecord(Buffer.from('ok')), encodeTfRecord(Buffer.from('fine')), encodeTfRecord(Buffer.from('broken'))])
    bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff // a byte of the third record's data
    await fs.writeFile(file, bytes)
    const error = await readAll(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExamplesError)
    expect(error).toMatchObject({ code: 'SLUICE_EXAMPLES_BAD_TFRECORD', file })
    expect((error as Error).message).toContain(`${file}: record 2 has a bad data CRC`)
  })

  test('a bad length CRC, a truncated file and corrupted gzip are errors too', async () => {
    const good = Buffer.concat([encodeTfRecord(Buffer.from('one')), encodeTfRecord(Buffer.from('two'))])
    const badLength = Buffer.from(good)
    badLength[good.length / 2 + 9] = badLength[good.length / 2 + 9]! ^ 0x01 // the second record's length CRC
    await fs.writeFile(path.join(dir, 'bad-length.tfrecord'), badLength)
    await expect(readAll(path.join(dir, 'bad-length.tfrecord'))).rejects.toThrow(/record 1 has a bad length CRC/)
    await fs.writeFile(path.join(dir, 'truncated.tfrecord'), good.subarray(0, good.length - 3))
    await expect(readAll(path.join(dir, 'truncated.tfrecord'))).rejects.toThrow(/record 1 is truncated/)
    const gz = gzipSync(good)
    await fs.writeFile(path.join(dir, 'cut.tfrecord.gz'), gz.subarray(0, gz.length - 10))
    await expect(readAll(path.join(dir, 'cut.tfrecord.gz'))).rejects.toMatchObject({ code: 'SLUICE_EXAMPLES_BAD_TFRECORD' })
  })
})

describe('tf.Example codec', () => {
  test('round-trips every kind of feature', () => {
    const bytes = encodeExample({
      ints: { int64: [1, -2, 9_007_199_254_740_993n, -(2n ** 63n), 2n ** 63n - 1n] },
      floats: { float: [0.5, -1.25, 3.4028234663852886e38] },
      text: { bytes: ['héllo', ''] },
      raw: { bytes: [Uint8Array.from([0xff, 0x00, 0xfe])] },
      none: null,
      emptyList: { int64: [] },
    })
    const example = decodeExample(bytes)
    expect([...example.keys()]).toEqual(['ints', 'floats', 'text', 'raw', 'none', 'emptyList'])
    expect(example.get('ints')).toEqual({ kind: 'int64', values: [1n, -2n, 9_007_199_254_740_993n, -(2n ** 63n), 2n ** 63n - 1n] })
    expect(example.get('floats')).toEqual({ kind: 'float', values: [0.5, -1.25, 3.4028234663852886e38] })
    const text = example.get('text')!
    expect(text.kind).toBe('bytes')
    expect((text as { values: Uint8Array[] }).values.map((v) => Buffer.from(v).toString())).toEqual(['héllo', ''])
    expect([...(example.get('raw') as { values: Uint8Array[] }).values[0]!]).toEqual([0xff, 0x00, 0xfe])
    expect(example.get('none')).toEqual({ kind: 'none' })
    expect(example.get('emptyList')).toEqual({ kind: 'int64', values: [] })
  })

  test('decodes hand-written protobuf bytes, packed and unpacked, skipping unknown fields', () => {
    // Example{ features{ feature{ key:"a" value{ int64_list{ value:[150] (unpacked), value:[-1] (unpacked) } } }
    //                    feature{ key:"b" value{ float_list{ value:1.0 (unpacked fixed32) } } } } unknown field 9 }
    const int64List = [0x08, 0x96, 0x01, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    const featureA = [0x1a, int64List.length, ...int64List]
    const entryA = [0x0a, 0x01, 0x61, 0x12, featureA.length, ...featureA]
    const floatList = [0x0d, 0x00, 0x00, 0x80, 0x3f]
    const featureB = [0x12, floatList.length, ...floatList]
    const entryB = [0x0a, 0x01, 0x62, 0x12, featureB.length, ...featureB]
    const features = [0x0a, entryA.length, ...entryA, 0x0a, entryB.length, ...entryB]
    const example = [0x0a, features.length, ...features, 0x48, 0x05]
    const decoded = decodeExample(Uint8Array.from(example))
    expect(decoded.get('a')).toEqual({ kind: 'int64', values: [150n, -1n] })
    expect(decoded.get('b')).toEqual({ kind: 'float', values: [1] })
  })

  test('rejects bytes that are not a tf.Example', () => {
    expect(() => decodeExample(Uint8Array.from([0x0a, 0x05, 0x0a]))).toThrow(ExamplesError)
    expect(() => decodeExample(Uint8Array.from([0x0a, 0x05, 0x0a]))).toThrow(/Not a valid tf.Example/)
  })
})
