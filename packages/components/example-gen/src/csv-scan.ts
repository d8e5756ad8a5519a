// A byte-level CSV scanner with the record rules of Python's csv module (TFX's CSV reader):
// comma-delimited, "-quoted with "" as an escaped quote, quoted cells may hold commas and newlines,
// records end at an unquoted \n, \r\n or \r, blank lines are skipped. DuckDB does the actual parsing;
// this scanner reads the header and checks every record's cell count, because DuckDB accepts some
// rows TFX rejects (a trailing comma) and reports record numbers rather than file lines.
import fs from 'node:fs/promises'
import { ExampleGenError } from './errors.js'

const QUOTE = 0x22
const COMMA = 0x2c
const LF = 0x0a
const CR = 0x0d
// 0: ordinary byte, 1: comma, 2: line break, 3: quote.
const CLASS = new Uint8Array(256)
CLASS[COMMA] = 1
CLASS[LF] = 2
CLASS[CR] = 2
CLASS[QUOTE] = 3

const CHUNK = 1 << 20

/** A CSV file's header row. */
export interface CsvHeader {
  readonly file: string
  readonly columns: readonly string[]
}

/**
 * Reads the header (the first record) of a CSV file.
 *
 * @throws ExampleGenError `SLUICE_EXAMPLEGEN_EMPTY_FILE` when the file has no header row.
 */
export async function readCsvHeader(file: string, split?: string): Promise<CsvHeader> {
  const handle = await fs.open(file, 'r')
  try {
    let data = Buffer.alloc(0)
    let eof = false
    for (;;) {
      const columns = parseFirstRecord(data, eof)
      if (columns) {
        // A blank first line (or no byte at all) parses as one empty cell: no header.
        if (columns.length === 1 && columns[0] === '') break
        return { file, columns }
      }
      if (eof) {
        throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_CSV', `CSV file ${file} line 1: a quoted cell of the header is never closed.`, {
          file,
          line: 1,
          ...(split ? { split } : {}),
          fix: 'Close the quote; a " inside a quoted cell is written "".',
        })
      }
      const chunk = Buffer.allocUnsafe(64 * 1024)
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, data.length)
      if (bytesRead === 0) eof = true
      data = Buffer.concat([data, chunk.subarray(0, bytesRead)])
    }
  } finally {
    await handle.close()
  }
  throw new ExampleGenError('SLUICE_EXAMPLEGEN_EMPTY_FILE', `CSV file ${file} is empty: line 1 holds no header row.`, {
    file,
    line: 1,
    ...(split ? { split } : {}),
    fix: 'Every CSV file needs a header row naming its columns on line 1; remove empty files from the input.',
  })
}

/**
 * Parses the first record of `data` into cells, or returns undefined when more bytes are needed.
 * A record that is empty (a blank first line, or no bytes at all at EOF) gives `['']`.
 */
function parseFirstRecord(data: Buffer, eof: boolean): string[] | undefined {
  let start = 0
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) start = 3
  const cells: string[] = []
  let cell: number[] = []
  let inQuotes = false
  let fieldStart = true
  const bytes = () => Buffer.from(cell).toString('utf8')
  for (let i = start; i < data.length; i++) {
    const b = data[i]!
    if (inQuotes) {
      if (b === QUOTE) {
        if (i + 1 >= data.length && !eof) return undefined
        if (data[i + 1] === QUOTE) {
          cell.push(QUOTE)
          i++
        } else inQuotes = false
      } else cell.push(b)
      continue
    }
    if (b === COMMA) {
      cells.push(bytes())
      cell = []
      fieldStart = true
    } else if (b === LF || b === CR) {
      cells.push(bytes())
      return cells
    } else {
      if (b === QUOTE && fieldStart) inQuotes = true
      else cell.push(b)
      fieldStart = false
    }
  }
  if (!eof) return undefined
  if (inQuotes) return undefined
  cells.push(bytes())
  return cells
}

const SUSPICIOUS = [Buffer.from(',\n'), Buffer.from(',\r'), Buffer.from(',""')]

/**
 * Whether a CSV file may hold a row with extra empty cells at its end. DuckDB's strict mode rejects
 * every row with too few cells and every row with extra non-empty cells, but it silently drops
 * extra cells that are empty or quoted-empty (`1,2,` or `1,2,""` under a 2-column header), which
 * TFX rejects. Such a row has a comma right before its line break or before `""`, or the file ends
 * with a comma; this finds those byte sequences with native searches, so only files that have
 * them need {@link checkCsvRecords}. A `true` may be a false alarm (an empty last cell that is
 * legitimately there).
 */
export async function mayHaveTrailingEmptyCells(file: string, signal?: AbortSignal): Promise<boolean> {
  const handle = await fs.open(file, 'r')
  const buf = Buffer.allocUnsafe(CHUNK + 2)
  try {
    let carry = 0 // bytes kept from the previous chunk, so a sequence across chunks is found
    let position = 0
    let last = -1
    for (;;) {
      if (signal?.aborted) throw signal.reason
      const { bytesRead } = await handle.read(buf, carry, CHUNK, position)
      if (bytesRead === 0) break
      const end = carry + bytesRead
      const view = buf.subarray(0, end)
      for (const needle of SUSPICIOUS) if (view.indexOf(needle) !== -1) return true
      last = view[end - 1]!
      position += bytesRead
      carry = Math.min(2, end)
      buf.copy(buf, 0, end - carry, end)
    }
    return last === COMMA
  } finally {
    await handle.close()
  }
}

/** What {@link checkCsvRecords} found. */
export interface CsvRecordCount {
  /** Data records (the header and blank lines excluded). */
  readonly records: number
}

/**
 * Checks that every record of a CSV file has `expectedCells` cells, streaming the file once.
 *
 * @throws ExampleGenError `SLUICE_EXAMPLEGEN_RAGGED_ROW` naming the file and the line where the
 * first bad record starts, or `SLUICE_EXAMPLEGEN_BAD_CSV` when a quoted cell is never closed.
 */
export async function checkCsvRecords(file: string, expectedCells: number, options: { split?: string; signal?: AbortSignal } = {}): Promise<CsvRecordCount> {
  const handle = await fs.open(file, 'r')
  const buf = Buffer.allocUnsafe(CHUNK)
  let inQuotes = false
  let quotePending = false // a quote seen inside quotes at the end of the previous chunk
  let cells = 1
  let line = 1
  let recordLine = 1
  let records = -1 // the header is the first record
  let position = 0 // absolute offset of buf[0]
  let fieldStart = 0 // absolute offset where the current cell starts
  let recordStart = 0 // absolute offset where the current record starts
  let previous = -1 // the byte before buf[0]
  const location = options.split ? { split: options.split } : {}
  const ragged = (found: number) =>
    new ExampleGenError(
      'SLUICE_EXAMPLEGEN_RAGGED_ROW',
      `CSV file ${file} line ${recordLine}: the row has ${found} cell${found === 1 ? '' : 's'} but the header has ${expectedCells}${options.split ? ` (split "${options.split}")` : ''}.`,
      {
        file,
        line: recordLine,
        ...location,
        fix: found > expectedCells
          ? 'Remove the extra cells (a trailing comma counts as an empty cell), or quote cells that contain commas.'
          : 'Add the missing cells (empty cells are missing values, but their commas must be there), or close a quote left open.',
      },
    )
  try {
    let n: number
    if ((n = (await handle.read(buf, 0, 3, 0)).bytesRead) === 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      position = 3
      fieldStart = recordStart = 3
    }
    while ((n = (await handle.read(buf, 0, CHUNK, position)).bytesRead) > 0) {
      if (options.signal?.aborted) throw options.signal.reason
      let i = 0
      if (quotePending) {
        quotePending = false
        if (buf[0] === QUOTE) i = 1 // an escaped quote split across chunks
        else inQuotes = false
      }
      while (i < n) {
        if (inQuotes) {
          const q = buf.indexOf(QUOTE, i)
          const end = q === -1 || q >= n ? n : q
          for (let j = i; j < end; j++) {
            const b = buf[j]!
            if (b === LF) {
              if ((j > 0 ? buf[j - 1] : previous) !== CR) line++
            } else if (b === CR) line++
          }
          if (end === n) {
            i = n
            break
          }
          if (end + 1 < n) {
            if (buf[end + 1] === QUOTE) i = end + 2
            else {
              inQuotes = false
              i = end + 1
            }
          } else {
            quotePending = true
            i = n
          }
          continue
        }
        const b = buf[i]!
        const c = CLASS[b]!
        if (c === 0) {
          i++
          continue
        }
        const at = position + i
        if (c === 1) {
          cells++
          fieldStart = at + 1
        } else if (c === 2) {
          if (b === LF && (i > 0 ? buf[i - 1] : previous) === CR) {
            fieldStart = recordStart = at + 1
            i++
            continue
          }
          if (at !== recordStart) {
            records++
            if (cells !== expectedCells) throw ragged(cells)
          }
          cells = 1
          line++
          recordLine = line
          fieldStart = recordStart = at + 1
        } else if (at === fieldStart) inQuotes = true
        i++
      }
      previous = buf[n - 1]!
      position += n
    }
    if (quotePending) {
      quotePending = false
      inQuotes = false
    }
    if (inQuotes) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_CSV', `CSV file ${file} line ${recordLine}: a quoted cell is never closed (the file ends inside it).`, {
        file,
        line: recordLine,
        ...location,
        fix: 'Close the quote; a " inside a quoted cell is written "".',
      })
    }
    if (position !== recordStart) {
      records++
      if (cells !== expectedCells) throw ragged(cells)
    }
    return { records: Math.max(0, records) }
  } finally {
    await handle.close()
  }
}
