import type { CommandContext, OutputOptions } from '../command-context.js'
import { writeJson } from '../command-context.js'
import { colorForStatus, displayStatusOf } from '../display/node-status.js'
import { CliError, oneLine } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import { formatDuration } from '../format/duration.js'
import { displayPath } from '../format/paths.js'
import { renderTable } from '../format/table.js'
import { formatTimestamp } from '../format/timestamp.js'
import { findRun, runJsonFields, type RunJsonFields, runNodes, type NodeRecord, type RunRecord } from '../run-history.js'
import { locateStore, noRunsMessage, withStoreForReading, type StoreLocationOptions } from '../store-location.js'
import { runStatusColor } from './runs.js'

/** Options of `sluice run show <runId>`. */
export interface RunShowOptions extends OutputOptions, StoreLocationOptions {}

/** `sluice run show <runId> --json`. */
export interface RunDetails extends RunJsonFields {
  readonly nodes: readonly NodeRecord[]
}

/** `sluice run show <runId>`: one run with each node's outcome and the artifacts it read and wrote. */
export async function runShowCommand(runId: string, options: RunShowOptions, ctx: CommandContext): Promise<number> {
  const { io, colors } = ctx
  const location = await locateStore(options, io.cwd)
  if (!location) throw new CliError('SLUICE_CLI_STORE_NOT_FOUND', noRunsMessage(io.cwd).split('\n')[0]!, { fix: 'Pass --metadata <path> or --pipeline <file>.' })
  const { run, nodes } = await withStoreForReading(location, async (store) => {
    const run = await findRun(store, runId)
    return { run, nodes: await runNodes(store, run) }
  })
  if (options.json) {
    writeJson(io, toDetails(run, nodes))
    return ExitCode.Ok
  }
  io.stdout.write(renderRunDetails(run, nodes, { colors, cwd: io.cwd }))
  return ExitCode.Ok
}

/** The run as `run show` prints it: its fields, a node table, then the artifacts each node wrote. */
export function renderRunDetails(run: RunRecord, nodes: readonly NodeRecord[], options: { colors: CommandContext['colors']; cwd: string }): string {
  const { colors } = options
  const fields: [string, string][] = [
    ['pipeline', run.pipelineName],
    ['status', runStatusColor(run.status, colors)(run.status)],
    ['started', formatTimestamp(run.startTime)],
    ['ended', run.endTime === undefined ? '-' : `${formatTimestamp(run.endTime)}${run.durationMs === undefined ? '' : ` (${formatDuration(run.durationMs)})`}`],
  ]
  if (run.pipelineModule) fields.push(['module', displayPath(run.pipelineModule, options.cwd)])
  const width = Math.max(...fields.map(([k]) => k.length))
  const sections = [`Run ${colors.bold(run.runId)}\n${fields.map(([k, v]) => `  ${colors.dim(k.padEnd(width))}  ${v}`).join('\n')}`]

  if (nodes.length === 0) sections.push(colors.dim('No node executed in this run.'))
  else {
    const rows = nodes.map((n) => {
      const status = displayStatusOf(n.status)
      const timed = n.durationMs !== undefined && (status === 'done' || status === 'failed' || status === 'canceled')
      return [n.nodeId, n.component, colorForStatus(status, colors)(status), timed ? formatDuration(n.durationMs!) : '-', colors.dim(n.executionId === undefined ? '-' : `#${n.executionId}`), noteFor(n, colors)]
    })
    sections.push(
      renderTable(
        [{ header: 'NODE' }, { header: 'COMPONENT' }, { header: 'STATUS' }, { header: 'DURATION', align: 'right' }, { header: 'EXECUTION' }, { header: 'NOTE' }],
        rows,
        { indent: '  ', formatHeader: colors.dim },
      ).trimEnd(),
    )
  }

  const artifactRows = nodes.flatMap((n) =>
    Object.entries(n.outputs).flatMap(([key, artifacts]) =>
      artifacts.map((a) => [`${n.nodeId}.${key}`, `${a.type} ${colors.dim(`#${a.id}`)}`, a.state === 'LIVE' ? displayPath(a.uri, options.cwd) : `${displayPath(a.uri, options.cwd)} ${colors.yellow(`(${a.state})`)}`]),
    ),
  )
  if (artifactRows.length > 0) {
    sections.push(`${colors.bold('Artifacts')}\n${renderTable([{ header: 'OUTPUT' }, { header: 'TYPE' }, { header: 'URI' }], artifactRows, { indent: '  ', formatHeader: colors.dim }).trimEnd()}`)
  }
  return `${sections.join('\n\n')}\n`
}

function noteFor(node: NodeRecord, colors: CommandContext['colors']): string {
  const notes: string[] = []
  if (node.error) notes.push(colors.red(`${oneLine(node.error.message)}${node.error.code ? ` [${node.error.code}]` : ''}`))
  if (node.skippedReason) notes.push(colors.dim(node.skippedReason))
  if (node.attempts !== undefined && node.attempts > 1) notes.push(colors.dim(`${node.attempts} attempts`))
  if (node.earlierExecutions.length > 0) notes.push(colors.dim(`earlier: ${node.earlierExecutions.map((e) => `#${e.id} ${e.state}`).join(', ')}`))
  return notes.join('; ')
}

function toDetails(run: RunRecord, nodes: readonly NodeRecord[]): RunDetails {
  return { ...runJsonFields(run), nodes }
}
