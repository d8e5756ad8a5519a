// Hyperband's schedule with KerasTuner's formulas (HyperbandOracle), so that a TFX user who knows
// `max_epochs`, `factor` and `hyperband_iterations` gets the same brackets, sizes and budgets.

/** One round of successive halving in a bracket. */
export interface HyperbandRound {
  readonly round: number
  /** How many trials run in this round (round 0: new random values; later rounds: the best of the previous one). */
  readonly size: number
  /** Cumulative epochs a trial of this round trains to (KerasTuner's `tuner/epochs`). */
  readonly epochs: number
  /** Epochs already trained by the trial it continues (KerasTuner's `tuner/initial_epoch`; 0 in round 0). */
  readonly initialEpoch: number
}

/** One bracket: a run of successive halving starting from `rounds[0].size` random trials. */
export interface HyperbandBracket {
  readonly bracket: number
  readonly rounds: readonly HyperbandRound[]
}

/** The number of brackets: how many times `maxEpochs` can be divided by `factor` staying ≥ 1 epoch. */
export function hyperbandBracketCount(maxEpochs: number, factor: number): number {
  let epochs = maxEpochs
  let brackets = 0
  // Float division, as KerasTuner: the count must match theirs for every maxEpochs.
  while (epochs >= 1) {
    epochs /= factor
    brackets++
  }
  return brackets
}

/** Trials in round `round` of bracket `bracket`: every bracket gets roughly the same total epochs. */
export function hyperbandRoundSize(maxEpochs: number, factor: number, bracket: number, round: number): number {
  const lastBracketEndSize = Math.ceil(1 + pythonLn(maxEpochs) / pythonLn(factor))
  const bracketEndSize = lastBracketEndSize / (bracket + 1)
  return Math.ceil(bracketEndSize * factor ** (bracket - round))
}

/** Cumulative epochs of round `round` of bracket `bracket`. */
export function hyperbandRoundEpochs(maxEpochs: number, factor: number, bracket: number, round: number): number {
  return Math.ceil(maxEpochs / factor ** (bracket - round))
}

/**
 * One Hyperband iteration: brackets from the most aggressive (most trials, fewest epochs) to bracket 0
 * (plain random search at `maxEpochs`), each with `bracket + 1` rounds.
 *
 * @example
 * hyperbandSchedule(8, 2)[0]  // bracket 3: sizes 8, 4, 2, 1 at 1, 2, 4, 8 epochs
 */
export function hyperbandSchedule(maxEpochs: number, factor: number): HyperbandBracket[] {
  const brackets: HyperbandBracket[] = []
  for (let bracket = hyperbandBracketCount(maxEpochs, factor) - 1; bracket >= 0; bracket--) {
    const rounds: HyperbandRound[] = []
    for (let round = 0; round <= bracket; round++) {
      rounds.push({
        round,
        size: hyperbandRoundSize(maxEpochs, factor, bracket, round),
        epochs: hyperbandRoundEpochs(maxEpochs, factor, bracket, round),
        initialEpoch: round === 0 ? 0 : hyperbandRoundEpochs(maxEpochs, factor, bracket, round - 1),
      })
    }
    brackets.push({ bracket, rounds })
  }
  return brackets
}

/**
 * `math.log(n)` as Python computes it (C's log, correctly rounded for these inputs) for a positive
 * integer n. V8's Math.log can be one ulp off: Math.log(9) / Math.log(3) is 2.0000000000000004 where
 * Python gets 2.0, and the ceil() above would then give max_epochs=9, factor=3 one trial too many per
 * round. So: ln(n) = k·ln 2 + 2·atanh((n − 2^k) / (n + 2^k)) in 256-bit fixed point, rounded once to a
 * double (BigInt → Number conversion rounds to nearest).
 */
export function pythonLn(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) return Math.log(n)
  const bits = 256n
  const one = 1n << bits
  const atanh = (numerator: bigint, denominator: bigint): bigint => {
    const z = (numerator * one) / denominator
    const z2 = (z * z) >> bits
    let sum = 0n
    let term = z
    for (let i = 1n; term !== 0n; i += 2n) {
      sum += term / i
      term = (term * z2) >> bits
    }
    return sum
  }
  const big = BigInt(n)
  const k = BigInt(big.toString(2).length - 1)
  const ln2 = 2n * atanh(1n, 3n)
  const power = 1n << k
  const ln = k * ln2 + 2n * atanh(big - power, big + power)
  return Number(ln) / 2 ** 256
}
