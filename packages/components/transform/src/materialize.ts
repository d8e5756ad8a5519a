// Materialises transformed examples in constant memory. The compiled fitted transform is registered
// as a DuckDB scalar function taking a split's input columns and returning a STRUCT of the outputs;
// one `COPY (SELECT …) TO parquet` then streams the split through it: DuckDB reads the Parquet files
// in vectors of 2,048 rows, calls the function once per vector (JS applies the transform to that
// chunk, compiled once for the whole run), and writes Parquet as it goes. Neither JS nor DuckDB holds
// the split, and the values come from the same JS code as `applyTransform`, so they cannot skew.
import { BOOLEAN, DOUBLE, DuckDBScalarFunction, STRUCT, VARCHAR } from '@duckdb/node-api'
import type { DuckDBConnection, DuckDBType, DuckDBVector } from '@duckdb/node-api'
import type { FeatureTypes, SplitColumn } from '@sluice/data/examples'
import { openSplitView, sqlIdentifier, writeSplits } from '@sluice/data/examples'
import { TransformError } from './errors.js'
import type { Col, ColumnProgram } from './evaluate.js'
import { valueAt } from './evaluate.js'
import type { OutputType } from './output-types.js'
import type { Value } from './tft/expr.js'
import { toBoolean, toNumber } from './values.js'

/** How an input column is handed to the transform function. */
type InputKind = 'DOUBLE' | 'VARCHAR' | 'BOOLEAN'

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/

/** A transform registered on a connection, ready to materialise splits. */
export interface TransformFunction {
  /**
   * Applies the transform to one split of `examplesUri` and writes it as the Parquet split of
   * `outputUri` (sharded as ExampleGen does). Returns the number of rows.
   */
  materialize(examplesUri: string, split: string, outputUri: string): Promise<number>
  /** How many chunks the function has transformed (a test can check that splits were streamed). */
  readonly chunks: number
}

/**
 * Registers `compiled` (see `compileColumns`) as a DuckDB scalar function on `connection`.
 * `inputColumns` are the raw features' columns (as the analysis saw them): integers and floats reach
 * the transform as numbers (as `applyTransform` sees rows read with `getRowObjectsJS`, bigints made
 * numbers), BOOLEAN as booleans, everything else as strings.
 */
export function registerTransformFunction(
  connection: DuckDBConnection,
  compiled: ColumnProgram,
  types: Readonly<Record<string, OutputType>>,
  inputColumns: ReadonlyMap<string, Pick<SplitColumn, 'duckdbType'>>,
  name = 'sluice_transform',
): TransformFunction {
  const inputKinds: InputKind[] = compiled.inputs.map((input) => {
    const column = inputColumns.get(input)
    const t = (column?.duckdbType ?? 'VARCHAR').toUpperCase()
    if (t === 'BLOB') {
      throw new TransformError(`Transform: feature "${input}" holds bytes (BLOB); the transform reads numbers, strings and booleans.`, {
        code: 'SLUICE_TRANSFORM_APPLY_FAILED',
        fix: 'Store the feature as a string (VARCHAR) upstream.',
      })
    }
    return t === 'BOOLEAN' ? 'BOOLEAN' : NUMERIC.test(t) ? 'DOUBLE' : 'VARCHAR'
  })
  const outputKinds = compiled.outputs.map((output) => (types[output] === 'STRING' ? 'VARCHAR' : 'DOUBLE'))
  const sqlType = (kind: InputKind): DuckDBType => (kind === 'DOUBLE' ? DOUBLE : kind === 'BOOLEAN' ? BOOLEAN : VARCHAR)
  const fields: Record<string, DuckDBType> = {}
  outputKinds.forEach((kind, j) => (fields[`o${j}`] = sqlType(kind)))

  let chunks = 0
  let failure: unknown
  const fn = DuckDBScalarFunction.create({
    name,
    returnType: STRUCT(fields),
    parameterTypes: inputKinds.map(sqlType),
    // The transform handles missing values itself (fillMissing), so DuckDB must call it for NULLs too;
    // volatile: never constant-folded or deduplicated, exactly one call per chunk.
    specialHandling: true,
    volatile: true,
    mainFunction: (info, input, output) => {
      if (failure !== undefined) return info.setError(errorMessage(failure))
      try {
        const n = input.rowCount
        const columns = compiled.inputs.map((_, k) => readVector(input.getColumnVector(k), n))
        const results = compiled.run(columns, n)
        const struct = output as unknown as { entryVectorAt(i: number): DuckDBVector; flush(): void }
        for (let j = 0; j < results.length; j++) writeVector(struct.entryVectorAt(j), results[j]!, n, types[compiled.outputs[j]!]!)
        struct.flush()
        chunks++
      } catch (error) {
        failure = error
        info.setError(errorMessage(error))
      }
    },
  })
  connection.registerScalarFunction(fn)

  return {
    get chunks() {
      return chunks
    },
    async materialize(examplesUri, split, outputUri) {
      const view = await openSplitView(connection, examplesUri, split, { view: `transform_input_${split}` })
      const columns = new Map(view.columns.map((c) => [c.name, c]))
      const args = compiled.inputs.map((input, k) => {
        const column = columns.get(input)
        if (!column) {
          throw new TransformError(`Transform: split "${split}" of the examples at ${examplesUri} has no feature "${input}", which the transform reads.`, {
            code: 'SLUICE_TRANSFORM_UNKNOWN_INPUT',
            fix: 'Give every transformed split the features of the analyzed ones, or leave the split out of splitsConfig.transform.',
          })
        }
        if (column.isList) {
          throw new TransformError(`Transform: feature "${input}" of split "${split}" is a list (${column.duckdbType}); Transform supports features with one value per example.`, {
            code: 'SLUICE_TRANSFORM_LIST_FEATURE',
          })
        }
        return `TRY_CAST(${sqlIdentifier(input)} AS ${inputKinds[k]})`
      })
      const select = compiled.outputs.map((output, j) => {
        const field = `struct_extract(s, 'o${j}')`
        return `${types[output] === 'STRING' || types[output] === 'FLOAT' ? field : `CAST(${field} AS BIGINT)`} AS ${sqlIdentifier(output)}`
      })
      const featureTypes: FeatureTypes = Object.fromEntries(compiled.outputs.map((o) => [o, types[o] === 'FLOAT' ? 'FLOAT' : types[o] === 'STRING' ? 'STRING' : 'INT']))
      failure = undefined
      try {
        const [written] = await writeSplits(connection, {
          query: `SELECT ${select.join(', ')} FROM (SELECT ${name}(${args.join(', ')}) AS s FROM ${sqlIdentifier(view.view)})`,
          examplesUri: outputUri,
          splits: [split],
          featureTypes,
        })
        return written!.numRows
      } catch (error) {
        // The transform's own error (with its feature and fix) rather than DuckDB's wrapping of it.
        if (failure !== undefined) throw failure
        throw error
      } finally {
        await connection.run(`DROP VIEW IF EXISTS ${sqlIdentifier(view.view)}`)
      }
    },
  }
}

function errorMessage(error: unknown): string {
  return String((error as Error)?.message ?? error)
}

/**
 * What `@duckdb/node-api` 1.5 vectors hold: a DOUBLE vector's values as `items`, and a validity
 * bitmap (`data` null when every value is valid). Its `getItem`/`setItem` test validity with BigInt
 * arithmetic per value, which cost about as much as the transform itself (profiled); reading and
 * writing the buffers directly removes that. Vectors of another shape (another library version) go
 * through `getItem`/`setItem`.
 */
interface VectorInternals {
  items?: unknown
  validity?: { data?: unknown; offset?: unknown }
}

/** The validity bitmap as 32-bit words (bit i of the chunk: word i >>> 5, bit i & 31), null when all valid, undefined when unknown. */
function validityWords(vector: DuckDBVector): Uint32Array | null | undefined {
  const validity = (vector as unknown as VectorInternals).validity
  if (!validity || validity.offset !== 0) return undefined
  if (validity.data === null) return null
  if (!(validity.data instanceof BigUint64Array)) return undefined
  // Little-endian words: the low half of each 64-bit word first.
  return new Uint32Array(validity.data.buffer, validity.data.byteOffset, validity.data.length * 2)
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * The `n` values of an input vector as a column: a DOUBLE vector becomes a typed `n` column straight
 * from its buffers (integers arrive as doubles), anything else an `a` column of its values.
 */
function readVector(vector: DuckDBVector, n: number): Col {
  const words = LITTLE_ENDIAN ? validityWords(vector) : undefined
  const items = (vector as unknown as VectorInternals).items
  if (words !== undefined && items instanceof Float64Array) {
    let m: Uint8Array | null = null
    if (words !== null) {
      for (let i = 0; i < n; i++) if (((words[i >>> 5]! >>> (i & 31)) & 1) === 0) (m ??= new Uint8Array(n))[i] = 1
    }
    return { t: 'n', v: items.length === n ? items : items.subarray(0, n), m }
  }
  const v = new Array<Value>(n)
  if (words === null) for (let i = 0; i < n; i++) v[i] = vector.getItem(i) as Value
  else if (words !== undefined) for (let i = 0; i < n; i++) v[i] = (words[i >>> 5]! >>> (i & 31)) & 1 ? (vector.getItem(i) as Value) : null
  else for (let i = 0; i < n; i++) v[i] = vector.getItem(i) as Value
  return { t: 'a', v }
}

/**
 * Writes an output column into its vector: DOUBLE (FLOAT, INT, and BOOL as 0/1) or VARCHAR. Typed
 * columns go straight into the vector's buffer; only missing values go through `setItem`.
 */
function writeVector(vector: DuckDBVector, col: Col, n: number, type: OutputType): void {
  const target = vector as DuckDBVector<number | string>
  const items = (vector as unknown as VectorInternals).items
  const fresh = LITTLE_ENDIAN && validityWords(vector) === null
  if (type !== 'STRING' && fresh && items instanceof Float64Array && (col.t === 'n' || col.t === 'b')) {
    const nulls: number[] = []
    for (let i = 0; i < n; i++) {
      if (col.m !== null && col.m[i] === 1) nulls.push(i)
      else {
        const x = col.v[i]!
        // An INT output holds integers; a non-finite value has no BIGINT form.
        if (type === 'INT' && !Number.isFinite(x)) nulls.push(i)
        else items[i] = x
      }
    }
    for (const i of nulls) target.setItem(i, null)
    return
  }
  for (let i = 0; i < n; i++) {
    const v = valueAt(col, i)
    if (v === null) target.setItem(i, null)
    else if (type === 'STRING') target.setItem(i, typeof v === 'string' ? v : String(v))
    else if (type === 'BOOL') {
      const b = toBoolean(v)
      target.setItem(i, b === null ? null : b ? 1 : 0)
    } else {
      const x = toNumber(v)
      target.setItem(i, x === null || (type === 'INT' && !Number.isFinite(x)) ? null : x)
    }
  }
}
