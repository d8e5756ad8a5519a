import fs from 'node:fs/promises'
import path from 'node:path'
import { ExampleStatistics, Examples, component } from '@sluice/core'
import { readSplit } from './split-csv.js'

interface ColumnStats {
  count: number
  missing: number
  numeric?: { mean: number; min: number; max: number; zeros: number }
  topValues?: { value: string; count: number }[]
}

/** Per split and column: counts, missing cells, numeric summaries and the top string values. */
export const ColumnStats = component(
  { name: 'ColumnStats', executionType: 'Process', inputs: { examples: Examples }, outputs: { statistics: ExampleStatistics } },
  async ({ inputs, outputs }) => {
    const splits = inputs.examples.properties.splitNames ?? []
    for (const split of splits) {
      const rows = await readSplit(inputs.examples.uri, split)
      const columns = Object.keys(rows[0] ?? {})
      const stats: Record<string, ColumnStats> = {}
      for (const column of columns) {
        const present = rows.map((r) => r[column] ?? '').filter((v) => v !== '')
        const numbers = present.map(Number)
        const entry: ColumnStats = { count: present.length, missing: rows.length - present.length }
        if (present.length > 0 && numbers.every((n) => Number.isFinite(n))) {
          let sum = 0
          let min = Infinity
          let max = -Infinity
          for (const n of numbers) (sum += n), (min = Math.min(min, n)), (max = Math.max(max, n))
          entry.numeric = { mean: sum / numbers.length, min, max, zeros: numbers.filter((n) => n === 0).length }
        } else {
          const counts = new Map<string, number>()
          for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1)
          entry.topValues = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10).map(([value, count]) => ({ value, count }))
        }
        stats[column] = entry
      }
      const dir = path.join(outputs.statistics.uri, `Split-${split}`)
      await fs.mkdir(dir, { recursive: true })
      await fs.writeFile(path.join(dir, 'column_stats.json'), `${JSON.stringify({ numExamples: rows.length, columns: stats }, null, 2)}\n`)
    }
    outputs.statistics.properties.splitNames = splits
  },
)
