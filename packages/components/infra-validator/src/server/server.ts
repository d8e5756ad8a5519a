// What the executor needs of a model server, wherever it runs: where it listens once started, when
// it exits, its output, and a way to stop it.

/** Where a started server answers HTTP. */
export type Endpoint =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly socketPath: string }

/** How a server process or container ended. */
export interface ServerExit {
  /** The exit code, when it exited on its own. */
  readonly code: number | null
  /** The signal that killed it, when one did. */
  readonly signal: string | null
  /** Why it could not run at all (spawn failure, engine error). */
  readonly error?: Error
}

/** A model server that has been started. */
export interface RunningServer {
  /** Names it in messages: `the model server (child process 1234)`. */
  readonly label: string
  /** The child's pid, for a child process server. */
  readonly pid?: number
  /** Resolves once the server printed its start line, with where it listens; never rejects. */
  readonly listening: Promise<Endpoint>
  /** Resolves when it has ended, for whatever reason; never rejects. */
  readonly exited: Promise<ServerExit>
  /** The last lines of its output (stdout and stderr, in arrival order). */
  readonly log: ServerLog
  /** Stops it (SIGTERM, then SIGKILL after a grace) and releases what it used; safe to call twice; never rejects. */
  stop(): Promise<void>
}

/** What starts a server for one try. */
export interface ServerLauncher {
  /** How the server runs, for messages: `a child process`, `a container of sluice-runner:local`. */
  readonly description: string
  /** Starts a server on the model base path (the directory of versions, holding `1/`). Rejects only on an environment error. */
  start(options: { readonly modelName: string; readonly modelBasePath: string; readonly signal: AbortSignal; readonly onLine: (line: string) => void }): Promise<RunningServer>
  /** A fix to add to a failed try's reason, when the server's output shows a known setup problem. */
  explain?(log: readonly string[]): string | undefined
}

/** One stdout line of the server says where it listens: `Serving models a,b at http://127.0.0.1:8501` or `… at unix:/path`. */
const START_LINE = /^Serving models? .* at (\S+)\s*$/

/** The endpoint of the server's start line, or undefined for any other line. */
export function parseStartLine(line: string): Endpoint | undefined {
  const at = START_LINE.exec(line.trim())?.[1]
  if (at === undefined) return undefined
  if (at.startsWith('unix:')) return { kind: 'unix', socketPath: at.slice('unix:'.length) }
  try {
    const url = new URL(at)
    if (url.protocol !== 'http:' || url.port === '') return undefined
    // A server bound to every interface is reached on loopback.
    const host = url.hostname === '0.0.0.0' || url.hostname === '[::]' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '')
    return { kind: 'tcp', host, port: Number(url.port) }
  } catch {
    return undefined
  }
}

const MAX_LINES = 400
const MAX_LINE_LENGTH = 4_000

/** The last {@link MAX_LINES} lines a server printed, each cut at {@link MAX_LINE_LENGTH} characters. */
export class ServerLog {
  readonly #lines: string[] = []
  #dropped = 0
  add(line: string): void {
    this.#lines.push(line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}… (${line.length - MAX_LINE_LENGTH} more characters)` : line)
    if (this.#lines.length > MAX_LINES) {
      this.#lines.shift()
      this.#dropped++
    }
  }
  /** The kept lines, preceded by a note of how many earlier ones were dropped. */
  lines(): string[] {
    return this.#dropped > 0 ? [`… ${this.#dropped} earlier line(s) dropped`, ...this.#lines] : [...this.#lines]
  }
  /** The last `n` lines. */
  tail(n: number): string[] {
    return this.#lines.slice(-n)
  }
}

/** Resolves after `ms`, or at once when the promise settles first; never rejects. */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work.catch(() => undefined), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))])
  } finally {
    clearTimeout(timer)
  }
}
