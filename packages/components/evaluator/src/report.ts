// @sluice/component-evaluator/report: the slice table of a ModelEvaluation, as `sluice run` and
// `sluice show` print it. No DuckDB, tfjs or core import: the CLI loads it lazily.
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { MetricValue, MetricsFile, ValidationResult } from './types.js'

export type * from './types.js'

/** The evaluation files the table reads. */
export interface EvaluationFiles {
  readonly metrics: MetricsFile
  readonly validations?: ValidationResult
}

/** Options of {@link formatSliceTable}. */
export interface SliceTableOptions {
  /** ANSI colours (failed values red, improvements green). @default false */
  readonly color?: boolean
  /** Columns available; metric columns that do not fit are left out (and counted). @default 120 */
  readonly width?: number
  /** The metric columns, in order. @default every numeric metric of the first slice but example_count (the Examples column) */
  readonly metrics?: readonly string[]
  /** Slices shown at most. @default 40 */
  readonly maxSlices?: number
}

/** `metrics.json` of an evaluation. */
export const METRICS_FILE = 'metrics.json'
/** `plots.json` of an evaluation. */
export const PLOTS_FILE = 'plots.json'
/** `validations.json` of an evaluation. */
export const VALIDATIONS_FILE = 'validations.json'
/** `eval_config.json` of an evaluation. */
export const EVAL_CONFIG_FILE = 'eval_config.json'

/**
 * Reads `metrics.json` (and `validations.json` when present) from a ModelEvaluation directory, or a
 * `metrics.json` path.
 */
export function readEvaluationFiles(location: string): EvaluationFiles {
  const dir = existsSync(location) && statSync(location).isDirectory() ? location : path.dirname(location)
  const metricsFile = dir === location ? path.join(dir, METRICS_FILE) : location
  let metrics: MetricsFile
  try {
    metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as MetricsFile
  } catch (cause) {
    throw new Error(`${metricsFile} cannot be read: ${(cause as Error).message}. Point at a ModelEvaluation written by the Evaluator.`, { cause })
  }
  if (!Array.isArray(metrics?.slices)) throw new Error(`${metricsFile} has no "slices" list: it is not an Evaluator metrics.json.`)
  const validationsFile = path.join(dir, VALIDATIONS_FILE)
  const validations = existsSync(validationsFile) ? (JSON.parse(readFileSync(validationsFile, 'utf8')) as ValidationResult) : undefined
  return { metrics, ...(validations ? { validations } : {}) }
}

function numberOf(value: MetricValue | undefined): number | null | undefined {
  if (value === undefined) return undefined
  if (value === null || typeof value === 'number') return value
  if ('value' in value && 'lower' in value) return value.value as number | null
  return undefined
}

function formatValue(value: number | null, key: string): string {
  if (value === null) return 'n/a'
  if ((key.endsWith('count') || key.startsWith('true_') || key.startsWith('false_')) && Number.isInteger(value)) return value.toLocaleString('en-US')
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString('en-US')
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2)
  return value.toFixed(4)
}

function formatDiff(value: number | null): string {
  if (value === null) return ''
  const text = Number.isInteger(value) ? value.toLocaleString('en-US') : Math.abs(value) < 1e-4 ? value.toExponential(1) : value.toFixed(4)
  return value >= 0 ? `+${text}` : text
}

function visibleLength(text: string): number {
  // Strip ANSI escapes (ESC [ … m) before measuring.
  return text.replace(/\u001b\[[0-9;]*m/g, '').length
}

function pad(text: string, width: number, right: boolean): string {
  const gap = ' '.repeat(Math.max(0, width - visibleLength(text)))
  return right ? gap + text : text + gap
}

/**
 * The slice table of an evaluation: one row per slice with its example count and metrics (with the
 * change against the baseline in parentheses when there is one), then the validation outcome and
 * every failed threshold. Accepts a ModelEvaluation directory, a metrics.json path, or the parsed files.
 *
 * @example
 * process.stdout.write(formatSliceTable(evaluation.uri, { color: true, width: process.stdout.columns }))
 */
export function formatSliceTable(input: string | MetricsFile | EvaluationFiles, options: SliceTableOptions = {}): string {
  const files: EvaluationFiles = typeof input === 'string' ? readEvaluationFiles(input) : 'slices' in input ? { metrics: input } : input
  const { metrics, validations } = files
  const color = options.color ?? false
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text)
  const width = options.width ?? 120
  const maxSlices = options.maxSlices ?? 40
  const slices = metrics.slices
  const lines: string[] = []
  if (slices.length === 0) {
    lines.push('No slice was evaluated (every slice was smaller than minSliceSize, or there were no examples).')
  } else {
    const keys = (options.metrics ?? Object.keys(slices[0]!.metrics).filter((key) => key !== 'example_count')).filter((key) => slices.some((s) => numberOf(s.metrics[key]) !== undefined))
    const failed = new Set((validations?.failures ?? []).map((f) => `${f.sliceName}\u0000${f.metric}`))
    const shown = slices.slice(0, maxSlices)
    const cell = (slice: (typeof slices)[number], key: string) => {
      const value = numberOf(slice.metrics[key])
      if (value === undefined) return ''
      let text = formatValue(value, key)
      const diff = numberOf(slice.diff?.[key])
      if (diff !== undefined && diff !== null) text += ` (${formatDiff(diff)})`
      return failed.has(`${slice.sliceName}\u0000${key}`) ? paint('31', text) : text
    }
    const sliceColumn = ['Slice', ...shown.map((s) => s.sliceName)]
    const countColumn = ['Examples', ...shown.map((s) => s.exampleCount.toLocaleString('en-US'))]
    const columns: { cells: string[]; right: boolean }[] = [
      { cells: sliceColumn, right: false },
      { cells: countColumn, right: true },
    ]
    const widthOf = (cells: readonly string[]) => Math.max(...cells.map(visibleLength))
    let used = widthOf(sliceColumn) + 2 + widthOf(countColumn)
    let hidden = 0
    for (const key of keys) {
      const cells = [key, ...shown.map((s) => cell(s, key))]
      const w = widthOf(cells)
      if (used + 2 + w > width) {
        hidden++
        continue
      }
      used += 2 + w
      columns.push({ cells, right: true })
    }
    const widths = columns.map((c) => widthOf(c.cells))
    for (let row = 0; row <= shown.length; row++) {
      const text = columns.map((c, i) => pad(c.cells[row]!, widths[i]!, c.right)).join('  ').trimEnd()
      lines.push(row === 0 ? paint('1', text) : text)
    }
    const notes: string[] = []
    if (slices.length > shown.length) notes.push(`${slices.length - shown.length} more slices`)
    if (hidden > 0) notes.push(`${hidden} more metric${hidden === 1 ? '' : 's'}`)
    if (metrics.baseline) notes.push('(±x) is the change against the baseline')
    if (slices.some((s) => Object.values(s.metrics).some((v) => typeof v === 'object' && v !== null && 'lower' in v))) notes.push('confidence intervals')
    if (notes.length > 0) lines.push(paint('2', `${notes.join('; ')}: see metrics.json`))
  }
  if (validations) {
    lines.push('')
    lines.push(...validationLines(validations, paint))
  }
  return `${lines.join('\n')}\n`
}

function validationLines(v: ValidationResult, paint: (code: string, text: string) => string): string[] {
  const lines: string[] = []
  const stamp = v.rubberStamp && v.rubberStampedThresholds > 0 ? ` (no baseline: ${v.rubberStampedThresholds} change threshold${v.rubberStampedThresholds === 1 ? '' : 's'} not checked)` : ''
  if (v.missingThresholds) {
    lines.push(paint('33', 'Validation: no thresholds configured, so the model is not blessed.'))
    return lines
  }
  if (v.validationOk) {
    lines.push(`${paint('32', 'Validation: OK')}: ${v.checks} threshold check${v.checks === 1 ? '' : 's'} passed${stamp}.`)
    return lines
  }
  const problems = v.failures.length + v.missingSlices.length
  lines.push(`${paint('31', 'Validation: FAILED')}: ${problems} problem${problems === 1 ? '' : 's'}${stamp}.`)
  for (const f of v.failures) lines.push(`  ${f.sliceName}: ${f.message}`)
  for (const s of v.missingSlices) lines.push(`  no slice matches ${JSON.stringify(s)} (a per-slice threshold's slicing spec)`)
  return lines
}
