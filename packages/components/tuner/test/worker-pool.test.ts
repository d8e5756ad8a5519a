import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Logger } from '@sluice/core'
import { createTempDirectory } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import type { TunerFnArgsRequest } from '../src/fn-args.js'
import type { TrialRequest } from '../src/trial-runner.js'
import { createWorkerPool } from '../src/worker-pool.js'
import { SEARCH_SPACE_URL, writeExamples, writeModule } from './helpers.js'

let tmp: TempDirectory
let fnArgs: TunerFnArgsRequest
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-tuner-pool-')
  const examplesUri = await writeExamples(tmp.path)
  fnArgs = { examplesUri, schemaUri: undefined, transformGraphUri: undefined, baseModelUri: undefined, trainSplits: ['train'], evalSplits: ['eval'], trainSteps: undefined, evalSteps: undefined, customConfig: {}, backend: 'cpu', tmpDir: tmp.path }
})

afterAll(async () => {
  await tmp?.remove()
})

const request = (trialId: string): TrialRequest => ({ trialId, values: { a: 1 }, budget: undefined, initialEpoch: 0, seed: 1, trialDir: path.join(tmp.path, trialId), bracket: undefined, round: undefined, resumeFrom: undefined })

it('cancelling the run terminates the workers, even mid-trial', async () => {
  // The trial never ends; it bumps a counter file so we can see whether its thread still runs.
  const counter = path.join(tmp.path, 'counter.txt')
  const moduleFile = await writeModule(tmp.path, 'forever.ts', `
import { writeFileSync } from 'node:fs'
import { hp } from '${SEARCH_SPACE_URL}'
export const tunerFn = () => ({
  searchSpace: { a: hp.int(1, 3) },
  trial: () => new Promise(() => { let n = 0; setInterval(() => writeFileSync(${JSON.stringify(counter)}, String(++n)), 10) }),
  tuner: { algorithm: 'random', objective: 's', direction: 'max' },
})
`)
  const controller = new AbortController()
  const pool = await createWorkerPool({ size: 1, moduleFile, fnArgs, logger: silent, signal: controller.signal })
  const running = pool.run(request('0000'), () => false)
  await sleep(300)
  controller.abort()
  expect(await running).toMatchObject({ ok: false, error: { name: 'AbortError' } })
  await sleep(100)
  const before = await readFile(counter, 'utf8')
  await sleep(200)
  expect(await readFile(counter, 'utf8')).toBe(before)
  await expect(pool.run(request('0001'), () => false)).rejects.toThrow()
  await pool.close()
})

it('a trial that kills its worker is failed, and the pool replaces the worker', async () => {
  const moduleFile = await writeModule(tmp.path, 'exit.ts', `
import { hp } from '${SEARCH_SPACE_URL}'
export const tunerFn = () => ({
  searchSpace: { a: hp.int(1, 3) },
  trial: (values: { a: number }, context: { trialId: string }) => (context.trialId === '0000' ? process.exit(3) : values.a * 2),
  tuner: { algorithm: 'random', objective: 's', direction: 'max' },
})
`)
  const signal = new AbortController().signal
  const pool = await createWorkerPool({ size: 1, moduleFile, fnArgs, logger: silent, signal })
  try {
    expect(await pool.run(request('0000'), () => false)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/exited with code 3/) } })
    expect(await pool.run(request('0001'), () => false)).toEqual({ ok: true, value: 2 })
  } finally {
    await pool.close()
  }
})

it('a module that fails only in the worker fails the pool with the module named', async () => {
  const moduleFile = await writeModule(tmp.path, 'main-only.ts', `
import { isMainThread } from 'node:worker_threads'
import { hp } from '${SEARCH_SPACE_URL}'
export const tunerFn = () => {
  if (!isMainThread) throw new Error('needs the main thread')
  return { searchSpace: { a: hp.int(1, 3) }, trial: () => 1, tuner: { algorithm: 'random', objective: 's', direction: 'max' } }
}
`)
  const pool = createWorkerPool({ size: 1, moduleFile, fnArgs, logger: silent, signal: new AbortController().signal })
  await expect(pool).rejects.toThrow(/a trial worker thread failed to load .*main-only\.ts: Tuner: tunerFn in .*main-only\.ts threw: needs the main thread/)
  await expect(pool).rejects.toMatchObject({ code: 'SLUICE_TUNER_WORKER_FAILED' })
})
