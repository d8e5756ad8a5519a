// The string hash of `hashStrings` and of vocabulary OOV buckets. TensorFlow uses FarmHash
// Fingerprint64 (`tf.strings.to_hash_bucket_fast`); Sluice uses 32-bit FNV-1a over the UTF-8 bytes
// instead: stable across platforms and versions, and short to implement identically anywhere. Bucket
// assignments therefore differ from TFT's.

const encoder = new TextEncoder()

/** 32-bit FNV-1a of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of encoder.encode(text)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** The bucket of `text` among `buckets`: `fnv1a32(text) % buckets`. */
export function hashBucket(text: string, buckets: number): number {
  return fnv1a32(text) % buckets
}
