// CsvExampleGen's executor. DuckDB parses the split's files as text (all columns VARCHAR, RFC 4180
// quoting, strict mode, no sniffing). Column types follow TFX's rules (tfx_bsl ColumnTypeInferrer)
// over every row: they are inferred over the first rows, then the single write pass casts every
// cell and fails on one that does not fit, in which case they are inferred over every row and the
// split is written again. The JS scanner reads the headers and checks row widths where DuckDB is
// lenient (extra empty cells at the end of a row), and explains DuckDB's errors with file lines.
import type { FeatureType } from '@sluice/data/examples'
import { sqlIdentifier, sqlString, sqlStringList } from '@sluice/data/examples'
import { checkCsvRecords, mayHaveTrailingEmptyCells, readCsvHeader } from './csv-scan.js'
import { ExampleGenError } from './errors.js'
import type { ReadSplitArgs } from './executor.js'
import { FileBasedExampleGenExecutor } from './executor.js'
import type { SourceColumn, SplitSource } from './source.js'

const LEVEL_TYPES: Record<number, FeatureType> = { [-1]: 'UNKNOWN', 0: 'INT', 1: 'FLOAT', 2: 'STRING' }

/** Rows whose types are inferred before writing; the guess is checked on every row while writing. */
export const TYPE_SAMPLE_ROWS = 100_000

/**
 * A regex matching any character that cannot be part of a Python integer literal (digits, signs,
 * `_` separators, ASCII whitespace). DuckDB's regexes (RE2) are far cheaper than `ltrim` with a set.
 */
const NOT_INT_CHAR = `'[^0-9_+ \\t\\n\\r\\f\\v-]'`

/**
 * SQL giving a cell's type level (-1 missing, 0 INT, 1 FLOAT, 2 STRING) with Python's rules as
 * tfx_bsl applies them: an empty cell is missing; a cell `int()` accepts is INT when it fits int64
 * and STRING when it does not; else FLOAT when `float()` accepts it (DuckDB's DOUBLE cast accepts the
 * same texts: signs, exponents, `nan`, `inf`, `infinity`, `_` digit separators, surrounding
 * whitespace); else STRING. Among the texts DOUBLE accepts, the integer literals are those without
 * `.`, an exponent, `nan` or `inf`: none of the characters `.eEnNiI`.
 */
export function csvTypeLevel(cell: string): string {
  return (
    `CASE WHEN ${cell} IS NULL OR ${cell} = '' THEN -1 ` +
    `WHEN TRY_CAST(${cell} AS DOUBLE) IS NULL THEN 2 ` +
    `WHEN regexp_matches(${cell}, '[.eEnNiI]') THEN 1 ` +
    `WHEN TRY_CAST(${cell} AS BIGINT) IS NULL THEN 2 ELSE 0 END`
  )
}

/** The output expression of a raw CSV cell for a feature type. */
function castCell(cell: string, type: FeatureType): string {
  switch (type) {
    case 'INT':
      return `CAST(NULLIF(${cell}, '') AS BIGINT)`
    case 'FLOAT':
      return `CAST(NULLIF(${cell}, '') AS DOUBLE)`
    case 'STRING':
      return `NULLIF(${cell}, '')`
    case 'BYTES':
      return `CAST(NULLIF(${cell}, '') AS BLOB)`
    default:
      return 'CAST(NULL AS INTEGER)'
  }
}

const GUESS_FAILED = (column: string) => sqlString(`sluice: a value of column ${column} does not fit the type guessed from the first rows`)

/**
 * Like {@link castCell}, but failing the query (a DuckDB error) when a cell's type level is above
 * `type`: the check that makes a type guessed from the first rows exact. CAST itself fails for
 * non-numbers and out-of-range integers.
 */
function checkedCastCell(cell: string, name: string, type: FeatureType): string {
  const missing = `${cell} IS NULL OR ${cell} = ''`
  switch (type) {
    case 'UNKNOWN':
      return `CASE WHEN ${missing} THEN CAST(NULL AS INTEGER) ELSE CAST(error(${GUESS_FAILED(name)}) AS INTEGER) END`
    case 'INT':
      return `CASE WHEN ${missing} THEN NULL WHEN regexp_matches(${cell}, ${NOT_INT_CHAR}) THEN CAST(error(${GUESS_FAILED(name)}) AS BIGINT) ELSE CAST(${cell} AS BIGINT) END`
    case 'FLOAT':
      // An integer literal beyond int64 (19+ characters) is a STRING for TFX, though DOUBLE accepts it.
      return (
        `CASE WHEN ${missing} THEN NULL ` +
        `WHEN strlen(${cell}) >= 19 AND NOT regexp_matches(${cell}, ${NOT_INT_CHAR}) AND TRY_CAST(${cell} AS BIGINT) IS NULL THEN CAST(error(${GUESS_FAILED(name)}) AS DOUBLE) ` +
        `ELSE CAST(${cell} AS DOUBLE) END`
      )
    default:
      return castCell(cell, type)
  }
}

/** The `read_csv` call reading `files` as text with the given header. */
export function csvRelation(files: readonly string[], columns: readonly string[]): string {
  const spec = columns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ')
  return (
    `read_csv(${sqlStringList(files)}, header = true, auto_detect = false, columns = {${spec}}, ` +
    `delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false)`
  )
}

function validateHeader(file: string, columns: readonly string[], split: string): void {
  const seen = new Map<string, number>()
  columns.forEach((name, i) => {
    if (name === '') {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_HEADER', `CSV file ${file} line 1: column ${i + 1} of the header has no name (split "${split}").`, {
        file,
        line: 1,
        split,
        fix: 'Name every column in the header row (a trailing comma adds an unnamed column).',
      })
    }
    // DuckDB column names are case-insensitive.
    const folded = name.toLowerCase()
    const earlier = seen.get(folded)
    if (earlier !== undefined) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_HEADER', `CSV file ${file} line 1: columns ${earlier + 1} ("${columns[earlier]}") and ${i + 1} ("${name}") have the same name${columns[earlier] === name ? '' : ' (names are compared case-insensitively)'} (split "${split}").`, {
        file,
        line: 1,
        split,
        fix: 'Give every column a distinct name.',
      })
    }
    seen.set(folded, i)
  })
}

function describeHeaderDifference(expected: readonly string[], actual: readonly string[]): string {
  if (expected.length !== actual.length) return `${actual.length} columns instead of ${expected.length}`
  const i = expected.findIndex((name, k) => actual[k] !== name)
  return `column ${i + 1} is "${actual[i]}" instead of "${expected[i]}"`
}

/** Turns DuckDB's CSV error into an ExampleGenError naming the file. */
function csvParseError(error: unknown, split: string, files: readonly string[]): ExampleGenError {
  const message = error instanceof Error ? error.message : String(error)
  const file = /^\s*file = (.+)$/m.exec(message)?.[1]?.trim() ?? (files.length === 1 ? files[0] : undefined)
  const first = message.split('\n').filter((l) => l.trim() !== '').slice(0, 2).join(' ')
  return new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_CSV', `CSV ${file ? `file ${file}` : `files of split "${split}"`} could not be parsed: ${first}`, {
    cause: error,
    split,
    ...(file ? { file } : {}),
    fix: 'Files must be UTF-8, comma-separated, with one line ending style and "-quoted cells ("" for a quote inside one).',
  })
}

/**
 * CsvExampleGen's executor: reads comma-separated files with a header row (TFX's CsvExampleGen).
 * Subclass {@link FileBasedExampleGenExecutor} instead to read another format.
 */
export class CsvExampleGenExecutor extends FileBasedExampleGenExecutor {
  /**
   * Column types are first inferred over this many leading rows and checked on every row while the
   * split is written; when a later row does not fit, they are inferred over every row and the split
   * is written again. Splits shorter than this are inferred exactly up front.
   */
  protected typeSampleRows = TYPE_SAMPLE_ROWS

  async readSplit({ connection, split, context }: ReadSplitArgs): Promise<SplitSource> {
    const headers = []
    for (const file of split.files) headers.push(await readCsvHeader(file, split.name))
    const first = headers[0]!
    validateHeader(first.file, first.columns, split.name)
    for (const header of headers.slice(1)) {
      if (header.columns.length !== first.columns.length || header.columns.some((c, i) => c !== first.columns[i])) {
        throw new ExampleGenError(
          'SLUICE_EXAMPLEGEN_HEADER_MISMATCH',
          `CSV file ${header.file} line 1: its header differs from ${first.file} in split "${split.name}": ${describeHeaderDifference(first.columns, header.columns)}.`,
          { file: header.file, line: 1, split: split.name, fix: 'All files of a split must have the same header row; put files with other columns in another split.' },
        )
      }
    }
    const columns = first.columns
    const relation = csvRelation(split.files, columns)
    const idents = columns.map(sqlIdentifier)
    const levels = (from: string) => `SELECT count(*), ${idents.map((c) => `max(${csvTypeLevel(c)})`).join(', ')} FROM ${from}`
    const typesOf = (row: readonly unknown[]): FeatureType[] =>
      columns.map((_, i) => {
        const level = row[i + 1]
        return LEVEL_TYPES[level === null || level === undefined ? -1 : Number(level)] ?? 'STRING'
      })
    const check = (file: string) => checkCsvRecords(file, columns.length, { split: split.name, signal: context.signal })
    // A DuckDB error: the precise row-width error when a row is ragged, else DuckDB's parse error.
    const explain = async (error: unknown): Promise<Error> => {
      try {
        for (const file of split.files) await check(file)
      } catch (precise) {
        return precise as Error
      }
      return csvParseError(error, split.name, split.files)
    }
    const exactSource = async (): Promise<SplitSource> => {
      let row: readonly unknown[]
      try {
        row = (await connection.runAndReadAll(levels(relation))).getRows()[0] ?? []
      } catch (error) {
        throw await explain(error)
      }
      return { ...this.#source(relation, columns, typesOf(row), false, split.name, context), explain }
    }
    // DuckDB's strict mode rejects every ragged row but one kind: extra empty cells at the end of a
    // row. Files that may hold such a row get the full JS check, while DuckDB reads.
    const validation = (async () => {
      for (const file of split.files) if (await mayHaveTrailingEmptyCells(file, context.signal)) await check(file)
    })()
    validation.catch(() => {})
    let sample: readonly unknown[]
    try {
      sample = (await connection.runAndReadAll(levels(`(SELECT * FROM ${relation} LIMIT ${this.typeSampleRows})`))).getRows()[0] ?? []
    } catch (error) {
      await validation
      throw await explain(error)
    }
    const complete = Number(sample[0] ?? 0) < this.typeSampleRows
    const source = this.#source(relation, columns, typesOf(sample), !complete, split.name, context)
    return complete ? { ...source, validation, explain } : { ...source, validation, explain, exact: exactSource }
  }

  #source(relation: string, columns: readonly string[], types: readonly FeatureType[], guessed: boolean, split: string, context: ReadSplitArgs['context']): SplitSource {
    const sampleRows = this.typeSampleRows
    const result: SourceColumn[] = columns.map((name, i) => {
      const ident = sqlIdentifier(name)
      return {
        name,
        type: types[i]!,
        isList: false,
        select: guessed ? (target) => checkedCastCell(ident, name, target) : (target) => castCell(ident, target),
        key: `coalesce(${ident}, '')`,
      }
    })
    const how = guessed ? `guessed from the first ${sampleRows} rows, checked on every row` : 'inferred over every row'
    context.logger.info(`split "${split}": column types (${how}) ${result.map((c) => `${c.name}:${c.type}`).join(', ')}`)
    return { relation, columns: result }
  }
}

export default CsvExampleGenExecutor
