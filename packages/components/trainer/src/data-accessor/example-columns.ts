// Reads the features a dataset feeds out of Parquet examples into one typed array per feature, once,
// so that batches are slices of typed arrays rather than rows decoded per step. Numeric columns come
// straight from DuckDB's vectors; raw examples go through the fitted transform as rows first.
import type { DuckDBConnection, DuckDBVector } from '@duckdb/node-api'
import type { TransformOutput } from '@sluice/component-transform'
import type { DuckDB, FeatureType, FeatureTypes } from '@sluice/data/examples'
import { countParquetRows, describeRelation, openDuckDB, readFeatureTypes, sqlIdentifier, sqlStringList } from '@sluice/data/examples'
import { TrainerError } from '../errors.js'

/** One feature read into memory; missing values are NaN. */
export interface ExampleColumn {
  readonly name: string
  /** The feature's type in the files (or, for a transformed feature of raw examples, INT or FLOAT). */
  readonly type: FeatureType
  /** FLOAT features as float32 (what the tensors hold anyway), integers as float64 so large ids stay exact. */
  readonly values: Float32Array | Float64Array
}

/** The features read by {@link readExampleColumns}. */
export interface ExampleColumns {
  readonly numRows: number
  readonly columns: ReadonlyMap<string, ExampleColumn>
  /** The feature type of every column of the files (the raw features, when reading raw examples). */
  readonly fileFeatureTypes: FeatureTypes
}

/** What {@link readExampleColumns} reads. */
export interface ReadExampleColumnsOptions {
  /**
   * The features to read; unset: every numeric single-valued column of the files, or with
   * `transform` every numeric output of the transform.
   */
  readonly features?: readonly string[]
  /** The files hold raw examples: apply this transform first and read the features from its outputs. */
  readonly transform?: TransformOutput
  /** A database to read with (a new connection to it); unset: a database opened for this read. */
  readonly database?: DuckDB
  readonly tempDirectory?: string
  readonly signal?: AbortSignal
}

/**
 * Reads `features` of the examples in `files` (in file and row order) as typed arrays, with NaN for a
 * missing value. A feature the files do not have, a string feature and a multivalent feature are
 * errors naming the feature and the first file.
 */
export async function readExampleColumns(files: readonly string[], options: ReadExampleColumnsOptions): Promise<ExampleColumns> {
  if (files.length === 0) throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', 'The data accessor was given no file to read.', { fix: 'Pass fnArgs.trainFiles or fnArgs.evalFiles.' })
  // A fresh DuckDB instance costs its first query a few hundred ms on 100k rows; reusing the run's
  // database avoids paying that for every dataset.
  await using owned = options.database ? undefined : await openDuckDB({ ...(options.tempDirectory ? { tempDirectory: options.tempDirectory } : {}), ...(options.signal ? { signal: options.signal } : {}) })
  const connection = owned ? owned.connection : await options.database!.connect()
  const relation = `read_parquet(${sqlStringList(files)})`
  const fileFeatureTypes = await readFeatureTypes(connection, files)
  const physical = new Map((await describeRelation(connection, relation)).map((c) => [c.name, c.duckdbType]))
  const numRows = await countParquetRows(connection, files)
  const columns = options.transform
    ? await readTransformed(connection, relation, files, numRows, physical, options.transform, options.features)
    : await readNumeric(connection, relation, files, numRows, physical, fileFeatureTypes, options.features)
  return { numRows, columns, fileFeatureTypes }
}

function checkReadable(name: string, files: readonly string[], physical: ReadonlyMap<string, string>, type: FeatureType | undefined, transformed: boolean): void {
  const duckdbType = physical.get(name)
  if (duckdbType === undefined) {
    const available = [...physical.keys()]
    throw new TrainerError('SLUICE_TRAINER_BAD_FEATURE', `Feature "${name}" is not a column of ${files[0]}${files.length > 1 ? ` (and ${files.length - 1} more file(s))` : ''}; it has ${available.join(', ') || 'no column'}.`, {
      fix: transformed
        ? 'Name a transformed feature (an output of preprocessingFn) or a column of the raw examples.'
        : 'Name an existing column; to read raw examples through the transform, pass raw: true with a TransformGraph input.',
    })
  }
  if (duckdbType.endsWith('[]')) {
    throw new TrainerError('SLUICE_TRAINER_BAD_FEATURE', `Feature "${name}" of ${files[0]} holds lists (${duckdbType}); the data accessor feeds one value per example.`, {
      fix: 'Reduce it to one value per example in preprocessingFn.',
    })
  }
  if (!transformed && (type === 'STRING' || type === 'BYTES')) {
    throw new TrainerError('SLUICE_TRAINER_BAD_FEATURE', `Feature "${name}" of ${files[0]} is ${type}; the data accessor feeds numbers.`, {
      fix: 'Map it to integers in preprocessingFn (tft.computeAndApplyVocabulary, tft.hashStrings) and feed the transformed feature.',
    })
  }
}

async function readNumeric(
  connection: DuckDBConnection,
  relation: string,
  files: readonly string[],
  numRows: number,
  physical: ReadonlyMap<string, string>,
  types: FeatureTypes,
  requested: readonly string[] | undefined,
): Promise<Map<string, ExampleColumn>> {
  const features = requested ?? [...physical].filter(([name, t]) => !t.endsWith('[]') && (types[name] === 'INT' || types[name] === 'FLOAT')).map(([name]) => name)
  for (const name of features) checkReadable(name, files, physical, types[name], false)
  const columns = new Map<string, ExampleColumn>()
  // FLOAT features are read as FLOAT: half the bytes to move out of DuckDB, and the same float32 values
  // the tensors would round them to.
  const asFloat32 = features.map((f) => types[f] === 'FLOAT')
  const arrays = features.map((_, i) => (asFloat32[i] ? new Float32Array(numRows) : new Float64Array(numRows)))
  if (features.length > 0) {
    // NULL becomes NaN: DuckDB's FLOAT/DOUBLE vectors expose their buffer as a typed array, so a chunk
    // is copied with one `set` per column and no per-value validity check. A materialised result scans
    // in parallel; streaming one chunk per call measured about twice slower.
    const select = features.map((f, i) => {
      const sqlType = asFloat32[i] ? 'FLOAT' : 'DOUBLE'
      return `coalesce(CAST(${sqlIdentifier(f)} AS ${sqlType}), 'NaN'::${sqlType})`
    })
    const result = await connection.run(`SELECT ${select.join(', ')} FROM ${relation}`)
    let offset = 0
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const count = chunk.rowCount
      for (let c = 0; c < features.length; c++) copyNumbers(chunk.getColumnVector(c), count, arrays[c]!, offset)
      offset += count
    }
  }
  features.forEach((name, i) => columns.set(name, { name, type: types[name] ?? 'FLOAT', values: arrays[i]! }))
  return columns
}

/** Copies a FLOAT or DOUBLE vector (without NULLs) into `target` at `offset`. */
function copyNumbers(vector: DuckDBVector, count: number, target: Float32Array | Float64Array, offset: number): void {
  const items = (vector as unknown as { items?: unknown }).items
  if (items instanceof Float64Array || items instanceof Float32Array) {
    target.set(items.subarray(0, count), offset)
    return
  }
  for (let i = 0; i < count; i++) {
    const v = vector.getItem(i)
    target[offset + i] = v === null ? Number.NaN : Number(v)
  }
}

async function readTransformed(
  connection: DuckDBConnection,
  relation: string,
  files: readonly string[],
  numRows: number,
  physical: ReadonlyMap<string, string>,
  transform: TransformOutput,
  requested: readonly string[] | undefined,
): Promise<Map<string, ExampleColumn>> {
  const outputs = transform.fitted.outputs
  const features = requested ?? Object.keys(outputs).filter((name) => transform.transformedFeatureTypes[name] !== 'STRING')
  const passthrough = features.filter((f) => !(f in outputs))
  for (const name of passthrough) checkReadable(name, files, physical, undefined, true)
  // Inputs the files lack stay missing, as in applyTransform; a feature built from them then fails below with its name.
  const rawColumns = [...new Set([...transform.fitted.inputs.filter((c) => physical.has(c)), ...passthrough])]
  const reader = await connection.runAndReadAll(`SELECT ${rawColumns.map(sqlIdentifier).join(', ') || '1 AS no_column'} FROM ${relation}`)
  const rawRows = reader.getRowObjectsJS()
  const transformed = transform.transformRows(rawRows)
  const columns = new Map<string, ExampleColumn>()
  for (const name of features) {
    const fromTransform = name in outputs
    const values = new Float64Array(numRows)
    for (let i = 0; i < numRows; i++) {
      const v = fromTransform ? transformed[i]![name] : rawRows[i]![name]
      values[i] = numericValue(v, name, files)
    }
    const outputType = transform.transformedFeatureTypes[name]
    columns.set(name, { name, type: outputType === 'FLOAT' ? 'FLOAT' : fromTransform ? 'INT' : featureTypeOfPhysical(physical.get(name)!), values })
  }
  return columns
}

function featureTypeOfPhysical(duckdbType: string): FeatureType {
  return /INT|BOOL/i.test(duckdbType) ? 'INT' : 'FLOAT'
}

function numericValue(v: unknown, name: string, files: readonly string[]): number {
  if (v === null || v === undefined) return Number.NaN
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'bigint') return Number(v)
  throw new TrainerError('SLUICE_TRAINER_BAD_FEATURE', `Feature "${name}" of ${files[0]} holds ${typeof v} values after the transform; the data accessor feeds numbers.`, {
    fix: 'Map it to integers in preprocessingFn (tft.computeAndApplyVocabulary, tft.hashStrings) and feed the transformed feature.',
  })
}

/** The file and 0-based row within it of row `row` of `files` read in order (for error messages). */
export async function locateRow(files: readonly string[], row: number): Promise<{ file: string; row: number }> {
  await using db = await openDuckDB({ threads: 1 })
  const reader = await db.connection.runAndReadAll(`SELECT file_name, sum(num_rows)::BIGINT AS n FROM parquet_file_metadata(${sqlStringList(files)}) GROUP BY file_name`)
  const counts = new Map(reader.getRowObjectsJS().map((r) => [String(r.file_name), Number(r.n)]))
  let start = 0
  for (const file of files) {
    const n = counts.get(file) ?? 0
    if (row < start + n) return { file, row: row - start }
    start += n
  }
  return { file: files[files.length - 1] ?? '', row }
}
