import { colorsFor, type CliIo, type Colors } from './cli-io.js'

/** What every command action receives besides its own arguments. */
export interface CommandContext {
  readonly io: CliIo
  /** Colors for stdout (tables, summaries). */
  readonly colors: Colors
  /** Colors for stderr (errors, warnings). */
  readonly errorColors: Colors
}

/** Options every command takes. */
export interface OutputOptions {
  /** Print machine-readable JSON on stdout and nothing else. */
  readonly json?: boolean
  /** Print stacks with errors, and node logs during runs. */
  readonly verbose?: boolean
}

/** The context for `io`. */
export function commandContext(io: CliIo): CommandContext {
  return { io, colors: colorsFor(io.stdout, io.env), errorColors: colorsFor(io.stderr, io.env) }
}

/** Writes `value` as indented JSON on stdout, the one thing `--json` prints. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}
