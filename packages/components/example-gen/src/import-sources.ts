// ImportExampleGen's readers: Parquet and JSON lines through DuckDB, TFRecord of tf.Example decoded
// in JS and appended into a DuckDB table.
import { createReadStream } from 'node:fs'
import { isUtf8 } from 'node:buffer'
import readline from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api'
import type { Example, ExampleFeature, FeatureType } from '@sluice/data/examples'
import {
  ExamplesError,
  FEATURE_TYPES_METADATA_KEY,
  decodeExample,
  describeRelation,
  parseFeatureTypes,
  readParquetKeyValueMetadata,
  readTfRecords,
  sqlIdentifier,
  sqlString,
  sqlStringList,
} from '@sluice/data/examples'
import { ExampleGenError } from './errors.js'
import type { ResolvedSplit } from './input.js'
import type { SourceColumn, SplitSource } from './source.js'
import { canonicalText, convertTyped, sqlTypeOf, typedColumns } from './source.js'

type ImportSource = SplitSource

// ---------------------------------------------------------------- Parquet

function badParquet(file: string, split: string, what: string, cause?: unknown): ExampleGenError {
  return new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_PARQUET', `Split "${split}": Parquet file ${file} ${what}.`, {
    file,
    split,
    cause,
    fix: 'Check that the file is a complete Parquet file (re-export it), and that every file of the split has the same columns and types.',
  })
}

/** Reads a split's Parquet files with `read_parquet`, after checking every file opens and has the first file's schema. */
export async function parquetSource(connection: DuckDBConnection, split: ResolvedSplit): Promise<ImportSource> {
  let schema: { name: string; duckdbType: string }[] | undefined
  const first = split.files[0]!
  for (const file of split.files) {
    let columns: { name: string; duckdbType: string }[]
    try {
      columns = await describeRelation(connection, `read_parquet(${sqlString(file)})`)
    } catch (cause) {
      throw badParquet(file, split.name, `cannot be read: ${firstLine(cause)}`, cause)
    }
    if (schema === undefined) schema = columns
    else {
      const a = schema.map((c) => `${c.name} ${c.duckdbType}`).join(', ')
      const b = columns.map((c) => `${c.name} ${c.duckdbType}`).join(', ')
      if (a !== b) throw badParquet(file, split.name, `has the columns (${b}) but ${first} has (${a})`)
    }
  }
  let known: Record<string, FeatureType> | undefined
  try {
    known = parseFeatureTypes((await readParquetKeyValueMetadata(connection, first))[FEATURE_TYPES_METADATA_KEY])
  } catch {
    known = undefined
  }
  const relation = `read_parquet(${sqlStringList(split.files)})`
  const columns = await typedColumns(connection, relation, { ...(known ? { known } : {}), what: `Parquet file ${first}`, split: split.name })
  return {
    relation,
    columns,
    explain: async (error) => {
      const message = firstLine(error)
      const file = split.files.find((f) => message.includes(f)) ?? (split.files.length === 1 ? first : undefined)
      return file ? badParquet(file, split.name, `cannot be read: ${message}`, error) : new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_PARQUET', `Split "${split.name}": the Parquet files cannot be read: ${message}`, { split: split.name, cause: error })
    },
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim()
}

// ---------------------------------------------------------------- JSON lines

/** Finds the first line of a JSON lines file that is not a JSON object (the error path only). */
async function findBadJsonLine(file: string): Promise<{ line: number; problem: string } | undefined> {
  const raw = createReadStream(file)
  const head = await new Promise<Buffer>((resolve) => {
    const r = createReadStream(file, { start: 0, end: 1 })
    const parts: Buffer[] = []
    r.on('data', (d) => parts.push(Buffer.from(d)))
    r.on('close', () => resolve(Buffer.concat(parts)))
    r.on('error', () => resolve(Buffer.alloc(0)))
  })
  const input = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw
  const lines = readline.createInterface({ input, crlfDelay: Infinity })
  let number = 0
  try {
    for await (const text of lines) {
      number++
      const line = number === 1 ? text.replace(/^\uFEFF/, '') : text
      if (line.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (error) {
        return { line: number, problem: `is not valid JSON (${(error as Error).message})` }
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line: number, problem: 'is not a JSON object' }
    }
  } finally {
    lines.close()
    raw.destroy()
  }
  return undefined
}

async function badJson(files: readonly string[], split: string, cause?: unknown): Promise<Error> {
  for (const file of files) {
    const bad = await findBadJsonLine(file)
    if (bad) {
      return new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_JSON', `JSON lines file ${file} line ${bad.line} ${bad.problem} (split "${split}").`, {
        file,
        line: bad.line,
        split,
        cause,
        fix: 'Every non-blank line must be one JSON object, e.g. {"fare": 12.5, "company": "Flash Cab"}.',
      })
    }
  }
  return new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_JSON', `Split "${split}": the JSON lines files cannot be read: ${firstLine(cause)}`, { split, cause })
}

const JSON_TYPES: Record<string, FeatureType> = { NULL: 'UNKNOWN', BOOLEAN: 'INT', BIGINT: 'INT', UBIGINT: 'INT', DOUBLE: 'FLOAT', VARCHAR: 'STRING', JSON: 'STRING' }
const RANK: Record<FeatureType, number> = { UNKNOWN: -1, INT: 0, FLOAT: 1, STRING: 2, BYTES: 3 }

/** SQL of one JSON value `v` (a JSON scalar) as a feature type. */
function jsonScalar(v: string, type: FeatureType): string {
  switch (type) {
    case 'INT':
      return `CASE json_type(${v}) WHEN 'BOOLEAN' THEN CAST(CAST(${v} AS BOOLEAN) AS BIGINT) WHEN 'NULL' THEN NULL ELSE CAST(${v} AS BIGINT) END`
    case 'FLOAT':
      return `CASE json_type(${v}) WHEN 'BOOLEAN' THEN CAST(CAST(${v} AS BOOLEAN) AS DOUBLE) WHEN 'NULL' THEN NULL ELSE CAST(${v} AS DOUBLE) END`
    case 'STRING':
      return `json_extract_string(${v}, '$')`
    default:
      return 'CAST(NULL AS INTEGER)'
  }
}

function jsonKeyAccess(key: string): string {
  // A string starting with "$" is read as a JSON path by `->`; quote such keys as a path member.
  const path = key.startsWith('$') ? `$."${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : key
  return `(json -> ${sqlString(path)})`
}

/**
 * Reads a split's JSON lines files (one object per line; `.gz` allowed): every key becomes a
 * column, typed over all lines with the CSV hierarchy (booleans and integers → INT, other numbers →
 * FLOAT, strings and mixed values → STRING, always null → UNKNOWN); arrays make LIST columns (a
 * scalar in a list column becomes a one-element list); empty arrays and nulls are missing.
 */
export async function jsonLinesSource(connection: DuckDBConnection, split: ResolvedSplit): Promise<ImportSource> {
  const relation = `read_ndjson_objects(${sqlStringList(split.files)})`
  let structures: { key: string; structures: string[] }[]
  try {
    const invalid = await connection.runAndReadAll(`SELECT count(*) FROM ${relation} WHERE json_type(json) <> 'OBJECT'`)
    if (Number(invalid.getRows()[0]?.[0] ?? 0) > 0) throw await badJson(split.files, split.name)
    // Every key with the JSON shapes of its values (json_structure), in order of first appearance.
    const reader = await connection.runAndReadAll(
      `SELECT e.key AS key, list(DISTINCT json_structure(e.value)) AS structures, min(r.rn * 1000000 + e.id) AS first_seen ` +
        `FROM (SELECT json, row_number() OVER () AS rn FROM ${relation}) r, json_each(r.json) e ` +
        `GROUP BY e.key ORDER BY first_seen`,
    )
    structures = reader.getRowObjectsJS().map((row) => ({ key: String(row.key), structures: (row.structures as unknown[]).map(String) }))
  } catch (error) {
    if (error instanceof ExampleGenError) throw error
    throw await badJson(split.files, split.name, error)
  }
  const columns: SourceColumn[] = structures.map(({ key, structures: shapes }) => {
    let type: FeatureType = 'UNKNOWN'
    let isList = false
    const merge = (name: string) => {
      const t = JSON_TYPES[name] ?? 'STRING'
      if (RANK[t] > RANK[type]) type = t
    }
    for (const shape of shapes) {
      const parsed = JSON.parse(shape) as unknown
      if (typeof parsed === 'string') merge(parsed)
      else if (Array.isArray(parsed)) {
        isList = true
        const element = parsed[0]
        if (typeof element === 'string') merge(element)
        else if (element !== undefined) throw unsupportedJson(split.name, key, 'lists of lists or of objects')
      } else throw unsupportedJson(split.name, key, 'objects')
    }
    const v = jsonKeyAccess(key)
    const own: FeatureType = type
    let typed: string
    if (!isList) typed = jsonScalar(v, own)
    else {
      const scalar = jsonScalar('e', own)
      typed =
        `CASE WHEN ${v} IS NULL OR json_type(${v}) = 'NULL' THEN NULL ` +
        `WHEN json_type(${v}) = 'ARRAY' THEN list_transform(CAST(${v} AS JSON[]), lambda e: ${scalar}) ` +
        `ELSE [${jsonScalar(v, own)}] END`
    }
    return {
      name: key,
      type: own,
      isList,
      select: (target, targetList) => convertTyped(typed, isList, target, targetList),
      key: canonicalText(typed, own, isList),
    }
  })
  return { relation, columns, explain: (error) => badJson(split.files, split.name, error) }
}

function unsupportedJson(split: string, key: string, what: string): ExampleGenError {
  return new ExampleGenError('SLUICE_EXAMPLEGEN_UNSUPPORTED_TYPE', `Split "${split}": key "${key}" holds ${what}, which have no tf.Example equivalent.`, {
    split,
    fix: 'Features are numbers, strings or booleans, or flat lists of them; flatten nested values before importing.',
  })
}

// ---------------------------------------------------------------- TFRecord of tf.Example

interface FeatureStats {
  kind: 'int64' | 'float' | 'bytes' | undefined
  isList: boolean
  utf8: boolean
  where: string
}

function badTfRecord(file: string, split: string, record: number | undefined, what: string, cause?: unknown): ExampleGenError {
  return new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_TFRECORD', `Split "${split}": TFRecord file ${file}${record === undefined ? '' : ` record ${record}`} ${what}.`, {
    file,
    split,
    ...(record === undefined ? {} : { record }),
    cause,
    fix: 'Re-export the file; ImportExampleGen reads TFRecord files (plain or gzip) of serialized tf.Example.',
  })
}

async function* examplesOf(files: readonly string[], split: string, signal: AbortSignal): AsyncGenerator<{ file: string; index: number; example: Example }> {
  for (const file of files) {
    try {
      for await (const { index, data } of readTfRecords(file, { signal })) {
        let example: Example
        try {
          example = decodeExample(data)
        } catch (cause) {
          throw badTfRecord(file, split, index, `is not a serialized tf.Example (${firstLine(cause)})`, cause)
        }
        yield { file, index, example }
      }
    } catch (error) {
      if (error instanceof ExamplesError) throw badTfRecord(file, split, undefined, error.message.replace(/^TFRecord file [^:]*: /, ''), error)
      throw error
    }
  }
}

const KIND_NAMES = { int64: 'int64_list', float: 'float_list', bytes: 'bytes_list' } as const

/**
 * Reads a split's TFRecord files of tf.Example (plain or gzip, CRCs checked): a first pass finds the
 * features, their kinds and whether any has more than one value; a second appends the rows to a
 * temporary DuckDB table.
 */
export async function tfRecordSource(connection: DuckDBConnection, split: ResolvedSplit, signal: AbortSignal): Promise<ImportSource> {
  const api = await import('@duckdb/node-api')
  const stats = new Map<string, FeatureStats>()
  for await (const { file, index, example } of examplesOf(split.files, split.name, signal)) {
    for (const [name, feature] of example) {
      let s = stats.get(name)
      if (!s) stats.set(name, (s = { kind: undefined, isList: false, utf8: true, where: `record ${index} of ${file}` }))
      if (feature.kind === 'none') continue
      if (s.kind !== undefined && s.kind !== feature.kind) {
        throw badTfRecord(file, split.name, index, `has feature "${name}" as ${KIND_NAMES[feature.kind]} but ${s.where} has it as ${KIND_NAMES[s.kind]}`)
      }
      if (s.kind === undefined) s.where = `record ${index} of ${file}`
      s.kind = feature.kind
      if (feature.values.length > 1) s.isList = true
      if (feature.kind === 'bytes' && s.utf8) s.utf8 = feature.values.every((v) => isUtf8(v))
    }
  }
  const names = [...stats.keys()]
  const types = names.map((name): FeatureType => {
    const s = stats.get(name)!
    return s.kind === 'int64' ? 'INT' : s.kind === 'float' ? 'FLOAT' : s.kind === 'bytes' ? (s.utf8 ? 'STRING' : 'BYTES') : 'UNKNOWN'
  })
  const table = `__sluice_tfrecord_${split.name.replace(/[^A-Za-z0-9_]/g, '_')}`
  const definitions = names.map((name, i) => `${sqlIdentifier(name)} ${sqlTypeOf(types[i]!, stats.get(name)!.isList)}`)
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${sqlIdentifier(table)} (${definitions.length > 0 ? definitions.join(', ') : '"__sluice_empty" INTEGER'})`)
  const appender = await connection.createAppender(table)
  const elementType: Record<FeatureType, DuckDBType> = { INT: api.BIGINT, FLOAT: api.DOUBLE, STRING: api.VARCHAR, BYTES: api.BLOB, UNKNOWN: api.INTEGER }
  const decoder = new TextDecoder()
  const convert = (type: FeatureType, feature: ExampleFeature): DuckDBValue[] => {
    if (feature.kind === 'none') return []
    if (type === 'STRING') return (feature.values as Uint8Array[]).map((v) => decoder.decode(v))
    if (type === 'BYTES') return (feature.values as Uint8Array[]).map((v) => api.blobValue(v))
    return feature.values as DuckDBValue[]
  }
  try {
    for await (const { example } of examplesOf(split.files, split.name, signal)) {
      if (names.length === 0) appender.appendNull()
      names.forEach((name, i) => {
        const feature = example.get(name)
        const type = types[i]!
        const values = feature && type !== 'UNKNOWN' ? convert(type, feature) : []
        if (values.length === 0) appender.appendNull()
        else if (stats.get(name)!.isList) appender.appendList(values, api.LIST(elementType[type]))
        else if (type === 'INT') appender.appendBigInt(values[0] as bigint)
        else if (type === 'FLOAT') appender.appendDouble(values[0] as number)
        else if (type === 'STRING') appender.appendVarchar(values[0] as string)
        else appender.appendValue(values[0]!, api.BLOB)
      })
      appender.endRow()
    }
    appender.flushSync()
  } finally {
    appender.closeSync()
  }
  const relation = sqlIdentifier(table)
  const known = Object.fromEntries(names.map((n, i) => [n, types[i]!])) as Record<string, FeatureType>
  // `known` keeps the inferred types: all-empty features stay UNKNOWN (their column is INTEGER).
  const columns = names.length === 0 ? [] : await typedColumns(connection, relation, { known, what: `TFRecord split "${split.name}"`, split: split.name })
  return { relation, columns }
}
