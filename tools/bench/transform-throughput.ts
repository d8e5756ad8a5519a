// Transform benchmark (perf.md B-TRANSFORM, on taxi-shaped data): rows/s of the Transform component
// (analyze + materialise, through runComponent: runner, metadata store, module loading) running TFX's
// taxi preprocessing on N synthetic rows, against a DuckDB SQL equivalent of the same transform
// (z-scores, vocabularies applied with a join, quantile buckets, filled categoricals, the label)
// written to Parquet, in the same run, rounds interleaved.
//
//   npm run bench transform-throughput            # 1,000,000 rows, 3 rounds
//   BENCH_ROWS=200000 BENCH_ROUNDS=5 npm run bench transform-throughput
//
// `measureTransformThroughput({ rows, tmpDir })` is the reusable part (tools/bench/train.ts calls it).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Transform } from '@sluice/component-transform'
import { openDuckDB, listSplitFiles, sqlIdentifier, sqlString, sqlStringList } from '@sluice/data/examples'
import { runComponent } from '@sluice/testing'
import { TAXI_FEATURE_TYPES, writeSyntheticTaxiExamples } from './synthetic-taxi.ts'
import type { SyntheticExamples } from './synthetic-taxi.ts'

const here = path.dirname(new URL(import.meta.url).pathname)
/** The lead's taxi preprocessing module, when it exists; the copy of TFX's in tools/bench otherwise. */
const EXAMPLES_MODULE = path.resolve(here, '../../packages/examples/src/taxi/preprocessing.ts')
const BENCH_MODULE = path.join(here, 'taxi-preprocessing.ts')

/** Options of {@link measureTransformThroughput}. */
export interface TransformThroughputOptions {
  /** Synthetic taxi rows (both splits together). */
  rows: number
  /** Scratch directory: examples, pipeline roots. Reused examples are regenerated only when missing. */
  tmpDir: string
  /** Also compute pre- and post-transform statistics (Transform's default); off here so rows/s measures the transform. @default true */
  disableStatistics?: boolean
  /** The preprocessing module. @default packages/examples/src/taxi/preprocessing.ts if present, else tools/bench/taxi-preprocessing.ts */
  moduleFile?: string
}

/** What {@link measureTransformThroughput} measured. */
export interface TransformThroughput {
  /** rows / seconds. */
  rowsPerSecond: number
  /** Wall time of the Transform node (runComponent), seconds. */
  seconds: number
  /** The executor's analyze phase (tracing + DuckDB analyzer queries), seconds. */
  analyzeSeconds: number
  /** The executor's materialisation of every split, seconds. */
  materializeSeconds: number
  /** Pre- and post-transform statistics, seconds (0 when disabled). */
  statisticsSeconds: number
  rows: number
  moduleFile: string
}

/** Writes (once per tmpDir and row count) the synthetic taxi examples and a schema for them. */
export async function prepareTaxiExamples(rows: number, tmpDir: string): Promise<{ examples: SyntheticExamples; schemaUri: string }> {
  const uri = path.join(tmpDir, `taxi-examples-${rows}`)
  const info = path.join(uri, 'synthetic.json')
  let examples: SyntheticExamples
  if (fs.existsSync(info)) examples = JSON.parse(fs.readFileSync(info, 'utf8')) as SyntheticExamples
  else {
    fs.rmSync(uri, { recursive: true, force: true })
    examples = await writeSyntheticTaxiExamples(uri, rows)
    fs.writeFileSync(info, JSON.stringify(examples))
  }
  const schemaUri = path.join(tmpDir, 'taxi-schema')
  fs.mkdirSync(schemaUri, { recursive: true })
  const feature = Object.entries(TAXI_FEATURE_TYPES).map(([name, t]) => ({ name, type: t === 'STRING' ? 'BYTES' : t }))
  fs.writeFileSync(path.join(schemaUri, 'schema.json'), `${JSON.stringify({ feature }, null, 2)}\n`)
  return { examples, schemaUri }
}

/**
 * Runs the Transform component (runComponent: the real runner and executor) with the taxi
 * preprocessing on `rows` synthetic taxi rows and reports its throughput.
 *
 * @example
 * const { rowsPerSecond } = await measureTransformThroughput({ rows: 1_000_000, tmpDir: '/tmp/bench' })
 */
export async function measureTransformThroughput(options: TransformThroughputOptions): Promise<TransformThroughput> {
  fs.mkdirSync(options.tmpDir, { recursive: true })
  const { examples, schemaUri } = await prepareTaxiExamples(options.rows, options.tmpDir)
  const moduleFile = options.moduleFile ?? (fs.existsSync(EXAMPLES_MODULE) ? EXAMPLES_MODULE : BENCH_MODULE)
  const root = fs.mkdtempSync(path.join(options.tmpDir, 'transform-run-'))
  try {
    const started = performance.now()
    const { outputs } = await runComponent(Transform, {
      inputs: {
        examples: { uri: examples.uri, properties: examples.properties, customProperties: examples.customProperties },
        schema: { uri: schemaUri },
      },
      parameters: { moduleFile, disableStatistics: options.disableStatistics ?? true },
      root,
    })
    const seconds = (performance.now() - started) / 1000
    const custom = outputs.transformGraph.customProperties
    return {
      rowsPerSecond: options.rows / seconds,
      seconds,
      analyzeSeconds: Number(custom.analyze_seconds ?? 0),
      materializeSeconds: Number(custom.materialize_seconds ?? 0),
      statisticsSeconds: Number(custom.statistics_seconds ?? 0),
      rows: options.rows,
      moduleFile,
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

/**
 * The taxi transform in DuckDB SQL: analysis (means and population std devs, top-1000 vocabularies,
 * decile boundaries) over train, then every split written to Parquet with the vocabularies applied by
 * a LEFT JOIN. Returns seconds and the sums of the non-hashed outputs (for the equivalence check).
 */
export async function duckdbTaxiTransform(examples: SyntheticExamples, outDir: string): Promise<{ seconds: number; sums: Record<string, Record<string, number>> }> {
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.mkdirSync(outDir, { recursive: true })
  const started = performance.now()
  await using db = await openDuckDB()
  const c = db.connection
  const train = `read_parquet(${sqlStringList(await listSplitFiles(examples.uri, 'train'))})`
  const dense = ['trip_miles', 'fare', 'trip_seconds']
  const buckets = ['pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude']
  const categorical = ['trip_start_hour', 'trip_start_day', 'trip_start_month', 'pickup_census_tract', 'dropoff_census_tract', 'pickup_community_area', 'dropoff_community_area']
  const q = (x: string) => sqlIdentifier(x)
  const deciles = '[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]'
  const [stats] = (
    await c.runAndReadAll(
      `SELECT ${[
        ...dense.flatMap((d) => [`avg(coalesce(${q(d)}, 0)::DOUBLE)`, `stddev_pop(coalesce(${q(d)}, 0)::DOUBLE)`]),
        ...buckets.map((b) => `quantile_disc(coalesce(${q(b)}, 0)::DOUBLE, ${deciles})`),
      ].join(', ')} FROM ${train}`,
    )
  ).getRowsJS()
  for (const v of ['payment_type', 'company']) {
    await c.run(
      `CREATE TEMP TABLE ${q(`vocab_${v}`)} AS SELECT token, (row_number() OVER (ORDER BY n DESC, token DESC) - 1)::BIGINT AS idx FROM ` +
        `(SELECT coalesce(${q(v)}, '') AS token, count(*) AS n FROM ${train} WHERE coalesce(${q(v)}, '') <> '' GROUP BY 1 ORDER BY n DESC, token DESC LIMIT 1000)`,
    )
  }
  const sizes = Object.fromEntries(
    await Promise.all(['payment_type', 'company'].map(async (v) => [v, Number((await c.runAndReadAll(`SELECT count(*) FROM ${q(`vocab_${v}`)}`)).getRowsJS()[0]![0])] as const)),
  )
  const columns = [
    ...dense.map((d, k) => {
      const [mean, sd] = [Number(stats![2 * k]), Number(stats![2 * k + 1])]
      return `${sd > 0 ? `(coalesce(s.${q(d)}, 0) - ${mean}) / ${sd}` : `coalesce(s.${q(d)}, 0) - ${mean}`} AS ${q(`${d}_xf`)}`
    }),
    ...['payment_type', 'company'].map((v) => `coalesce(${q(`v_${v}`)}.idx, ${sizes[v]} + hash(coalesce(s.${q(v)}, '')) % 10) AS ${q(`${v}_xf`)}`),
    ...buckets.map((b, k) => {
      const boundaries = [...new Set((stats![2 * dense.length + k] as number[]).map(Number))]
      return `(${boundaries.map((x) => `(coalesce(s.${q(b)}, 0) >= ${x})::BIGINT`).join(' + ') || '0'}) AS ${q(`${b}_xf`)}`
    }),
    ...categorical.map((k) => `coalesce(s.${q(k)}, 0) AS ${q(`${k}_xf`)}`),
    `(coalesce(s.tips, 0) > s.fare * 0.2)::BIGINT AS tips_xf`,
  ]
  const sums: Record<string, Record<string, number>> = {}
  for (const split of examples.splits) {
    const file = path.join(outDir, `${split}.parquet`)
    await c.run(
      `COPY (SELECT ${columns.join(', ')} FROM read_parquet(${sqlStringList(await listSplitFiles(examples.uri, split))}) s ` +
        ['payment_type', 'company'].map((v) => `LEFT JOIN ${q(`vocab_${v}`)} ${q(`v_${v}`)} ON ${q(`v_${v}`)}.token = coalesce(s.${q(v)}, '')`).join(' ') +
        `) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`,
    )
    sums[split] = await columnSums(c, `read_parquet(${sqlString(file)})`)
  }
  return { seconds: (performance.now() - started) / 1000, sums }
}

const CHECKED = ['trip_miles_xf', 'fare_xf', 'trip_seconds_xf', 'pickup_latitude_xf', 'dropoff_longitude_xf', 'trip_start_hour_xf', 'dropoff_census_tract_xf', 'tips_xf']

async function columnSums(c: Awaited<ReturnType<typeof openDuckDB>>['connection'], relation: string): Promise<Record<string, number>> {
  const [row] = (await c.runAndReadAll(`SELECT ${CHECKED.map((x) => `sum(${sqlIdentifier(x)})::DOUBLE`).join(', ')}, count(*)::DOUBLE FROM ${relation}`)).getRowsJS()
  return Object.fromEntries([...CHECKED, 'rows'].map((x, i) => [x, Number(row![i])]))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000)
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
  const tmpDir = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'sluice-bench-transform')
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const t = performance.now()
  const { examples } = await prepareTaxiExamples(rows, tmpDir)
  console.log(`taxi-shaped examples: ${rows.toLocaleString('en-US')} rows (${examples.splits.join(', ')}) ready in ${((performance.now() - t) / 1000).toFixed(2)} s`)
  const sluice: TransformThroughput[] = []
  const sql: number[] = []
  let sums: Record<string, Record<string, number>> = {}
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first so that neither always runs on a warmer page cache.
    if (round % 2 === 1) sql.push((await duckdbTaxiTransform(examples, path.join(tmpDir, 'sql-out'))).seconds)
    sluice.push(await measureTransformThroughput({ rows, tmpDir, moduleFile: BENCH_MODULE }))
    if (round % 2 === 0) {
      const reference = await duckdbTaxiTransform(examples, path.join(tmpDir, 'sql-out'))
      sql.push(reference.seconds)
      sums = reference.sums
    }
  }
  const s = median(sluice.map((m) => m.seconds))
  const d = median(sql)
  console.log(`module (the same transform as the SQL): ${path.relative(process.cwd(), sluice[0]!.moduleFile)}`)
  console.log(`Transform (runComponent)       median ${s.toFixed(2)} s  ${Math.round(rows / s).toLocaleString('en-US')} rows/s   rounds: ${sluice.map((m) => m.seconds.toFixed(2)).join(', ')}`)
  console.log(`  analyze                      median ${median(sluice.map((m) => m.analyzeSeconds)).toFixed(2)} s`)
  console.log(`  materialize                  median ${median(sluice.map((m) => m.materializeSeconds)).toFixed(2)} s  ${Math.round(rows / median(sluice.map((m) => m.materializeSeconds))).toLocaleString('en-US')} rows/s`)
  console.log(`DuckDB SQL equivalent          median ${d.toFixed(2)} s  ${Math.round(rows / d).toLocaleString('en-US')} rows/s   rounds: ${sql.map((x) => x.toFixed(2)).join(', ')}`)
  console.log(`ratio (Transform throughput / DuckDB SQL throughput): ${(d / s).toFixed(2)}x (goal >= 0.5x)`)
  const example = await measureTransformThroughput({ rows, tmpDir })
  console.log(`module ${path.relative(process.cwd(), example.moduleFile)}: ${example.seconds.toFixed(2)} s, ${Math.round(example.rowsPerSecond).toLocaleString('en-US')} rows/s (analyze ${example.analyzeSeconds.toFixed(2)} s, materialize ${example.materializeSeconds.toFixed(2)} s)`)
  const withStats = await measureTransformThroughput({ rows, tmpDir, disableStatistics: false, moduleFile: BENCH_MODULE })
  console.log(`with pre/post statistics (Transform's default): ${withStats.seconds.toFixed(2)} s (statistics ${withStats.statisticsSeconds.toFixed(2)} s)`)
  // Equivalence: the sums of the non-hashed outputs agree with the SQL's.
  const check = await (async () => {
    const root = fs.mkdtempSync(path.join(tmpDir, 'check-'))
    const { outputs } = await runComponent(Transform, {
      inputs: { examples: { uri: examples.uri, properties: examples.properties, customProperties: examples.customProperties }, schema: { uri: path.join(tmpDir, 'taxi-schema') } },
      parameters: { moduleFile: sluice[0]!.moduleFile, disableStatistics: true },
      root,
    })
    await using db = await openDuckDB()
    const result: Record<string, Record<string, number>> = {}
    for (const split of examples.splits) result[split] = await columnSums(db.connection, `read_parquet(${sqlStringList(await listSplitFiles(outputs.transformedExamples.uri, split))})`)
    fs.rmSync(root, { recursive: true, force: true })
    return result
  })()
  let worst = 0
  for (const split of examples.splits) {
    for (const [column, value] of Object.entries(sums[split]!)) {
      const ours = check[split]![column]!
      worst = Math.max(worst, Math.abs(ours - value) / Math.max(1, Math.abs(value)))
    }
  }
  console.log(`equivalence: largest relative difference of column sums vs SQL ${worst.toExponential(2)} ${worst < 1e-6 ? 'OK' : 'MISMATCH'}`)
}
