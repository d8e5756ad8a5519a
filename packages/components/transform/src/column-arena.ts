// The typed arrays of one chunk's columns, carved out of one buffer that is reused chunk after chunk.
// A typed array of more than 64 bytes gets an ArrayBuffer of its own, which Node allocates outside
// the JS heap (calloc, then a free on a GC thread): for the model server's batches of 32 rows that
// cost far more than the transform's arithmetic (the taxi transform took 250 µs for 32 rows and
// 15 µs for 8, whose columns fit in the heap). Views into one buffer are plain heap objects.

/** Above this the buffer does not grow: a huge one-off chunk gets arrays of its own, not a buffer kept for good. */
const MAX_BYTES = 64 * 1024 * 1024

/**
 * Hands out zeroed typed arrays that stay valid until the next {@link ColumnArena.reset}. The buffer
 * grows at a reset to what the previous chunk asked for, so from the second chunk of a size on no
 * ArrayBuffer is allocated.
 */
export class ColumnArena {
  private buffer = new ArrayBuffer(0)
  private used = 0
  private wanted = 0

  constructor(private readonly maxBytes = MAX_BYTES) {}

  /** Starts a new chunk: every array handed out before may now be overwritten. */
  reset(): void {
    if (this.wanted > this.buffer.byteLength && this.wanted <= this.maxBytes) this.buffer = new ArrayBuffer(this.wanted)
    this.used = 0
    this.wanted = 0
  }

  /** `n` zeros as float64. */
  f64(n: number): Float64Array {
    const at = this.take(n * 8)
    return at < 0 ? new Float64Array(n) : new Float64Array(this.buffer, at, n).fill(0)
  }

  /** `n` zeros as bytes (booleans, missing masks). */
  u8(n: number): Uint8Array {
    const at = this.take(n)
    return at < 0 ? new Uint8Array(n) : new Uint8Array(this.buffer, at, n).fill(0)
  }

  /** A copy of `values`. */
  copy(values: Uint8Array): Uint8Array {
    const copy = this.u8(values.length)
    copy.set(values)
    return copy
  }

  /** The byte offset of a new slot (8-byte aligned, for float64 views), or -1 when the buffer is full. */
  private take(bytes: number): number {
    const size = (bytes + 7) & ~7
    if (this.maxBytes === 0) return -1
    this.wanted += size
    if (this.used + size > this.buffer.byteLength) return -1
    const at = this.used
    this.used += size
    return at
  }
}

/** Arrays of their own every time (a caller with no chunk to reuse memory across). */
export const UNPOOLED = new ColumnArena(0)
