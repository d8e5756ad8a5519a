// Computes the analyzers of a preprocessing graph over a relation (a split's view) with DuckDB.
// Analyzers whose inputs use other analyzers run in later phases, with the earlier values inlined as
// constants. Per phase: every scalar and quantiles analyzer in ONE aggregate SELECT; each vocabulary
// in one GROUP BY query; the per-key analyzers sharing a key in one GROUP BY query. Quantiles use
// DuckDB's exact `quantile_disc` (each boundary is a value of the data), not TFT's approximate
// (epsilon) quantiles: boundaries may differ from TFT's on large data.
import type { DuckDBConnection } from '@duckdb/node-api'
import { openSplitView, sqlIdentifier, sqlString } from '@sluice/data/examples'
import type { SplitColumn } from '@sluice/data/examples'
import { TransformError } from './errors.js'
import type { AnalyzerValues, FittedAnalyzer, FittedTransform } from './fitted-transform.js'
import { collectAnalyzers, fitTransform } from './fitted-transform.js'
import type { InputTypes } from './output-types.js'
import { expressionType } from './output-types.js'
import type { AnalyzerDef, Expr, PerKeyStatistic, TransformGraph, Value } from './tft/expr.js'
import { analyzerInputs, analyzerKey, analyzersOf, analyzersOfNode, childrenOf, inputsOf, isLiteralList } from './tft/expr.js'
import type { CustomConfig, PreprocessingFn } from './tft/tft.js'
import { traceTransform } from './tft/tft.js'

/**
 * Analyzer values computed earlier over the same data (TFX's analyzer cache), by analyzer identity:
 * the analyzer's kind, parameters and the SQL of its inputs with earlier phases' values inlined, so
 * an analyzer whose inputs changed (or whose upstream analyzers' values changed) never matches.
 */
export interface AnalyzerCache {
  get(identity: string): FittedAnalyzer | undefined
  set(identity: string, value: FittedAnalyzer): void
}

/** Options of {@link analyzeGraph}. */
export interface AnalyzeOptions {
  /** Called before each query (for logging). */
  onQuery?: (sql: string) => void
  /** Reuse (and record) analyzer values computed over the same data. */
  cache?: AnalyzerCache
  /** The raw features' types: when given, analyzers of non-numeric inputs are rejected before any query. */
  inputTypes?: InputTypes
  /** What the data is (e.g. `split(s) train`), for error messages. */
  dataDescription?: string
}

/** Options of {@link fitOnSplits}. */
export interface FitOptions extends Omit<AnalyzeOptions, 'inputTypes' | 'dataDescription'> {
  /** The third argument of the preprocessing function. @default {} */
  customConfig?: CustomConfig
  /** Where the preprocessing function comes from (its module file), for error messages. */
  source?: string
}

const NUMERIC_ANALYZER: Readonly<Record<AnalyzerDef['kind'], string | undefined>> = {
  mean: 'tft.mean',
  var: 'tft.var',
  min: 'tft.min',
  max: 'tft.max',
  sum: 'tft.sum',
  size: undefined,
  vocabulary: undefined,
  quantiles: 'tft.quantiles (bucketize)',
  perKey: 'a per-key analyzer',
  quantilesPerKey: 'tft.bucketizePerKey',
}

/**
 * Computes every analyzer of `graph` over `relation` (SQL text: a quoted view or table name, or a
 * parenthesised subquery). Analyzers skip missing values (NULL); `mean`, `var` (population),
 * `min`, `max`, `sum` of no value are null, `size` is then 0. A query that fails becomes a
 * {@link TransformError} naming the analyzers and the outputs that use them.
 */
export async function analyzeGraph(connection: DuckDBConnection, relation: string, graph: TransformGraph, options: AnalyzeOptions = {}): Promise<AnalyzerValues> {
  const pending = collectAnalyzers(graph)
  const users = outputsUsing(graph)
  if (options.inputTypes) checkAnalyzerInputs(pending, users, options.inputTypes)
  const values = new Map<string, FittedAnalyzer>()
  const run = async (sql: string, analyzers: readonly (readonly [string, AnalyzerDef])[]) => {
    options.onQuery?.(sql)
    try {
      return (await connection.runAndReadAll(sql)).getRowsJS()
    } catch (cause) {
      const message = String((cause as Error)?.message ?? cause)
      if (/interrupt/i.test(message)) throw cause
      const outputs = [...new Set(analyzers.flatMap(([key]) => users.get(key) ?? []))]
      const kinds = [...new Set(analyzers.map(([, a]) => a.kind))]
      throw new TransformError(
        `Transform: computing the ${kinds.join(', ')} analyzer(s) of output(s) ${outputs.map((o) => `"${o}"`).join(', ')}${options.dataDescription ? ` over ${options.dataDescription}` : ''} failed: ${message.split('\n')[0]}`,
        { code: 'SLUICE_TRANSFORM_ANALYZER_FAILED', cause, fix: 'Check that the analyzed values have the type the analyzer needs (cast them with tft.cast).' },
      )
    }
  }
  while (pending.size > 0) {
    const ready = [...pending].filter(([, a]) => analyzerInputs(a).every((input) => analyzersOf(input).every((inner) => values.has(analyzerKey(inner)))))
    if (ready.length === 0) throw new TransformError('The analyzers of the preprocessing graph depend on each other in a cycle.')
    for (const [key] of ready) pending.delete(key)
    const identities = new Map(ready.map(([key, a]) => [key, analyzerIdentity(a, values, options.inputTypes)]))
    if (options.cache) {
      for (const [key, a] of ready) {
        const hit = options.cache.get(identities.get(key)!)
        if (hit?.kind === a.kind) values.set(key, hit)
      }
    }
    const todo = ready.filter(([key]) => !values.has(key))

    // All scalar and quantiles analyzers of the phase: one SELECT.
    const aggregates = todo.filter(([, a]) => a.kind !== 'vocabulary' && a.kind !== 'perKey' && a.kind !== 'quantilesPerKey' && !(a.kind === 'quantiles' && a.numBuckets === 1))
    if (aggregates.length > 0) {
      const columns = aggregates.map(([, a], i) => `${aggregateSql(a, toSql(a.input, values, options.inputTypes))} AS a${i}`)
      const [row] = await run(`SELECT ${columns.join(', ')} FROM ${relation}`, aggregates)
      aggregates.forEach(([key, a], i) => values.set(key, aggregateValue(a, row?.[i])))
    }
    for (const [key, a] of todo) {
      if (a.kind === 'quantiles' && a.numBuckets === 1) values.set(key, { kind: 'quantiles', numBuckets: 1, boundaries: [] })
      if (a.kind !== 'vocabulary') continue
      const token = await keySql(toSql(a.input, values, options.inputTypes), relation, (sql) => run(sql, [[key, a]]))
      const rows = await run(
        `SELECT token, count(*) AS frequency FROM (SELECT ${token} AS token FROM ${relation}) ` +
          `WHERE token IS NOT NULL AND token <> '' AND NOT contains(token, chr(10)) AND NOT contains(token, chr(13)) ` +
          `GROUP BY token HAVING count(*) >= ${a.frequencyThreshold} ORDER BY frequency DESC, token DESC` +
          (a.topK === null ? '' : ` LIMIT ${a.topK}`),
        [[key, a]],
      )
      values.set(key, { kind: 'vocabulary', tokens: rows.map((r) => String(r[0])), frequencies: rows.map((r) => Number(r[1])) })
    }
    // Per-key analyzers: one GROUP BY per key expression.
    const byKey = new Map<string, [string, AnalyzerDef & { kind: 'perKey' | 'quantilesPerKey' }][]>()
    for (const [key, a] of todo) {
      if (a.kind !== 'perKey' && a.kind !== 'quantilesPerKey') continue
      const k = toSql(a.key, values, options.inputTypes)
      byKey.set(k, [...(byKey.get(k) ?? []), [key, a]])
    }
    for (const [k, group] of byKey) {
      const token = await keySql(k, relation, (sql) => run(sql, group))
      const inner = group.map(([, a], i) => `TRY_CAST(${toSql(a.input, values, options.inputTypes)} AS DOUBLE) AS x${i}`)
      const aggregates = group.map(([, a], i) => {
        const x = `x${i}`
        if (a.kind === 'perKey') return `avg(${x}), ${varianceSql(x)}, min(${x}), max(${x}), count(${x})`
        return quantilesSql(x, a.numBuckets)
      })
      const rows = await run(
        `SELECT token, ${aggregates.join(', ')} FROM (SELECT ${token} AS token, ${inner.join(', ')} FROM ${relation}) WHERE token IS NOT NULL GROUP BY token ORDER BY token`,
        group,
      )
      const keys = rows.map((r) => String(r[0]))
      let column = 1
      for (const [key, a] of group) {
        if (a.kind === 'perKey') {
          const stat = (offset: number) => rows.map((r) => nullableNumber(r[column + offset]))
          const statistics: Record<PerKeyStatistic, (number | null)[]> = { mean: stat(0), var: stat(1), min: stat(2), max: stat(3), count: stat(4) }
          values.set(key, { kind: 'perKey', keys, ...statistics })
          column += 5
        } else {
          const boundaries = rows.map((r) => boundariesOf(r[column]))
          values.set(key, { kind: 'quantilesPerKey', numBuckets: a.numBuckets, keys, boundaries })
          column += 1
        }
      }
    }
    for (const [key] of todo) options.cache?.set(identities.get(key)!, values.get(key)!)
  }
  return values
}

/** What identifies an analyzer's value over given data: its kind, parameters and the SQL of its inputs. */
export function analyzerIdentity(a: AnalyzerDef, values: AnalyzerValues, types?: InputTypes): string {
  const identity: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(a)) if (name !== 'input' && name !== 'key') identity[name] = value
  identity.input = toSql(a.input, values, types)
  if (a.kind === 'perKey' || a.kind === 'quantilesPerKey') identity.key = toSql(a.key, values, types)
  return JSON.stringify(identity)
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
  options: FitOptions = {},
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
  const graph = traceTransform(preprocessingFn, {
    inputNames: [...columns.keys()],
    ...(options.customConfig ? { customConfig: options.customConfig } : {}),
    ...(options.source ? { source: options.source } : {}),
  })
  checkScalarInputs(graph, columns)
  const inputTypes = Object.fromEntries([...columns].map(([name, c]) => [name, c.duckdbType === 'BOOLEAN' ? 'BOOL' : c.featureType]))
  const values = await analyzeGraph(connection, relation, graph, { ...options, inputTypes, dataDescription: `split${names.length === 1 ? '' : 's'} ${names.join(', ')}` })
  return fitTransform(graph, values)
}

/**
 * Rejects a graph that reads list (multivalent) features: Transform applies to scalar features only.
 * The error names every such feature and the outputs reading it.
 */
export function checkScalarInputs(graph: TransformGraph, columns: ReadonlyMap<string, Pick<SplitColumn, 'isList' | 'duckdbType'>>): void {
  const lists = graph.inputs.filter((name) => columns.get(name)?.isList)
  if (lists.length === 0) return
  const readers = (feature: string) => Object.entries(graph.outputs).filter(([, e]) => inputsOf(e).has(feature)).map(([name]) => `"${name}"`)
  throw new TransformError(
    `Transform: the preprocessing function reads list (multivalent) feature${lists.length === 1 ? '' : 's'} ${lists
      .map((f) => `"${f}" (${columns.get(f)!.duckdbType}, read by output ${readers(f).join(', ')})`)
      .join(', ')}; Transform supports features with one value per example.`,
    { code: 'SLUICE_TRANSFORM_LIST_FEATURE', fix: 'Flatten the feature into scalar columns upstream (e.g. one column per position), or leave it out of the transform.' },
  )
}

/** For every analyzer (by {@link analyzerKey}), the outputs that use it, directly or through another analyzer. */
function outputsUsing(graph: TransformGraph): Map<string, string[]> {
  const users = new Map<string, string[]>()
  for (const [name, root] of Object.entries(graph.outputs)) {
    const seen = new Set<string>()
    const visit = (e: Expr): void => {
      for (const a of analyzersOfNode(e)) {
        const key = analyzerKey(a)
        if (!seen.has(key)) {
          seen.add(key)
          users.set(key, [...(users.get(key) ?? []), name])
          for (const input of analyzerInputs(a)) visit(input)
        }
      }
      for (const c of childrenOf(e)) visit(c)
    }
    visit(root)
  }
  return users
}

/** TFT's analyzers of numbers reject strings when the graph is built; Sluice rejects them before any query. */
function checkAnalyzerInputs(analyzers: ReadonlyMap<string, AnalyzerDef>, users: ReadonlyMap<string, string[]>, inputTypes: InputTypes): void {
  for (const [key, a] of analyzers) {
    const name = NUMERIC_ANALYZER[a.kind]
    if (name === undefined) continue
    let type: string
    try {
      type = expressionType(a.input, inputTypes)
    } catch {
      continue // a type clash inside the input: reported, with its output, when the outputs are typed
    }
    if (type !== 'STRING') continue
    const strings = [...inputsOf(a.input)].filter((f) => expressionType({ op: 'input', name: f }, inputTypes) === 'STRING')
    const what = a.input.op === 'input' ? `feature "${a.input.name}", which is ${String(inputTypes[a.input.name] ?? 'STRING')}` : `a STRING expression (of feature${strings.length === 1 ? '' : 's'} ${strings.map((f) => `"${f}"`).join(', ')})`
    const outputs = (users.get(key) ?? []).map((o) => `"${o}"`).join(', ')
    throw new TransformError(`Transform: output ${outputs}: ${name} needs numbers, but its input is ${what}.`, {
      code: 'SLUICE_TRANSFORM_ANALYZER_FAILED',
      fix: 'Cast it with tft.cast(x, "float") if it holds numbers, or map categories with tft.computeAndApplyVocabulary.',
    })
  }
}

/** The SQL of the vocabulary/key token of an expression, after asking DuckDB its type. */
async function keySql(x: string, relation: string, run: (sql: string) => Promise<unknown[][]>): Promise<string> {
  const [typeRow] = await run(`SELECT typeof(${x}) FROM ${relation} LIMIT 1`)
  return vocabularyKeySql(x, String(typeRow?.[0] ?? 'VARCHAR'))
}

function quantilesSql(x: string, numBuckets: number): string {
  const fractions = Array.from({ length: numBuckets - 1 }, (_, i) => `${(i + 1) / numBuckets}`)
  if (fractions.length === 0) return `[]::DOUBLE[]`
  return `quantile_disc(${x}, [${fractions.join(', ')}]) FILTER (WHERE NOT isnan(${x}))`
}

function aggregateSql(a: AnalyzerDef, x: string): string {
  const d = `TRY_CAST(${x} AS DOUBLE)`
  switch (a.kind) {
    case 'mean':
      return `avg(${d})`
    case 'var':
      return varianceSql(d)
    case 'min':
      return `min(${d})`
    case 'max':
      return `max(${d})`
    case 'sum':
      return `sum(${d})`
    case 'size':
      return `count(${x})`
    case 'quantiles':
      return quantilesSql(d, a.numBuckets)
    default:
      throw new TransformError(`A ${a.kind} analyzer is not a plain aggregate.`)
  }
}

/**
 * The population variance, NaN when a value is NaN or infinite (as TFT computes it in floating
 * point); DuckDB's `var_pop` raises "out of range" on those instead.
 */
function varianceSql(d: string): string {
  return `(CASE WHEN count(*) FILTER (WHERE NOT isfinite(${d})) > 0 THEN 'NaN'::DOUBLE ELSE var_pop(${d}) FILTER (WHERE isfinite(${d})) END)`
}

function nullableNumber(raw: unknown): number | null {
  return raw === null || raw === undefined ? null : Number(raw)
}

function boundariesOf(raw: unknown): number[] {
  const list = Array.isArray(raw) ? raw.map(Number) : []
  return [...new Set(list)].sort((x, y) => x - y)
}

function aggregateValue(a: AnalyzerDef, raw: unknown): FittedAnalyzer {
  if (a.kind === 'quantiles') return { kind: 'quantiles', numBuckets: a.numBuckets, boundaries: boundariesOf(raw) }
  if (a.kind === 'size') return { kind: 'size', value: Number(raw ?? 0) }
  if (a.kind === 'vocabulary' || a.kind === 'perKey' || a.kind === 'quantilesPerKey') throw new TransformError(`A ${a.kind} analyzer is not a plain aggregate.`)
  return { kind: a.kind, value: nullableNumber(raw) }
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

function isType(e: Expr, types: InputTypes, type: string): boolean {
  try {
    return expressionType(e, types) === type
  } catch {
    return false
  }
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
 * vocabulary, hash and per-key lookups cannot feed an analyzer.
 */
export function toSql(e: Expr, values: AnalyzerValues, types?: InputTypes): string {
  const sql = (x: Expr) => toSql(x, values, types)
  const num = (x: Expr) => (types && isType(x, types, 'FLOAT') ? sql(x) : `TRY_CAST(${sql(x)} AS DOUBLE)`)
  const bool = (x: Expr) => `TRY_CAST(${sql(x)} AS BOOLEAN)`
  // Whether x may be NaN: with the raw types known, only FLOAT expressions; otherwise ask DuckDB per row.
  const nanTest = (x: Expr, text: string) =>
    types ? (isType(x, types, 'FLOAT') ? `isnan(${text})` : undefined) : `(typeof(${text}) IN ('DOUBLE', 'FLOAT') AND isnan(TRY_CAST(${text} AS DOUBLE)))`
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
          const a = sql(e.a)
          const b = sql(e.b)
          const nan = [nanTest(e.a, a), nanTest(e.b, b)].filter((t) => t !== undefined)
          return nan.length === 0 ? `(${a} ${op} ${b})` : `(CASE WHEN ${nan.join(' OR ')} THEN FALSE ELSE ${a} ${op} ${b} END)`
        }
      }
    }
    case 'not':
      return `(NOT ${bool(e.x)})`
    case 'sqrt':
      return `sqrt(${num(e.x)})`
    case 'sigmoid':
      return `(1 / (1 + exp(-${num(e.x)})))`
    case 'isMissing': {
      const x = sql(e.x)
      const nan = nanTest(e.x, x)
      return nan === undefined ? `(${x} IS NULL)` : `(${x} IS NULL OR ${nan})`
    }
    case 'cast':
      switch (e.to) {
        case 'float':
          return num(e.x)
        case 'int':
          return `TRY_CAST(trunc(${num(e.x)}) AS BIGINT)`
        case 'string':
          return `CAST(${sql(e.x)} AS VARCHAR)`
        case 'bool':
          return bool(e.x)
      }
      break
    case 'fillMissing': {
      const x = sql(e.x)
      const nan = nanTest(e.x, x)
      return `(CASE WHEN ${x} IS NULL${nan === undefined ? '' : ` OR ${nan}`} THEN ${literal(e.value)} ELSE ${x} END)`
    }
    case 'where':
      return `(CASE WHEN ${bool(e.cond)} THEN ${sql(e.then)} ELSE ${sql(e.else)} END)`
    case 'analyzer': {
      const value = values.get(analyzerKey(e.analyzer))
      if (!value || !('value' in value)) throw new TransformError(`The ${e.analyzer.kind} analyzer has no scalar value yet.`)
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
    case 'perKey':
    case 'applyBucketsPerKey':
      throw new TransformError(`An analyzer cannot take the output of ${e.op === 'perKey' ? 'a per-key mapper' : e.op} as its input.`, {
        code: 'SLUICE_TRANSFORM_ANALYZER_FAILED',
        fix: 'Analyze the raw value instead; vocabulary, hash and per-key results are final outputs.',
      })
  }
  throw new TransformError(`Unknown operation ${JSON.stringify((e as { op?: unknown }).op)}.`)
}
