import path from 'node:path'
import type { Pipeline, Registry } from '@sluice/core'
import { LocalDagRunner, type RunEvent, type RunOptions, type RunResult } from '@sluice/runner'
import type { CommandContext, OutputOptions } from '../command-context.js'
import { writeJson } from '../command-context.js'
import { LiveDisplay } from '../display/live-display.js'
import { PlainDisplay } from '../display/plain-display.js'
import { formatError, formatErrorLine, formatWarningLine } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import { formatDuration } from '../format/duration.js'
import { REPORTED_TYPES, renderArtifactReport } from '../format/artifact-reports.js'
import { findRun } from '../run-history.js'
import { CliError } from '../errors.js'
import { locateStore, withStoreForReading, type StoreLocationOptions } from '../store-location.js'
import { renderRunSummary, runFailureMessage } from '../format/run-summary.js'
import { loadPipeline } from '../load-pipeline.js'
import { loadProjectPlugins } from '../plugins/project.js'

/** Options of `sluice run <pipeline>`. */
export interface RunCommandOptions extends OutputOptions {
  /** false with `--no-cache`. */
  readonly cache?: boolean
  readonly resume?: string
  readonly parallelism?: number
}

/** The subset of the runner the command uses; tests substitute a scripted one. */
export interface PipelineRunner {
  run(pipeline: Pipeline, options: RunOptions): Promise<RunResult>
}

/**
 * `sluice run <pipeline>`: loads the project's plugins (sluice.config.json, package.json
 * `sluice.plugins`, installed `sluice-plugin` packages), then the pipeline file, runs it on the
 * local runner with a live (TTY) or line-per-event display, prints the summary and returns the
 * exit code: 0 complete, 1 failed, 130 cancelled. The first Ctrl-C aborts the run through the
 * runner's signal, so running nodes are stopped and the run is recorded CANCELED before the
 * summary; a second one exits at once.
 */
export async function runPipelineCommand(
  file: string,
  options: RunCommandOptions,
  ctx: CommandContext,
  runner: PipelineRunner = new LocalDagRunner(),
  registry?: Registry,
): Promise<number> {
  const { io, colors } = ctx
  const verbose = options.verbose === true
  // Plugins first, so that a JSON spec can name their components.
  const plugins = await loadProjectPlugins({ cwd: io.cwd, pipelineFile: path.resolve(io.cwd, file), ...(registry ? { registry } : {}) })
  const { pipeline, pipelineModule, warnings } = await loadPipeline(file, io.cwd, registry ? { registry } : {})
  for (const warning of [...plugins.warnings, ...warnings]) io.stderr.write(`${formatWarningLine(warning, ctx.errorColors)}\n`)

  const displayOptions = { colors, now: () => io.now(), verbose }
  const display = options.json ? undefined : io.stdout.isTTY && io.env.TERM !== 'dumb' ? new LiveDisplay(io.stdout, displayOptions) : new PlainDisplay(io.stdout, displayOptions)

  const controller = new AbortController()
  let interrupts = 0
  const stopListening = io.onInterrupt(() => {
    interrupts += 1
    if (interrupts > 1) io.exitNow(ExitCode.Canceled)
    controller.abort()
    const notice = 'Cancelling: stopping running nodes. Press Ctrl-C again to exit at once.'
    if (display) display.notice(colors.yellow(notice))
    else io.stderr.write(`${ctx.errorColors.yellow(notice)}\n`)
  })

  let result: RunResult
  try {
    result = await runner.run(pipeline, {
      ...(pipelineModule === undefined ? {} : { pipelineModule }),
      ...(options.resume === undefined ? {} : { resume: options.resume }),
      ...(options.cache === false ? { enableCache: false } : {}),
      ...(options.parallelism === undefined ? {} : { parallelism: options.parallelism }),
      signal: controller.signal,
      onEvent: (event: RunEvent) => display?.handle(event),
      cwd: io.cwd,
    })
  } catch (error) {
    display?.stop()
    // A run that could not even start or finish recording; after Ctrl-C that is still a cancellation.
    if (!controller.signal.aborted) throw error
    io.stderr.write(formatError(error, { verbose, colors: ctx.errorColors }))
    return ExitCode.Canceled
  } finally {
    stopListening()
  }
  display?.stop()

  if (options.json) writeJson(io, result)
  else {
    io.stdout.write(renderRunSummary(result, { colors, cwd: io.cwd, verbose }))
    io.stdout.write(await renderExecutedReports(result, pipeline, { color: colors.isColorSupported, width: io.stdout.columns ?? 120 }))
  }

  switch (result.status) {
    case 'COMPLETE':
      return ExitCode.Ok
    case 'FAILED': {
      const { message, code } = runFailureMessage(result)
      io.stderr.write(`${formatErrorLine(message, code, ctx.errorColors)}\n`)
      return ExitCode.Failed
    }
    case 'CANCELED':
      io.stderr.write(`${ctx.errorColors.yellow(`Run ${result.runId} was cancelled after ${formatDuration(result.durationMs)}.`)} Finish it with \`sluice run ${file} --resume ${result.runId}\`.\n`)
      return ExitCode.Canceled
  }
}

/**
 * Reports of the data artifacts this run produced (statistics summaries, anomalies tables, slice
 * tables). Cached outputs are not repeated: `sluice show <id>` prints them. Outputs a component does
 * not list in its `reportOutputs` (Transform's pre- and post-transform statistics) get a pointer
 * rather than a full report, so that StatisticsGen's summary is not buried.
 */
async function renderExecutedReports(result: RunResult, pipeline: Pipeline, options: { color: boolean; width: number }): Promise<string> {
  const parts: string[] = []
  for (const node of Object.values(result.nodes)) {
    if (node.status !== 'COMPLETE') continue
    const reported = pipeline.nodes.find((n) => n.id === node.nodeId)?.component.reportOutputs
    for (const [key, artifacts] of Object.entries(node.outputs)) {
      for (const artifact of artifacts) {
        if (reported && !reported.includes(key)) {
          if (REPORTED_TYPES.has(artifact.type)) parts.push(`\n${node.nodeId}.${key} (${artifact.type} #${artifact.id}): \`sluice show ${artifact.id}\` prints its report.\n`)
          continue
        }
        const report = await renderArtifactReport(artifact, options).catch((error: unknown) => `(could not read the report: ${(error as Error).message})\n`)
        if (report) parts.push(`\n${node.nodeId}.${key} (${artifact.type} #${artifact.id})\n${report}`)
      }
    }
  }
  return parts.join('')
}

/**
 * The pipeline file a recorded run was started from (`sluice run --resume <runId>` without a file),
 * read from its run context in the store that `--metadata` names or the default store finds.
 */
export async function pipelineFileOfRun(runId: string, options: StoreLocationOptions, cwd: string): Promise<string> {
  const location = await locateStore(options, cwd)
  if (!location) throw new CliError('SLUICE_CLI_STORE_NOT_FOUND', `No metadata store found under ${cwd} to look up run "${runId}".`, { fix: 'Pass --metadata <path>, or the pipeline file.' })
  const run = await withStoreForReading(location, (store) => findRun(store, runId))
  if (!run.pipelineModule) {
    throw new CliError('SLUICE_CLI_FILE_NOT_FOUND', `Run "${run.runId}" did not record its pipeline file.`, { fix: `Pass it: sluice run <pipeline> --resume ${run.runId}.` })
  }
  return run.pipelineModule
}
