// The string hash of `hashStrings` and of vocabulary OOV buckets. TensorFlow uses FarmHash
// Fingerprint64 (`tf.strings.to_hash_bucket_fast`); Sluice uses 32-bit FNV-1a over the UTF-8 bytes
// instead: stable across platforms and versions, and short to implement identically anywhere. Bucket
// assignments therefore differ from TFT's.

/**
 * 32-bit FNV-1a of the UTF-8 bytes of `text`, as an unsigned integer. The bytes are produced inline
 * from the UTF-16 code units (a TextEncoder allocation per string cost more than the rest of a
 * transform); lone surrogates hash as U+FFFD, as TextEncoder encodes them.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5
  const n = text.length
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i)
    if (c < 0x80) {
      hash = Math.imul(hash ^ c, 0x01000193)
      continue
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
      } else c = 0xfffd
    }
    if (c < 0x800) {
      hash = Math.imul(hash ^ (0xc0 | (c >> 6)), 0x01000193)
    } else if (c < 0x10000) {
      hash = Math.imul(hash ^ (0xe0 | (c >> 12)), 0x01000193)
      hash = Math.imul(hash ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193)
    } else {
      hash = Math.imul(hash ^ (0xf0 | (c >> 18)), 0x01000193)
      hash = Math.imul(hash ^ (0x80 | ((c >> 12) & 0x3f)), 0x01000193)
      hash = Math.imul(hash ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193)
    }
    hash = Math.imul(hash ^ (0x80 | (c & 0x3f)), 0x01000193)
  }
  return hash >>> 0
}

/** The bucket of `text` among `buckets`: `fnv1a32(text) % buckets`. */
export function hashBucket(text: string, buckets: number): number {
  return fnv1a32(text) % buckets
}
