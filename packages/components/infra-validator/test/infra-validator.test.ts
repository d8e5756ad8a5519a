import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Channel, Model } from '@sluice/core'
import type { JsonValue } from '@sluice/core'
import { createTempDirectory, runComponent } from '@sluice/testing'
import { InfraValidator } from '../src/index.js'
import type { InfraValidatorParameters } from '../src/index.js'
import infraValidatorExecutor from '../src/executor.js'
import { readInstances, readSignature } from '../src/requests.js'
import { infraValidatorParameters } from '../src/spec.js'
import { createInfraFixture, executorArgs, garbageModelJson, processAlive, truncateWeights } from './fixtures.js'
import type { InfraFixture } from './fixtures.js'

let fixture: InfraFixture

beforeAll(async () => {
  fixture = await createInfraFixture()
}, 60_000)

afterAll(async () => {
  await fixture?.tmp.remove()
})

interface Validated {
  readonly blessing: { uri: string; customProperties: Record<string, JsonValue> }
  /** `[level] message` lines of the node's log. */
  readonly logs: string[]
  /** The pids of the server child processes it started. */
  readonly pids: number[]
}

/** Runs InfraValidator through the real runner, keeping its log. */
async function validate(modelUri: string, parameters: InfraValidatorParameters = {}, withExamples = false): Promise<Validated> {
  const logs: string[] = []
  const { outputs } = await runComponent(InfraValidator, {
    inputs: { model: { uri: modelUri }, ...(withExamples ? { examples: { uri: fixture.examplesUri, properties: { splitNames: ['train', 'eval'] } } } : {}) },
    parameters,
    onEvent: (event) => {
      if (event.type === 'node-log' && event.nodeId === 'component') logs.push(`[${event.level}] ${event.message}`)
    },
  })
  return { blessing: outputs.blessing, logs, pids: pidsOf(logs) }
}

function pidsOf(logs: readonly string[]): number[] {
  return logs.flatMap((line) => [...line.matchAll(/Started the model server \(child process (\d+)\)/g)].map((m) => Number(m[1])))
}

function markers(uri: string): string[] {
  return fs.readdirSync(uri).filter((name) => name.startsWith('INFRA_')).sort()
}

describe('InfraValidator with the model server in a child process', () => {
  test('LOAD_ONLY: a model that loads is INFRA_BLESSED, and the server is gone afterwards', async () => {
    const { blessing, logs, pids } = await validate(fixture.modelUri)
    expect(blessing.customProperties.blessed).toBe(1)
    expect(blessing.customProperties.failure_reason).toBeUndefined()
    expect(markers(blessing.uri)).toEqual(['INFRA_BLESSED'])
    expect(fs.readFileSync(path.join(blessing.uri, 'INFRA_BLESSED'), 'utf8')).toBe('')
    expect(fs.existsSync(path.join(blessing.uri, 'server.log'))).toBe(false)
    expect(logs.some((l) => l.includes('LOAD_ONLY'))).toBe(true)
    expect(logs.some((l) => /Model "infra-validation-model" version 1 is AVAILABLE/.test(l))).toBe(true)
    expect(pids).toHaveLength(1)
    expect(processAlive(pids[0]!)).toBe(false)
  })

  test('LOAD_AND_QUERY: the model answers a predict request with numExamples rows of the split', async () => {
    const { blessing, logs, pids } = await validate(fixture.modelUri, { requestSpec: { splitName: 'eval', numExamples: 4 }, servingSpec: { modelName: 'taxi' } }, true)
    expect(blessing.customProperties.blessed).toBe(1)
    expect(blessing.customProperties.failure_reason).toBeUndefined()
    expect(markers(blessing.uri)).toEqual(['INFRA_BLESSED'])
    expect(logs.some((l) => l.includes('LOAD_AND_QUERY: 4 row(s) of split "eval"'))).toBe(true)
    expect(logs.some((l) => l.includes(':predict answered 4 prediction(s) for 4 instance(s)'))).toBe(true)
    expect(processAlive(pids[0]!)).toBe(false)
  })

  test('corrupt weights: INFRA_NOT_BLESSED, with the load error in server.log and in the node log, after numTries tries', async () => {
    const broken = await fixture.brokenModel('truncated-weights', truncateWeights)
    const { blessing, logs, pids } = await validate(broken, { validationSpec: { numTries: 2 } })
    expect(blessing.customProperties.blessed).toBe(0)
    expect(markers(blessing.uri)).toEqual(['INFRA_NOT_BLESSED'])
    const reason = String(blessing.customProperties.failure_reason)
    expect(reason).toMatch(/^the model failed to load: /)
    const loadError = reason.slice('the model failed to load: '.length)
    expect(loadError.length).toBeGreaterThan(10)
    const serverLog = fs.readFileSync(path.join(blessing.uri, 'server.log'), 'utf8')
    expect(serverLog.match(/^# Try \d of 2/gm)).toEqual(['# Try 1 of 2', '# Try 2 of 2'])
    expect(serverLog).toContain(loadError.replace(/ \([A-Z_]+\)$/, ''))
    expect(logs.filter((l) => l.startsWith('[warn] Try'))).toHaveLength(2)
    expect(logs.some((l) => l.startsWith('[warn] INFRA_NOT_BLESSED') && l.includes(loadError))).toBe(true)
    expect(pids).toHaveLength(2)
    for (const pid of pids) expect(processAlive(pid)).toBe(false)
  })

  test('a model.json that is not JSON: INFRA_NOT_BLESSED with the parse error', async () => {
    const broken = await fixture.brokenModel('garbage-model-json', garbageModelJson)
    const { blessing } = await validate(broken, { validationSpec: { numTries: 1 } })
    expect(blessing.customProperties.blessed).toBe(0)
    expect(String(blessing.customProperties.failure_reason)).toMatch(/^the model failed to load: .*(JSON|model\.json)/)
    expect(fs.readFileSync(path.join(blessing.uri, 'server.log'), 'utf8')).toMatch(/model\.json|JSON/)
  })

  test('a server that is not ready within maxLoadingTimeSeconds: INFRA_NOT_BLESSED, and its process is killed', async () => {
    const { blessing, pids } = await validate(fixture.modelUri, { validationSpec: { maxLoadingTimeSeconds: 0.05, numTries: 1 } })
    expect(blessing.customProperties.blessed).toBe(0)
    expect(String(blessing.customProperties.failure_reason)).toMatch(/within 0\.05 s \(maxLoadingTimeSeconds/)
    expect(markers(blessing.uri)).toEqual(['INFRA_NOT_BLESSED'])
    expect(pids).toHaveLength(1)
    expect(processAlive(pids[0]!)).toBe(false)
  })

  test('cancellation stops the server and rejects with the reason', async () => {
    await using tmp = await createTempDirectory('sluice-infra-cancel-')
    const controller = new AbortController()
    const logs: string[] = []
    const args = executorArgs(tmp.path, fixture.modelUri, {}, controller.signal, (line) => {
      logs.push(line)
      // Cancelled while the server is up, before the model's status is read.
      if (line.startsWith('[info] The model server listens at')) controller.abort(new Error('cancelled by the test'))
    })
    await expect(infraValidatorExecutor(args)).rejects.toThrow('cancelled by the test')
    const pids = pidsOf(logs)
    expect(pids).toHaveLength(1)
    expect(processAlive(pids[0]!)).toBe(false)
    expect(markers(path.join(tmp.path, 'blessing'))).toEqual([])
  })
})

describe('InfraValidator inputs and parameters', () => {
  test('requestSpec naming a split the examples lack fails before any server starts', async () => {
    await expect(validate(fixture.modelUri, { requestSpec: { splitName: 'test' } }, true)).rejects.toMatchObject({
      code: 'SLUICE_INFRA_EXAMPLES_INVALID',
      message: expect.stringContaining('Set requestSpec.splitName to one of the examples\' splits: train, eval.'),
    })
  })

  test("examples without the signature's raw features (transformed examples) fail with the fix", async () => {
    const noX2 = await fixture.brokenModel('needs-x3', async (dir) => {
      const file = path.join(dir, 'signature.json')
      const signature = JSON.parse(fs.readFileSync(file, 'utf8'))
      signature.inputs = [...signature.inputs, { name: 'x3', type: 'FLOAT' }]
      fs.writeFileSync(file, JSON.stringify(signature))
    })
    await expect(validate(noX2, { requestSpec: {} }, true)).rejects.toMatchObject({
      code: 'SLUICE_INFRA_EXAMPLES_INVALID',
      message: expect.stringMatching(/raw feature\(s\) "x3", which split "eval" .* does not have\. Wire the raw examples/),
    })
  })

  test('an unreadable signature in LOAD_AND_QUERY is INFRA_NOT_BLESSED without starting a server', async () => {
    const broken = await fixture.brokenModel('bad-signature', async (dir) => fs.writeFileSync(path.join(dir, 'signature.json'), '{"format": "something else"}'))
    const { blessing, pids } = await validate(broken, { requestSpec: {} }, true)
    expect(blessing.customProperties.blessed).toBe(0)
    expect(String(blessing.customProperties.failure_reason)).toMatch(/serving signature cannot be read: .*signature\.json: format is "something else"/)
    expect(pids).toEqual([])
  })

  test('the request rows carry exactly the raw features of the signature, in file order', async () => {
    const read = await readSignature(path.join(fixture.modelUri, 'Format-Serving'))
    if (!('signature' in read)) throw new Error(read.problem)
    const rows = await readInstances({ uri: fixture.examplesUri, properties: { splitNames: ['train', 'eval'] } } as never, 'eval', 3, read.signature)
    // Rows 2, 5, 8 of the generator form the eval split; y and color are not model inputs.
    expect(rows).toEqual([
      { x1: 0.2, x2: 0.4 },
      { x1: 0.5, x2: 0.5 },
      { x1: 0.8, x2: 0.6 },
    ])
    expect(await readInstances({ uri: fixture.examplesUri, properties: {} } as never, 'eval', 1000, read.signature)).toHaveLength(10)
  })

  test('parameters: defaults, and sluiceServer and docker together are refused', () => {
    expect(() => InfraValidator({ model: Channel(Model), servingSpec: { sluiceServer: {}, docker: {} } })).toThrow(
      expect.objectContaining({ code: 'SLUICE_PARAMETER_INVALID', message: expect.stringContaining('give either sluiceServer or docker, not both') }),
    )
    expect(infraValidatorParameters.parse({})).toEqual({
      servingSpec: { modelName: 'infra-validation-model' },
      validationSpec: { maxLoadingTimeSeconds: 300, numTries: 5 },
    })
    expect(infraValidatorParameters.parse({ servingSpec: { docker: {} }, requestSpec: {} })).toEqual({
      servingSpec: { docker: { image: 'sluice-runner:local', pullPolicy: 'if-missing' }, modelName: 'infra-validation-model' },
      validationSpec: { maxLoadingTimeSeconds: 300, numTries: 5 },
      requestSpec: { splitName: 'eval', numExamples: 1 },
    })
    expect(() => infraValidatorParameters.parse({ servingSpec: { sluiceServer: {}, docker: {} } })).toThrow(/either sluiceServer or docker/)
    expect(() => infraValidatorParameters.parse({ servingSpec: { modelName: '../x' } })).toThrow(/model name/)
    expect(() => infraValidatorParameters.parse({ validationSpec: { numTries: 0 } })).toThrow()
  })
})
