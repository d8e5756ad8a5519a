import pc from 'picocolors'

/** picocolors' formatters (bold, red, dim, …). */
export type Colors = ReturnType<typeof pc.createColors>

/** A stream the CLI writes to; a subset of `NodeJS.WriteStream` so tests can pass a string buffer. */
export interface OutputStream {
  write(text: string): unknown
  readonly isTTY?: boolean
  /** Terminal width, when a TTY. */
  readonly columns?: number
  /** Terminal height, when a TTY. */
  readonly rows?: number
}

/**
 * Everything the CLI touches outside itself. `main` takes it so that commands run in-process in
 * tests with captured output, a fake clock and a fake Ctrl-C.
 */
export interface CliIo {
  readonly stdout: OutputStream
  readonly stderr: OutputStream
  readonly env: Readonly<Record<string, string | undefined>>
  /** Directory relative paths (pipeline files, --metadata, the default store) resolve against. */
  readonly cwd: string
  /** Milliseconds since epoch; the live display's elapsed times read it. */
  now(): number
  /** Calls `handler` on every SIGINT until the returned function is called. */
  onInterrupt(handler: () => void): () => void
  /** Ends the process at once; only the second Ctrl-C uses it. */
  exitNow(code: number): never
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
    onInterrupt(handler) {
      process.on('SIGINT', handler)
      return () => void process.off('SIGINT', handler)
    },
    exitNow: (code) => process.exit(code),
  }
}

/**
 * Whether to write ANSI colors to `stream`: never when NO_COLOR is set or the stream is not a
 * terminal (picocolors' own check also turns colors on under CI, which would put escape codes
 * into logs), unless FORCE_COLOR asks for them.
 */
export function colorEnabled(stream: OutputStream, env: CliIo['env']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  return stream.isTTY === true && env.TERM !== 'dumb'
}

/** picocolors' formatters, switched on or off for one stream. */
export function colorsFor(stream: OutputStream, env: CliIo['env']): Colors {
  return pc.createColors(colorEnabled(stream, env))
}
