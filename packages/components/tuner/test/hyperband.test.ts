import { describe, expect, it } from 'vitest'
import { hyperbandBracketCount, hyperbandRoundEpochs, hyperbandRoundSize, hyperbandSchedule } from '@sluice/component-tuner'

// [bracket, [[size, epochs] per round]] as KerasTuner's HyperbandOracle computes them
// (_get_num_brackets, _get_size, _get_epochs), evaluated in Python.
const KERAS_TUNER: Record<string, [number, [number, number][]][]> = {
  '9,3': [[2, [[9, 1], [3, 3], [1, 9]]], [1, [[5, 3], [2, 9]]], [0, [[3, 9]]]],
  '8,2': [[3, [[8, 1], [4, 2], [2, 4], [1, 8]]], [2, [[6, 2], [3, 4], [2, 8]]], [1, [[4, 4], [2, 8]]], [0, [[4, 8]]]],
  '27,3': [[3, [[27, 1], [9, 3], [3, 9], [1, 27]]], [2, [[12, 3], [4, 9], [2, 27]]], [1, [[6, 9], [2, 27]]], [0, [[4, 27]]]],
  '10,3': [[2, [[12, 2], [4, 4], [2, 10]]], [1, [[6, 4], [2, 10]]], [0, [[4, 10]]]],
}

describe('Hyperband schedule', () => {
  it("matches KerasTuner's bracket configs for max_epochs=8, factor=2 (its own test)", () => {
    expect(hyperbandBracketCount(8, 2)).toBe(4)
    expect(hyperbandRoundSize(8, 2, 3, 0)).toBe(8)
    expect(hyperbandRoundEpochs(8, 2, 3, 0)).toBe(1)
    expect(hyperbandRoundSize(8, 2, 3, 3)).toBe(1)
    expect(hyperbandRoundEpochs(8, 2, 3, 3)).toBe(8)
    expect(hyperbandRoundSize(8, 2, 0, 0)).toBe(4)
    expect(hyperbandRoundEpochs(8, 2, 0, 0)).toBe(8)
  })

  it.each(Object.keys(KERAS_TUNER))('matches KerasTuner for max_epochs,factor = %s', (key) => {
    const [maxEpochs, factor] = key.split(',').map(Number) as [number, number]
    const schedule = hyperbandSchedule(maxEpochs, factor)
    expect(schedule.map((b) => [b.bracket, b.rounds.map((r) => [r.size, r.epochs])])).toEqual(KERAS_TUNER[key])
    for (const b of schedule) b.rounds.forEach((r, i) => expect(r.initialEpoch).toBe(i === 0 ? 0 : b.rounds[i - 1]!.epochs))
  })
})
