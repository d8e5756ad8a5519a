// Computes the analyzers of a preprocessing graph over a relation (a split's view) with DuckDB.
// Analyzers whose inputs use other analyzers run in later phases, with the earlier values inlined as
// constants. Per phase: every scalar and quantiles analyzer in ONE aggregate SELECT; each vocabulary
// in one GROUP BY query. Quantiles use DuckDB's exact `quantile_disc` (each boundary is a value of
// the data), not TFT's approximate (epsilon) quantiles: boundaries may differ from TFT's on large data.
import type { DuckDBConnection } from '@duckdb/node-api'
import { openSplitView, sqlIdentifier, sqlString } from '@sluice/data/examples'
import type { AnalyzerValues, FittedAnalyzer, FittedTransform } from './fitted-transform.js'
import { TransformError, collectAnalyzers, fitTransform } from './fitted-transform.js'
import type { AnalyzerDef, Expr, TransformGraph, Value } from './tft/expr.js'
import { analyzerKey, analyzersOf, isLiteralList } from './tft/expr.js'
import type { PreprocessingFn } from './tft/tft.js'
import { traceTransform } from './tft/tft.js'

/** Options of {@link analyzeGraph}. */
export interface AnalyzeOptions {
  /** Called before each query (for logging). */
  onQuery?: (sql: string) => void
}

/**
 * Computes every analyzer of `graph` over `relation` (SQL text: a quoted view or table name, or a
 * parenthesised subquery). Analyzers skip missing values (NULL); `mean`, `var` (population),
 * `min`, `max`, `sum` of no value are null, `size` is then 0.
 */
export async function analyzeGraph(connection: DuckDBConnection, relation: string, graph: TransformGraph, options: AnalyzeOptions = {}): Promise<AnalyzerValues> {
  const pending = collectAnalyzers(graph)
  const values = new Map<string, FittedAnalyzer>()
  const run = async (sql: string) => {
    options.onQuery?.(sql)
    return (await connection.runAndReadAll(sql)).getRowsJS()
  }
  while (pending.size > 0) {
    const ready = [...pending].filter(([, a]) => analyzersOf(a.input).every((inner) => values.has(analyzerKey(inner))))
    if (ready.length === 0) throw new TransformError('The analyzers of the preprocessing graph depend on each other in a cycle.')
    for (const [key] of ready) pending.delete(key)

    // All scalar and quantiles analyzers of the phase: one SELECT.
    const aggregates = ready.filter(([, a]) => a.kind !== 'vocabulary' && !(a.kind === 'quantiles' && a.numBuckets === 1))
    if (aggregates.length > 0) {
      const columns = aggregates.map(([, a], i) => `${aggregateSql(a, toSql(a.input, values))} AS a${i}`)
      const [row] = await run(`SELECT ${columns.join(', ')} FROM ${relation}`)
      aggregates.forEach(([key, a], i) => values.set(key, aggregateValue(a, row?.[i])))
    }
    for (const [key, a] of ready) {
      if (a.kind === 'quantiles' && a.numBuckets === 1) values.set(key, { kind: 'quantiles', numBuckets: 1, boundaries: [] })
      if (a.kind !== 'vocabulary') continue
      const x = toSql(a.input, values)
      const [typeRow] = await run(`SELECT typeof(${x}) FROM ${relation} LIMIT 1`)
      const token = vocabularyKeySql(x, String(typeRow?.[0] ?? 'VARCHAR'))
      const rows = await run(
        `SELECT token, count(*) AS frequency FROM (SELECT ${token} AS token FROM ${relation}) ` +
          `WHERE token IS NOT NULL AND token <> '' AND NOT contains(token, chr(10)) AND NOT contains(token, chr(13)) ` +
          `GROUP BY token HAVING count(*) >= ${a.frequencyThreshold} ORDER BY frequency DESC, token DESC` +
          (a.topK === null ? '' : ` LIMIT ${a.topK}`),
      )
      values.set(key, { kind: 'vocabulary', tokens: rows.map((r) => String(r[0])), frequencies: rows.map((r) => Number(r[1])) })
    }
  }
  return values
}

/**
 * Traces `preprocessingFn` on the columns of the given split(s) of an Examples artifact, computes its
 * analyzers over those splits together and returns the fitted transform.
 */
export async function fitOnSplits(
  connection: DuckDBConnection,
  examplesUri: string,
  splits: string | readonly string[],
  preprocessingFn: PreprocessingFn,
  options: AnalyzeOptions = {},
): Promise<FittedTransform> {
  const names = typeof splits === 'string' ? [splits] : splits
  if (names.length === 0) throw new TransformError('No split to analyze.')
  const views = []
  for (const [i, split] of names.entries()) views.push(await openSplitView(connection, examplesUri, split, { view: `transform_analyze_${i}` }))
  const first = views[0]!
  let relation = sqlIdentifier(first.view)
  if (views.length > 1) {
    relation = sqlIdentifier('transform_analyze')
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${relation} AS ${views.map((v) => `SELECT * FROM ${sqlIdentifier(v.view)}`).join(' UNION ALL BY NAME ')}`)
  }
  const columns = new Map(views.flatMap((v) => v.columns.map((c) => [c.name, c] as const)))
  const graph = traceTransform(preprocessingFn, [...columns.keys()])
  const listInputs = graph.inputs.filter((name) => columns.get(name)?.isList)
  if (listInputs.length > 0) throw new TransformError(`The transform reads list (multivalent) features ${listInputs.join(', ')}; only scalar features are supported.`)
  const values = await analyzeGraph(connection, relation, graph, options)
  return fitTransform(graph, values)
}

function aggregateSql(a: AnalyzerDef, x: string): string {
  const d = `TRY_CAST(${x} AS DOUBLE)`
  switch (a.kind) {
    case 'mean':
      return `avg(${d})`
    case 'var':
      return `var_pop(${d})`
    case 'min':
      return `min(${d})`
    case 'max':
      return `max(${d})`
    case 'sum':
      return `sum(${d})`
    case 'size':
      return `count(${x})`
    case 'quantiles': {
      const fractions = Array.from({ length: a.numBuckets - 1 }, (_, i) => `${(i + 1) / a.numBuckets}`)
      return `quantile_disc(${d}, [${fractions.join(', ')}]) FILTER (WHERE NOT isnan(${d}))`
    }
    case 'vocabulary':
      throw new TransformError('A vocabulary is not an aggregate.')
  }
}

function aggregateValue(a: AnalyzerDef, raw: unknown): FittedAnalyzer {
  if (a.kind === 'quantiles') {
    const list = Array.isArray(raw) ? raw.map(Number) : []
    const boundaries = [...new Set(list)].sort((x, y) => x - y)
    return { kind: 'quantiles', numBuckets: a.numBuckets, boundaries }
  }
  if (a.kind === 'vocabulary') throw new TransformError('A vocabulary is not an aggregate.')
  if (a.kind === 'size') return { kind: 'size', value: Number(raw ?? 0) }
  return { kind: a.kind, value: raw === null || raw === undefined ? null : Number(raw) }
}

/**
 * The vocabulary token of a value in SQL, matching `stringKey` in JS: integral doubles without a
 * decimal point (`3.0` → `3`), everything else as DuckDB's VARCHAR cast.
 */
function vocabularyKeySql(x: string, type: string): string {
  if (type === 'DOUBLE' || type === 'FLOAT') {
    return `CASE WHEN isfinite(${x}) AND ${x} = trunc(${x}) AND abs(${x}) < 1e15 THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END`
  }
  return `CAST(${x} AS VARCHAR)`
}

function literal(v: Value): string {
  if (v === null) return 'NULL'
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE'
  if (typeof v === 'string') return sqlString(v)
  if (Number.isNaN(v)) return `'NaN'::DOUBLE`
  if (!Number.isFinite(v)) return v > 0 ? `'Infinity'::DOUBLE` : `'-Infinity'::DOUBLE`
  return `(${v})::DOUBLE`
}

/**
 * An expression as DuckDB SQL, with analyzer values inlined. Follows `applyTransform`'s semantics;
 * vocabulary and hash lookups cannot feed an analyzer.
 */
export function toSql(e: Expr, values: AnalyzerValues): string {
  const num = (x: Expr) => `TRY_CAST(${toSql(x, values)} AS DOUBLE)`
  const bool = (x: Expr) => `TRY_CAST(${toSql(x, values)} AS BOOLEAN)`
  switch (e.op) {
    case 'input':
      return sqlIdentifier(e.name)
    case 'const':
      return literal(e.value)
    case 'binary': {
      switch (e.fn) {
        case 'add':
          return `(${num(e.a)} + ${num(e.b)})`
        case 'sub':
          return `(${num(e.a)} - ${num(e.b)})`
        case 'mul':
          return `(${num(e.a)} * ${num(e.b)})`
        case 'div':
          return `(CASE WHEN ${num(e.b)} = 0 THEN NULL ELSE ${num(e.a)} / ${num(e.b)} END)`
        case 'and':
          return `(${bool(e.a)} AND ${bool(e.b)})`
        case 'or':
          return `(${bool(e.a)} OR ${bool(e.b)})`
        default: {
          // DuckDB orders NaN above every number (NaN = NaN is true); JS comparisons with NaN are false.
          const op = { gt: '>', ge: '>=', lt: '<', le: '<=', eq: '=' }[e.fn]
          const a = toSql(e.a, values)
          const b = toSql(e.b, values)
          const isNaN = (x: string) => `(typeof(${x}) IN ('DOUBLE', 'FLOAT') AND isnan(TRY_CAST(${x} AS DOUBLE)))`
          return `(CASE WHEN ${isNaN(a)} OR ${isNaN(b)} THEN FALSE ELSE ${a} ${op} ${b} END)`
        }
      }
    }
    case 'not':
      return `(NOT ${bool(e.x)})`
    case 'sqrt':
      return `sqrt(${num(e.x)})`
    case 'cast':
      switch (e.to) {
        case 'float':
          return num(e.x)
        case 'int':
          return `TRY_CAST(trunc(${num(e.x)}) AS BIGINT)`
        case 'string':
          return `CAST(${toSql(e.x, values)} AS VARCHAR)`
        case 'bool':
          return bool(e.x)
      }
      break
    case 'fillMissing': {
      const x = toSql(e.x, values)
      return `(CASE WHEN ${x} IS NULL OR (typeof(${x}) IN ('DOUBLE', 'FLOAT') AND isnan(TRY_CAST(${x} AS DOUBLE))) THEN ${literal(e.value)} ELSE ${x} END)`
    }
    case 'where':
      return `(CASE WHEN ${bool(e.cond)} THEN ${toSql(e.then, values)} ELSE ${toSql(e.else, values)} END)`
    case 'analyzer': {
      const value = values.get(analyzerKey(e.analyzer))
      if (!value || value.kind === 'quantiles' || value.kind === 'vocabulary') throw new TransformError(`The ${e.analyzer.kind} analyzer has no scalar value yet.`)
      return literal(value.value)
    }
    case 'applyBuckets': {
      let boundaries: readonly number[]
      if (isLiteralList(e.boundaries)) boundaries = e.boundaries
      else {
        const value = values.get(analyzerKey(e.boundaries))
        if (value?.kind !== 'quantiles') throw new TransformError('The quantiles analyzer has no value yet.')
        boundaries = value.boundaries
      }
      const x = num(e.x)
      const count = boundaries.map((b) => `CAST(${x} >= ${literal(b)} AS INTEGER)`).join(' + ') || '0'
      return `(CASE WHEN ${x} IS NULL THEN NULL WHEN isnan(${x}) THEN ${boundaries.length} ELSE ${count} END)`
    }
    case 'applyVocabulary':
    case 'hashStrings':
      throw new TransformError(`An analyzer cannot take the output of ${e.op} as its input.`)
  }
  throw new TransformError(`Unknown operation ${JSON.stringify((e as { op?: unknown }).op)}.`)
}
