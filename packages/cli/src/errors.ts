import { SluiceError, type SluiceErrorOptions } from '@sluice/core'
import type { Colors } from './cli-io.js'

/** Codes of the errors the CLI itself raises. */
export type CliErrorCode =
  | 'SLUICE_CLI_FILE_NOT_FOUND'
  | 'SLUICE_CLI_UNSUPPORTED_FILE'
  | 'SLUICE_CLI_NOT_A_PIPELINE'
  | 'SLUICE_CLI_PIPELINE_LOAD_FAILED'
  | 'SLUICE_CLI_STORE_NOT_FOUND'
  | 'SLUICE_CLI_STORE_AMBIGUOUS'
  | 'SLUICE_CLI_RUN_NOT_FOUND'
  | 'SLUICE_CLI_RUN_AMBIGUOUS'
  | 'SLUICE_CLI_ARTIFACT_NOT_FOUND'
  | 'SLUICE_CLI_RUN_FAILED'
  | 'SLUICE_CLI_CONFIG_INVALID'
  | 'SLUICE_CLI_PLUGIN_LOAD_FAILED'
  /** An optional package a command needs (e.g. @sluice/serving for `sluice serve`) is not installed. */
  | 'SLUICE_CLI_PACKAGE_MISSING'

/** An error the CLI raises about its own input: a file, a store, a run id. */
export class CliError extends SluiceError {
  override name = 'CliError'
  constructor(code: CliErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}

/**
 * The error as the CLI prints it: one red `error:` line naming the code, and with `verbose` the
 * stack and every cause below it. Without `verbose` users get no stack, so a failing pipeline
 * reads like a message rather than a crash.
 */
export function formatError(error: unknown, options: { verbose: boolean; colors: Colors }): string {
  const { colors } = options
  const line = formatErrorLine(messageOf(error), errorCode(error), colors)
  if (!options.verbose) return `${line}\n`
  const details: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (depth > 0) details.push(`caused by: ${oneLine(messageOf(current))}${errorCode(current) ? ` [${errorCode(current)}]` : ''}`)
    const stack = current instanceof Error ? current.stack : undefined
    // A stack starts with "Name: message", which the line above already says.
    if (stack) details.push(...stack.split('\n').filter((l) => /^\s+at /.test(l)))
    current = current instanceof Error ? current.cause : undefined
  }
  return `${line}\n${details.map((d) => colors.dim(d)).join('\n')}\n`
}

/** `error: <message> [<code>]` on one line, in red. */
export function formatErrorLine(message: string, code: string | undefined, colors: Colors): string {
  return `${colors.red(colors.bold('error:'))} ${colors.red(oneLine(message))}${code ? ` ${colors.dim(`[${code}]`)}` : ''}`
}

/** `warning: <message>` on one line, in yellow: for problems that do not stop the command. */
export function formatWarningLine(message: string, colors: Colors): string {
  return `${colors.yellow(colors.bold('warning:'))} ${colors.yellow(oneLine(message))}`
}

/** A `SLUICE_*` style code carried by the error (SluiceError, MetadataError or any error with a string code). */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' && code !== '' ? code : undefined
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}

/** A message on one line; multi-line ones (esbuild's "Transform failed with 1 error:\n<file>:3:5: …") stay readable joined. */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ')
}
