// The only module that loads dockerode: container components and the Docker backend import it lazily,
// when a node runs, so defining or compiling a pipeline never loads it.
import { randomBytes } from 'node:crypto'
import Docker from 'dockerode'
import { DockerError } from './errors.js'
import type { DockerConnection, PullPolicy } from './options.js'
import { describeConnection, dockerodeOptions } from './options.js'

const PING_TIMEOUT_MS = 5_000
const LOG_DRAIN_MS = 2_000
const ATTACH_TIMEOUT_MS = 30_000
const LOG_TAIL_LINES = 20
const STDERR_TAIL_LINES = 5
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN'])

/** A host path mounted into a container. */
export interface Mount {
  readonly source: string
  readonly target: string
  readonly readOnly: boolean
}

/** One container to run to its end. */
export interface ContainerRun {
  /** Names what runs, for messages: `Node "grep" (FilterWithGrep)`. */
  readonly subject: string
  readonly image: string
  readonly pull: PullPolicy
  /** Replaces the image's ENTRYPOINT when set. */
  readonly entrypoint?: readonly string[]
  readonly cmd: readonly string[]
  readonly env: Readonly<Record<string, string>>
  readonly mounts: readonly Mount[]
  readonly user?: string
  readonly workingDir?: string
  readonly labels: Readonly<Record<string, string>>
  /** Name prefix; a random suffix keeps retries apart. */
  readonly name: string
  readonly network: string
  readonly nanoCpus?: number
  readonly memoryBytes?: number
  readonly init?: boolean
  readonly timeoutMs?: number
  readonly stopGraceMs: number
  readonly signal: AbortSignal
  /** Receives every output line as it arrives. */
  readonly onLine: (stream: 'stdout' | 'stderr', line: string) => void
  readonly connection?: DockerConnection
}

/** How a container ended. */
export interface ContainerExit {
  readonly exitCode: number
  /** The last lines of its output, stdout and stderr interleaved. */
  readonly tail: readonly string[]
  /** Whether the kernel killed it for exceeding its memory limit. */
  readonly oomKilled: boolean
  /** The image Id (digest of its config) the container ran. */
  readonly imageId: string
}

/** Connects to the engine and checks that it answers; {@link DockerError} SLUICE_DOCKER_UNAVAILABLE otherwise. */
export async function connect(connection: DockerConnection | undefined): Promise<Docker> {
  const docker = new Docker(dockerodeOptions(connection) as Docker.DockerOptions | undefined)
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${PING_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })), PING_TIMEOUT_MS)
      }),
    ])
  } catch (error) {
    throw unavailable(error, connection)
  } finally {
    clearTimeout(timer)
  }
  return docker
}

/** The error for an engine that cannot be reached, with how to start one. */
export function unavailable(error: unknown, connection: DockerConnection | undefined): DockerError {
  const code = (error as { code?: unknown })?.code
  const where = describeConnection(connection)
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)
  const fix =
    code === 'EACCES' || code === 'EPERM'
      ? 'Your user may not use the Docker socket: add it to the docker group (`sudo usermod -aG docker $USER`, then log in again), use rootless Docker, or point DOCKER_HOST at an engine you may use.'
      : 'Start Docker (`sudo systemctl start docker`, `sudo dockerd &`, or open Docker Desktop), or point DOCKER_HOST (or the `docker` option) at a running engine; `docker info` must work.'
  return new DockerError('SLUICE_DOCKER_UNAVAILABLE', `Cannot reach the Docker engine at ${where} (${reason}).`, { cause: error, fix })
}

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code
  return typeof code === 'string' && UNREACHABLE.has(code)
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode
  return typeof status === 'number' ? status : undefined
}

/** The engine's reason for a failed request, without dockerode's HTTP preamble. */
function reasonOf(error: unknown): string {
  const json = (error as { json?: { message?: unknown } })?.json
  if (json && typeof json.message === 'string') return json.message
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim()
}

async function inspectImage(docker: Docker, image: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(image).inspect()).Id
  } catch (error) {
    if (statusOf(error) === 404) return undefined
    throw error
  }
}

async function pullImage(docker: Docker, image: string): Promise<void> {
  const stream = (await docker.pull(image)) as NodeJS.ReadableStream
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
      const failed = output?.find((o) => o.error !== undefined || o.errorDetail !== undefined)
      if (error) reject(error)
      else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error))
      else resolve()
    })
  })
}

/**
 * Makes sure the image is present as the pull policy says, and returns its Id (`sha256:…`, the
 * digest of its config: a rebuild under the same tag changes it).
 */
export async function ensureImage(docker: Docker, image: string, policy: PullPolicy, connection?: DockerConnection): Promise<string> {
  const how = `Build it (\`docker build -t ${image} <dir>\`; Sluice's own images: \`bash containers/<name>/build*.sh\`) or \`docker pull ${image}\`.`
  try {
    let id = policy === 'always' ? undefined : await inspectImage(docker, image)
    if (id !== undefined) return id
    if (policy === 'never') {
      throw new DockerError('SLUICE_IMAGE_MISSING', `Image ${image} is not present locally, and its pull policy is 'never'.`, { fix: how })
    }
    try {
      await pullImage(docker, image)
    } catch (error) {
      if (isUnreachable(error)) throw error
      const local = policy === 'always' ? await inspectImage(docker, image) : undefined
      const state = policy === 'always' ? (local ? 'is present locally but' : 'is not present locally and') : 'is not present locally and'
      throw new DockerError('SLUICE_IMAGE_MISSING', `Image ${image} ${state} could not be pulled (${reasonOf(error)}).`, {
        cause: error,
        fix: policy === 'always' && local ? `Reach its registry, or use pull: 'if-missing' to run the local image.` : how,
      })
    }
    id = await inspectImage(docker, image)
    if (id === undefined) throw new DockerError('SLUICE_IMAGE_MISSING', `Image ${image} was pulled but is not present locally.`, { fix: how })
    return id
  } catch (error) {
    if (isUnreachable(error)) throw unavailable(error, connection)
    throw error
  }
}

/** The Id of an image, made present per the pull policy: what container components and backends fingerprint. */
export async function imageDigest(image: string, policy: PullPolicy, connection: DockerConnection | undefined): Promise<string> {
  return ensureImage(await connect(connection), image, policy, connection)
}

/** Splits chunks into lines; a line split across chunks arrives whole. */
function lineSplitter(onLine: (line: string) => void): { push: (chunk: Buffer | string) => void; end: () => void } {
  let partial = ''
  const emit = (line: string) => {
    const clean = line.replace(/\r$/, '')
    if (clean.trim() !== '') onLine(clean)
  }
  return {
    push: (chunk) => {
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop()!
      lines.forEach(emit)
    },
    end: () => {
      emit(partial)
      partial = ''
    },
  }
}

function containerName(prefix: string): string {
  const clean = prefix.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 100)
  return `${clean || 'sluice'}-${randomBytes(3).toString('hex')}`
}

/**
 * Runs a container to its end: image per pull policy, exec-form command (never through a shell),
 * bind mounts at the given paths, user, env, limits and network; output lines stream to `onLine`.
 * The container is removed whatever happens. Resolves with the exit code, even a non-zero one;
 * rejects on timeout (SLUICE_CONTAINER_TIMEOUT), on abort (with the signal's reason) and when the
 * engine refuses the container.
 */
export async function runContainer(run: ContainerRun): Promise<ContainerExit> {
  const { signal, subject } = run
  const docker = await connect(run.connection)
  const imageId = await ensureImage(docker, run.image, run.pull, run.connection)
  if (signal.aborted) throw abortReason(signal, subject)

  const hostConfig: Docker.HostConfig = {
    NetworkMode: run.network,
    Mounts: run.mounts.map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
    ...(run.nanoCpus === undefined ? {} : { NanoCpus: run.nanoCpus }),
    ...(run.memoryBytes === undefined ? {} : { Memory: run.memoryBytes }),
    ...(run.init ? { Init: true } : {}),
  }
  let container: Docker.Container
  try {
    container = await docker.createContainer({
      name: containerName(run.name),
      // The Id, not the tag: what runs is exactly what was fingerprinted, even if the tag moves meanwhile.
      Image: imageId,
      ...(run.entrypoint === undefined ? {} : { Entrypoint: [...run.entrypoint] }),
      Cmd: [...run.cmd],
      Env: Object.entries(run.env).map(([k, v]) => `${k}=${v}`),
      Labels: { ...run.labels, 'sluice.image': run.image },
      ...(run.user === undefined ? {} : { User: run.user }),
      ...(run.workingDir === undefined ? {} : { WorkingDir: run.workingDir }),
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      HostConfig: hostConfig,
    })
  } catch (error) {
    if (isUnreachable(error)) throw unavailable(error, run.connection)
    throw new DockerError('SLUICE_DOCKER_FAILED', `${subject}: Docker could not create a container from ${run.image} (${reasonOf(error)}).`, { cause: error })
  }

  const tail = new OutputTail()
  try {
    if (signal.aborted) throw abortReason(signal, subject)
    // Attached before the start, so no line is missed; the stream ends once the output is drained.
    const { done: logsDone } = await streamOutput(docker, container, (stream, line) => {
      tail.add(stream, line)
      run.onLine(stream, line)
    })
    try {
      await container.start()
    } catch (error) {
      if (isUnreachable(error)) throw unavailable(error, run.connection)
      throw new DockerError('SLUICE_DOCKER_FAILED', `${subject}: the container of ${run.image} did not start (${reasonOf(error)}).`, {
        cause: error,
        fix: /executable file not found|no such file or directory/.test(reasonOf(error)) ? `The command's first element must be an executable inside the image.` : undefined,
      })
    }
    const outcome = await waitForExit(container, signal, run.timeoutMs)
    if (outcome.kind !== 'exit') {
      await container.stop({ t: Math.ceil(run.stopGraceMs / 1000) }).catch(() => {})
      await settle(logsDone, LOG_DRAIN_MS)
      if (outcome.kind === 'aborted') throw abortReason(signal, subject)
      throw new DockerError(
        'SLUICE_CONTAINER_TIMEOUT',
        `${subject}: the container of ${run.image} did not finish within ${run.timeoutMs} ms and was stopped.${tailText(tail.lines())}`,
        { fix: 'Raise timeoutMs, or give it more cpus.' },
      )
    }
    await settle(logsDone, LOG_DRAIN_MS)
    const state = (await container.inspect().catch(() => undefined))?.State
    return { exitCode: outcome.exitCode, tail: tail.lines(), oomKilled: state?.OOMKilled === true, imageId }
  } finally {
    await container.remove({ force: true, v: true }).catch((error: unknown) => {
      // 404: gone already; 409: removal already in progress.
      if (statusOf(error) !== 404 && statusOf(error) !== 409) run.onLine('stderr', `could not remove container ${container.id}: ${reasonOf(error)}`)
    })
  }
}

/**
 * The last lines of a container's output. Docker copies stdout and stderr separately, so their
 * order is only roughly kept: the last stderr lines, where the error usually is, are always kept
 * next to the last lines of both.
 */
export class OutputTail {
  #seq = 0
  readonly #all: { seq: number; line: string }[] = []
  readonly #stderr: { seq: number; line: string }[] = []
  add(stream: 'stdout' | 'stderr', line: string): void {
    const entry = { seq: this.#seq++, line }
    push(this.#all, entry, LOG_TAIL_LINES)
    if (stream === 'stderr') push(this.#stderr, entry, STDERR_TAIL_LINES)
  }
  lines(): string[] {
    const merged = new Map([...this.#stderr, ...this.#all].map((e) => [e.seq, e.line]))
    return [...merged.entries()].sort(([a], [b]) => a - b).map(([, line]) => line)
  }
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item)
  if (list.length > max) list.shift()
}

/** ` Last output:` and the lines, or nothing. */
export function tailText(tail: readonly string[]): string {
  return tail.length > 0 ? ` Last output:\n${tail.join('\n')}` : ''
}

function abortReason(signal: AbortSignal, subject: string): Error {
  return signal.reason instanceof Error ? signal.reason : new DockerError('SLUICE_DOCKER_FAILED', `${subject} was cancelled.`)
}

type Outcome = { kind: 'exit'; exitCode: number } | { kind: 'aborted' } | { kind: 'timeout' }

async function waitForExit(container: Docker.Container, signal: AbortSignal, timeoutMs: number | undefined): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race<Outcome>([
      container.wait().then((r: { StatusCode?: number }) => ({ kind: 'exit', exitCode: r.StatusCode ?? -1 })),
      new Promise<Outcome>((resolve) => {
        onAbort = () => resolve({ kind: 'aborted' })
        if (signal.aborted) onAbort()
        else signal.addEventListener('abort', onAbort, { once: true })
      }),
      new Promise<Outcome>((resolve) => {
        if (timeoutMs !== undefined) timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs)
      }),
    ])
  } finally {
    clearTimeout(timer)
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}

/**
 * Attaches to the container's stdout and stderr and hands over their lines. `done` resolves when
 * the output stream ends (the container exited and its output is drained).
 */
async function streamOutput(docker: Docker, container: Docker.Container, onLine: (stream: 'stdout' | 'stderr', line: string) => void): Promise<{ done: Promise<void> }> {
  // hijack: the engine answers an attach only once the connection is upgraded.
  const stream = (await withTimeout(container.attach({ stream: true, stdout: true, stderr: true, hijack: true }), ATTACH_TIMEOUT_MS, 'attaching to the container')) as NodeJS.ReadableStream
  const out = lineSplitter((line) => onLine('stdout', line))
  const err = lineSplitter((line) => onLine('stderr', line))
  // Plain synchronous writers, not PassThrough streams: every line is handled by the time the
  // log stream ends, so the tail of a failed container is complete.
  const writer = (split: { push: (chunk: Buffer) => void }) => ({ write: (chunk: Buffer) => (split.push(chunk), true) }) as unknown as NodeJS.WritableStream
  docker.modem.demuxStream(stream, writer(out), writer(err))
  const done = new Promise<void>((resolve) => {
    const finish = () => {
      out.end()
      err.end()
      resolve()
    }
    stream.once('end', finish)
    stream.once('close', finish)
    stream.once('error', finish)
  })
  // An async function would wait for a returned promise: wrap it.
  return { done }
}

/** `work`, or a rejection after `ms`. */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DockerError('SLUICE_DOCKER_FAILED', `The Docker engine did not answer within ${ms} ms when ${what}.`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Waits for `work`, at most `ms`; never rejects. */
async function settle(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}
