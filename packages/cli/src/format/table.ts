import { stripVTControlCharacters } from 'node:util'

/** One column of {@link renderTable}. */
export interface TableColumn {
  readonly header: string
  readonly align?: 'left' | 'right'
}

/** Printed width of `text`, ignoring ANSI color codes. */
export function visibleWidth(text: string): number {
  return stripVTControlCharacters(text).length
}

/** Pads `text` to `width` visible characters. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)))
  return align === 'left' ? text + fill : fill + text
}

/**
 * An aligned, borderless table (like `docker ps`): a header row, then one line per row, columns
 * separated by two spaces. Cells may carry colors; widths ignore them. The last column is not
 * padded so lines carry no trailing spaces.
 */
export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  options: { indent?: string; formatHeader?: (header: string) => string } = {},
): string {
  const indent = options.indent ?? ''
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.header), ...rows.map((r) => visibleWidth(r[i] ?? ''))))
  const line = (cells: readonly string[], header: boolean) =>
    indent +
    columns
      .map((c, i) => {
        const cell = cells[i] ?? ''
        const shown = header && options.formatHeader ? options.formatHeader(cell) : cell
        return i === columns.length - 1 && c.align !== 'right' ? shown : pad(shown, widths[i] ?? 0, c.align)
      })
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.header), true), ...rows.map((r) => line(r, false))].join('\n') + '\n'
}
