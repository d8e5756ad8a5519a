import { createRequire } from 'node:module'
import type { Registry } from '@sluice/core'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { processIo, type CliIo } from './cli-io.js'
import { commandContext, type CommandContext } from './command-context.js'
import { artifactsCommand } from './commands/artifacts.js'
import { showCommand } from './commands/show.js'
import { componentsCommand } from './commands/components.js'
import { DEFAULT_LINEAGE_DEPTH, lineageCommand } from './commands/lineage.js'
import { pipelineFileOfRun, runPipelineCommand, type PipelineRunner } from './commands/run.js'
import { runShowCommand } from './commands/run-show.js'
import { runsCommand } from './commands/runs.js'
import { serveCommand, type ServingModule } from './commands/serve.js'
import { formatError } from './errors.js'
import { ExitCode } from './exit-codes.js'

/** Substitutes for tests; the real runner otherwise. */
export interface MainOverrides {
  readonly runner?: PipelineRunner
  /** Where plugins are registered and components looked up; the process-wide registry otherwise. */
  readonly registry?: Registry
  /** Loads @sluice/serving for `sluice serve`; resolving undefined means it is not installed. */
  readonly loadServing?: () => Promise<ServingModule | undefined>
}

/**
 * Runs the `sluice` command with `argv` (without `node` and the script) and resolves to the exit
 * code; never calls `process.exit` itself except on a second Ctrl-C.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2))
 */
export async function main(argv: readonly string[], io: CliIo = processIo(), overrides: MainOverrides = {}): Promise<number> {
  const ctx = commandContext(io)
  let exitCode: number = ExitCode.Ok
  // Known before parsing, so even an error from parsing or loading honours it.
  let verbose = argv.includes('--verbose')
  const program = buildProgram(ctx, overrides, (code) => (exitCode = code), (v) => (verbose ||= v))
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage
    io.stderr.write(formatError(error, { verbose, colors: ctx.errorColors }))
    return ExitCode.Failed
  }
}

function buildProgram(ctx: CommandContext, overrides: MainOverrides, setExit: (code: number) => void, setVerbose: (v: boolean) => void): Command {
  const { io } = ctx
  const program = new Command('sluice')
    .description('Run Sluice pipelines locally and inspect their runs, artifacts and lineage.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(ctx.errorColors.red(text)),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
    })
    .showSuggestionAfterError()
    .helpCommand(false)
    .addHelpText(
      'after',
      `
Examples:
  sluice run pipeline.ts                 run it; unchanged nodes come from the cache
  sluice run pipeline.ts --resume <run>  finish a failed or cancelled run
  sluice runs                            list runs of the pipeline under ./.sluice
  sluice run show <runId>                what a run did and where its artifacts are
  sluice artifacts --type Model --json   artifacts for scripts
  sluice lineage 12                      where artifact 12 came from and what used it
  sluice show 7                          one artifact, with its statistics or anomalies report
  sluice components                      what the installed plugins provide
  sluice serve --model-name taxi --model-base-path ./serving/taxi --port 8501
                                         serve a model over TF Serving's REST API

Exit codes: 0 ok, 1 run failed or error, 2 usage error, 130 cancelled (Ctrl-C).`,
    )
  program.hook('preAction', (_program, action) => setVerbose(action.optsWithGlobals().verbose === true))

  const run = program
    .command('run')
    .description('run a pipeline file (.ts, .js or .json) on the local runner; `run show <runId>` describes a recorded run')
    .usage('[options] <pipeline>\n       sluice run show [options] <runId>')
    .argument('[pipeline]', 'pipeline file: TypeScript or JavaScript with the Pipeline as default export, or a JSON spec (optional with --resume)')
    .option('--no-cache', 'execute every node even when an identical earlier execution exists')
    .option('--resume <runId>', 'finish an earlier FAILED or CANCELED run, reusing the nodes it completed; without a file, the run\'s own pipeline file')
    .option('--metadata <path>', 'with --resume and no file: the metadata store holding the run')
    .option('--parallelism <n>', 'how many nodes may run at once (default: the number of CPUs)', positiveInteger)
    .option('--json', 'print only the RunResult as JSON')
    .option('--verbose', 'print node logs, and stacks with errors')
    .helpCommand(false)
    // `run show` is a sub-command of `run`; without positional options `run` would eat `--json` meant for `show`.
    .enablePositionalOptions()
    .action(async (file: string | undefined, options: { cache: boolean; resume?: string; metadata?: string; parallelism?: number; json?: boolean; verbose?: boolean }) => {
      const pipelineFile = file ?? (options.resume === undefined ? undefined : await pipelineFileOfRun(options.resume, options, ctx.io.cwd))
      // A usage error (exit 2), like any other missing argument.
      if (pipelineFile === undefined) return run.error("error: missing required argument 'pipeline' (or pass --resume <runId> to finish a recorded run)", { exitCode: 2, code: 'commander.missingArgument' })
      setExit(await runPipelineCommand(pipelineFile, options, ctx, overrides.runner, overrides.registry))
    })

  addStoreOptions(
    run
      .command('show')
      .description('describe a recorded run: its nodes, their outcome and the artifacts they wrote')
      .argument('<runId>', 'run id, or a unique prefix of one'),
  ).action(async (runId: string, _options: unknown, command: Command) => {
    setExit(await runShowCommand(runId, command.optsWithGlobals(), ctx))
  })

  addStoreOptions(program.command('runs').description('list recorded runs, newest first'))
    .option('--limit <n>', 'show the n most recent runs; 0 for all', nonNegativeInteger, 20)
    .action(async (options) => setExit(await runsCommand(options, ctx)))

  addStoreOptions(program.command('artifacts').description('list artifacts in the metadata store, newest first'))
    .option('--type <type>', 'only artifacts of this type (Examples, Model, …)')
    .option('--run <runId>', 'only artifacts of this run (id or unique prefix)')
    .option('--limit <n>', 'show the n most recent artifacts; 0 for all', nonNegativeInteger, 50)
    .action(async (options) => setExit(await artifactsCommand(options, ctx)))

  addStoreOptions(
    program
      .command('show')
      .description('show one artifact: its properties, and the statistics summary or anomalies table of data artifacts')
      .argument('<artifactId>', 'artifact id (the ID column of `sluice artifacts`)'),
  ).action(async (artifactId: string, options) => setExit(await showCommand(artifactId, options, ctx)))

  addStoreOptions(
    program
      .command('lineage')
      .description('show where an artifact came from and what was made from it, as a tree')
      .argument('<artifactId>', 'artifact id (the ID column of `sluice artifacts`)'),
  )
    .addOption(new Option('--direction <direction>', 'which way to walk').choices(['upstream', 'downstream', 'both']).default('both'))
    .option('--depth <n>', 'how many executions away from the artifact to go', positiveInteger, DEFAULT_LINEAGE_DEPTH)
    .action(async (artifactId: string, options) => setExit(await lineageCommand(artifactId, options, ctx)))

  program
    .command('components')
    .description('list the components of the installed plugins: inputs, outputs and parameters')
    .option('--json', 'print JSON for scripts')
    .option('--verbose', 'print stacks with errors')
    .action(async (options: { json?: boolean; verbose?: boolean }) => setExit(await componentsCommand(options, ctx, overrides.registry)))

  program
    .command('serve')
    .description("serve models over TensorFlow Serving's REST API (needs @sluice/serving); `sluice serve --help` lists its flags")
    .usage('--model-base-path <dir> [--model-name <name>] [--port <n>] [flags]')
    .argument('[flags...]', "the model server's flags (as sluice-model-server)")
    // The flags belong to the server's own parser (shared with sluice-model-server), help included.
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_flags: string[], _options: unknown, command: Command) => setExit(await serveCommand(command.args, ctx, overrides.loadServing)))

  return program
}

/** Adds the options every read command takes: where the store is, --json and --verbose. */
function addStoreOptions(command: Command): Command {
  return command
    .option('--metadata <path>', 'the SQLite metadata store to read (default: the single .sluice/*/metadata.sqlite here)')
    .option('--pipeline <file>', "read the store of this pipeline file (its metadataPath)")
    .option('--json', 'print JSON for scripts')
    .option('--verbose', 'print stacks with errors')
}

function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Expected a whole number of at least 1.')
  return n
}

function nonNegativeInteger(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('Expected a whole number of at least 0.')
  return n
}

function packageVersion(): string {
  // src/main.ts and the bundled dist/*.js both sit one folder below package.json.
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version
}
