// One seeded generator for everything that must repeat on every machine given a seed: tuning draws,
// dataset shuffles, synthetic test and benchmark data. Math.random cannot promise that.

/**
 * Returns a generator of uniform numbers in `[0, 1)` determined by `seed` (sfc32, seeded through
 * splitmix32 so that nearby seeds give unrelated streams).
 */
export function seededRandom(seed: number): () => number {
  let state = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9
  const splitmix = () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t / 4294967296
  }
  // Discard the first outputs: sfc32 needs a few rounds to mix its state.
  for (let i = 0; i < 12; i++) next()
  return next
}
