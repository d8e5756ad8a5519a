// The Sluice model server in a Docker container of the runner image, as a production deployment runs
// it: no network at all, the model bind-mounted read-only, and the REST API on a unix socket in a
// bind-mounted directory, so the host reaches it through the socket file and nothing else can.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { RegistryError } from '@sluice/core'
import type { Endpoint, RunningServer, ServerExit, ServerLauncher } from './server.js'
import { ServerLog, parseStartLine } from './server.js'

/** Where the runner images (containers/runner) hold the workspace, and so the server's bin. */
export const DEFAULT_SERVER_COMMAND: readonly string[] = ['node', '/opt/sluice/packages/serving/bin/sluice-model-server.js']
/** Where model base paths are mounted inside the container: `/models/{name}`, TF Serving's convention. */
const CONTAINER_MODELS = '/models'
/** Where the socket directory is mounted inside the container. */
const CONTAINER_SOCKET_DIR = '/run/sluice-serving'
const SOCKET_NAME = 'server.sock'
const STOP_GRACE_MS = 5_000

/** What the `docker` serving spec says, validated. */
export interface DockerServingOptions {
  readonly image: string
  readonly pullPolicy: 'never' | 'if-missing' | 'always'
  readonly memory?: number | string
  readonly cpus?: number | string
  readonly command?: readonly string[]
  /** Labels put on the container, to find it (`sluice.node`, `sluice.run`…). */
  readonly labels?: Readonly<Record<string, string>>
}

type DockerPlugin = typeof import('@sluice/plugin-docker') & typeof import('@sluice/plugin-docker/engine')

/** @sluice/plugin-docker, an optional peer dependency: a {@link RegistryError} naming it when it is not installed. */
async function loadPlugin(): Promise<DockerPlugin> {
  try {
    const [plugin, engine] = await Promise.all([import('@sluice/plugin-docker'), import('@sluice/plugin-docker/engine')])
    return { ...plugin, ...engine }
  } catch (cause) {
    const code = (cause as { code?: unknown })?.code
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause
    throw new RegistryError('InfraValidator: servingSpec.docker needs @sluice/plugin-docker, which is not installed.', {
      packageName: '@sluice/plugin-docker',
      cause,
      fix: 'Install it (npm i @sluice/plugin-docker), or serve in a child process (servingSpec: { sluiceServer: {} }).',
    })
  }
}

/**
 * Starts the model server in a container through @sluice/plugin-docker's engine: the image is made
 * present per the pull policy first (an unreachable engine or a missing image fails the node with the
 * plugin's errors), then the container runs until stop() aborts it; the plugin stops and removes it.
 */
export async function dockerLauncher(options: DockerServingOptions): Promise<ServerLauncher> {
  const plugin = await loadPlugin()
  const nanoCpus = options.cpus === undefined ? undefined : plugin.parseCpus(options.cpus, 'InfraValidator: servingSpec.docker.cpus')
  const memoryBytes = options.memory === undefined ? undefined : plugin.parseMemory(options.memory, 'InfraValidator: servingSpec.docker.memory')
  const command = options.command ?? DEFAULT_SERVER_COMMAND
  await plugin.ensureImage(await plugin.connectToDocker(undefined), options.image, options.pullPolicy)
  const user = typeof process.getuid === 'function' && typeof process.getgid === 'function' ? `${process.getuid()}:${process.getgid()}` : undefined

  return {
    description: `a container of ${options.image}`,
    explain(log) {
      // An image built before @sluice/serving existed, or a custom image without it.
      const missing = log.some((line) => /Cannot find module .*(serving|sluice-model-server)/.test(line))
      return missing
        ? `The image ${options.image} does not hold the model server: rebuild it (bash containers/runner/build-local-image.sh, or the runner Dockerfile), or set servingSpec.docker.command to the server inside it.`
        : undefined
    },
    async start({ modelName, modelBasePath, signal, onLine }) {
      // A short host path: a unix socket path must fit in 108 bytes, and the node's temp dir may not.
      const socketDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-iv-')))
      const socketPath = path.join(socketDir, SOCKET_NAME)
      const log = new ServerLog()
      let announce: (endpoint: Endpoint) => void = () => {}
      const listening = new Promise<Endpoint>((resolve) => (announce = resolve))
      const running = new AbortController()
      const cancel = () => running.abort(signal.reason)
      signal.addEventListener('abort', cancel, { once: true })
      const run = plugin.runContainer({
        subject: 'InfraValidator',
        image: options.image,
        pull: options.pullPolicy,
        entrypoint: command,
        cmd: ['--model-name', modelName, '--model-base-path', `${CONTAINER_MODELS}/${modelName}`, '--rest-api-socket', `${CONTAINER_SOCKET_DIR}/${SOCKET_NAME}`],
        env: {},
        mounts: [
          { source: fs.realpathSync(modelBasePath), target: `${CONTAINER_MODELS}/${modelName}`, readOnly: true },
          { source: socketDir, target: CONTAINER_SOCKET_DIR, readOnly: false },
        ],
        labels: { ...options.labels, 'sluice.component': 'InfraValidator' },
        name: 'sluice-infra-validator',
        network: 'none',
        ...(user === undefined ? {} : { user }),
        // Docker's init as PID 1 forwards SIGTERM to the server and reaps what it leaves.
        init: true,
        ...(nanoCpus === undefined ? {} : { nanoCpus }),
        ...(memoryBytes === undefined ? {} : { memoryBytes }),
        stopGraceMs: STOP_GRACE_MS,
        signal: running.signal,
        onLine: (_stream, line) => {
          log.add(line)
          onLine(line)
          // The server names its in-container socket; the host reaches the same file through the mount.
          if (parseStartLine(line)?.kind === 'unix') announce({ kind: 'unix', socketPath })
        },
      })
      const exited: Promise<ServerExit> = run.then(
        (exit) => ({ code: exit.exitCode, signal: null }),
        (error: unknown) => (running.signal.aborted ? { code: null, signal: 'SIGTERM' } : { code: null, signal: null, error: error instanceof Error ? error : new Error(String(error)) }),
      )
      let stopping: Promise<void> | undefined
      const stop = () => {
        stopping ??= (async () => {
          running.abort(new Error('InfraValidator: the model server is no longer needed'))
          await exited
          signal.removeEventListener('abort', cancel)
          fs.rmSync(socketDir, { recursive: true, force: true })
        })()
        return stopping
      }
      const server: RunningServer = { label: `the model server (a container of ${options.image})`, listening, exited, log, stop }
      return server
    },
  }
}
