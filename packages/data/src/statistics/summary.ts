// A readable, compact rendering of statistics for terminals (`sluice` prints it after StatisticsGen).
import { stripVTControlCharacters } from 'node:util'
import { featurePathString } from './json.js'
import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList, FeatureNameStatistics } from './types.js'

/** Options of {@link formatStatisticsSummary}. */
export interface StatisticsSummaryOptions {
  /** ANSI colors (bold headings, cyan feature names, yellow missing shares). Default false. */
  color?: boolean
  /** Maximum line width; long feature names and top values are cut with "…" to fit. Default 120. */
  width?: number
}

const ANSI = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
}
const PLAIN = { bold: (s: string) => s, dim: (s: string) => s, cyan: (s: string) => s, yellow: (s: string) => s }

/**
 * Renders statistics as text: per data set (split) a headline with the number of examples, then a
 * table of numeric features (count, missing %, mean, std dev, zeros %, min, median, max) and one of
 * categorical features — strings and numeric features with string statistics — (count, missing %,
 * unique, top value and its share of the values, average length). Pure: no I/O.
 *
 * @example
 * console.log(formatStatisticsSummary(await readStatistics(file), { color: process.stdout.isTTY }))
 */
export function formatStatisticsSummary(list: DatasetFeatureStatisticsList, options: StatisticsSummaryOptions = {}): string {
  const c = options.color ? ANSI : PLAIN
  const width = options.width ?? 120
  if (list.datasets.length === 0) return 'No statistics.\n'
  return list.datasets.map((d) => formatDataset(d, c, width)).join('\n')
}

type Colors = typeof PLAIN

function formatDataset(d: DatasetFeatureStatistics, c: Colors, width: number): string {
  const weighted = d.weightedNumExamples !== undefined ? ` (weighted ${formatNumber(d.weightedNumExamples)})` : ''
  const headline = `${c.bold(`Split "${d.name}"`)}: ${formatCount(d.numExamples)} example${d.numExamples === 1 ? '' : 's'}${weighted}, ${d.features.length} feature${d.features.length === 1 ? '' : 's'}`
  const numeric = d.features.filter((f) => f.numStats)
  const categorical = d.features.filter((f) => !f.numStats && (f.stringStats || f.bytesStats))
  const sections = [headline]
  const missing = (count: number, nonMissing: number) => {
    const total = count + nonMissing
    const text = total > 0 ? formatPercent(count / total) : '-'
    return count > 0 ? c.yellow(text) : text
  }
  if (numeric.length > 0) {
    const rows = numeric.map((f) => {
      const s = f.numStats!
      const common = s.commonStats
      const values = common.totNumValues
      // A feature with no values has no moments: its zeros in the statistics mean "not computed".
      const shown = (x: number) => (values > 0 ? formatNumber(x) : '-')
      return [
        featureLabel(f),
        formatCount(common.numNonMissing),
        missing(common.numMissing, common.numNonMissing),
        shown(s.mean),
        shown(s.stdDev),
        values > 0 ? formatPercent(s.numZeros / values) : '-',
        shown(s.min),
        shown(s.median),
        shown(s.max),
      ]
    })
    sections.push(
      renderTable(
        [{ header: 'numeric', cut: true }, { header: 'count', right: true }, { header: 'missing', right: true }, { header: 'mean', right: true }, { header: 'std dev', right: true },
          { header: 'zeros', right: true }, { header: 'min', right: true }, { header: 'median', right: true }, { header: 'max', right: true }],
        rows,
        c,
        width,
      ),
    )
  }
  if (categorical.length > 0) {
    const rows = categorical.map((f) => {
      const s = f.stringStats
      const common = (s ?? f.bytesStats)!.commonStats
      const top = s?.topValues[0]
      const values = common.totNumValues
      return [
        featureLabel(f),
        formatCount(common.numNonMissing),
        missing(common.numMissing, common.numNonMissing),
        formatCount(s?.unique ?? f.bytesStats?.unique ?? 0),
        top ? JSON.stringify(top.value) : '-',
        top && values > 0 ? formatPercent(top.frequency / values) : '-',
        s ? formatNumber(s.avgLength) : formatNumber(f.bytesStats!.avgNumBytes),
      ]
    })
    sections.push(
      renderTable(
        [{ header: 'categorical', cut: true }, { header: 'count', right: true }, { header: 'missing', right: true }, { header: 'unique', right: true },
          { header: 'top value', cut: true }, { header: 'top share', right: true }, { header: 'avg length', right: true }],
        rows,
        c,
        width,
      ),
    )
  }
  const other = d.features.filter((f) => !f.numStats && !f.stringStats && !f.bytesStats)
  if (other.length > 0) sections.push(c.dim(`  other features: ${other.map(featurePathString).join(', ')}`))
  return `${sections.join('\n\n')}\n`
}

function featureLabel(f: FeatureNameStatistics): string {
  const name = featurePathString(f)
  return f.type === 'STRING' || f.numStats ? name : `${name} (${f.type})`
}

interface Column {
  header: string
  right?: boolean
  /** May be cut with "…" to fit the width. */
  cut?: boolean
}

const INDENT = '  '
const GAP = '  '

function renderTable(columns: Column[], rows: string[][], c: Colors, maxWidth: number): string {
  const visible = (s: string) => stripVTControlCharacters(s).length
  const widths = columns.map((col, i) => Math.max(col.header.length, ...rows.map((r) => visible(r[i] ?? ''))))
  const total = () => INDENT.length + widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1)
  // Shrink the cuttable columns, widest first, down to 8 characters each.
  while (total() > maxWidth) {
    let widest = -1
    columns.forEach((col, i) => {
      if (col.cut && widths[i]! > Math.max(8, col.header.length) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i
    })
    if (widest < 0) break
    widths[widest] = Math.max(8, columns[widest]!.header.length, widths[widest]! - (total() - maxWidth))
  }
  const cell = (text: string, i: number) => {
    const w = widths[i]!
    let shown = text
    if (visible(shown) > w) shown = `${stripVTControlCharacters(shown).slice(0, w - 1)}…`
    const fill = ' '.repeat(Math.max(0, w - visible(shown)))
    return columns[i]!.right ? fill + shown : shown + fill
  }
  const line = (cells: string[], decorate: (s: string, i: number) => string) =>
    (INDENT + cells.map((text, i) => decorate(cell(text, i), i)).join(GAP)).trimEnd()
  return [
    line(columns.map((col) => col.header), (s) => c.dim(s)),
    ...rows.map((r) => line(r, (s, i) => (i === 0 ? c.cyan(s) : s))),
  ].join('\n')
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : formatNumber(value)
}

function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '-'
  if (share > 0 && share < 0.0005) return '<0.1%'
  if (share < 1 && share > 0.9995) return '>99.9%'
  return `${(share * 100).toFixed(1)}%`
}

/** A number in at most about 7 characters: integers with separators, otherwise 4 significant digits. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  const abs = Math.abs(value)
  if (abs === 0) return '0'
  if (abs >= 1e7 || abs < 1e-3) return value.toExponential(2).replace('e+', 'e')
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  if (abs >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 1 })
  return value.toLocaleString('en-US', { maximumSignificantDigits: 4 })
}
