import type { NodeResult, RunResult } from '@sluice/runner'
import type { Colors } from '../cli-io.js'
import { colorForStatus, countStatuses, displayStatusOf } from '../display/node-status.js'
import { oneLine } from '../errors.js'
import { formatDuration } from './duration.js'
import { displayPath } from './paths.js'
import { renderTable } from './table.js'

/** Options of {@link renderRunSummary}. */
export interface RunSummaryOptions {
  readonly colors: Colors
  /** Artifact uris under it are shown relative. */
  readonly cwd: string
  /** Adds the stacks of failed nodes. */
  readonly verbose: boolean
}

/**
 * What `sluice run` prints when a run ends: a headline with the outcome, one table row per node,
 * where every output artifact is, and a closing remark when nothing executed.
 */
export function renderRunSummary(result: RunResult, options: RunSummaryOptions): string {
  const { colors } = options
  const nodes = Object.values(result.nodes)
  const statuses = nodes.map((n) => displayStatusOf(n.status))
  const sections: string[] = []

  const outcome = result.status === 'COMPLETE' ? colors.green('complete') : result.status === 'FAILED' ? colors.red('failed') : colors.yellow('canceled')
  sections.push(
    `Run ${colors.bold(result.runId)} of pipeline ${colors.bold(result.pipelineName)} ${outcome} in ${formatDuration(result.durationMs)}` +
      (nodes.length > 0 ? ` (${countStatuses(statuses)})` : ''),
  )

  if (nodes.length > 0) {
    const rows = nodes.map((n) => {
      const status = displayStatusOf(n.status)
      const timed = status === 'done' || status === 'failed' || (status === 'canceled' && n.durationMs > 0)
      return [n.nodeId, colorForStatus(status, colors)(status), timed ? formatDuration(n.durationMs) : '-', n.attempts > 1 ? String(n.attempts) : '', noteFor(n, colors)]
    })
    const withAttempts = nodes.some((n) => n.attempts > 1)
    const columns = [{ header: 'NODE' }, { header: 'STATUS' }, { header: 'DURATION', align: 'right' as const }, ...(withAttempts ? [{ header: 'ATTEMPTS', align: 'right' as const }] : []), { header: 'NOTE' }]
    sections.push(renderTable(columns, rows.map((r) => (withAttempts ? r : [r[0]!, r[1]!, r[2]!, r[4]!])), { indent: '  ', formatHeader: colors.dim }).trimEnd())
  }

  const outputs = nodes.flatMap((n) => Object.entries(n.outputs).flatMap(([key, artifacts]) => artifacts.map((a) => ({ output: `${n.nodeId}.${key}`, artifact: a }))))
  if (outputs.length > 0) {
    // Value artifacts (Integer, Float, …) are small results people look for first, such as an accuracy.
    const withValues = outputs.some((o) => o.artifact.value !== undefined)
    const rows = outputs.map(({ output, artifact: a }) => [
      output,
      `${a.type} ${colors.dim(`#${a.id}`)}`,
      ...(withValues ? [a.value === undefined ? '' : shortJson(a.value)] : []),
      displayPath(a.uri, options.cwd),
    ])
    const columns = [{ header: 'OUTPUT' }, { header: 'TYPE' }, ...(withValues ? [{ header: 'VALUE' }] : []), { header: 'URI' }]
    sections.push(`${colors.bold('Artifacts')}\n${renderTable(columns, rows, { indent: '  ', formatHeader: colors.dim }).trimEnd()}`)
  }

  if (options.verbose) {
    const stacks = nodes.filter((n) => n.error?.stack).map((n) => `${colors.red(`${n.nodeId}:`)}\n${colors.dim(n.error!.stack!)}`)
    if (stacks.length > 0) sections.push(`${colors.bold('Failures')}\n${stacks.join('\n')}`)
  }

  const remark = nothingExecutedRemark(nodes)
  if (remark) sections.push(colors.cyan(remark))
  return `\n${sections.join('\n\n')}\n`
}

/**
 * Says so when the run executed nothing: "All 5 nodes were cached: nothing executed." People
 * re-running a pipeline otherwise wonder whether their change was picked up.
 */
export function nothingExecutedRemark(nodes: readonly NodeResult[]): string | undefined {
  if (nodes.length === 0) return undefined
  const cached = nodes.filter((n) => n.status === 'CACHED').length
  const reused = nodes.filter((n) => n.status === 'REUSED').length
  if (cached + reused !== nodes.length) return undefined
  const plural = (n: number) => (n === 1 ? 'node was' : 'nodes were')
  if (reused === 0) return nodes.length === 1 ? 'The only node was cached: nothing executed.' : `All ${cached} nodes were cached: nothing executed.`
  if (cached === 0) return `All ${reused} ${reused === 1 ? 'node was' : 'nodes were'} reused from the earlier attempt: nothing executed.`
  return `Nothing executed: ${cached} ${plural(cached)} cached and ${reused} reused from the earlier attempt.`
}

/** The one-line error of a failed run, naming the first failed node and its error code. */
export function runFailureMessage(result: RunResult): { message: string; code: string | undefined } {
  const failed = Object.values(result.nodes).filter((n) => n.status === 'FAILED')
  const first = failed[0]
  if (!first) return { message: `Run ${result.runId} of pipeline "${result.pipelineName}" failed.`, code: undefined }
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed node${failed.length > 2 ? 's' : ''})` : ''
  return {
    message: `Run ${result.runId} failed: node "${first.nodeId}" failed: ${oneLine(first.error?.message ?? 'no error reported')}${more}`,
    code: first.error?.code,
  }
}

/** A value as compact JSON, cut to 40 characters. */
function shortJson(value: unknown): string {
  const text = typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(6))) : JSON.stringify(value) ?? ''
  return text.length > 40 ? `${text.slice(0, 39)}…` : text
}

function noteFor(node: NodeResult, colors: Colors): string {
  if (node.status === 'FAILED' && node.error) return colors.red(`${oneLine(node.error.message)} [${node.error.code}]`)
  if (node.reason) return colors.dim(node.reason)
  if (node.status === 'REUSED') return colors.dim('completed by the earlier attempt')
  return ''
}
