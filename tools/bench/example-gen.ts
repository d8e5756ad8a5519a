// ExampleGen benchmark (B-INGEST in the perf reference): CSV → Parquet examples, 1,000,000 rows × 20
// columns (10 numeric, 10 string), next to DuckDB's plain `COPY (SELECT * FROM read_csv(...)) TO ...
// (FORMAT PARQUET)` in the same run, interleaved. Goal: ExampleGen ≥ 0.5x the plain COPY's rows/s.
//
//   npm run bench example-gen            # BENCH_ROWS=1000000 BENCH_ROUNDS=3 by default
//
// ExampleGen runs through the real runner (runComponent, in-memory metadata store) and does what
// the plain COPY does not: type inference over the whole file with TFX's rules, a row-width check of
// every record, the SHA-256 hash split into train/eval, and two output splits.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CsvExampleGen } from '@sluice/component-example-gen'
import { openDuckDB, openSplitView, sqlString } from '@sluice/data/examples'
import { runComponent } from '@sluice/testing'
import { syntheticCsvColumns, writeSyntheticCsv } from './synthetic-csv.ts'

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const work = path.join(os.tmpdir(), 'sluice-bench-example-gen')
const inputDir = path.join(work, `input-${ROWS}`)
const csv = path.join(inputDir, 'data.csv')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(52)} ${value.padStart(16)}  ${note}`)

fs.mkdirSync(inputDir, { recursive: true })
const options = { numeric: 10, strings: 10, seed: 42 }
const info = syntheticCsvColumns(options)
if (!fs.existsSync(csv)) {
  const t = performance.now()
  const written = await writeSyntheticCsv(csv, ROWS, options)
  console.log(`generated ${csv} (${(written.bytes / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`)
}
const bytes = fs.statSync(csv).size

async function plainCopy(round: number): Promise<number> {
  const out = path.join(work, `plain-${round}.parquet`)
  const t = performance.now()
  const db = await openDuckDB()
  try {
    await db.connection.run(`COPY (SELECT * FROM read_csv(${sqlString(csv)})) TO ${sqlString(out)} (FORMAT PARQUET)`)
  } finally {
    await db.close()
  }
  const ms = performance.now() - t
  fs.rmSync(out, { force: true })
  return ms
}

async function exampleGen(round: number): Promise<{ ms: number; stages: string[] }> {
  const root = path.join(work, `pipeline-${round}`)
  fs.rmSync(root, { recursive: true, force: true })
  const stages: string[] = []
  const t = performance.now()
  const { outputs } = await runComponent(CsvExampleGen, {
    parameters: { inputBase: inputDir },
    root,
    onEvent: (event) => {
      if (event.type === 'node-progress' && event.message) stages.push(`${((performance.now() - t) / 1000).toFixed(2)}s ${event.message}`)
    },
  })
  const ms = performance.now() - t
  if (round === 0) {
    // Output check: every row is in exactly one split, and the types are the generator's.
    const db = await openDuckDB()
    try {
      let total = 0
      for (const split of ['train', 'eval']) total += (await openSplitView(db.connection, outputs.examples.uri, split)).numRows
      if (total !== ROWS) throw new Error(`ExampleGen wrote ${total} rows, expected ${ROWS}`)
      const types = outputs.examples.customProperties.feature_types as Record<string, string>
      for (const [name, type] of Object.entries(info.types)) if (types[name] !== type) throw new Error(`column ${name}: ExampleGen inferred ${types[name]}, expected ${type}`)
    } finally {
      await db.close()
    }
  }
  fs.rmSync(root, { recursive: true, force: true })
  return { ms, stages }
}

const plain: number[] = []
const gen: number[] = []
const ratios: number[] = []
let stages: string[] = []
for (let round = 0; round < ROUNDS; round++) {
  const p = await plainCopy(round)
  const g = await exampleGen(round)
  plain.push(p)
  gen.push(g.ms)
  ratios.push(p / g.ms)
  stages = g.stages
  console.log(`round ${round + 1}: plain COPY ${(p / 1000).toFixed(2)} s, ExampleGen ${(g.ms / 1000).toFixed(2)} s, ratio ${(p / g.ms).toFixed(2)}x`)
}
const rate = (ms: number) => `${Math.round(ROWS / (ms / 1000)).toLocaleString('en-US')} rows/s`
console.log(`\nExampleGen benchmark: ${ROWS.toLocaleString('en-US')} rows × ${info.columns.length} columns, ${(bytes / 1e6).toFixed(1)} MB CSV, ${ROUNDS} rounds (medians), ${os.availableParallelism()} cores\n`)
line('DuckDB COPY read_csv → Parquet (plain)', rate(median(plain)), `${(median(plain) / 1000).toFixed(2)} s`)
line('CsvExampleGen (infer, check, hash split, write)', rate(median(gen)), `${(median(gen) / 1000).toFixed(2)} s`)
line('ratio ExampleGen / plain COPY (median of rounds)', `${median(ratios).toFixed(2)}x`, `goal >= 0.5x; rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}`)
console.log(`\nlast ExampleGen run, progress events:\n  ${stages.join('\n  ')}`)
