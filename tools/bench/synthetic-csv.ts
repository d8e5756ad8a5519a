// Deterministic synthetic CSV for the data-plane benchmarks (ExampleGen, StatisticsGen, Transform).
// Not a benchmark itself: `npm run bench synthetic-csv <path> [rows]` writes one file.
//
// Shape: `numeric` numeric columns then `strings` string columns (defaults 10 + 10).
//   num_<i>: even i are integers (counts, hours, ids, small signed values), odd i floats (normal,
//            log-normal amounts, rates in [0,1), large magnitudes); every third column is ~2% missing,
//            the others ~0.1% missing.
//   str_<i>: categorical values with cardinality growing from 3 to 100,000 across the columns and a
//            Zipf-like skew; ~2% missing in every other column; one column in five has values that
//            need quoting (commas, double quotes), one in ten values with a newline inside quotes.
// The same (rows, options) always gives byte-identical output on every machine.
import fs from 'node:fs'
import path from 'node:path'
import { seededRandom } from '@sluice/core'

/** Options of {@link writeSyntheticCsv}. */
export interface SyntheticCsvOptions {
  /** Number of numeric columns. @default 10 */
  numeric?: number
  /** Number of string columns. @default 10 */
  strings?: number
  /** PRNG seed. @default 42 */
  seed?: number
}

/** What {@link writeSyntheticCsv} wrote. */
export interface SyntheticCsvInfo {
  readonly path: string
  readonly rows: number
  readonly bytes: number
  /** Column names in file order. */
  readonly columns: readonly string[]
  /** The type ExampleGen infers for each column (`INT`, `FLOAT` or `STRING`). */
  readonly types: Readonly<Record<string, 'INT' | 'FLOAT' | 'STRING'>>
}

const CARDINALITIES = [3, 7, 12, 50, 200, 1_000, 5_000, 20_000, 60_000, 100_000]
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima']

function quote(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** The columns {@link writeSyntheticCsv} writes for these options, and the type ExampleGen infers for each. */
export function syntheticCsvColumns(options: SyntheticCsvOptions = {}): Pick<SyntheticCsvInfo, 'columns' | 'types'> {
  const numeric = options.numeric ?? 10
  const strings = options.strings ?? 10
  const columns: string[] = []
  const types: Record<string, 'INT' | 'FLOAT' | 'STRING'> = {}
  for (let i = 0; i < numeric; i++) {
    columns.push(`num_${i}`)
    types[`num_${i}`] = i % 2 === 0 ? 'INT' : 'FLOAT'
  }
  for (let i = 0; i < strings; i++) {
    columns.push(`str_${i}`)
    types[`str_${i}`] = 'STRING'
  }
  return { columns, types }
}

/**
 * Writes `rows` data rows (plus a header) of deterministic, roughly realistic tabular data to `file`.
 *
 * @example
 * const info = await writeSyntheticCsv('/tmp/synth_1m.csv', 1_000_000, { numeric: 10, strings: 10, seed: 42 })
 */
export async function writeSyntheticCsv(file: string, rows: number, options: SyntheticCsvOptions = {}): Promise<SyntheticCsvInfo> {
  const numeric = options.numeric ?? 10
  const strings = options.strings ?? 10
  const random = seededRandom(options.seed ?? 42)
  const { columns, types } = syntheticCsvColumns(options)
  // Per string column: its vocabulary, built once (value = word + index, some needing quotes).
  const vocabularies = Array.from({ length: strings }, (_, i) => {
    const size = CARDINALITIES[i % CARDINALITIES.length]! * (1 + Math.floor(i / CARDINALITIES.length))
    return Array.from({ length: size }, (_, k) => {
      const word = WORDS[(k + i) % WORDS.length]!
      if (i % 10 === 9 && k % 97 === 0) return quote(`${word} ${k}\nsecond line`)
      if (i % 5 === 4 && k % 3 === 0) return quote(`${word}, "${k}"`)
      return `${word}_${k}`
    })
  })
  const normal = () => {
    // Box-Muller; the cosine branch only, for simplicity.
    const u = Math.max(random(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
  }
  const numericCell = (i: number): string => {
    const missingRate = i % 3 === 0 ? 0.02 : 0.001
    if (random() < missingRate) return ''
    switch (i % 8) {
      case 0:
        return String(Math.floor(-Math.log(Math.max(random(), 1e-12)) * 3)) // counts
      case 1:
        return (normal() * 12.5 + 50).toFixed(4) // measurements
      case 2:
        return String(Math.floor(random() * 24)) // hour of day
      case 3:
        return Math.exp(normal() * 0.9 + 2.5).toFixed(2) // amounts
      case 4:
        return String(1_000_000 + Math.floor(random() * 9_000_000)) // ids
      case 5:
        return random().toFixed(6) // rates
      case 6:
        return String(Math.floor(normal() * 100)) // signed values
      default:
        return (normal() * 1e6).toExponential(5) // large magnitudes
    }
  }
  const stringCell = (i: number): string => {
    if (i % 2 === 1 && random() < 0.02) return ''
    const vocabulary = vocabularies[i]!
    return vocabulary[Math.floor(random() ** 3 * vocabulary.length)]!
  }

  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true })
  const stream = fs.createWriteStream(file)
  let bytes = 0
  const write = async (chunk: string) => {
    bytes += Buffer.byteLength(chunk)
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve))
  }
  await write(`${columns.join(',')}\n`)
  let buffer: string[] = []
  const cells: string[] = new Array(numeric + strings)
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < numeric; i++) cells[i] = numericCell(i)
    for (let i = 0; i < strings; i++) cells[numeric + i] = stringCell(i)
    buffer.push(cells.join(','))
    if (buffer.length === 10_000) {
      await write(`${buffer.join('\n')}\n`)
      buffer = []
    }
  }
  if (buffer.length > 0) await write(`${buffer.join('\n')}\n`)
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())))
  return { path: file, rows, bytes, columns, types }
}

// `npm run bench synthetic-csv <path> [rows]`
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [target, count] = process.argv.slice(2)
  if (!target) {
    console.error('usage: npm run bench synthetic-csv <path> [rows=1000000]')
    process.exit(2)
  }
  const info = await writeSyntheticCsv(target, Number(count ?? 1_000_000))
  console.log(`${info.path}: ${info.rows} rows, ${info.columns.length} columns, ${(info.bytes / 1e6).toFixed(1)} MB`)
}
