// A small, dependency-free codec for tensorflow's `tf.train.Example` protocol buffer:
//   Example  { Features features = 1; }
//   Features { map<string, Feature> feature = 1; }
//   Feature  { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
//   BytesList { repeated bytes value = 1; }  FloatList { repeated float value = 1 [packed]; }
//   Int64List { repeated int64 value = 1 [packed]; }
// Packed and unpacked repeated encodings are both accepted; unknown fields are skipped.
import { ExamplesError } from './errors.js'

/** One feature of a tf.Example. `none` is a Feature with no kind set (TFX's empty `Feature()`). */
export type ExampleFeature =
  | { readonly kind: 'int64'; readonly values: bigint[] }
  | { readonly kind: 'float'; readonly values: number[] }
  | { readonly kind: 'bytes'; readonly values: Uint8Array[] }
  | { readonly kind: 'none' }

/** A decoded tf.Example: feature name to feature, in the order the map entries appeared. */
export type Example = Map<string, ExampleFeature>

class Reader {
  pos: number
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start
  }
  varint32(): number {
    // Reads a varint and keeps the low 32 bits (lengths, tags).
    let result = 0
    let shift = 0
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('truncated varint')
      const b = this.buf[this.pos++]!
      if (shift < 32) result |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return result >>> 0
      shift += 7
      if (shift >= 70) throw new RangeError('varint too long')
    }
  }
  varint64(): bigint {
    let lo = 0
    let hi = 0
    let shift = 0
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('truncated varint')
      const b = this.buf[this.pos++]!
      if (shift < 28) lo |= (b & 0x7f) << shift
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28
        hi |= (b & 0x7f) >>> 4
      } else if (shift < 64) hi |= (b & 0x7f) << (shift - 32)
      if ((b & 0x80) === 0) break
      shift += 7
      if (shift >= 70) throw new RangeError('varint too long')
    }
    if (hi === 0 && lo >>> 0 <= 0x7fffffff) return BigInt(lo >>> 0)
    return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0))
  }
  bytes(): Uint8Array {
    const length = this.varint32()
    if (this.pos + length > this.end) throw new RangeError('truncated length-delimited field')
    const out = this.buf.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }
  sub(): Reader {
    const length = this.varint32()
    if (this.pos + length > this.end) throw new RangeError('truncated length-delimited field')
    const reader = new Reader(this.buf, this.pos, this.pos + length)
    this.pos += length
    return reader
  }
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint64()
        return
      case 1:
        this.pos += 8
        break
      case 2:
        this.pos += this.varint32()
        break
      case 5:
        this.pos += 4
        break
      default:
        throw new RangeError(`unsupported wire type ${wireType}`)
    }
    if (this.pos > this.end) throw new RangeError('truncated field')
  }
  get done(): boolean {
    return this.pos >= this.end
  }
}

const utf8 = new TextDecoder('utf-8')

function decodeFeature(r: Reader): ExampleFeature {
  let feature: ExampleFeature = { kind: 'none' }
  while (!r.done) {
    const tag = r.varint32()
    const field = tag >>> 3
    const wire = tag & 7
    if (wire !== 2 || field < 1 || field > 3) {
      r.skip(wire)
      continue
    }
    const list = r.sub()
    // A oneof: the last kind set wins, as protobuf parsers do.
    if (field === 1) {
      const values: Uint8Array[] = []
      while (!list.done) {
        const t = list.varint32()
        if (t === ((1 << 3) | 2)) values.push(list.bytes())
        else list.skip(t & 7)
      }
      feature = { kind: 'bytes', values }
    } else if (field === 2) {
      const values: number[] = []
      while (!list.done) {
        const t = list.varint32()
        if (t === ((1 << 3) | 2)) {
          const packed = list.bytes()
          if (packed.length % 4 !== 0) throw new RangeError('packed float list length is not a multiple of 4')
          const view = new DataView(packed.buffer, packed.byteOffset, packed.length)
          for (let i = 0; i < packed.length; i += 4) values.push(view.getFloat32(i, true))
        } else if (t === ((1 << 3) | 5)) {
          if (list.pos + 4 > list.end) throw new RangeError('truncated float')
          values.push(new DataView(list.buf.buffer, list.buf.byteOffset + list.pos, 4).getFloat32(0, true))
          list.pos += 4
        } else list.skip(t & 7)
      }
      feature = { kind: 'float', values }
    } else {
      const values: bigint[] = []
      while (!list.done) {
        const t = list.varint32()
        if (t === ((1 << 3) | 2)) {
          const packed = list.sub()
          while (!packed.done) values.push(packed.varint64())
        } else if (t === ((1 << 3) | 0)) values.push(list.varint64())
        else list.skip(t & 7)
      }
      feature = { kind: 'int64', values }
    }
  }
  return feature
}

/**
 * Decodes a serialized tf.Example.
 *
 * @throws ExamplesError `SLUICE_EXAMPLES_BAD_EXAMPLE` when the bytes are not a valid tf.Example.
 */
export function decodeExample(data: Uint8Array): Example {
  const features: Example = new Map()
  try {
    const r = new Reader(data, 0, data.length)
    while (!r.done) {
      const tag = r.varint32()
      if (tag !== ((1 << 3) | 2)) {
        r.skip(tag & 7)
        continue
      }
      const f = r.sub()
      while (!f.done) {
        const t = f.varint32()
        if (t !== ((1 << 3) | 2)) {
          f.skip(t & 7)
          continue
        }
        const entry = f.sub()
        let name = ''
        let feature: ExampleFeature = { kind: 'none' }
        while (!entry.done) {
          const et = entry.varint32()
          if (et === ((1 << 3) | 2)) name = utf8.decode(entry.bytes())
          else if (et === ((2 << 3) | 2)) feature = decodeFeature(entry.sub())
          else entry.skip(et & 7)
        }
        features.set(name, feature)
      }
    }
  } catch (cause) {
    if (cause instanceof RangeError) throw new ExamplesError('SLUICE_EXAMPLES_BAD_EXAMPLE', `Not a valid tf.Example: ${cause.message}.`, { cause })
    throw cause
  }
  return features
}

/** A feature value for {@link encodeExample}. */
export type ExampleFeatureInput =
  | { int64: readonly (number | bigint)[] }
  | { float: readonly number[] }
  | { bytes: readonly (Uint8Array | string)[] }
  | null

class Writer {
  chunks: number[] = []
  varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value))
    while (v >= 0x80n) {
      this.chunks.push(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    this.chunks.push(Number(v))
  }
  bytes(field: number, data: Uint8Array): void {
    this.varint((field << 3) | 2)
    this.varint(data.length)
    for (const b of data) this.chunks.push(b)
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks)
  }
}

/**
 * Serializes a tf.Example (packed encoding for numbers, map entries in the given order). `null`
 * writes a Feature with no kind.
 *
 * @example
 * encodeExample({ fare: { float: [12.5] }, company: { bytes: ['Flash Cab'] }, trips: { int64: [3n] } })
 */
export function encodeExample(features: Readonly<Record<string, ExampleFeatureInput>>): Uint8Array {
  const featuresWriter = new Writer()
  const encoder = new TextEncoder()
  for (const [name, value] of Object.entries(features)) {
    const feature = new Writer()
    if (value !== null) {
      const list = new Writer()
      if ('int64' in value) {
        const packed = new Writer()
        for (const v of value.int64) packed.varint(v)
        list.bytes(1, packed.finish())
        feature.bytes(3, list.finish())
      } else if ('float' in value) {
        const packed = new Uint8Array(value.float.length * 4)
        const view = new DataView(packed.buffer)
        value.float.forEach((v, i) => view.setFloat32(i * 4, v, true))
        list.bytes(1, packed)
        feature.bytes(2, list.finish())
      } else {
        for (const v of value.bytes) list.bytes(1, typeof v === 'string' ? encoder.encode(v) : v)
        feature.bytes(1, list.finish())
      }
    }
    const entry = new Writer()
    entry.bytes(1, encoder.encode(name))
    entry.bytes(2, feature.finish())
    featuresWriter.bytes(1, entry.finish())
  }
  const example = new Writer()
  example.bytes(1, featuresWriter.finish())
  return example.finish()
}
