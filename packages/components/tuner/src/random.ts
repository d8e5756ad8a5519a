// Seeds of a tuning run: the same `seed` draws the same hyperparameters on every machine.
export { seededRandom } from '@sluice/core'

/** A 32-bit seed derived from a run seed and a trial id, handed to trials so they can seed their own initialisation. */
export function trialSeed(seed: number, trialId: string): number {
  let h = (Math.trunc(seed) >>> 0) ^ 0x811c9dc5
  for (let i = 0; i < trialId.length; i++) h = Math.imul(h ^ trialId.charCodeAt(i), 0x01000193)
  return h >>> 0
}
