// Computes TFDV's per-feature statistics of one split on DuckDB.
//
// Queries per split (each reads only the Parquet columns it needs):
//  1. one aggregate over all features: counts, number-of-values statistics, and for scalar numeric
//     features mean, population std dev, min, max, zeros and quantiles (plus the weighted sums);
//  2. one equal-width histogram query over all scalar numeric features (it needs pass 1's min/max);
//  3. one GROUP BY per string (or categorical) feature: unique, top values, rank histogram, length;
//  and, only when they exist, one value-level aggregate + histogram per LIST numeric feature
//  (over `unnest`), and one weighted-quantiles query per numeric feature when a weight feature is set.
import type { DuckDBConnection } from '@duckdb/node-api'
import { openDuckDB } from '../examples/duckdb.js'
import { FEATURE_TYPES_METADATA_KEY } from '../examples/feature-types.js'
import { StatisticsFeatureError, StatisticsInputError } from './errors.js'
import type { ResolvedStatsOptions, StatsOptions } from './options.js'
import { resolveStatsOptions } from './options.js'
import { dbl, fraction, ident, readParquet } from './sql.js'
import type {
  CommonStatistics,
  DatasetFeatureStatistics,
  FeatureNameStatistics,
  StatisticsFeatureType,
  FreqAndValue,
  Histogram,
  NumericStatistics,
  RankHistogram,
  StringStatistics,
} from './types.js'

/** One split to describe. */
export interface SplitStatisticsInput {
  /** The data set name: the split name. */
  name: string
  /** The split's Parquet files (`listSplitFiles` of `@sluice/data/examples`). */
  files: readonly string[]
  /**
   * Feature types by column (e.g. the Examples artifact's `feature_types` custom property). The
   * `sluice.feature_types` key-value metadata of the first Parquet file takes precedence; columns in
   * neither are typed from their Parquet type.
   */
  featureTypes?: Readonly<Record<string, string>>
}

/** {@link StatsOptions} plus how to run DuckDB. */
export interface ComputeStatisticsOptions extends StatsOptions {
  /** DuckDB worker threads; `SLUICE_DUCKDB_THREADS` or all cores when unset (see `openDuckDB`). */
  threads?: number
  /** Where DuckDB may spill (e.g. the executor's tmpDir). */
  tempDirectory?: string
  /** DuckDB's memory_limit, e.g. "4GB". */
  memoryLimit?: string
  /** Cancels the running query and rejects. */
  signal?: AbortSignal
  /** Called after each query with the fraction of queries done. */
  onProgress?: (fraction: number, message: string) => void
}

type ElementType = 'BIGINT' | 'DOUBLE' | 'VARCHAR'

interface Feature {
  index: number
  name: string
  /** SQL reading the column. */
  column: string
  list: boolean
  type: StatisticsFeatureType
  /** Numeric or string (also for categorical INT/FLOAT) statistics. */
  kind: 'numeric' | 'string'
  /** The SQL type values are cast to (when the Parquet type differs). */
  element: ElementType
  /** Whether the Parquet element type differs from `element` (a CAST is needed). */
  needsCast: boolean
  /** DOUBLE values may be NaN. */
  mayBeNaN: boolean
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'BOOLEAN'])
const FLOAT_TYPES = new Set(['FLOAT', 'DOUBLE'])
const STRING_LIKE = new Set(['VARCHAR', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS', 'TIME WITH TIME ZONE', 'UUID', 'INTERVAL'])

function physicalKind(sqlType: string): ElementType | undefined {
  if (INTEGER_TYPES.has(sqlType)) return 'BIGINT'
  if (FLOAT_TYPES.has(sqlType) || sqlType.startsWith('DECIMAL')) return 'DOUBLE'
  if (STRING_LIKE.has(sqlType) || sqlType === '"NULL"' || sqlType === 'NULL') return 'VARCHAR'
  return undefined
}

/** Reads the declared feature types from the first file's key-value metadata. */
async function readDeclaredTypes(connection: DuckDBConnection, file: string, split: string): Promise<Record<string, string> | undefined> {
  const reader = await run(connection, `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${sqlString(file)})`, split, file)
  for (const row of reader.getRowObjectsJS()) {
    if (row.key !== FEATURE_TYPES_METADATA_KEY) continue
    try {
      const parsed: unknown = JSON.parse(String(row.value))
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, string>
    } catch {
      // Unreadable metadata: fall back to the Parquet types.
    }
  }
  return undefined
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

async function run(connection: DuckDBConnection, sql: string, split: string, file?: string) {
  try {
    return await connection.runAndReadAll(sql)
  } catch (cause) {
    const message = (cause as Error).message ?? String(cause)
    if (/interrupt/i.test(message)) throw cause
    throw new StatisticsInputError(`Split "${split}": DuckDB could not compute statistics${file ? ` from "${file}"` : ''}: ${message.split('\n')[0]}`, {
      cause,
      split,
      ...(file ? { file } : {}),
    })
  }
}

function describeFeatures(
  columns: { name: string; type: string }[],
  declared: Readonly<Record<string, string>>,
  options: ResolvedStatsOptions,
  split: string,
): Feature[] {
  const categorical = new Set(options.categoricalFeatures)
  const allow = options.featureAllowlist ? new Set(options.featureAllowlist) : undefined
  const features: Feature[] = []
  for (const { name, type: sqlType } of columns) {
    if (allow && !allow.has(name) && name !== options.weightFeature) continue
    const listMatch = /^(.*)\[\d*\]$/.exec(sqlType)
    const list = listMatch !== null
    const elementSql = listMatch ? listMatch[1]! : sqlType
    const physical = physicalKind(elementSql)
    if (physical === undefined) {
      throw new StatisticsFeatureError(`Split "${split}", feature "${name}": column type ${sqlType} is not supported (expected integer, floating point or string values, or a list of them).`, {
        split,
        feature: name,
        fix: 'Write nested or struct data as separate columns.',
      })
    }
    const declaredType = String(declared[name] ?? '').toUpperCase()
    let type: StatisticsFeatureType
    let element: ElementType
    if (declaredType === 'INT') [type, element] = ['INT', 'BIGINT']
    else if (declaredType === 'FLOAT') [type, element] = ['FLOAT', 'DOUBLE']
    else if (declaredType === 'STRING' || declaredType === 'BYTES' || declaredType === 'UNKNOWN') [type, element] = ['STRING', 'VARCHAR']
    else [type, element] = physical === 'BIGINT' ? ['INT', 'BIGINT'] : physical === 'DOUBLE' ? ['FLOAT', 'DOUBLE'] : ['STRING', 'VARCHAR']
    const kind = type === 'STRING' || categorical.has(name) ? 'string' : 'numeric'
    features.push({
      index: features.length,
      name,
      column: ident(name),
      list,
      type,
      kind,
      element,
      needsCast: elementSql !== element,
      mayBeNaN: element === 'DOUBLE' && physical === 'DOUBLE' && kind === 'numeric',
    })
  }
  return features
}

/** Numeric-statistics results of one feature's values. */
interface NumericResult {
  values: number
  count: number
  nan: number
  mean: number
  std: number
  min: number
  max: number
  zeros: number
  median: number
  quantiles: number[]
  weighted?: { sum: number; sumV: number; sumVV: number; nan: number }
}

type Row = Record<string, unknown>

function n(value: unknown): number {
  if (value === null || value === undefined) return 0
  return typeof value === 'bigint' ? Number(value) : Number(value)
}

function nums(value: unknown): number[] {
  return Array.isArray(value) ? value.map(n) : []
}

/**
 * Computes the statistics of one split: TFDV's common, numeric and string statistics of every
 * feature (column) of its Parquet files, as one DatasetFeatureStatistics named after the split.
 */
export async function computeSplitStatistics(input: SplitStatisticsInput, options: ComputeStatisticsOptions = {}): Promise<DatasetFeatureStatistics> {
  const opts = resolveStatsOptions(options)
  const split = input.name
  if (input.files.length === 0) {
    throw new StatisticsInputError(`Split "${split}" has no Parquet files to compute statistics from.`, { split })
  }
  const signal = options.signal
  const db = await openDuckDB({
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.tempDirectory !== undefined ? { tempDirectory: options.tempDirectory } : {}),
    ...(options.memoryLimit !== undefined ? { memoryLimit: options.memoryLimit } : {}),
    ...(signal ? { signal } : {}),
  })
  try {
    signal?.throwIfAborted()
    return await new SplitComputation(db.connection, input, opts, options).run()
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error
    throw error
  } finally {
    await db.close()
  }
}

class SplitComputation {
  private readonly src: string
  private readonly split: string
  private features: Feature[] = []
  private weight: string | undefined
  private exactQuantiles = true
  /** Set after DuckDB's stddev_pop overflowed (infinite or huge values): use the safe form. */
  private safeStd = false
  private queriesDone = 0
  private queriesPlanned = 1

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly input: SplitStatisticsInput,
    private readonly opts: ResolvedStatsOptions,
    private readonly runOptions: ComputeStatisticsOptions,
  ) {
    this.src = readParquet(input.files)
    this.split = input.name
  }

  private async query(sql: string): Promise<Row[]> {
    this.runOptions.signal?.throwIfAborted()
    const reader = await run(this.connection, sql, this.split)
    this.queriesDone++
    this.runOptions.onProgress?.(Math.min(1, this.queriesDone / this.queriesPlanned), `split ${this.split}: ${this.queriesDone}/${this.queriesPlanned} queries`)
    return reader.getRowObjectsJS() as Row[]
  }

  /**
   * Runs a query built by `build`; DuckDB's stddev_pop throws when the result is not finite (an
   * infinite value, or values near 1e300), so on that error the query is rebuilt in the safe form.
   */
  private async queryWithSafeStd(build: () => string): Promise<Row[]> {
    try {
      return await this.query(build())
    } catch (error) {
      if (this.safeStd || !/STDDEV_POP is out of range/i.test(String((error as Error).message))) throw error
      this.safeStd = true
      return await this.query(build())
    }
  }

  async run(): Promise<DatasetFeatureStatistics> {
    const { split, opts } = this
    const firstFile = this.input.files[0]!
    const described = await run(this.connection, `DESCRIBE SELECT * FROM ${this.src}`, split, this.input.files.length === 1 ? firstFile : undefined)
    const columns = described.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    const declared = { ...(this.input.featureTypes ?? {}), ...((await readDeclaredTypes(this.connection, firstFile, split)) ?? {}) }
    this.features = describeFeatures(columns, declared, opts, split)

    if (opts.weightFeature !== undefined) {
      const weightFeature = this.features.find((f) => f.name === opts.weightFeature)
      if (!weightFeature) {
        throw new StatisticsFeatureError(`Split "${split}": the weight feature "${opts.weightFeature}" is not a column of the examples.`, {
          split,
          feature: opts.weightFeature,
          fix: `Columns are ${columns.map((c) => `"${c.name}"`).join(', ')}.`,
        })
      }
      if (weightFeature.list || weightFeature.type === 'STRING') {
        throw new StatisticsFeatureError(`Split "${split}": the weight feature "${opts.weightFeature}" must be a numeric feature with one value per example.`, {
          split,
          feature: opts.weightFeature,
        })
      }
      this.weight = `CAST(${weightFeature.column} AS DOUBLE)`
    }

    const numericCount = this.features.filter((f) => f.kind === 'numeric').length
    const scalarNumeric = this.features.filter((f) => f.kind === 'numeric' && !f.list)
    const listNumeric = this.features.filter((f) => f.kind === 'numeric' && f.list)
    const strings = this.features.filter((f) => f.kind === 'string')
    this.queriesPlanned = (opts.quantiles === 'auto' ? 1 : 0) + 2 + listNumeric.length * 2 + strings.length + (this.weight ? numericCount : 0)
    if (opts.quantiles === 'approximate') this.exactQuantiles = false
    else if (opts.quantiles === 'auto') {
      const rows = await this.query(`SELECT coalesce(sum(num_rows), 0)::DOUBLE AS n FROM parquet_file_metadata([${this.input.files.map(sqlString).join(', ')}])`)
      this.exactQuantiles = n(rows[0]?.n) * Math.max(1, numericCount) <= opts.exactQuantilesMaxValues
    }

    // Pass 1: all features' counts plus scalar numeric value statistics.
    const main = (await this.queryWithSafeStd(() => this.mainQuery(scalarNumeric)))[0] ?? {}
    const numExamples = n(main.n_examples)
    const dataset: DatasetFeatureStatistics = { name: split, numExamples, features: [] }
    const totalWeight = n(main.w_total)
    if (this.weight) {
      const missing = numExamples - n(main.w_count)
      if (missing > 0) {
        throw new StatisticsFeatureError(`Split "${split}": the weight feature "${opts.weightFeature}" is missing in ${missing} of ${numExamples} examples.`, {
          split,
          feature: opts.weightFeature!,
          fix: 'Every example needs a weight: fill the missing values, or drop weightFeature.',
        })
      }
      dataset.weightedNumExamples = totalWeight
    }

    const numeric = new Map<number, NumericResult>()
    for (const f of scalarNumeric) numeric.set(f.index, this.numericResult(main, `f${f.index}_`, n(main[`f${f.index}_nn`])))
    for (const f of listNumeric) {
      const row = (await this.queryWithSafeStd(() => this.listValuesQuery(f)))[0] ?? {}
      numeric.set(f.index, this.numericResult(row, `f${f.index}_`, n(row[`f${f.index}_vals`])))
    }

    // Pass 2: equal-width histograms (bounds from pass 1).
    const standard = new Map<number, { counts: number[]; weighted?: number[]; lo: number; hi: number }>()
    await this.histograms(scalarNumeric, this.scalarSource(scalarNumeric), numeric, standard)
    for (const f of listNumeric) await this.histograms([f], this.listSource(f), numeric, standard)

    // Weighted quantiles and medians.
    const weightedQuantiles = new Map<number, { median: number; quantiles: number[] }>()
    if (this.weight) {
      for (const f of [...scalarNumeric, ...listNumeric]) {
        weightedQuantiles.set(f.index, await this.weightedQuantiles(f))
      }
    }

    for (const f of this.features) {
      const common = this.commonStats(f, main, numExamples, totalWeight)
      const feature: FeatureNameStatistics = { path: { step: [f.name] }, type: f.type }
      if (f.kind === 'numeric') {
        feature.numStats = this.numericStats(common, numeric.get(f.index)!, standard.get(f.index), weightedQuantiles.get(f.index))
      } else {
        feature.stringStats = await this.stringStats(f, common)
      }
      dataset.features.push(feature)
    }
    return dataset
  }

  // ---- SQL builders

  /** An expression of `f`'s element value `raw`, cast to its element type and, for DOUBLE, NaN turned into NULL. */
  private clean(f: Feature, raw: string): string {
    const value = f.needsCast ? `CAST(${raw} AS ${f.element})` : raw
    return f.mayBeNaN ? `CASE WHEN isnan(${value}) THEN NULL ELSE ${value} END` : value
  }

  /** Scalar features' raw columns r{i}, numeric clean values v{i}, and the weight w. */
  private scalarSource(features: Feature[]): string {
    const cols = features.map((f) => `${this.clean(f, f.column)} AS v${f.index}${f.mayBeNaN ? `, ${f.column} AS r${f.index}` : ''}`)
    if (this.weight) cols.push(`${this.weight} AS w`)
    if (cols.length === 0) cols.push('1 AS one')
    return `(SELECT ${cols.join(', ')} FROM ${this.src})`
  }

  /** One LIST feature's values, one row each: raw r{i}, clean v{i}, and the example's weight w. */
  private listSource(f: Feature): string {
    const inner = `(SELECT unnest(${f.column}) AS r${f.index}${this.weight ? `, ${this.weight} AS w` : ''} FROM ${this.src})`
    return `(SELECT r${f.index}, ${this.clean(f, `r${f.index}`)} AS v${f.index}${this.weight ? ', w' : ''} FROM ${inner})`
  }

  /**
   * The inner quantile boundaries k/B (k = 1..B-1) of `expr`; the outer ones are the min and the
   * max, which other aggregates give for free.
   */
  private quantileList(expr: string, buckets: number): string {
    const fractions = innerFractions(buckets)
    if (fractions.length === 0) return `[]::DOUBLE[]`
    const fn = this.exactQuantiles ? 'quantile_disc' : 'approx_quantile'
    return `${fn}(${expr}, [${fractions.join(', ')}])::DOUBLE[]`
  }

  /** Value-level numeric aggregates of `f` over a relation with v{i} (and r{i} for NaN-able, w when weighted). */
  private numericAggregates(f: Feature): string[] {
    const v = `v${f.index}`
    const p = `f${f.index}_`
    const aggs = [
      `count(${v})::DOUBLE AS ${p}cnt`,
      `avg(${v})::DOUBLE AS ${p}mean`,
      this.safeStd && f.element === 'DOUBLE'
        ? // 2^-512 scaling is exact and keeps squares of huge values finite; infinities are left out.
          `(stddev_pop(${v} * ${dbl(2 ** -512)}) FILTER (WHERE isfinite(${v})) * ${dbl(2 ** 512)})::DOUBLE AS ${p}std`
        : `stddev_pop(${v})::DOUBLE AS ${p}std`,
      `min(${v})::DOUBLE AS ${p}min`,
      `max(${v})::DOUBLE AS ${p}max`,
      `count(*) FILTER (WHERE ${v} = 0)::DOUBLE AS ${p}zeros`,
      `${this.quantileList(v, this.opts.numQuantilesHistogramBuckets)} AS ${p}q`,
    ]
    if (this.opts.numQuantilesHistogramBuckets % 2 !== 0) {
      aggs.push(`${this.exactQuantiles ? 'quantile_disc' : 'approx_quantile'}(${v}, 0.5)::DOUBLE AS ${p}median`)
    }
    if (this.weight) {
      aggs.push(`sum(w) FILTER (WHERE ${v} IS NOT NULL) AS ${p}ws`, `sum(w * ${v}) AS ${p}wsv`, `sum(w * ${v} * ${v}) AS ${p}wsvv`)
      if (f.mayBeNaN) aggs.push(`sum(w) FILTER (WHERE isnan(r${f.index})) AS ${p}wnan`)
    }
    return aggs
  }

  private mainQuery(scalarNumeric: Feature[]): string {
    const numericIds = new Set(scalarNumeric.map((f) => f.index))
    const cols: string[] = []
    const aggs = ['count(*)::DOUBLE AS n_examples']
    if (this.weight) {
      cols.push(`${this.weight} AS w`)
      aggs.push('sum(w)::DOUBLE AS w_total', 'count(w)::DOUBLE AS w_count')
    }
    for (const f of this.features) {
      const r = `r${f.index}`
      const p = `f${f.index}_`
      cols.push(`${f.column} AS ${r}`)
      aggs.push(`count(${r})::DOUBLE AS ${p}nn`)
      if (f.list) {
        aggs.push(
          `min(len(${r}))::DOUBLE AS ${p}minv`,
          `max(len(${r}))::DOUBLE AS ${p}maxv`,
          `coalesce(sum(len(${r})), 0)::DOUBLE AS ${p}totv`,
          `${this.quantileList(`len(${r})`, this.opts.numValuesHistogramBuckets)} AS ${p}vq`,
        )
      }
      if (this.weight) {
        aggs.push(`sum(w) FILTER (WHERE ${r} IS NOT NULL)::DOUBLE AS ${p}wnn`)
        if (f.list) aggs.push(`sum(w * len(${r}))::DOUBLE AS ${p}wtot`)
      }
      if (numericIds.has(f.index)) {
        cols.push(`${this.clean(f, f.column)} AS v${f.index}`)
        aggs.push(...this.numericAggregates(f))
      }
    }
    return `SELECT ${aggs.join(',\n  ')}\nFROM (SELECT ${cols.join(', ') || '1 AS one'} FROM ${this.src})`
  }

  private listValuesQuery(f: Feature): string {
    return `SELECT count(r${f.index})::DOUBLE AS f${f.index}_vals, ${this.numericAggregates(f).join(', ')} FROM ${this.listSource(f)}`
  }

  private numericResult(row: Row, p: string, values: number): NumericResult {
    const count = n(row[`${p}cnt`])
    const result: NumericResult = {
      values,
      count,
      nan: values - count,
      mean: n(row[`${p}mean`]),
      std: n(row[`${p}std`]),
      min: n(row[`${p}min`]),
      max: n(row[`${p}max`]),
      zeros: n(row[`${p}zeros`]),
      median: 0,
      quantiles: [],
    }
    if (count > 0) {
      const inner = nums(row[`${p}q`])
      const buckets = this.opts.numQuantilesHistogramBuckets
      result.quantiles = [result.min, ...inner, result.max]
      result.median = buckets % 2 === 0 ? inner[buckets / 2 - 1]! : n(row[`${p}median`])
    }
    // With infinite values the spread is undefined (TFDV's sum-of-squares formula gives NaN too).
    if (!Number.isFinite(result.min) || !Number.isFinite(result.max)) result.std = Number.NaN
    if (this.weight) result.weighted = { sum: n(row[`${p}ws`]), sumV: n(row[`${p}wsv`]), sumVV: n(row[`${p}wsvv`]), nan: n(row[`${p}wnan`]) }
    return result
  }

  private async histograms(
    features: Feature[],
    source: string,
    numeric: Map<number, NumericResult>,
    out: Map<number, { counts: number[]; weighted?: number[]; lo: number; hi: number }>,
  ): Promise<void> {
    const buckets = this.opts.numHistogramBuckets
    const todo: { f: Feature; lo: number; hi: number }[] = []
    for (const f of features) {
      const r = numeric.get(f.index)!
      if (r.count === 0) continue
      let { min: lo, max: hi } = r
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
        const finite = (await this.query(`SELECT min(v${f.index})::DOUBLE AS lo, max(v${f.index})::DOUBLE AS hi FROM ${f.list ? this.listSource(f) : this.scalarSource([f])} WHERE isfinite(v${f.index})`))[0] ?? {}
        if (finite.lo === null || finite.lo === undefined) continue
        lo = n(finite.lo)
        hi = n(finite.hi)
      }
      if (lo < hi) todo.push({ f, lo, hi })
      else out.set(f.index, { counts: [r.count], ...(r.weighted ? { weighted: [r.weighted.sum] } : {}), lo, hi })
    }
    if (todo.length === 0) {
      this.queriesDone++
      return
    }
    // least/greatest skip NULLs, hence the CASE: a missing value must stay out of every bucket.
    const cols = todo.map(
      ({ f, lo, hi }) =>
        `CASE WHEN v${f.index} IS NOT NULL THEN least(greatest(floor((v${f.index} - ${dbl(lo)}) / (${dbl(hi)} - ${dbl(lo)}) * ${buckets}), 0), ${buckets - 1})::INTEGER END AS h${f.index}`,
    )
    if (this.weight) cols.push('w')
    const aggs = todo.map(({ f }) => `histogram(h${f.index}) AS h${f.index}`)
    if (this.weight) {
      for (const { f } of todo) {
        aggs.push(`[${Array.from({ length: buckets }, (_, k) => `coalesce(sum(w) FILTER (WHERE h${f.index} = ${k}), 0)`).join(', ')}]::DOUBLE[] AS wh${f.index}`)
      }
    }
    const row = (await this.query(`SELECT ${aggs.join(', ')} FROM (SELECT ${cols.join(', ')} FROM ${source})`))[0] ?? {}
    for (const { f, lo, hi } of todo) {
      const counts = new Array<number>(buckets).fill(0)
      const entries = row[`h${f.index}`]
      if (Array.isArray(entries)) {
        for (const entry of entries as { key: unknown; value: unknown }[]) {
          if (entry.key === null || entry.key === undefined) continue
          const k = n(entry.key)
          if (k >= 0 && k < buckets) counts[k] = n(entry.value)
        }
      }
      out.set(f.index, { counts, ...(this.weight ? { weighted: nums(row[`wh${f.index}`]) } : {}), lo, hi })
    }
  }

  private async weightedQuantiles(f: Feature): Promise<{ median: number; quantiles: number[] }> {
    const buckets = this.opts.numQuantilesHistogramBuckets
    const v = `v${f.index}`
    const source = f.list ? this.listSource(f) : this.scalarSource([f])
    const qs = ['min(v)::DOUBLE']
    for (let k = 1; k < buckets; k++) qs.push(`min(v) FILTER (WHERE cw * ${buckets} >= ${k} * tw)::DOUBLE`)
    qs.push('max(v)::DOUBLE')
    const sql = `WITH g AS (SELECT ${v} AS v, sum(w) AS w FROM ${source} WHERE ${v} IS NOT NULL GROUP BY 1),
c AS (SELECT v, sum(w) OVER (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cw, sum(w) OVER () AS tw FROM g)
SELECT [${qs.join(', ')}] AS q, min(v) FILTER (WHERE cw * 2 >= tw)::DOUBLE AS median FROM c`
    const row = (await this.query(sql))[0] ?? {}
    return { median: n(row.median), quantiles: nums(row.q) }
  }

  // ---- Results

  private commonStats(f: Feature, main: Row, numExamples: number, totalWeight: number): CommonStatistics {
    const p = `f${f.index}_`
    const nonMissing = n(main[`${p}nn`])
    const common: CommonStatistics = {
      numNonMissing: nonMissing,
      numMissing: numExamples - nonMissing,
      minNumValues: f.list ? n(main[`${p}minv`]) : nonMissing > 0 ? 1 : 0,
      maxNumValues: f.list ? n(main[`${p}maxv`]) : nonMissing > 0 ? 1 : 0,
      avgNumValues: 0,
      totNumValues: f.list ? n(main[`${p}totv`]) : nonMissing,
    }
    common.avgNumValues = nonMissing > 0 ? common.totNumValues / nonMissing : 0
    const valueBuckets = this.opts.numValuesHistogramBuckets
    const boundaries = f.list ? [common.minNumValues, ...nums(main[`${p}vq`]), common.maxNumValues] : new Array<number>(valueBuckets + 1).fill(1)
    common.numValuesHistogram = quantilesHistogram(nonMissing > 0 ? boundaries : [], nonMissing, valueBuckets, 0)
    if (this.weight) {
      const weightedNonMissing = n(main[`${p}wnn`])
      const weightedTotal = f.list ? n(main[`${p}wtot`]) : weightedNonMissing
      common.weightedCommonStats = {
        numNonMissing: weightedNonMissing,
        numMissing: totalWeight - weightedNonMissing,
        avgNumValues: weightedNonMissing !== 0 ? weightedTotal / weightedNonMissing : 0,
        totNumValues: weightedTotal,
      }
    }
    return common
  }

  private numericStats(
    commonStats: CommonStatistics,
    r: NumericResult,
    standard: { counts: number[]; weighted?: number[]; lo: number; hi: number } | undefined,
    weightedQ: { median: number; quantiles: number[] } | undefined,
  ): NumericStatistics {
    const stats: NumericStatistics = {
      commonStats,
      mean: r.mean,
      stdDev: r.std,
      numZeros: r.zeros,
      min: r.min,
      median: r.median,
      max: r.max,
      histograms: [
        standardHistogram(r, standard?.counts, standard, r.nan),
        quantilesHistogram(r.quantiles, r.count, this.opts.numQuantilesHistogramBuckets, r.nan),
      ],
    }
    if (r.weighted) {
      const { sum, sumV, sumVV, nan } = r.weighted
      const mean = sum !== 0 ? sumV / sum : 0
      stats.weightedNumericStats = {
        mean,
        stdDev: sum !== 0 ? Math.sqrt(Math.max(0, sumVV / sum - mean * mean)) : 0,
        median: weightedQ?.median ?? 0,
        histograms: [
          standardHistogram(r, standard?.weighted, standard, nan),
          quantilesHistogram(r.count > 0 ? (weightedQ?.quantiles ?? []) : [], sum, this.opts.numQuantilesHistogramBuckets, nan),
        ],
      }
    }
    return stats
  }

  private async stringStats(f: Feature, commonStats: CommonStatistics): Promise<StringStatistics> {
    const { numTopValues, numRankHistogramBuckets } = this.opts
    const keep = Math.max(1, numTopValues, numRankHistogramBuckets)
    const r = `r${f.index}`
    const source = f.list
      ? `(SELECT unnest(${f.column}) AS ${r}${this.weight ? `, ${this.weight} AS w` : ''} FROM ${this.src})`
      : `(SELECT ${f.column} AS ${r}${this.weight ? `, ${this.weight} AS w` : ''} FROM ${this.src})`
    const value = f.element === 'VARCHAR' && !f.needsCast ? r : `CAST(${r} AS VARCHAR)`
    const sql = `WITH g AS (SELECT ${value} AS v, count(*)::DOUBLE AS n${this.weight ? ', sum(w)::DOUBLE AS wn' : ''} FROM ${source} WHERE ${r} IS NOT NULL GROUP BY 1)
SELECT v, n${this.weight ? ', wn' : ''}, count(*) OVER ()::DOUBLE AS u, sum(strlen(v) * n) OVER ()::DOUBLE AS tl, sum(n) OVER ()::DOUBLE AS tn,
  row_number() OVER (ORDER BY n DESC, v DESC) AS rk${this.weight ? ', row_number() OVER (ORDER BY wn DESC, v DESC) AS wrk' : ''}
FROM g QUALIFY rk <= ${keep}${this.weight ? ` OR wrk <= ${keep}` : ''}`
    const rows = await this.query(sql)
    const first = rows[0]
    const totalValues = n(first?.tn)
    const byCount = rows.filter((row) => n(row.rk) <= keep).sort((a, b) => n(a.rk) - n(b.rk))
    const stats: StringStatistics = {
      commonStats,
      unique: n(first?.u),
      topValues: byCount.slice(0, numTopValues).map((row): FreqAndValue => ({ value: String(row.v), frequency: n(row.n) })),
      avgLength: totalValues > 0 ? n(first?.tl) / totalValues : 0,
      rankHistogram: rankHistogram(byCount.slice(0, numRankHistogramBuckets), 'n'),
    }
    if (this.weight) {
      const byWeight = rows.filter((row) => n(row.wrk) <= keep).sort((a, b) => n(a.wrk) - n(b.wrk))
      stats.weightedStringStats = {
        topValues: byWeight.slice(0, numTopValues).map((row): FreqAndValue => ({ value: String(row.v), frequency: n(row.wn) })),
        rankHistogram: rankHistogram(byWeight.slice(0, numRankHistogramBuckets), 'wn'),
      }
    }
    return stats
  }
}

/** The fractions k/B, k = 1..B-1, as SQL literals. */
function innerFractions(buckets: number): string[] {
  return Array.from({ length: buckets - 1 }, (_, k) => fraction(k + 1, buckets))
}

function rankHistogram(rows: Row[], countKey: string): RankHistogram {
  return { buckets: rows.map((row, rank) => ({ lowRank: rank, highRank: rank, label: String(row.v), sampleCount: n(row[countKey]) })) }
}

/**
 * TFDV's quantiles histogram: bucket k spans quantile boundaries k/B..(k+1)/B and holds, by
 * construction, total/B of the values.
 */
function quantilesHistogram(boundaries: number[], total: number, buckets: number, numNan: number): Histogram {
  const histogram: Histogram = { numNan, numUndefined: 0, buckets: [], type: 'QUANTILES' }
  if (total <= 0 || boundaries.length !== buckets + 1) return histogram
  for (let k = 0; k < buckets; k++) {
    histogram.buckets.push({ lowValue: boundaries[k]!, highValue: boundaries[k + 1]!, sampleCount: total / buckets })
  }
  return histogram
}

/** TFDV's standard histogram: equal-width buckets between the finite min and max. */
function standardHistogram(
  r: NumericResult,
  counts: number[] | undefined,
  bounds: { lo: number; hi: number } | undefined,
  numNan: number,
): Histogram {
  const histogram: Histogram = { numNan, numUndefined: 0, buckets: [], type: 'STANDARD' }
  if (!counts || !bounds || counts.length === 0) return histogram
  const { lo, hi } = bounds
  const b = counts.length
  for (let k = 0; k < b; k++) {
    histogram.buckets.push({
      lowValue: k === 0 ? lo : lo + ((hi - lo) * k) / b,
      highValue: k === b - 1 ? hi : lo + ((hi - lo) * (k + 1)) / b,
      sampleCount: counts[k]!,
    })
  }
  // Infinite values fall into the outer buckets, whose bounds then reach -/+Infinity (as TFDV).
  if (r.min === Number.NEGATIVE_INFINITY) histogram.buckets[0]!.lowValue = Number.NEGATIVE_INFINITY
  if (r.max === Number.POSITIVE_INFINITY) histogram.buckets[b - 1]!.highValue = Number.POSITIVE_INFINITY
  return histogram
}
