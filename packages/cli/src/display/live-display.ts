import { stripVTControlCharacters } from 'node:util'
import type { RunEvent } from '@sluice/runner'
import type { OutputStream } from '../cli-io.js'
import { oneLine } from '../errors.js'
import { formatDuration } from '../format/duration.js'
import { pad, visibleWidth } from '../format/table.js'
import { describeEnd, progressText, type DisplayOptions } from './plain-display.js'
import { colorForStatus, countStatuses, SPINNER_FRAMES, statusSymbol } from './node-status.js'
import { RunProgress, type NodeProgress } from './run-progress.js'

const ERASE_DOWN = '\x1b[0J'
const cursorUp = (lines: number) => (lines > 0 ? `\x1b[${lines}A\r` : '\r')

/**
 * The terminal display: a block with one line per node (spinner, elapsed time and latest progress
 * message while running; the outcome and duration after) redrawn in place on every event and every
 * `refreshMs` so elapsed times tick. Logs and retries are printed above the block and scroll
 * normally. Lines are cut to the terminal width and the block to its height, because a wrapped or
 * scrolled-off line would make the cursor-up redraw overwrite the wrong lines.
 */
export class LiveDisplay {
  readonly progress = new RunProgress()
  private drawnLines = 0
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(
    private readonly out: OutputStream,
    private readonly options: DisplayOptions & { refreshMs?: number },
  ) {}

  handle(event: RunEvent): void {
    if (this.stopped) return
    const now = this.options.now()
    this.progress.apply(event, now)
    const above = this.lineAbove(event)
    if (event.type === 'run-start' && this.timer === undefined) {
      this.timer = setInterval(() => this.redraw(), this.options.refreshMs ?? 100)
      this.timer.unref()
    }
    if (event.type === 'run-end') return this.stop()
    this.redraw(above)
  }

  /** Prints a line of the CLI's own (e.g. "Cancelling…") above the block. */
  notice(line: string): void {
    if (this.stopped) this.out.write(`${line}\n`)
    else this.redraw(line)
  }

  /** Stops refreshing and erases the block, leaving the lines printed above it; the run summary takes its place. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    if (!this.stopped && this.drawnLines > 0) this.out.write(cursorUp(this.drawnLines) + ERASE_DOWN)
    this.drawnLines = 0
    this.stopped = true
  }

  /** The block's lines at `now`, before they are cut to the terminal width. */
  render(now: number): string[] {
    const { colors } = this.options
    const p = this.progress
    const width = p.nodeIdWidth()
    const elapsed = p.startedAt === undefined ? '' : colors.dim(`  ${formatDuration(now - p.startedAt)}`)
    const header = p.runId === undefined ? 'Starting…' : `${p.resumed ? 'Resuming' : 'Running'} ${colors.bold(p.pipelineName ?? '')} ${colors.dim(`run ${p.runId}`)}${elapsed}`
    const nodes = [...p.nodes.values()]
    const maxNodeLines = Math.max(1, (this.out.rows || 40) - 2)
    if (nodes.length <= maxNodeLines) return [header, ...nodes.map((n) => this.nodeLine(n, width, now))]
    // Too many nodes for the terminal: keep the ones still going, fold the finished ones into a count.
    const finished = nodes.filter((n) => n.status !== 'running' && n.status !== 'pending')
    const open = nodes.filter((n) => n.status === 'running' || n.status === 'pending')
    const shown = open.slice(0, maxNodeLines - 1).map((n) => this.nodeLine(n, width, now))
    const hidden = open.length - (maxNodeLines - 1)
    const counts = countStatuses(finished.map((n) => n.status))
    return [header, ...shown, colors.dim(`  … ${[counts, hidden > 0 ? `${hidden} more not shown` : ''].filter(Boolean).join(', ')}`)]
  }

  private nodeLine(node: NodeProgress, width: number, now: number): string {
    const { colors } = this.options
    const color = colorForStatus(node.status, colors)
    const symbol = node.status === 'running' ? SPINNER_FRAMES[Math.floor(now / 80) % SPINNER_FRAMES.length]! : statusSymbol(node.status)
    const prefix = `  ${color(symbol)} ${pad(node.nodeId, width)}  `
    return prefix + this.nodeDetail(node, now, color)
  }

  private nodeDetail(node: NodeProgress, now: number, color: (text: string) => string): string {
    const { colors } = this.options
    const status = pad(color(node.status), 8)
    switch (node.status) {
      case 'pending':
        return color('pending')
      case 'running': {
        if (node.retryAt !== undefined && node.retryAt > now) return `${colors.yellow('retrying')} in ${formatDuration(node.retryAt - now)} (attempt ${node.attempt} failed)`
        const elapsed = node.startedAt === undefined ? '' : formatDuration(now - node.startedAt)
        const attempt = node.attempt > 1 ? colors.dim(` attempt ${node.attempt}`) : ''
        const detail = progressText(node.fraction, node.message === undefined ? undefined : oneLine(node.message))
        return `${status} ${pad(elapsed, 7)}${attempt}${detail ? `  ${detail}` : ''}`
      }
      default: {
        const result = node.result
        if (!result) return status
        if (node.status === 'done' || node.status === 'failed') {
          const tail = node.status === 'failed' && result.error ? `  ${colors.red(oneLine(result.error.message))}` : ''
          return `${status} ${formatDuration(result.durationMs)}${tail}`
        }
        return describeEnd(result, colors)
      }
    }
  }

  private lineAbove(event: RunEvent): string | undefined {
    const { colors, verbose } = this.options
    switch (event.type) {
      case 'node-log':
        if (!verbose) return undefined
        return `${colors.dim(event.nodeId)} ${event.level === 'error' ? colors.red(event.level) : event.level === 'warn' ? colors.yellow(event.level) : colors.dim(event.level)}: ${event.message}`
      case 'node-retry':
        return `${colors.dim(event.nodeId)} ${colors.yellow(`attempt ${event.attempt} failed`)}: ${oneLine(event.error.message)} [${event.error.code}]; retrying in ${formatDuration(event.delayMs)}`
      default:
        return undefined
    }
  }

  private redraw(above?: string): void {
    if (this.stopped) return
    const columns = this.out.columns || 80
    const lines = this.render(this.options.now()).map((l) => fitWidth(l, columns - 1).trimEnd())
    const text = cursorUp(this.drawnLines) + ERASE_DOWN + (above === undefined ? '' : `${above}\n`) + lines.map((l) => `${l}\n`).join('')
    this.drawnLines = lines.length
    this.out.write(text)
  }
}

/** Cuts `line` to `max` visible characters; a cut line loses its colors rather than leaving an escape code open. */
function fitWidth(line: string, max: number): string {
  if (visibleWidth(line) <= max) return line
  const plain = stripVTControlCharacters(line)
  return `${plain.slice(0, Math.max(0, max - 1))}…`
}
