// The anomalies table the CLI prints, laid out like tfdv.display_anomalies: one row per anomalous
// feature with its short and long description.

import type { Anomalies, AnomalyInfo } from './types.js'

/** Options of {@link formatAnomaliesTable}. */
export interface FormatAnomaliesTableOptions {
  /** Color with ANSI escapes (split names bold, short descriptions red for errors). @default false */
  color?: boolean
  /** The width to fit: long descriptions wrap onto continuation lines. @default 100 */
  width?: number
}

const HEADERS = ['Feature name', 'Anomaly short description', 'Anomaly long description'] as const
const INDENT = '  '
const GAP = '  '
const MIN_SHORT_WIDTH = 16
const MIN_LONG_WIDTH = 24

type Paint = (text: string) => string

function palette(color: boolean) {
  const wrap = (open: number, close: number): Paint => (color ? (text) => (text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`) : (text) => text)
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39) }
}

/**
 * Formats the anomalies of each split as a table with the columns "Feature name", "Anomaly short
 * description" and "Anomaly long description" (feature names quoted, dataset-level anomalies as
 * `[dataset anomaly]`, as TFDV shows them), under a `Split <name>` heading; a split without
 * anomalies reads "No anomalies found.". Pure: the same input gives the same text.
 *
 * @example
 * process.stdout.write(formatAnomaliesTable({ train: trainAnomalies, eval: evalAnomalies }, { color: true, width: process.stdout.columns }))
 */
export function formatAnomaliesTable(
  anomaliesBySplit: Readonly<Record<string, Anomalies>> | ReadonlyMap<string, Anomalies>,
  options: FormatAnomaliesTableOptions = {},
): string {
  const paint = palette(options.color ?? false)
  const width = Math.max(40, Math.floor(options.width ?? 100))
  const entries = anomaliesBySplit instanceof Map ? [...anomaliesBySplit.entries()] : Object.entries(anomaliesBySplit)
  if (entries.length === 0) return `${paint.green('No anomalies found.')}\n`
  const sections = entries.map(([split, anomalies]) => {
    const rows = rowsOf(anomalies)
    const heading = `${paint.bold(`Split ${split}`)}:`
    if (rows.length === 0) return `${heading} ${paint.green('No anomalies found.')}\n`
    const count = `${rows.length} ${rows.length === 1 ? 'anomaly' : 'anomalies'}`
    return `${heading} ${paint.red(count)}\n${renderRows(rows, width, paint)}`
  })
  return sections.join('\n')
}

interface Row {
  feature: string
  short: string
  long: string
  severity: AnomalyInfo['severity']
}

function rowsOf(anomalies: Anomalies): Row[] {
  const rows: Row[] = Object.entries(anomalies.anomalyInfo ?? {}).map(([name, info]) => ({
    feature: `'${name}'`,
    short: info.shortDescription || info.reason.map((r) => r.shortDescription).join('; '),
    long: (info.description || info.reason.map((r) => r.description).join('; ')).trim(),
    severity: info.severity,
  }))
  const dataset = anomalies.datasetAnomalyInfo
  if (dataset) {
    rows.push({
      feature: '[dataset anomaly]',
      short: dataset.shortDescription || dataset.reason.map((r) => r.shortDescription).join('; '),
      long: (dataset.description || dataset.reason.map((r) => r.description).join('; ')).trim(),
      severity: dataset.severity,
    })
  } else if (anomalies.dataMissing) {
    rows.push({ feature: '[dataset anomaly]', short: 'Data missing', long: 'The statistics hold no examples.', severity: 'ERROR' })
  }
  return rows
}

function renderRows(rows: Row[], width: number, paint: ReturnType<typeof palette>): string {
  const featureWidth = Math.max(HEADERS[0].length, ...rows.map((r) => r.feature.length))
  const available = Math.max(MIN_SHORT_WIDTH + MIN_LONG_WIDTH, width - INDENT.length - featureWidth - 2 * GAP.length)
  const shortNeeded = Math.max(HEADERS[1].length, ...rows.map((r) => r.short.length))
  const longNeeded = Math.max(HEADERS[2].length, ...rows.map((r) => r.long.length))
  // The short descriptions get what they need up to a third of the room; the long ones the rest.
  const shortWidth = Math.min(shortNeeded, Math.max(MIN_SHORT_WIDTH, available - longNeeded, Math.floor(available / 3)))
  const longWidth = available - shortWidth
  // Padding goes outside the color codes, so that trimming the line removes it.
  const cell = (text: string, size: number, paintCell: Paint) => paintCell(text) + ' '.repeat(Math.max(0, size - text.length))
  const out: string[] = []
  const emit = (feature: string, short: string, long: string, paintFeature: Paint, paintShort: Paint) => {
    const shortLines = wrap(short, shortWidth)
    const longLines = wrap(long, longWidth)
    for (let i = 0; i < Math.max(shortLines.length, longLines.length); i++) {
      const cells = [cell(i === 0 ? feature : '', featureWidth, paintFeature), cell(shortLines[i] ?? '', shortWidth, paintShort), longLines[i] ?? '']
      out.push(`${INDENT}${cells.join(GAP)}`.trimEnd())
    }
  }
  emit(HEADERS[0], HEADERS[1], HEADERS[2], paint.bold, paint.bold)
  for (const row of rows) {
    const paintShort = row.severity === 'WARNING' ? paint.yellow : row.severity === 'ERROR' ? paint.red : (text: string) => text
    emit(row.feature, row.short, row.long, paint.bold, paintShort)
  }
  return `${out.join('\n')}\n`
}

/** Splits text into lines of at most `width` characters at spaces (a longer word is cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let current = ''
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    let rest = word
    while (rest.length > width) {
      if (current !== '') {
        lines.push(current)
        current = ''
      }
      lines.push(rest.slice(0, width))
      rest = rest.slice(width)
    }
    if (current === '') current = rest
    else if (current.length + 1 + rest.length <= width) current += ` ${rest}`
    else {
      lines.push(current)
      current = rest
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current)
  return lines
}
