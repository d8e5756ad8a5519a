import type { NodeResult, RunEvent } from '@sluice/runner'
import type { Colors, OutputStream } from '../cli-io.js'
import { oneLine } from '../errors.js'
import { formatDuration } from '../format/duration.js'
import { pad } from '../format/table.js'
import { colorForStatus, displayStatusOf } from './node-status.js'
import { RunProgress } from './run-progress.js'

/** Options of both displays. */
export interface DisplayOptions {
  readonly colors: Colors
  /** The display clock (ms). */
  readonly now: () => number
  /** Also print node logs (the runner keeps them in each execution's executor.log either way). */
  readonly verbose: boolean
}

/** Shortest gap between two progress lines of one node that say the same thing. */
const PROGRESS_REPEAT_MS = 5000

/**
 * The display for logs and pipes: one line per node event, nothing redrawn, so CI logs read top to
 * bottom. Progress lines are printed when the message changes, or at most every 5 s otherwise,
 * because executors may report progress hundreds of times.
 */
export class PlainDisplay {
  readonly progress = new RunProgress()
  private readonly lastProgress = new Map<string, { text: string; at: number }>()

  constructor(
    private readonly out: OutputStream,
    private readonly options: DisplayOptions,
  ) {}

  handle(event: RunEvent): void {
    const now = this.options.now()
    const node = this.progress.apply(event, now)
    const line = this.lineFor(event, now, node?.startedAt)
    if (line !== undefined) this.out.write(`${line}\n`)
  }

  /** Prints a line of the CLI's own (e.g. "Cancelling…") among the event lines. */
  notice(line: string): void {
    this.out.write(`${line}\n`)
  }

  /** Nothing to tear down; present so the run command treats both displays alike. */
  stop(): void {}

  private lineFor(event: RunEvent, now: number, startedAt: number | undefined): string | undefined {
    const { colors } = this.options
    const label = (nodeId: string) => `  ${pad(nodeId, this.progress.nodeIdWidth())}  `
    switch (event.type) {
      case 'run-start': {
        const count = `${event.nodeIds.length} node${event.nodeIds.length === 1 ? '' : 's'}`
        return event.resumed
          ? `Resuming run ${colors.bold(event.runId)} of pipeline ${colors.bold(event.pipelineName)} (${count})`
          : `Running pipeline ${colors.bold(event.pipelineName)} (run ${colors.bold(event.runId)}, ${count})`
      }
      case 'node-start':
        return `${label(event.nodeId)}${colors.blue('running')}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`
      case 'node-progress': {
        const text = progressText(event.fraction, event.message)
        const last = this.lastProgress.get(event.nodeId)
        const sameMessage = last !== undefined && stripPercent(last.text) === stripPercent(text)
        if (sameMessage && now - last.at < PROGRESS_REPEAT_MS) return undefined
        this.lastProgress.set(event.nodeId, { text, at: now })
        const elapsed = startedAt === undefined ? '' : `${colors.dim(formatDuration(now - startedAt))}  `
        return `${label(event.nodeId)}${elapsed}${text}`
      }
      case 'node-log': {
        if (!this.options.verbose) return undefined
        const level = event.level === 'error' ? colors.red(event.level) : event.level === 'warn' ? colors.yellow(event.level) : colors.dim(event.level)
        return `${label(event.nodeId)}${level}: ${event.message}`
      }
      case 'node-retry':
        return `${label(event.nodeId)}${colors.yellow(`attempt ${event.attempt} failed`)}: ${event.error.message} [${event.error.code}]; retrying in ${formatDuration(event.delayMs)}`
      case 'node-end':
        return `${label(event.result.nodeId)}${describeEnd(event.result, colors)}`
      case 'run-end':
        return undefined
    }
  }
}

/** "42% reading data.csv", "reading data.csv" or "42%". */
export function progressText(fraction: number | undefined, message: string | undefined): string {
  const percent = fraction === undefined || !Number.isFinite(fraction) ? undefined : `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`
  return [percent, message].filter((p) => p !== undefined && p !== '').join(' ')
}

function stripPercent(text: string): string {
  return text.replace(/^\d+%\s?/, '')
}

/** How a node ended, in a few words: "done in 1.2s", "failed after 0.3s: boom [CODE]". */
export function describeEnd(result: NodeResult, colors: Colors): string {
  const status = displayStatusOf(result.status)
  const color = colorForStatus(status, colors)
  switch (status) {
    case 'done':
      return `${color('done')} in ${formatDuration(result.durationMs)}${result.attempts > 1 ? ` (${result.attempts} attempts)` : ''}`
    case 'cached':
      return color('cached')
    case 'reused':
      return `${color('reused')} from the earlier attempt of this run`
    case 'failed':
      return `${color('failed')} after ${formatDuration(result.durationMs)}${result.error ? `: ${oneLine(result.error.message)} [${result.error.code}]` : ''}`
    case 'skipped':
      return `${color('skipped')}${result.reason ? `: ${result.reason}` : ''}`
    case 'canceled':
      return `${color('canceled')}${result.durationMs > 0 ? ` after ${formatDuration(result.durationMs)}` : ''}${result.reason ? `: ${result.reason}` : ''}`
    default:
      return color(status)
  }
}
