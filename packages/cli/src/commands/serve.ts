// `sluice serve`: the model server of @sluice/serving, an optional peer loaded only by this command
// (it brings tfjs and onnxruntime). The flags are the server's own, parsed by the same code as the
// `sluice-model-server` bin, so both accept exactly the same command lines.
import type { CommandContext } from '../command-context.js'
import { CliError, formatError } from '../errors.js'
import { ExitCode } from '../exit-codes.js'

/**
 * What `sluice serve` uses of @sluice/serving, written out rather than imported so the CLI's types do
 * not need the optional package.
 */
export interface ServingModule {
  runModelServerCli(
    argv: readonly string[],
    io: {
      readonly stdout: { write(text: string): unknown }
      readonly stderr: { write(text: string): unknown }
      readonly cwd: string
      onShutdownSignal(handler: (signal: string) => void): () => void
    },
    options?: { readonly program?: string },
  ): Promise<number>
}

/** Imports @sluice/serving, or undefined when it is not installed. */
export async function importServing(): Promise<ServingModule | undefined> {
  try {
    return await import('@sluice/serving')
  } catch (error) {
    const code = (error as { code?: string }).code
    const message = String((error as Error).message)
    // Only the package itself missing means "not installed"; a missing dependency of it is a real error.
    if ((code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to load url/i.test(message)) && message.includes('@sluice/serving')) return undefined
    throw error
  }
}

/**
 * `sluice serve [flags]`: runs the model server until SIGTERM or Ctrl-C, then shuts down gracefully
 * (exit 0). Bad flags exit 2; a server that cannot start exits 1; without @sluice/serving it says
 * which `npm i` fixes it.
 */
export async function serveCommand(argv: readonly string[], ctx: CommandContext, load: () => Promise<ServingModule | undefined> = importServing): Promise<number> {
  const { io } = ctx
  // --verbose is sluice's own flag (main reads it for errors), not the server's.
  const verbose = argv.includes('--verbose')
  const flags = argv.filter((a) => a !== '--verbose')
  let serving: ServingModule | undefined
  try {
    serving = await load()
  } catch (cause) {
    io.stderr.write(formatError(new CliError('SLUICE_CLI_PACKAGE_MISSING', `@sluice/serving failed to load: ${(cause as Error).message}`, { cause }), { verbose, colors: ctx.errorColors }))
    return ExitCode.Failed
  }
  if (!serving) {
    const error = new CliError('SLUICE_CLI_PACKAGE_MISSING', '`sluice serve` needs the model server, @sluice/serving, which is not installed.', { fix: 'Install it: npm i @sluice/serving' })
    io.stderr.write(formatError(error, { verbose, colors: ctx.errorColors }))
    return ExitCode.Failed
  }
  return serving.runModelServerCli(
    flags,
    {
      stdout: io.stdout,
      stderr: io.stderr,
      cwd: io.cwd,
      onShutdownSignal(handler) {
        const offInterrupt = io.onInterrupt(() => handler('SIGINT'))
        const onTerm = () => handler('SIGTERM')
        process.on('SIGTERM', onTerm)
        return () => {
          offInterrupt()
          process.off('SIGTERM', onTerm)
        }
      },
    },
    { program: 'sluice serve' },
  )
}
