import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, expect, test } from 'vitest'
import { Examples, StringArtifact, isSluiceError } from '@sluice/core'
import type { AnyComponent, Artifact, ExecutionBackendRequest, JsonValue, Logger } from '@sluice/core'
import { applyExecutorOutput, encodeExecutorInput } from '@sluice/runner'
import { dockerBackend } from '../src/index.js'
import { Misbehave, Shout, shoutPipeline } from './fixtures/components.js'
import {
  RUNNER_IMAGE,
  buildImage,
  containersWithLabel,
  describeDocker,
  docker,
  eventually,
  outputUri,
  repoRoot,
  runPipeline,
  statuses,
  tempDir,
} from './helpers.js'

const componentModule = fileURLToPath(new URL('./fixtures/components.ts', import.meta.url))

interface Logged {
  lines: { level: string; message: string }[]
  progress: { fraction: number; message?: string }[]
}

/**
 * A request as the runner makes it: inputs and outputs allocated under a pipeline root, the executor
 * input JSON written into the execution's system directory, inputs mounted read-only.
 */
function makeRequest(
  component: AnyComponent,
  nodeId: string,
  inputs: Record<string, Artifact>,
  parameters: Record<string, JsonValue>,
  signal = new AbortController().signal,
): { request: ExecutionBackendRequest; outputs: Record<string, Artifact>; logged: Logged } {
  const root = tempDir()
  const executionId = 7
  const outputs: Record<string, Artifact> = {}
  for (const [key, type] of Object.entries(component.outputs)) {
    const dir = path.join(root, nodeId, key, String(executionId))
    fs.mkdirSync(dir, { recursive: true })
    outputs[key] = { id: undefined, type, uri: type.valueKind === undefined ? dir : path.join(dir, 'value'), properties: {}, customProperties: {} }
  }
  const systemDir = path.join(root, nodeId, '.system', 'executor_execution', String(executionId))
  fs.mkdirSync(systemDir, { recursive: true })
  const runId = `backend-${nodeId}-${Date.now()}`
  const executorInput = encodeExecutorInput(
    { component, nodeId, inputs, outputs, parameters },
    {
      component: component.name,
      componentModule,
      nodeId,
      pipelineName: 'backend',
      pipelineRoot: root,
      runId,
      executionId,
      tmpDir: path.join(systemDir, '.temp'),
      outputFile: path.join(systemDir, 'executor_output.json'),
    },
  )
  const inputFile = path.join(systemDir, 'executor_input.json')
  fs.writeFileSync(inputFile, JSON.stringify(executorInput, null, 2))
  const logged: Logged = { lines: [], progress: [] }
  const logger = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (message: string) => logged.lines.push({ level, message })]),
  ) as unknown as Logger
  const mounts = [
    ...Object.values(inputs).map((a) => ({ path: a.uri, readOnly: true })),
    ...Object.values(outputs).map((a) => ({ path: a.type.valueKind === undefined ? a.uri : path.dirname(a.uri), readOnly: false })),
    { path: systemDir, readOnly: false },
  ]
  const request: ExecutionBackendRequest = {
    executorInput,
    inputFile,
    systemDir,
    mounts,
    nodeId,
    signal,
    logger,
    progress: (fraction, message) => logged.progress.push({ fraction, ...(message === undefined ? {} : { message }) }),
  }
  return { request, outputs, logged }
}

function shoutInputs(): Record<string, Artifact> {
  const dir = tempDir()
  const examples = path.join(dir, 'examples')
  fs.mkdirSync(examples)
  fs.writeFileSync(path.join(examples, 'data'), 'the data')
  fs.writeFileSync(path.join(dir, 'words'), 'hey')
  return {
    examples: { id: 1, type: Examples, uri: examples, properties: {}, customProperties: {} },
    words: { id: 2, type: StringArtifact, uri: path.join(dir, 'words'), properties: {}, customProperties: {}, value: 'hey' } as Artifact,
  }
}

describeDocker('dockerBackend: sluice-exec in the runner image', () => {
  const backend = dockerBackend({ image: RUNNER_IMAGE, stopGraceMs: 1000 })

  beforeAll(async () => {
    await buildImage('runner/build-local-image.sh')
  }, 300_000)

  test('runs a component from its module with inputs read-only, outputs and values back, log levels forwarded, as the caller, without network', async () => {
    const { request, outputs, logged } = makeRequest(Shout as unknown as AnyComponent, 'shout', shoutInputs(), { times: 2 })
    const output = await backend.run(request)
    const applied = applyExecutorOutput(output, outputs, 'shout')
    expect(applied.values).toEqual({ length: 'HEY THE DATA'.length * 2 })
    expect(applied.outputs.loud!.properties).toEqual({ span: 3 })
    expect(applied.outputs.loud!.customProperties).toEqual({ shouted: true })
    const loud = outputs.loud!.uri
    expect(fs.readFileSync(path.join(loud, 'data'), 'utf8')).toBe('HEY THE DATAHEY THE DATA')
    expect(fs.statSync(path.join(loud, 'data')).uid).toBe(process.getuid!())
    expect(JSON.parse(fs.readFileSync(path.join(loud, 'where'), 'utf8'))).toEqual({ uid: process.getuid!(), net: ['lo'], node: '/usr/local/bin/node' })
    expect(fs.readFileSync(path.join(loud, 'input-writable'), 'utf8')).toBe('false')
    // sluice-exec wrote the value file itself.
    expect(fs.readFileSync(outputs.length!.uri, 'utf8')).toBe('24')
    expect(logged.lines).toContainEqual({ level: 'info', message: 'shouting hey' })
    expect(logged.lines).toContainEqual({ level: 'warn', message: 'this is loud' })
    expect(await containersWithLabel(`sluice.run=${request.executorInput.sluice.runId}`)).toEqual([])
  })

  test("an executor's own error keeps its code and message; a crash reports the exit code and the last lines", async () => {
    const thrown = makeRequest(Misbehave as unknown as AnyComponent, 'thrower', {}, { mode: 'throw' })
    const error = await backend.run(thrown.request).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isSluiceError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'MY_QUOTA_EXCEEDED', message: 'the quota is exceeded' })

    const crashed = makeRequest(Misbehave as unknown as AnyComponent, 'crasher', {}, { mode: 'exit' })
    const crash = await backend.run(crashed.request).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    )
    expect(crash?.code).toBe('SLUICE_CONTAINER_EXIT')
    expect(crash?.message).toContain(`Node "crasher" (Misbehave in ${RUNNER_IMAGE}): sluice-exec exited with code 4`)
    expect(crash?.message).toContain('about to exit')
    expect(crash?.message).toContain('exiting with 4')
    expect(await containersWithLabel(`sluice.run=${crashed.request.executorInput.sluice.runId}`)).toEqual([])
  })

  test('aborting the request stops and removes the container, and rejects with the reason', async () => {
    const controller = new AbortController()
    const { request } = makeRequest(Misbehave as unknown as AnyComponent, 'sleeper', {}, { mode: 'sleep' }, controller.signal)
    const running = backend.run(request)
    const label = `sluice.run=${request.executorInput.sluice.runId}`
    await eventually(async () => ((await containersWithLabel(label)).some((c) => c.State === 'running') ? true : undefined))
    const reason = new Error('cancelled by the test')
    controller.abort(reason)
    await expect(running).rejects.toBe(reason)
    expect(await containersWithLabel(label)).toEqual([])
  })

  test("the fingerprint is the image's digest", async () => {
    const { Id } = await docker.getImage(RUNNER_IMAGE).inspect()
    expect(await backend.fingerprint!()).toBe(`image ${RUNNER_IMAGE} ${Id}`)
  })

  test('LocalDagRunner sends a node with isolation: dockerBackend(…) to the container, and caches it by the image digest', async () => {
    const root = tempDir()
    const result = await runPipeline(shoutPipeline(root, backend), { pipelineModule: componentModule })
    expect(statuses(result)).toEqual({ Make: 'COMPLETE', Shout: 'COMPLETE' })
    const loud = outputUri(result, 'Shout', 'loud')
    expect(fs.readFileSync(path.join(loud, 'data'), 'utf8')).toBe('HELLO FROM THE PIPELINEHELLO FROM THE PIPELINE')
    expect(JSON.parse(fs.readFileSync(path.join(loud, 'where'), 'utf8')).node).toBe('/usr/local/bin/node')
    expect(result.nodes.Shout!.outputs.length![0]!.value).toBe(46)
    const again = await runPipeline(shoutPipeline(root, backend), { pipelineModule: componentModule })
    expect(statuses(again)).toEqual({ Make: 'CACHED', Shout: 'CACHED' })
  })
})

// The project root the backend mounts for this file: the workspace root, where node_modules is.
test('the fixture module resolves to the workspace root', async () => {
  const { findProjectRoot } = await import('../src/index.js')
  expect(findProjectRoot(componentModule)).toBe(path.resolve(repoRoot))
})
