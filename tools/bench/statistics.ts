// Data-plane benchmark for StatisticsGen (issue "Data plane"; perf.md B-STATS-STORE). Prints, in one run:
//  1. ExampleGen: CSV (1,000,000 rows × 10 numeric + 10 string columns, tools/bench/synthetic-csv.ts)
//     to split Parquet files, rows/s. When @sluice/component-example-gen has no CsvExampleGen yet, a
//     DuckDB COPY stands in (2:1 hash split, same file layout and metadata) and the output says so.
//  2. StatisticsGen through runComponent (runner, metadata store, both splits), rows/s, with the
//     default (exact) quantiles and with statsOptions.quantiles = 'approximate';
//  3. DuckDB `SUMMARIZE` over the same Parquet split files, same thread count, and the ratio
//     StatisticsGen time / SUMMARIZE time (goal: ≤ 2x), rounds interleaved, medians and every round;
//  4. an output check: mean, std dev (population), min, max and missing counts of every column agree
//     with SUMMARIZE's (std converted from its sample std) to 1e-9 relative.
// Env: BENCH_ROWS (default 1000000), BENCH_ROUNDS (default 3), BENCH_DIR (where the CSV is cached).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import type { AnyComponent } from '@sluice/core'
import { StatisticsGen } from '@sluice/component-statistics-gen'
import type { DatasetFeatureStatistics } from '@sluice/data/statistics'
import { findFeatureStatistics, readSplitStatistics } from '@sluice/data/statistics'
import { runComponent } from '@sluice/testing'
import { writeSyntheticCsv } from './synthetic-csv.ts'
import type { SyntheticCsvInfo } from './synthetic-csv.ts'

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const dataDir = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'sluice-bench-data')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-statistics-'))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const fmtRate = (rows: number, ms: number) => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`
const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(58)} ${value.padStart(22)}  ${note}`)

// ---- Input CSV (deterministic, cached between runs).
fs.mkdirSync(dataDir, { recursive: true })
const csv = path.join(dataDir, `synth_${ROWS}_10n_10s_seed42.csv`)
const infoFile = `${csv}.json`
let info: SyntheticCsvInfo
if (fs.existsSync(csv) && fs.existsSync(infoFile)) info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as SyntheticCsvInfo
else {
  const t = performance.now()
  info = await writeSyntheticCsv(csv, ROWS, { numeric: 10, strings: 10, seed: 42 })
  fs.writeFileSync(infoFile, JSON.stringify(info))
  console.log(`wrote ${csv} (${(info.bytes / 1e6).toFixed(1)} MB) in ${fmtS(performance.now() - t)}`)
}

// ---- 1. ExampleGen (or its DuckDB stand-in).
interface ExamplesOnDisk {
  uri: string
  splits: string[]
  properties: Record<string, unknown>
  customProperties: Record<string, unknown>
}

async function runExampleGen(): Promise<{ examples: ExamplesOnDisk; ms: number; how: string }> {
  const inputBase = path.join(tmp, 'csv-input')
  fs.mkdirSync(inputBase, { recursive: true })
  fs.symlinkSync(csv, path.join(inputBase, 'data.csv'))
  let reason = ''
  try {
    const module = (await import('@sluice/component-example-gen')) as Record<string, unknown>
    const CsvExampleGen = module.CsvExampleGen as AnyComponent | undefined
    if (CsvExampleGen) {
      const t = performance.now()
      const { outputs } = await runComponent(CsvExampleGen as never, { parameters: { inputBase } as never, root: path.join(tmp, 'example-gen') })
      const ms = performance.now() - t
      const artifact = (outputs as Record<string, { uri: string; properties: Record<string, unknown>; customProperties: Record<string, unknown> }>).examples!
      const splits = (artifact.properties.splitNames as string[] | undefined) ?? ['train', 'eval']
      return { examples: { uri: artifact.uri, splits, properties: artifact.properties, customProperties: artifact.customProperties }, ms, how: 'CsvExampleGen' }
    }
    reason = '@sluice/component-example-gen exports no CsvExampleGen yet'
  } catch (error) {
    reason = `@sluice/component-example-gen could not be loaded (${String((error as Error).message).split('\n')[0]})`
  }
  // Stand-in: DuckDB reads the CSV and writes Split-{train,eval}/data_parquet-00000-of-00001.parquet
  // (2:1 split by row hash) with the sluice.feature_types metadata ExampleGen writes.
  const uri = path.join(tmp, 'examples')
  const cast = info.columns.map((c) => `CAST("${c}" AS ${info.types[c] === 'INT' ? 'BIGINT' : info.types[c] === 'FLOAT' ? 'DOUBLE' : 'VARCHAR'}) AS "${c}"`).join(', ')
  const kv = `KV_METADATA {'sluice.feature_types': '${JSON.stringify(info.types)}'}`
  const t = performance.now()
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  await connection.run(`CREATE TABLE t AS SELECT ${cast}, hash(row_number() OVER ()) % 3 AS bucket FROM read_csv('${csv}', header = true, all_varchar = true)`)
  for (const [split, where] of [['train', 'bucket < 2'], ['eval', 'bucket = 2']] as const) {
    fs.mkdirSync(path.join(uri, `Split-${split}`), { recursive: true })
    await connection.run(`COPY (SELECT * EXCLUDE (bucket) FROM t WHERE ${where}) TO '${path.join(uri, `Split-${split}`, 'data_parquet-00000-of-00001.parquet')}' (FORMAT PARQUET, COMPRESSION snappy, ${kv})`)
  }
  connection.closeSync()
  instance.closeSync()
  const ms = performance.now() - t
  return {
    examples: { uri, splits: ['train', 'eval'], properties: { splitNames: ['train', 'eval'], span: 0, version: 0 }, customProperties: { feature_types: JSON.stringify(info.types) } },
    ms,
    how: `DuckDB COPY stand-in: ${reason}`,
  }
}

const exampleGen = await runExampleGen()
const examples = exampleGen.examples
const splitFiles = (split: string) =>
  fs.readdirSync(path.join(examples.uri, `Split-${split}`)).filter((f) => f.endsWith('.parquet')).map((f) => path.join(examples.uri, `Split-${split}`, f))

// ---- 2./3. StatisticsGen and SUMMARIZE, interleaved.
async function summarize(): Promise<{ ms: number; rows: Map<string, Record<string, unknown>[]> }> {
  const result = new Map<string, Record<string, unknown>[]>()
  const t = performance.now()
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  for (const split of examples.splits) {
    const files = splitFiles(split).map((f) => `'${f}'`).join(', ')
    const reader = await connection.runAndReadAll(`SUMMARIZE SELECT * FROM read_parquet([${files}])`)
    result.set(split, reader.getRowObjectsJS() as Record<string, unknown>[])
  }
  connection.closeSync()
  instance.closeSync()
  return { ms: performance.now() - t, rows: result }
}

async function statisticsGen(round: number, quantiles: 'auto' | 'approximate' = 'auto'): Promise<{ ms: number; uri: string }> {
  const t = performance.now()
  const { outputs } = await runComponent(StatisticsGen, {
    inputs: { examples: { uri: examples.uri, properties: examples.properties as never, customProperties: examples.customProperties as never } },
    parameters: { statsOptions: { quantiles } },
    root: path.join(tmp, `statistics-gen-${quantiles}-${round}`),
  })
  return { ms: performance.now() - t, uri: outputs.statistics.uri }
}

const threads = await (async () => {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  const value = (await connection.runAndReadAll(`SELECT current_setting('threads') AS t`)).getRowObjectsJS()[0]!.t
  connection.closeSync()
  instance.closeSync()
  return Number(value)
})()

const statsTimes: number[] = []
const approxTimes: number[] = []
const summarizeTimes: number[] = []
const ratios: number[] = []
const approxRatios: number[] = []
let lastStats = ''
let lastSummary = new Map<string, Record<string, unknown>[]>()
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first so that neither always runs on a warmer page cache.
  const first = round % 2 === 0
  const s1 = first ? await summarize() : undefined
  const g = await statisticsGen(round)
  const a = await statisticsGen(round, 'approximate')
  const s2 = first ? undefined : await summarize()
  const s = (s1 ?? s2)!
  statsTimes.push(g.ms)
  approxTimes.push(a.ms)
  summarizeTimes.push(s.ms)
  ratios.push(g.ms / s.ms)
  approxRatios.push(a.ms / s.ms)
  lastStats = g.uri
  lastSummary = s.rows
}

// ---- 4. Output check against SUMMARIZE.
let checked = 0
const problems: string[] = []
for (const split of examples.splits) {
  const ours: DatasetFeatureStatistics = await readSplitStatistics(lastStats, split)
  for (const row of lastSummary.get(split) ?? []) {
    const name = String(row.column_name)
    const f = findFeatureStatistics(ours, name)
    if (!f) {
      problems.push(`${split}.${name}: missing from FeatureStats.json`)
      continue
    }
    const common = (f.numStats ?? f.stringStats)!.commonStats
    const count = Number(row.count)
    const nullShare = Number(row.null_percentage) / 100
    if (common.numMissing + common.numNonMissing !== count || Math.abs(common.numMissing / count - nullShare) > 0.0001) problems.push(`${split}.${name}: missing ${common.numMissing} vs ${nullShare * 100}%`)
    if (f.numStats) {
      const s = f.numStats
      const n = common.numNonMissing
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
      const avg = Number(row.avg)
      const std = Number(row.std) * Math.sqrt((n - 1) / n)
      if (!close(s.mean, avg)) problems.push(`${split}.${name}: mean ${s.mean} vs ${avg}`)
      if (!close(s.stdDev, std)) problems.push(`${split}.${name}: std ${s.stdDev} vs ${std}`)
      if (!close(s.min, Number(row.min)) || !close(s.max, Number(row.max))) problems.push(`${split}.${name}: min/max ${s.min}/${s.max} vs ${String(row.min)}/${String(row.max)}`)
    }
    checked++
  }
}

const rows = ROWS
console.log(`\nSluice StatisticsGen benchmark: ${rows.toLocaleString('en-US')} rows × ${info.columns.length} columns, ${ROUNDS} rounds (medians), DuckDB threads=${threads}, ${os.availableParallelism()} cores\n`)
line('ExampleGen: CSV → split Parquet', `${fmtS(exampleGen.ms)}  ${fmtRate(rows, exampleGen.ms)}`, exampleGen.how === 'CsvExampleGen' ? '' : '(*)')
line('StatisticsGen (runComponent, both splits, exact quantiles)', `${fmtS(median(statsTimes))}  ${fmtRate(rows, median(statsTimes))}`, `rounds: ${statsTimes.map(fmtS).join(', ')}`)
line('DuckDB SUMMARIZE over the same Parquet files', `${fmtS(median(summarizeTimes))}  ${fmtRate(rows, median(summarizeTimes))}`, `rounds: ${summarizeTimes.map(fmtS).join(', ')}`)
line('StatisticsGen, statsOptions.quantiles = approximate', `${fmtS(median(approxTimes))}  ${fmtRate(rows, median(approxTimes))}`, `rounds: ${approxTimes.map(fmtS).join(', ')}`)
line('ratio StatisticsGen / SUMMARIZE time (default)', `${median(ratios).toFixed(2)}x`, `goal ≤ 2x; rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}`)
line('ratio StatisticsGen / SUMMARIZE time (approximate)', `${median(approxRatios).toFixed(2)}x`, `rounds ${approxRatios.map((r) => r.toFixed(2)).join(', ')}`)
line('output check vs SUMMARIZE (mean, std, min, max, missing)', problems.length === 0 ? `${checked} columns OK` : `${problems.length} MISMATCHES`)
for (const p of problems.slice(0, 10)) console.log(`  ${p}`)
if (exampleGen.how !== 'CsvExampleGen') console.log(`\n(*) ${exampleGen.how}.`)
fs.rmSync(tmp, { recursive: true, force: true })
if (problems.length > 0) process.exitCode = 1
