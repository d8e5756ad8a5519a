import { DockerError } from './errors.js'

/**
 * When the image is pulled from its registry. `if-missing` (the default) pulls only when the image is
 * not present locally; `never` uses the local image or fails; `always` pulls before every run (TFX
 * and Kubernetes call these IfNotPresent, Never and Always).
 */
export type PullPolicy = 'never' | 'if-missing' | 'always'

/**
 * Where the Docker engine listens. A string is read like `DOCKER_HOST` (`unix:///var/run/docker.sock`,
 * `tcp://127.0.0.1:2375`, `https://host:2376`); an object names a socket or a host. Unset: the
 * `DOCKER_HOST` environment variable, else `/var/run/docker.sock`.
 */
export type DockerConnection =
  | string
  | { readonly socketPath: string }
  | {
      readonly host: string
      readonly port?: number
      readonly protocol?: 'http' | 'https'
      /** PEM text of the CA, client certificate and key for `https`. */
      readonly ca?: string
      readonly cert?: string
      readonly key?: string
    }

/** A host path the container sees too. */
export interface ExtraMount {
  /** Absolute host path. */
  readonly source: string
  /** Absolute path inside the container. @default source */
  readonly target?: string
  /** @default true */
  readonly readOnly?: boolean
}

/** How a container runs: what both container components and {@link dockerBackend} accept. */
export interface ContainerRunOptions {
  /** When to pull the image. @default 'if-missing' */
  readonly pull?: PullPolicy
  /**
   * `user[:group]` the container runs as (a name or a number). Set `null` to keep the image's own
   * user. @default `${process.getuid()}:${process.getgid()}`, so files written into outputs belong
   * to you
   */
  readonly user?: string | null
  /** CPU limit, in CPUs: `1.5` or `'1.5'` (Docker's `--cpus`). */
  readonly cpus?: number | string
  /** Memory limit: bytes, or `'512m'`, `'2g'`, `'1.5GiB'` (Docker's `--memory`, powers of 1024). */
  readonly memory?: number | string
  /** Stops the container and fails the node after this long. */
  readonly timeoutMs?: number
  /** Docker network mode. @default 'none': no network at all */
  readonly network?: string
  /** Run Docker's init process as PID 1 so signals reach the command and zombies are reaped. @default false */
  readonly init?: boolean
  /** How long a stopped container (cancel, timeout) gets after SIGTERM before SIGKILL. @default 5000 */
  readonly stopGraceMs?: number
  /** More host paths to mount (read-only unless said otherwise). */
  readonly extraMounts?: readonly ExtraMount[]
  /** Working directory inside the container. @default the image's */
  readonly workingDir?: string
  /** Where the Docker engine listens. @default `DOCKER_HOST`, else /var/run/docker.sock */
  readonly docker?: DockerConnection
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }

/**
 * Parses a memory size the way Docker's `--memory` does: a number of bytes, or digits with a unit
 * `b`, `k`, `m`, `g`, `t`, `p` (powers of 1024; `kb`, `MiB`, `GB` read the same).
 *
 * @example parseMemory('512m') // 536870912
 */
export function parseMemory(value: number | string, subject = 'memory'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([bkmgtp]?)(?:i?b)?\s*$/i.exec(value)
    if (match) {
      const bytes = Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!)
      if (bytes > 0 && Number.isSafeInteger(bytes)) return bytes
    }
  }
  throw new DockerError('SLUICE_CONTAINER_INVALID', `${subject} ${JSON.stringify(value)} is not a memory size.`, {
    fix: "Give bytes (536870912) or a size with a unit: '512m', '2g', '1.5GiB'.",
  })
}

/**
 * Parses a CPU limit (Docker's `--cpus`) into the engine's NanoCpus.
 *
 * @example parseCpus('1.5') // 1500000000
 */
export function parseCpus(value: number | string, subject = 'cpus'): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN
  const nano = Math.round(n * 1e9)
  if (Number.isFinite(n) && nano >= 1e6) return nano
  throw new DockerError('SLUICE_CONTAINER_INVALID', `${subject} ${JSON.stringify(value)} is not a CPU count.`, {
    fix: 'Give a positive number of CPUs, e.g. 1, 0.5 or "1.5".',
  })
}

/** Checks run options once, when a component or backend is defined, so mistakes fail early. */
export function checkRunOptions(options: ContainerRunOptions, subject: string): void {
  if (options.pull !== undefined && !['never', 'if-missing', 'always'].includes(options.pull)) {
    throw new DockerError('SLUICE_CONTAINER_INVALID', `${subject}: pull ${JSON.stringify(options.pull)} is not a pull policy.`, {
      fix: "Use 'never', 'if-missing' or 'always'.",
    })
  }
  if (options.cpus !== undefined) parseCpus(options.cpus, `${subject}: cpus`)
  if (options.memory !== undefined) parseMemory(options.memory, `${subject}: memory`)
  for (const [name, value] of [
    ['timeoutMs', options.timeoutMs],
    ['stopGraceMs', options.stopGraceMs],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
      throw new DockerError('SLUICE_CONTAINER_INVALID', `${subject}: ${name} ${JSON.stringify(value)} must be a number of milliseconds.`)
    }
  }
  if (options.user !== undefined && options.user !== null && (typeof options.user !== 'string' || options.user === '')) {
    throw new DockerError('SLUICE_CONTAINER_INVALID', `${subject}: user ${JSON.stringify(options.user)} must be "user[:group]" or null.`)
  }
  for (const mount of options.extraMounts ?? []) {
    if (typeof mount?.source !== 'string' || !mount.source.startsWith('/') || (mount.target !== undefined && !mount.target.startsWith('/'))) {
      throw new DockerError('SLUICE_CONTAINER_INVALID', `${subject}: extra mount ${JSON.stringify(mount)} needs absolute source and target paths.`)
    }
  }
}

/** The user a container runs as: the option, else the calling user's uid:gid where the platform has them. */
export function containerUser(user: string | null | undefined): string | undefined {
  if (user === null) return undefined
  if (user !== undefined) return user
  return typeof process.getuid === 'function' && typeof process.getgid === 'function' ? `${process.getuid()}:${process.getgid()}` : undefined
}

/** How an error message names the engine address. */
export function describeConnection(connection: DockerConnection | undefined): string {
  if (connection === undefined) return process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'unix:///var/run/docker.sock'
  if (typeof connection === 'string') return connection
  if ('socketPath' in connection) return `unix://${connection.socketPath}`
  return `${connection.protocol ?? 'http'}://${connection.host}${connection.port === undefined ? '' : `:${connection.port}`}`
}

/** Options for dockerode's constructor; undefined lets it read `DOCKER_HOST` itself. */
export function dockerodeOptions(connection: DockerConnection | undefined): Record<string, unknown> | undefined {
  if (connection === undefined) return undefined
  if (typeof connection !== 'string') return { ...connection }
  if (connection.startsWith('unix://')) return { socketPath: connection.slice('unix://'.length) || '/var/run/docker.sock' }
  if (connection.startsWith('/')) return { socketPath: connection }
  let url: URL
  try {
    url = new URL(connection.includes('//') ? connection : `tcp://${connection}`)
  } catch (cause) {
    throw new DockerError('SLUICE_CONTAINER_INVALID', `Docker address ${JSON.stringify(connection)} is not a URL.`, {
      cause,
      fix: 'Use unix:///var/run/docker.sock, tcp://host:2375 or https://host:2376.',
    })
  }
  const https = url.protocol === 'https:' || url.port === '2376' || process.env.DOCKER_TLS_VERIFY === '1'
  return { host: url.hostname, port: url.port ? Number(url.port) : https ? 2376 : 2375, protocol: https ? 'https' : 'http' }
}

const DEFAULT_STOP_GRACE_MS = 5_000

/**
 * The resource and lifecycle settings of one container run, from the options: no network unless
 * asked, CPU and memory limits, init, timeout, stop grace, and the engine to use.
 */
export function containerRunSettings(options: ContainerRunOptions): {
  network: string
  nanoCpus?: number
  memoryBytes?: number
  init?: boolean
  timeoutMs?: number
  stopGraceMs: number
  connection?: NonNullable<ContainerRunOptions['docker']>
} {
  return {
    network: options.network ?? 'none',
    ...(options.cpus === undefined ? {} : { nanoCpus: parseCpus(options.cpus) }),
    ...(options.memory === undefined ? {} : { memoryBytes: parseMemory(options.memory) }),
    ...(options.init === undefined ? {} : { init: options.init }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    stopGraceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    ...(options.docker === undefined ? {} : { connection: options.docker }),
  }
}
