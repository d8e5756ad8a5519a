// The Docker serving spec against a real engine: the model server runs in the runner image
// (containers/runner/build-local-image.sh), with no network, reached only through a unix socket in a
// bind-mounted directory. Skipped without a Docker engine, except under CI=true where it must run.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JsonValue } from '@sluice/core'
import { createTempDirectory, runComponent } from '@sluice/testing'
import { InfraValidator } from '../src/index.js'
import type { InfraValidatorParameters } from '../src/index.js'
import infraValidatorExecutor from '../src/executor.js'
import { createInfraFixture, executorArgs, truncateWeights } from './fixtures.js'
import type { InfraFixture } from './fixtures.js'

const run = promisify(execFile)
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const RUNNER_IMAGE = 'sluice-runner:local'

const dockerAvailable = await run('docker', ['info'], { timeout: 20_000 }).then(
  () => true,
  () => false,
)
const inCi = process.env.CI === 'true'
if (!dockerAvailable && !inCi) {
  console.warn('@sluice/component-infra-validator: no Docker engine is reachable, so the Docker serving tests are skipped. Start Docker (`docker info` must work) to run them; under CI=true they run, and fail.')
}

/** The ids of containers (running or not) InfraValidator left behind. */
async function leftoverContainers(): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', 'label=sluice.component=InfraValidator'])
  return stdout.split('\n').filter(Boolean)
}

describe.skipIf(!dockerAvailable && !inCi)('InfraValidator with the model server in a Docker container', () => {
  let fixture: InfraFixture

  beforeAll(async () => {
    // The script builds stale packages (@sluice/serving among them) and skips an up-to-date image.
    await run('bash', [path.join(repoRoot, 'containers/runner/build-local-image.sh'), RUNNER_IMAGE], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 })
    fixture = await createInfraFixture()
  }, 600_000)

  afterAll(async () => {
    await fixture?.tmp.remove()
  })

  async function validate(modelUri: string, parameters: InfraValidatorParameters) {
    const logs: string[] = []
    const inspections: Promise<{ NetworkMode: string; Mounts: { Source: string; Destination: string; RW: boolean }[]; Ports: unknown }>[] = []
    const { outputs } = await runComponent(InfraValidator, {
      inputs: { model: { uri: modelUri }, examples: { uri: fixture.examplesUri, properties: { splitNames: ['train', 'eval'] } } },
      parameters,
      onEvent: (event) => {
        if (event.type !== 'node-log' || event.nodeId !== 'component') return
        logs.push(`[${event.level}] ${event.message}`)
        // Looked at while it runs (found by its label): it is removed afterwards.
        if (event.message.startsWith('The model server listens at')) {
          inspections.push(
            run('docker', ['ps', '-q', '--filter', 'label=sluice.component=InfraValidator']).then(({ stdout }) => run('docker', ['inspect', '--format', '{{json .HostConfig.NetworkMode}}|{{json .Mounts}}|{{json .NetworkSettings.Ports}}', stdout.trim().split('\n')[0]!])).then(({ stdout }) => {
              const [network, mounts, ports] = stdout.trim().split('|')
              return { NetworkMode: JSON.parse(network!), Mounts: JSON.parse(mounts!), Ports: JSON.parse(ports!) }
            }),
          )
        }
      },
    })
    return { blessing: outputs.blessing as { uri: string; customProperties: Record<string, JsonValue> }, logs, containers: await Promise.all(inspections) }
  }

  test('LOAD_AND_QUERY in a container with no network, through the unix socket: INFRA_BLESSED', async () => {
    const { blessing, logs, containers } = await validate(fixture.modelUri, {
      servingSpec: { docker: { image: RUNNER_IMAGE, pullPolicy: 'never', memory: '1g' } },
      requestSpec: { numExamples: 3 },
    })
    expect(blessing.customProperties.blessed, logs.join('\n')).toBe(1)
    expect(fs.existsSync(path.join(blessing.uri, 'INFRA_BLESSED'))).toBe(true)
    expect(logs.some((l) => /The model server listens at unix:\/.*server\.sock/.test(l))).toBe(true)
    expect(logs.some((l) => l.includes(':predict answered 3 prediction(s) for 3 instance(s)'))).toBe(true)
    expect(containers).toHaveLength(1)
    const [container] = containers
    expect(container!.NetworkMode).toBe('none')
    expect(container!.Ports ?? {}).toEqual({})
    expect(container!.Mounts.map((m) => [m.Destination, m.RW]).sort()).toEqual([
      ['/models/infra-validation-model', false],
      ['/run/sluice-serving', true],
    ])
    expect(await leftoverContainers()).toEqual([])
  })

  test('corrupt weights in a container: INFRA_NOT_BLESSED with the load error in server.log, container removed', async () => {
    const broken = await fixture.brokenModel('docker-truncated-weights', truncateWeights)
    const { blessing } = await validate(broken, { servingSpec: { docker: { pullPolicy: 'never' } }, validationSpec: { numTries: 1 } })
    expect(blessing.customProperties.blessed).toBe(0)
    const reason = String(blessing.customProperties.failure_reason)
    expect(reason).toMatch(/^the model failed to load: /)
    expect(fs.readFileSync(path.join(blessing.uri, 'server.log'), 'utf8')).toContain(reason.slice('the model failed to load: '.length).replace(/ \([A-Z_]+\)$/, ''))
    expect(await leftoverContainers()).toEqual([])
  })

  test('an image without the model server: not blessed, with the exit and the fix', async () => {
    const { blessing } = await validate(fixture.modelUri, {
      servingSpec: { docker: { pullPolicy: 'never', command: ['node', '/opt/sluice/packages/serving/bin/missing.js'] } },
      validationSpec: { numTries: 1 },
    })
    expect(blessing.customProperties.blessed).toBe(0)
    expect(String(blessing.customProperties.failure_reason)).toMatch(/exited with code 1 before it listened\. The image sluice-runner:local does not hold the model server: rebuild it/)
    expect(fs.readFileSync(path.join(blessing.uri, 'server.log'), 'utf8')).toContain("Cannot find module '/opt/sluice/packages/serving/bin/missing.js'")
    expect(await leftoverContainers()).toEqual([])
  })

  test('cancellation stops and removes the container', async () => {
    await using tmp = await createTempDirectory('sluice-infra-docker-cancel-')
    const controller = new AbortController()
    const logs: string[] = []
    const args = executorArgs(tmp.path, fixture.modelUri, { servingSpec: { docker: { pullPolicy: 'never' } } }, controller.signal, (line) => {
      logs.push(line)
      if (line.startsWith('[info] The model server listens at')) controller.abort(new Error('cancelled by the test'))
    })
    await expect(infraValidatorExecutor(args)).rejects.toThrow('cancelled by the test')
    expect(logs.some((l) => l.includes('Started the model server (a container of'))).toBe(true)
    expect(await leftoverContainers()).toEqual([])
  })
})
