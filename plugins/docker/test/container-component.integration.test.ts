import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { Examples, Importer, IntegerArtifact, Pipeline, StringArtifact, component, optional, z } from '@sluice/core'
import type { AnyNode } from '@sluice/core'
import { concat, containerComponent, ifPresent } from '../src/index.js'
import type { ContainerRunOptions } from '../src/index.js'
import {
  BUSYBOX,
  buildImage,
  containersWithLabel,
  describeDocker,
  docker,
  eventually,
  outputUri,
  runPipeline,
  statuses,
  tempDir,
} from './helpers.js'

// TFX's container-component example, as written in the issue.
const FilterWithGrep = containerComponent({
  name: 'FilterWithGrep',
  image: BUSYBOX,
  inputs: { text: Examples },
  outputs: { filteredText: Examples },
  parameters: z.object({ pattern: z.string() }),
  command: ({ inputs, outputs, parameters }) => [
    'sh', '-exc',
    'pattern="$1"; text="$3/data"; out="$5/data"; grep "$pattern" "$text" > "$out"',
    '--pattern', parameters.pattern,
    '--text', inputs.text.uri,
    '--filtered-text', outputs.filteredText.uri,
  ],
})

/** A busybox component running a shell script; `$1` is its output directory. */
function shell(name: string, script: string, options: ContainerRunOptions = {}) {
  return containerComponent({
    name,
    image: BUSYBOX,
    outputs: { out: Examples },
    command: ({ outputs }) => ['sh', '-c', script, 'sh', outputs.out.uri],
    ...options,
  })
}

function textPipeline(root: string, lines: string[], pattern: string, nodes: (text: AnyNode) => AnyNode[] = () => []) {
  const data = path.join(root, 'input')
  // Written once: rewriting it would change its fingerprint, and so the cache key.
  if (!fs.existsSync(data)) {
    fs.mkdirSync(data, { recursive: true })
    fs.writeFileSync(path.join(data, 'data'), `${lines.join('\n')}\n`)
  }
  const text = Importer({ sourceUri: data, artifactType: Examples, id: 'text' })
  const grep = FilterWithGrep({ text: text.outputs.result, pattern, id: 'grep' })
  return new Pipeline({ name: 'grep', root: path.join(root, 'pipeline'), components: [text, grep, ...nodes(text)] })
}

describeDocker('containerComponent on the Docker engine', () => {
  beforeAll(async () => {
    await buildImage('test-busybox/build.sh')
  }, 120_000)

  test('the grep example filters an input artifact into an output artifact owned by the caller, then comes from the cache', async () => {
    const root = tempDir()
    const logs: string[] = []
    const first = await runPipeline(textPipeline(root, ['apple pie', 'banana split', 'apple tart', 'cherry'], 'apple'), {
      onEvent: (e) => {
        if (e.type === 'node-log' && e.nodeId === 'grep') logs.push(`${e.level} ${e.message}`)
      },
    })
    expect(statuses(first)).toEqual({ text: 'COMPLETE', grep: 'COMPLETE' })
    const out = path.join(outputUri(first, 'grep', 'filteredText'), 'data')
    expect(fs.readFileSync(out, 'utf8')).toBe('apple pie\napple tart\n')
    expect(fs.statSync(out).uid).toBe(process.getuid!())
    // `sh -x` traces to stderr: the container's output reaches the run's log line by line.
    expect(logs.some((l) => l.startsWith('warn ') && l.includes('grep apple'))).toBe(true)
    expect(await containersWithLabel(`sluice.run=${first.runId}`)).toEqual([])

    const second = await runPipeline(textPipeline(root, ['apple pie', 'banana split', 'apple tart', 'cherry'], 'apple'))
    expect(statuses(second)).toEqual({ text: 'CACHED', grep: 'CACHED' })
    expect(outputUri(second, 'grep', 'filteredText')).toBe(outputUri(first, 'grep', 'filteredText'))

    // Another parameter is another cache key.
    const third = await runPipeline(textPipeline(root, ['apple pie', 'banana split', 'apple tart', 'cherry'], 'banana'))
    expect(statuses(third).grep).toBe('COMPLETE')
    expect(fs.readFileSync(path.join(outputUri(third, 'grep', 'filteredText'), 'data'), 'utf8')).toBe('banana split\n')
  })

  test('rebuilding the image under the same tag changes the fingerprint and re-executes the node', async () => {
    const tag = 'sluice-test-rebuild:local'
    const rebuild = async (generation: number) => {
      const container = await docker.createContainer({ Image: BUSYBOX, Cmd: ['true'] })
      try {
        await container.commit({ repo: 'sluice-test-rebuild', tag: 'local', changes: `LABEL sluice.generation=${generation}` })
      } finally {
        await container.remove({ force: true })
      }
      return (await docker.getImage(tag).inspect()).Id
    }
    const Echo = containerComponent({
      name: 'Echo',
      image: tag,
      outputs: { out: Examples },
      command: ({ outputs }) => ['sh', '-c', 'echo hello > "$1/data"', 'sh', outputs.out.uri],
    })
    const root = tempDir()
    const pipeline = () => new Pipeline({ name: 'rebuild', root, components: [Echo({})] })
    const firstId = await rebuild(1)
    expect(await Echo.fingerprint!({})).toContain(firstId)
    expect((await runPipeline(pipeline())).nodes.Echo!.status).toBe('COMPLETE')
    const secondId = await rebuild(2)
    expect(secondId).not.toBe(firstId)
    expect(await Echo.fingerprint!({})).toContain(secondId)
    expect((await runPipeline(pipeline())).nodes.Echo!.status).toBe('COMPLETE')
    expect((await runPipeline(pipeline())).nodes.Echo!.status).toBe('CACHED')
    for (const id of [firstId, secondId]) await docker.getImage(id).remove({ force: true }).catch(() => {})
  })

  test('a container that exits 3 fails its node with the exit code, the image and its last output lines, and is removed', async () => {
    const Fail = shell('FailsWithThree', 'for i in $(seq 1 30); do echo "line $i"; done; echo "giving up" >&2; exit 3')
    const result = await runPipeline(new Pipeline({ name: 'fail', root: tempDir(), components: [Fail({ id: 'failing' })] }))
    expect(result.status).toBe('FAILED')
    const error = result.nodes.failing!.error!
    expect(error.code).toBe('SLUICE_CONTAINER_EXIT')
    expect(error.message).toContain('Node "failing" (container component "FailsWithThree")')
    expect(error.message).toContain(`image ${BUSYBOX} exited with code 3`)
    expect(error.message).toContain('giving up')
    expect(error.message).toContain('line 30')
    // Only the tail: the first lines are in the run's log, not in the message.
    expect(error.message).not.toContain('line 5\n')
    expect(await containersWithLabel(`sluice.run=${result.runId}`)).toEqual([])
  })

  test('a missing image fails fast, naming the image and how to build or pull it', async () => {
    const Missing = containerComponent({
      name: 'Missing',
      image: 'sluice-no-such-image:local',
      outputs: { out: Examples },
      command: ({ outputs }) => ['touch', outputs.out.uri],
    })
    const started = Date.now()
    const result = await runPipeline(new Pipeline({ name: 'missing', root: tempDir(), components: [Missing({})] }))
    expect(Date.now() - started).toBeLessThan(15_000)
    const error = result.nodes.Missing!.error!
    expect(error.code).toBe('SLUICE_IMAGE_MISSING')
    expect(error.message).toContain('Image sluice-no-such-image:local is not present locally and could not be pulled')
    expect(error.message).toContain('docker build -t sluice-no-such-image:local')
    expect(error.message).toContain('docker pull sluice-no-such-image:local')

    const Never = containerComponent({ name: 'Never', image: 'sluice-no-such-image:local', pull: 'never', command: () => ['true'] })
    const never = await runPipeline(new Pipeline({ name: 'never', root: tempDir(), components: [Never({})] }))
    expect(never.nodes.Never!.error).toMatchObject({ code: 'SLUICE_IMAGE_MISSING' })
    expect(never.nodes.Never!.error!.message).toContain("pull policy is 'never'")
  })

  test('a container that writes nothing to a declared output fails the node', async () => {
    const Lazy = shell('WritesNothing', 'echo "did nothing"')
    const result = await runPipeline(new Pipeline({ name: 'lazy', root: tempDir(), components: [Lazy({})] }))
    expect(result.nodes.WritesNothing!.status).toBe('FAILED')
    expect(result.nodes.WritesNothing!.error).toMatchObject({ code: 'SLUICE_OUTPUT_MISSING' })
    expect(result.nodes.WritesNothing!.error!.message).toContain('wrote nothing to its declared output "out"')
  })

  test('cancelling the run stops and removes a running container', async () => {
    const Sleep = shell('Sleeps', 'echo sleeping; sleep 30', { stopGraceMs: 1000 })
    const controller = new AbortController()
    const root = tempDir()
    const started = Date.now()
    const running = runPipeline(new Pipeline({ name: 'cancel', root, components: [Sleep({ id: 'sleeper' })] }), {
      signal: controller.signal,
      runId: `cancel-${Date.now()}`,
    })
    const label = 'sluice.node=sleeper'
    const [info] = await eventually(async () => {
      const list = (await containersWithLabel(label)).filter((c) => c.Labels['sluice.pipeline'] === 'cancel' && c.State === 'running')
      return list.length > 0 ? list : undefined
    })
    // No network: the container has only its loopback interface.
    expect((await docker.getContainer(info!.Id).inspect()).HostConfig.NetworkMode).toBe('none')
    controller.abort()
    const result = await running
    expect(result.status).toBe('CANCELED')
    expect(result.nodes.sleeper!.status).toBe('CANCELED')
    // The runner stops waiting for an in-process executor as soon as the run is cancelled, while the
    // executor is still stopping the container (1 s grace here): it is gone shortly after.
    await eventually(async () => ((await containersWithLabel(`sluice.run=${result.runId}`)).length === 0 ? true : undefined), 10_000)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  test('a container past its timeoutMs is stopped, removed and fails the node', async () => {
    const Slow = shell('Slow', 'echo started; sleep 30', { timeoutMs: 1500, stopGraceMs: 0 })
    const result = await runPipeline(new Pipeline({ name: 'timeout', root: tempDir(), components: [Slow({})] }))
    const error = result.nodes.Slow!.error!
    expect(error.code).toBe('SLUICE_CONTAINER_TIMEOUT')
    expect(error.message).toContain('did not finish within 1500 ms')
    expect(error.message).toContain('started')
    expect(await containersWithLabel(`sluice.run=${result.runId}`)).toEqual([])
  })

  test('no network, the caller uid, env, limits, value inputs and outputs, properties, concat and ifPresent', async () => {
    const Count = component({ name: 'Count', outputs: { rows: IntegerArtifact } }, () => ({ rows: 42 }))
    const Probe = containerComponent({
      name: 'Probe',
      image: BUSYBOX,
      inputs: { rows: IntegerArtifact, examples: Examples, schema: optional(Examples) },
      outputs: { report: Examples, summary: StringArtifact },
      parameters: z.object({ tag: z.string(), limits: z.object({ a: z.number() }).default({ a: 1 }) }),
      env: ({ parameters }) => ({ TAG: concat('tag-', parameters.tag), PLAIN: 'plain' }),
      memory: '64m',
      cpus: 0.5,
      command: ({ inputs, outputs, parameters }) => [
        'sh', '-c',
        [
          'out="$1"',
          'ls /sys/class/net > "$out/net"',
          'id -u > "$out/uid"; id -g > "$out/gid"',
          'echo "$TAG $PLAIN" > "$out/env"',
          '(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes) > "$out/memory"',
          '(cut -d" " -f1 /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) > "$out/cpu"',
          'if touch "$5/intruder" 2>/dev/null; then echo writable > "$out/input"; else echo read-only > "$out/input"; fi',
          'printf "%s|%s|%s|%s" "$2" "$3" "$4" "$6" > "$7"',
        ].join('; '),
        'sh',
        outputs.report.uri,
        inputs.rows.value,
        concat('span=', inputs.examples.property('span'), ';', inputs.examples.customProperty('source')),
        parameters.limits,
        inputs.examples.uri,
        ifPresent(inputs.schema, ['has-schema'], ['no-schema']),
        outputs.summary.uri,
      ],
    })
    const root = tempDir()
    const data = path.join(root, 'input')
    fs.mkdirSync(data)
    fs.writeFileSync(path.join(data, 'data'), 'x\n')
    const examples = Importer({ sourceUri: data, artifactType: Examples, properties: { span: 7 }, customProperties: { source: 'test' }, id: 'examples' })
    const count = Count({})
    const probe = Probe({ rows: count.outputs.rows, examples: examples.outputs.result, tag: 'v1' })
    const result = await runPipeline(new Pipeline({ name: 'probe', root: path.join(root, 'p'), components: [examples, count, probe] }))
    expect(result.nodes.Probe!.error).toBeUndefined()
    const report = outputUri(result, 'Probe', 'report')
    const read = (name: string) => fs.readFileSync(path.join(report, name), 'utf8').trim()
    expect(read('net')).toBe('lo')
    expect(read('uid')).toBe(String(process.getuid!()))
    expect(read('gid')).toBe(String(process.getgid!()))
    expect(read('env')).toBe('tag-v1 plain')
    expect(read('memory')).toBe(String(64 * 1024 * 1024))
    expect(read('cpu')).toBe('50000')
    expect(read('input')).toBe('read-only')
    expect(fs.existsSync(path.join(data, 'intruder'))).toBe(false)
    expect(result.nodes.Probe!.outputs.summary![0]!.value).toBe('42|span=7;test|{"a":1}|no-schema')
  })
})
