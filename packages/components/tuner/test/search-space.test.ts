import { describe, expect, it } from 'vitest'
import { hp, sampleValues, valueAt } from '@sluice/component-tuner'
import { hyperParameterProblem } from '../src/search-space.js'
import { seededRandom } from '../src/random.js'

const draws = (parameter: Parameters<typeof valueAt>[0], n: number, seed = 1) => {
  const random = seededRandom(seed)
  return Array.from({ length: n }, () => valueAt(parameter, random()))
}

describe('sampling (KerasTuner semantics)', () => {
  it('hp.int draws every integer of [min, max], both ends included, uniformly', () => {
    const values = draws(hp.int(3, 7), 5000) as number[]
    const counts = new Map<number, number>()
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
    expect([...counts.keys()].sort()).toEqual([3, 4, 5, 6, 7])
    for (const c of counts.values()) expect(c).toBeGreaterThan(800)
  })

  it('hp.int with a step stays on the steps; with log the step is a factor', () => {
    expect(new Set(draws(hp.int(6, 13, { step: 3 }), 500))).toEqual(new Set([6, 9, 12]))
    expect(new Set(draws(hp.int(2, 32, { step: 2, log: true }), 500))).toEqual(new Set([2, 4, 8, 16, 32]))
    expect(new Set(draws(hp.float(0.1, 0.5, { step: 0.1 }), 500))).toEqual(new Set([0.1, 0.2, 0.3, 0.4, 0.5]))
  })

  it('log-scale floats stay in range and are uniform in log space', () => {
    const values = draws(hp.float(1e-5, 1e-1, { log: true }), 8000) as number[]
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(1e-5)
      expect(v).toBeLessThanOrEqual(1e-1)
    }
    // Four decades, each about a quarter of the draws (linear sampling would put ~90% in the last one).
    const perDecade = [0, 0, 0, 0]
    for (const v of values) perDecade[Math.min(3, Math.floor(Math.log10(v) + 5))]!++
    for (const n of perDecade) {
      expect(n / values.length).toBeGreaterThan(0.22)
      expect(n / values.length).toBeLessThan(0.28)
    }
    const ints = draws(hp.int(1, 1000, { log: true }), 4000) as number[]
    expect(Math.min(...ints)).toBe(1)
    expect(Math.max(...ints)).toBeLessThanOrEqual(1000)
    expect(ints.filter((v) => v < 32).length / ints.length).toBeGreaterThan(0.4)
  })

  it('hp.choice, hp.fixed and hp.boolean', () => {
    expect(new Set(draws(hp.choice(['relu', 'tanh', 'gelu']), 300))).toEqual(new Set(['relu', 'tanh', 'gelu']))
    expect(new Set(draws(hp.fixed(32), 20))).toEqual(new Set([32]))
    expect(new Set(draws(hp.boolean(), 100))).toEqual(new Set([true, false]))
  })

  it('the same seed draws the same values, another seed others', () => {
    const space = { a: hp.int(0, 1_000_000), b: hp.float(0, 1), c: hp.choice([1, 2, 3, 4, 5, 6, 7, 8]) }
    const run = (seed: number) => Array.from({ length: 20 }, ((r) => () => sampleValues(space, r))(seededRandom(seed)))
    expect(run(42)).toEqual(run(42))
    expect(run(42)).not.toEqual(run(43))
  })
})

describe('validation', () => {
  it('names what is wrong with an entry', () => {
    expect(hyperParameterProblem(hp.int(5, 1))).toMatch(/hp\.int\(5, 1\): min is greater than max/)
    expect(hyperParameterProblem(hp.float(0, 1, { log: true }))).toMatch(/log sampling needs min > 0/)
    expect(hyperParameterProblem(hp.int(1, 5.5))).toMatch(/must be integers/)
    expect(hyperParameterProblem(hp.int(1, 64, { step: 1, log: true }))).toMatch(/factor and must be greater than 1/)
    expect(hyperParameterProblem(hp.choice([]))).toMatch(/no values/)
    expect(hyperParameterProblem(hp.choice([1, Number.NaN]))).toMatch(/value 1 is NaN/)
    expect(hyperParameterProblem(32)).toMatch(/it is the number 32, not a hyperparameter made with hp\.int/)
    expect(hyperParameterProblem({ type: 'int', min: 1, max: 2 })).toMatch(/not a hyperparameter/)
    expect(hyperParameterProblem(hp.float(1e-4, 1e-1, { log: true }))).toBeUndefined()
  })
})
