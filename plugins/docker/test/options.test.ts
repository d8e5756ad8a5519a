import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { Examples, Pipeline, StringArtifact, z } from '@sluice/core'
import type { ExecutorInput, Logger } from '@sluice/core'
import { DockerError, containerComponent, dockerBackend, findProjectRoot, parseCpus, parseMemory } from '../src/index.js'
import { backendMounts, logForwarder } from '../src/docker-backend.js'
import { OutputTail, imageDigest, unavailable } from '../src/engine.js'
import { containerUser, describeConnection, dockerodeOptions } from '../src/options.js'
import { runPipeline, tempDir } from './helpers.js'

describe('resource limits', () => {
  test('memory sizes read like docker --memory (powers of 1024)', () => {
    expect(parseMemory('512m')).toBe(512 * 1024 ** 2)
    expect(parseMemory('512M')).toBe(512 * 1024 ** 2)
    expect(parseMemory('1g')).toBe(1024 ** 3)
    expect(parseMemory('1.5GiB')).toBe(1.5 * 1024 ** 3)
    expect(parseMemory('2gb')).toBe(2 * 1024 ** 3)
    expect(parseMemory('100k')).toBe(102_400)
    expect(parseMemory('4096')).toBe(4096)
    expect(parseMemory('4096b')).toBe(4096)
    expect(parseMemory(' 64 m ')).toBe(64 * 1024 ** 2)
    expect(parseMemory(1_000_000)).toBe(1_000_000)
    for (const bad of ['lots', '-1m', '0', '', '1x', '1.5.5m', 0, -3, 1.5, Number.NaN]) {
      expect(() => parseMemory(bad as string | number), String(bad)).toThrow(DockerError)
    }
    expect(() => parseMemory('lots')).toThrow(`memory "lots" is not a memory size. Give bytes (536870912) or a size with a unit: '512m', '2g', '1.5GiB'.`)
  })

  test('cpus become NanoCpus', () => {
    expect(parseCpus(1)).toBe(1e9)
    expect(parseCpus('1.5')).toBe(1.5e9)
    expect(parseCpus(0.25)).toBe(2.5e8)
    for (const bad of [0, -1, 'two', '', Number.POSITIVE_INFINITY, 0.0000001]) expect(() => parseCpus(bad as number), String(bad)).toThrow(/is not a CPU count/)
  })
})

describe('the Docker connection', () => {
  test('strings read like DOCKER_HOST', () => {
    expect(dockerodeOptions(undefined)).toBeUndefined()
    expect(dockerodeOptions('unix:///run/user/1000/docker.sock')).toEqual({ socketPath: '/run/user/1000/docker.sock' })
    expect(dockerodeOptions('/var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' })
    expect(dockerodeOptions('tcp://10.0.0.5:2375')).toEqual({ host: '10.0.0.5', port: 2375, protocol: 'http' })
    expect(dockerodeOptions('https://docker.example:2376')).toEqual({ host: 'docker.example', port: 2376, protocol: 'https' })
    expect(dockerodeOptions({ socketPath: '/x.sock' })).toEqual({ socketPath: '/x.sock' })
    expect(describeConnection({ host: 'h', port: 1 })).toBe('http://h:1')
    expect(describeConnection('unix:///x.sock')).toBe('unix:///x.sock')
  })

  test('the container runs as the caller unless told otherwise', () => {
    expect(containerUser(undefined)).toBe(`${process.getuid!()}:${process.getgid!()}`)
    expect(containerUser('1000:1000')).toBe('1000:1000')
    expect(containerUser(null)).toBeUndefined()
  })

  test('an engine that is not there fails with SLUICE_DOCKER_UNAVAILABLE and how to start Docker', async () => {
    const socket = path.join(tempDir(), 'docker.sock')
    await expect(imageDigest('busybox', 'if-missing', `unix://${socket}`)).rejects.toMatchObject({
      code: 'SLUICE_DOCKER_UNAVAILABLE',
      message: expect.stringContaining(`Cannot reach the Docker engine at unix://${socket} (ENOENT). Start Docker (\`sudo systemctl start docker\``),
    })
    expect(unavailable(Object.assign(new Error('denied'), { code: 'EACCES' }), undefined).message).toContain('add it to the docker group')

    // Through the runner: the node fails with the same error, and the run goes on.
    const Grep = containerComponent({
      name: 'Grep',
      image: 'busybox',
      docker: { socketPath: socket },
      outputs: { out: Examples },
      parameters: z.object({ pattern: z.string() }),
      command: ({ outputs, parameters }) => ['grep', parameters.pattern, outputs.out.uri],
    })
    const result = await runPipeline(new Pipeline({ name: 'nodocker', root: tempDir(), components: [Grep({ pattern: 'x' })] }))
    expect(result.status).toBe('FAILED')
    expect(result.nodes.Grep!.error).toMatchObject({ code: 'SLUICE_DOCKER_UNAVAILABLE' })
    expect(result.nodes.Grep!.error!.message).toContain('Start Docker')
  })
})

describe('dockerBackend without an engine', () => {
  test('checks its options when made', () => {
    expect(() => dockerBackend({ image: '' })).toThrow(/image must be an image reference/)
    expect(() => dockerBackend({ image: 'x', memory: '1q' })).toThrow(/memory "1q" is not a memory size/)
    expect(() => dockerBackend({ image: 'x', command: 'sluice-exec' as never })).toThrow(/command must be an array of strings/)
    expect(() => dockerBackend({ image: 'x', extraMounts: [{ source: 'relative' }] })).toThrow(/needs absolute source and target paths/)
    expect(dockerBackend({ image: 'sluice-runner:local' }).name).toBe('docker:sluice-runner:local')
  })

  test('mounts what the executor input names: inputs read-only, outputs, system and project dirs; writable wins', () => {
    const executorInput = {
      inputs: {
        parameterValues: {},
        artifacts: { examples: { artifacts: [{ name: 'sluice/artifacts/1', type: { schemaTitle: 'sluice.Examples' }, uri: '/root/gen/examples/1', metadata: {} }] } },
      },
      outputs: {
        parameters: { words: { outputFile: '/root/node/words/3/value' } },
        artifacts: {
          words: { artifacts: [{ name: 'words', type: { schemaTitle: 'sluice.String' }, uri: '/root/node/words/3/value', metadata: {} }] },
          loud: { artifacts: [{ name: 'loud', type: { schemaTitle: 'sluice.Examples' }, uri: '/root/node/loud/3', metadata: {} }] },
        },
        outputFile: '/root/node/.system/executor_execution/3/executor_output.json',
      },
      sluice: { component: 'C', nodeId: 'node', pipelineName: 'p', pipelineRoot: '/root', runId: 'r', executionId: 3, tmpDir: '/root/node/.system/executor_execution/3/.temp', pipelineModule: '/project/pipeline.ts' },
    } satisfies ExecutorInput
    const mounts = backendMounts(
      { executorInput, systemDir: '/root/node/.system/executor_execution/3', mounts: [{ path: '/root/gen/examples/1', readOnly: true }, { path: '/root/node/loud/3', readOnly: true }] },
      '/project',
      { extraMounts: [{ source: '/data/cache', target: '/cache', readOnly: false }] },
    )
    expect(mounts).toEqual([
      { source: '/root/gen/examples/1', target: '/root/gen/examples/1', readOnly: true },
      { source: '/root/node/loud/3', target: '/root/node/loud/3', readOnly: false },
      { source: '/root/node/words/3', target: '/root/node/words/3', readOnly: false },
      { source: '/root/node/.system/executor_execution/3', target: '/root/node/.system/executor_execution/3', readOnly: false },
      { source: '/project', target: '/project', readOnly: true },
      { source: '/data/cache', target: '/cache', readOnly: false },
    ])
    // Without a project root, the module's directory.
    expect(backendMounts({ executorInput, systemDir: '/s', mounts: [] }, undefined).at(-1)).toEqual({ source: '/project', target: '/project', readOnly: true })
  })

  test('finds the project root of a module: the workspace root above a package', () => {
    const root = tempDir()
    const write = (file: string, text = '{}') => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
      fs.writeFileSync(path.join(root, file), text)
    }
    write('app/package.json')
    write('app/pipelines/taxi.ts', '')
    expect(findProjectRoot(path.join(root, 'app/pipelines/taxi.ts'))).toBeUndefined()
    fs.mkdirSync(path.join(root, 'app/node_modules'))
    expect(findProjectRoot(path.join(root, 'app/pipelines/taxi.ts'))).toBe(path.join(root, 'app'))
    write('mono/package.json', JSON.stringify({ workspaces: ['pkgs/*'] }))
    write('mono/pkgs/a/package.json')
    write('mono/pkgs/a/pipeline.ts', '')
    fs.mkdirSync(path.join(root, 'mono/pkgs/a/node_modules'), { recursive: true })
    fs.mkdirSync(path.join(root, 'mono/node_modules'))
    expect(findProjectRoot(path.join(root, 'mono/pkgs/a/pipeline.ts'))).toBe(path.join(root, 'mono'))
    // This repository: the fixture resolves to the workspace root.
    expect(findProjectRoot(fileURLToPath(new URL('./fixtures/components.ts', import.meta.url)))).toBe(fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, ''))
  })

  test("forwards sluice-exec's log levels and progress; other lines are info (stdout) or warnings (stderr)", () => {
    const lines: string[] = []
    const progress: unknown[] = []
    const logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (m: string) => lines.push(`${level}: ${m}`)])) as unknown as Logger
    const forward = logForwarder(logger, { progress: (f, m) => progress.push([f, m]) })
    forward('stderr', '[info] shouting hey')
    forward('stderr', '[error] it broke')
    forward('stderr', '[progress] 0.5 half way')
    forward('stderr', '[progress] 1')
    forward('stdout', 'printed')
    forward('stderr', 'a trace line')
    expect(lines).toEqual(['info: shouting hey', 'error: it broke', 'info: printed', 'warn: a trace line'])
    expect(progress).toEqual([[0.5, 'half way'], [1, undefined]])
  })
})

test('the output tail keeps the last lines and always the last stderr lines', () => {
  const tail = new OutputTail()
  tail.add('stderr', 'early error')
  for (let i = 1; i <= 30; i++) tail.add('stdout', `line ${i}`)
  const lines = tail.lines()
  expect(lines[0]).toBe('early error')
  expect(lines.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`))
})

test('defining and compiling a pipeline never loads dockerode', () => {
  // Walk the static (non-type) imports from the entry point: dockerode and the modules that use it
  // are reached only through `await import()` when a node runs.
  const src = fileURLToPath(new URL('../src/', import.meta.url))
  const reached = new Set<string>()
  const visit = (file: string) => {
    if (reached.has(file)) return
    reached.add(file)
    const text = fs.readFileSync(path.join(src, file), 'utf8')
    for (const [, specifier] of text.matchAll(/^(?:import|export) (?!type )[^;']*? from '([^']+)'/gm)) {
      expect(specifier, `${file} imports dockerode statically`).not.toBe('dockerode')
      if (specifier!.startsWith('./')) visit(specifier!.slice(2).replace(/\.js$/, '.ts'))
    }
  }
  visit('index.ts')
  expect([...reached].sort()).not.toContain('engine.ts')
  expect([...reached].sort()).not.toContain('container-executor.ts')
  expect(reached).toContain('container-component.ts')
})

// StringArtifact is a value type: its uri is a file, mounted through its directory (see backendMounts).
void StringArtifact
