import type { CommandContext, OutputOptions } from '../command-context.js'
import { writeJson } from '../command-context.js'
import { displayStatusOf, formatStatusCounts, type NodeDisplayStatus, type RecordedNodeStatus } from '../display/node-status.js'
import { formatDuration } from '../format/duration.js'
import { renderTable } from '../format/table.js'
import { formatTimestamp } from '../format/timestamp.js'
import { listRuns, runJsonFields, type RunJsonFields, runNodeStatuses, type RunRecord } from '../run-history.js'
import { locateStore, reportNoStore, withStoreForReading, type StoreLocationOptions } from '../store-location.js'
import type { Colors } from '../cli-io.js'
import { ExitCode } from '../exit-codes.js'

/** Options of `sluice runs`. */
export interface RunsCommandOptions extends OutputOptions, StoreLocationOptions {
  /** Most recent runs to show; 0 for all. */
  readonly limit?: number
}

/** One run in `sluice runs --json`. */
export interface RunListEntry extends RunJsonFields {
  /** How many nodes ended in each status (COMPLETE, CACHED, FAILED, SKIPPED, CANCELED, RUNNING). */
  readonly nodes: Readonly<Partial<Record<RecordedNodeStatus, number>>>
}

/** `sluice runs`: the recorded runs, newest first. */
export async function runsCommand(options: RunsCommandOptions, ctx: CommandContext): Promise<number> {
  const { io, colors } = ctx
  const location = await locateStore(options, io.cwd)
  if (!location) {
    reportNoStore(io, options.json)
    return ExitCode.Ok
  }
  const { entries, total } = await withStoreForReading(location, async (store) => {
    const runs = await listRuns(store)
    const shown = options.limit ? runs.slice(0, options.limit) : runs
    const entries = []
    for (const run of shown) entries.push(toEntry(run, await runNodeStatuses(store, run)))
    return { entries, total: runs.length }
  })
  if (options.json) {
    writeJson(io, entries)
    return ExitCode.Ok
  }
  if (entries.length === 0) {
    io.stdout.write(`No runs recorded in ${location.path}.\n`)
    return ExitCode.Ok
  }
  io.stdout.write(renderRunsTable(entries, colors))
  if (total > entries.length) io.stdout.write(colors.dim(`${total - entries.length} older run${total - entries.length === 1 ? '' : 's'} not shown; pass --limit 0 to list all.\n`))
  return ExitCode.Ok
}

/** The runs as a table: id, pipeline, status, start, duration and node outcomes. */
export function renderRunsTable(entries: readonly RunListEntry[], colors: Colors): string {
  const rows = entries.map((e) => [
    e.runId,
    e.pipelineName,
    runStatusColor(e.status, colors)(e.status),
    e.startTime === null ? '-' : formatTimestamp(Date.parse(e.startTime)),
    e.durationMs === null ? '-' : formatDuration(e.durationMs),
    formatStatusCounts(displayCounts(e.nodes)),
  ])
  return renderTable(
    [{ header: 'RUN' }, { header: 'PIPELINE' }, { header: 'STATUS' }, { header: 'STARTED' }, { header: 'DURATION', align: 'right' }, { header: 'NODES' }],
    rows,
    { formatHeader: colors.dim },
  )
}

/** Green COMPLETE, red FAILED, yellow CANCELED and INTERRUPTED, blue RUNNING. */
export function runStatusColor(status: string, colors: Colors): (text: string) => string {
  switch (status) {
    case 'COMPLETE':
      return colors.green
    case 'FAILED':
      return colors.red
    case 'CANCELED':
    case 'INTERRUPTED':
      return colors.yellow
    case 'RUNNING':
      return colors.blue
    default:
      return (text) => text
  }
}

function displayCounts(nodes: RunListEntry['nodes']): Map<NodeDisplayStatus, number> {
  const counts = new Map<NodeDisplayStatus, number>()
  for (const [status, n] of Object.entries(nodes) as [RecordedNodeStatus, number][]) {
    const shown = displayStatusOf(status)
    counts.set(shown, (counts.get(shown) ?? 0) + n)
  }
  return counts
}

function toEntry(run: RunRecord, statuses: readonly RecordedNodeStatus[]): RunListEntry {
  const nodes: Partial<Record<RecordedNodeStatus, number>> = {}
  for (const s of statuses) nodes[s] = (nodes[s] ?? 0) + 1
  return { ...runJsonFields(run), nodes }
}
