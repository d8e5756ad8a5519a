// The executor of ExportSplitToCsv. Only this module imports DuckDB, and the component loads it
// lazily, so defining a pipeline or listing components never loads the native library.
import fs from 'node:fs/promises'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { ExecutorError } from '@sluice/core'
import type { ExportSplitToCsvArgs } from './component.js'

// DuckDB table functions by file extension; a split may mix them (columns are matched by name).
const READERS: readonly { reader: string; options: string; matches: (file: string) => boolean }[] = [
  { reader: 'read_parquet', options: '', matches: (f) => f.endsWith('.parquet') },
  { reader: 'read_csv_auto', options: ', header = true', matches: (f) => f.endsWith('.csv') || f.endsWith('.csv.gz') },
  { reader: 'read_json_auto', options: '', matches: (f) => f.endsWith('.jsonl') || f.endsWith('.ndjson') || f.endsWith('.json') },
]

/** Exports one split with DuckDB: every data file of the split, unioned by column name, into `<uri>/<split>.csv`. */
export default async function exportSplitToCsv({ inputs, outputs, parameters, context }: ExportSplitToCsvArgs): Promise<void> {
  const { examples } = inputs
  const { split, header, delimiter } = parameters
  const dir = path.join(examples.uri, `Split-${split}`)
  const files = await splitFiles(examples.uri, examples.properties.splitNames, split, dir)

  const selects = READERS.flatMap(({ reader, options, matches }) => {
    const chosen = files.filter(matches)
    if (chosen.length === 0) return []
    return [`SELECT * FROM ${reader}([${chosen.map((f) => sqlString(path.join(dir, f))).join(', ')}], union_by_name = true${options})`]
  })
  if (selects.length === 0) {
    throw new ExecutorError(
      `ExportSplitToCsv: split "${split}" of the examples at ${examples.uri} has no Parquet, CSV or JSON lines files (found ${files.length === 0 ? 'no files' : files.map((f) => `"${f}"`).join(', ')}).`,
      { code: 'SLUICE_CSV_EXPORT_NO_DATA', fix: 'Write the split as *.parquet, *.csv or *.jsonl files.' },
    )
  }

  const target = path.join(outputs.csv.uri, `${split}.csv`)
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  const interrupt = () => connection.interrupt()
  context.signal.addEventListener('abort', interrupt)
  try {
    const result = await connection.run(
      `COPY (${selects.join(' UNION ALL BY NAME ')}) TO ${sqlString(target)} (FORMAT csv, HEADER ${header ? 'true' : 'false'}, DELIMITER ${sqlString(delimiter)})`,
    )
    const rows = result.rowsChanged
    outputs.csv.properties.split = split
    outputs.csv.properties.rows = rows
    context.logger.info(`exported ${rows} rows of split "${split}" from ${files.length} file${files.length === 1 ? '' : 's'} to ${target}`)
  } finally {
    context.signal.removeEventListener('abort', interrupt)
    connection.closeSync()
    instance.closeSync()
  }
}

/** The data files of the split, sorted; a missing split is an error naming the ones that exist. */
async function splitFiles(uri: string, splitNames: string[] | undefined, split: string, dir: string): Promise<string[]> {
  const listed = splitNames === undefined || splitNames.includes(split)
  const entries = listed ? await fs.readdir(dir, { withFileTypes: true }).catch(() => undefined) : undefined
  if (entries) return entries.filter((e) => e.isFile()).map((e) => e.name).sort()
  const known = splitNames ?? (await fs.readdir(uri).catch(() => [] as string[])).filter((name) => name.startsWith('Split-')).map((name) => name.slice('Split-'.length)).sort()
  if (splitNames !== undefined && listed) {
    throw new ExecutorError(`ExportSplitToCsv: split "${split}" of the examples has no folder ${dir}.`, {
      code: 'SLUICE_CSV_EXPORT_NO_SPLIT',
      fix: `The examples' splits are ${names(known)}; check that the artifact at ${uri} is complete.`,
    })
  }
  throw new ExecutorError(`ExportSplitToCsv: the examples have no split "${split}"; their splits are ${names(known)}.`, {
    code: 'SLUICE_CSV_EXPORT_NO_SPLIT',
    fix: 'Set the split parameter to one of them.',
  })
}

function names(list: readonly string[]): string {
  return list.length === 0 ? '(none)' : list.map((n) => `"${n}"`).join(', ')
}

/** A SQL string literal. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}
