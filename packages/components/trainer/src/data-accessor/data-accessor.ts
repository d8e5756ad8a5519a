// TFX's DataAccessor.tf_dataset_factory for tfjs: a tf.data.Dataset of batched tensors over Parquet
// examples. The examples are read into typed arrays once (on the first iteration); every batch is then
// a subarray (in order) or a gather of rows (shuffled) wrapped in a fresh tensor, which the consumer
// (fitDataset, evaluateDataset) disposes. Keeping per-step work to that is what lets training through
// the accessor keep pace with model.fit on tensors already in memory.
import type * as Tfjs from '@tensorflow/tfjs'
import type { TransformOutput } from '@sluice/component-transform'
import type { DuckDB, FeatureTypes } from '@sluice/data/examples'
import type { TfModule } from '../backend.js'
import { TrainerError } from '../errors.js'
import { locateRow, readExampleColumns } from './example-columns.js'
import type { ExampleColumn } from './example-columns.js'
import { seededRandom } from '@sluice/core'

/** The dtype of a model input tensor. */
export type InputDType = 'float32' | 'int32'

/**
 * Which features feed the model: a list (concatenated in that order into one `[batch, n]` tensor) or,
 * for a model with several inputs, model input name to its features (one `[batch, k]` tensor each).
 */
export type FeatureInputs = readonly string[] | { readonly [inputName: string]: readonly string[] }

/** The `xs` of a batch: one tensor for a feature list, a dict of tensors for named inputs. */
export type BatchFeatures<I extends FeatureInputs> = I extends readonly string[] ? Tfjs.Tensor2D : { [K in keyof I]: Tfjs.Tensor2D }

/** One element of a dataset: `xs`, and `ys` (`[batch, 1]`) unless `labelKey` is null. */
export type DatasetElement<I extends FeatureInputs, L extends string | null> = L extends null
  ? { xs: BatchFeatures<I> }
  : { xs: BatchFeatures<I>; ys: Tfjs.Tensor2D }

/** Options of {@link DataAccessor.tfDatasetFactory}. */
export interface TfDatasetOptions<I extends FeatureInputs = readonly string[], L extends string | null = string | null> {
  /** Examples per batch. */
  readonly batchSize: number
  /** The label feature, fed as `ys` (`[batch, 1]`); `null` for a dataset of `xs` only. */
  readonly labelKey: L
  /** The features fed as `xs`; unset: every numeric feature but the label, in column order, as one tensor. */
  readonly inputs?: I
  /** The dtype of `xs`, for all inputs or per input name. @default 'float32' */
  readonly dtype?: InputDType | { readonly [inputName: string]: InputDType }
  /** The dtype of `ys`. @default 'float32' */
  readonly labelDtype?: InputDType
  /** Shuffle the examples, again at every epoch. @default true */
  readonly shuffle?: boolean
  /** Makes the shuffled order reproducible: the same seed gives the same batches. @default random */
  readonly shuffleSeed?: number
  /** Passes over the examples per iteration of the dataset; `null` repeats forever (bound training with `batchesPerEpoch`). @default 1 */
  readonly numEpochs?: number | null
  /** Drop the last batch of an epoch when it is smaller than `batchSize`. @default false */
  readonly dropRemainder?: boolean
  /**
   * The files hold raw (untransformed) examples: apply the TransformGraph's fitted transform first,
   * so the transformed features can be fed. Needs the `transformGraph` input.
   */
  readonly raw?: boolean
  /** Replaces missing (null or NaN) values; unset, a missing value is an error naming the feature and file. */
  readonly fillMissing?: number
}

/** TFX's DataAccessor: builds datasets over example files. */
export interface DataAccessor {
  /**
   * A tf.data.Dataset of `{ xs, ys }` batches over Parquet example files (`fnArgs.trainFiles`,
   * `fnArgs.evalFiles`). The files are read once, starting at this call; a read error (a missing
   * feature, a missing value) rejects the first iteration, i.e. `fitDataset`.
   *
   * @example
   * const train = fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: 256, labelKey: 'tips_xf', inputs: ['fare_xf', 'trip_miles_xf'] })
   * await model.fitDataset(train, { epochs: 5, callbacks: fnArgs.callbacks })
   */
  tfDatasetFactory<const I extends FeatureInputs = readonly string[], const L extends string | null = string | null>(
    files: readonly string[],
    options: TfDatasetOptions<I, L>,
  ): Tfjs.data.Dataset<AsTensorContainer<DatasetElement<I, L>>>
}

// tf.data.Dataset<T> requires T to be a TensorContainer; TypeScript cannot see that an unresolved
// DatasetElement<I, L> is one, and intersecting with TensorContainerObject would add an index signature.
type AsTensorContainer<T> = T extends Tfjs.TensorContainer ? T : never

/** What a dataset turned out to feed, once read: the defaults {@link saveServingBundle} takes from training. */
export interface DatasetDescription {
  readonly files: readonly string[]
  readonly inputs: FeatureInputs
  /** One dtype for a feature list, else per input name. */
  readonly dtype: InputDType | Readonly<Record<string, InputDType>>
  readonly labelKey: string | null
  readonly raw: boolean
  /** The feature types of the files' columns (raw features when `raw`). */
  readonly fileFeatureTypes: FeatureTypes
}

/** Options of {@link createDataAccessor}. */
export interface DataAccessorOptions {
  readonly tf: TfModule
  /** Enables `raw: true`. */
  readonly transformOutput?: TransformOutput
  /** The database to read examples with; unset: each dataset opens (and closes) its own. */
  readonly database?: DuckDB
  /** Scratch space for DuckDB. */
  readonly tempDirectory?: string
  readonly signal?: AbortSignal
  /** Called when a dataset has read its files. */
  readonly onDataset?: (description: DatasetDescription) => void
  /** Called with every read as it starts, so the owner of `database` can wait for them before closing it. */
  readonly onRead?: (reading: Promise<unknown>) => void
}

/** One model input, materialised as a row-major `[numRows, features.length]` matrix. */
interface InputMatrix {
  readonly name: string
  readonly features: readonly string[]
  readonly dtype: InputDType
  readonly data: Float32Array | Int32Array
}

interface LoadedExamples {
  readonly numRows: number
  readonly inputs: readonly InputMatrix[]
  readonly label: Float32Array | Int32Array | undefined
}

/** The name `xs` has in the description when inputs are a plain list (there is no model input name yet). */
const LIST_INPUT = ''

/**
 * Creates the data accessor of a Trainer (or Tuner) run.
 *
 * @example
 * const accessor = createDataAccessor({ tf, transformOutput })
 * const eval = accessor.tfDatasetFactory(evalFiles, { batchSize: 1024, labelKey: 'tips_xf', shuffle: false })
 */
export function createDataAccessor(options: DataAccessorOptions): DataAccessor {
  return {
    tfDatasetFactory(files, datasetOptions) {
      return createDataset(options, files, datasetOptions) as never
    },
  }
}

const DATASET_OPTIONS: readonly string[] = ['batchSize', 'labelKey', 'inputs', 'dtype', 'labelDtype', 'shuffle', 'shuffleSeed', 'numEpochs', 'dropRemainder', 'raw', 'fillMissing']

function createDataset(accessor: DataAccessorOptions, files: readonly string[], options: TfDatasetOptions<FeatureInputs, string | null>): Tfjs.data.Dataset<Tfjs.TensorContainerObject> {
  const { tf } = accessor
  // Module files in plain JS get no type checking: a misspelt option would otherwise be ignored silently.
  const unknown = Object.keys(options).filter((key) => !DATASET_OPTIONS.includes(key))
  if (unknown.length > 0) {
    const suggestion = unknown.map((key) => DATASET_OPTIONS.find((known) => key.toLowerCase().startsWith(known.toLowerCase()) || known.toLowerCase().startsWith(key.toLowerCase())))
    throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', `tfDatasetFactory: unknown option(s) ${unknown.map((k) => `"${k}"`).join(', ')}.`, {
      fix: suggestion.some(Boolean) ? `Did you mean ${suggestion.filter(Boolean).map((k) => `"${k}"`).join(', ')}? Options are ${DATASET_OPTIONS.join(', ')}.` : `Options are ${DATASET_OPTIONS.join(', ')}.`,
    })
  }
  const batchSize = options.batchSize
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', `tfDatasetFactory: batchSize must be a positive integer, got ${String(batchSize)}.`, { fix: 'Pass batchSize, e.g. 256.' })
  }
  if (options.labelKey === undefined) {
    throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', 'tfDatasetFactory: labelKey is required.', { fix: 'Pass the label feature as labelKey, or labelKey: null for a dataset without labels.' })
  }
  const numEpochs = options.numEpochs === undefined ? 1 : options.numEpochs
  if (numEpochs !== null && (!Number.isInteger(numEpochs) || numEpochs < 1)) {
    throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', `tfDatasetFactory: numEpochs must be a positive integer or null, got ${String(numEpochs)}.`)
  }
  const raw = options.raw === true
  if (raw && !accessor.transformOutput) {
    throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', 'tfDatasetFactory: raw: true needs a fitted transform, and the Trainer has no transformGraph input.', {
      fix: 'Wire transform.outputs.transformGraph into the Trainer, or read transformed examples without raw.',
    })
  }
  const shuffle = options.shuffle ?? true
  const seed = options.shuffleSeed ?? Math.floor(Math.random() * 2 ** 32)
  const dropRemainder = options.dropRemainder === true

  // Reading starts now, so DuckDB scans the files while the module builds and compiles its model; a
  // failure surfaces when the dataset is first iterated (the no-op catch only keeps it from being
  // reported as unhandled before then).
  const loading = loadExamples(accessor, files, options, raw)
  loading.catch(() => {})
  accessor.onRead?.(loading)
  let iterations = 0
  const dataset = tf.data.generator(async () => {
    const examples = await loading
    const batchesPerEpoch = dropRemainder ? Math.floor(examples.numRows / batchSize) : Math.ceil(examples.numRows / batchSize)
    // fitDataset counts steps from `size` when it is finite: the number of batches one iteration yields.
    ;(dataset as { size: number }).size = numEpochs === null ? Number.POSITIVE_INFINITY : batchesPerEpoch * numEpochs
    return batchIterator(tf, examples, { batchSize, batchesPerEpoch, numEpochs: numEpochs ?? Number.POSITIVE_INFINITY, shuffle, seed: mixSeed(seed, iterations++) })
  })
  return dataset
}

async function loadExamples(accessor: DataAccessorOptions, files: readonly string[], options: TfDatasetOptions<FeatureInputs, string | null>, raw: boolean): Promise<LoadedExamples> {
  const labelKey = options.labelKey
  const requested = options.inputs === undefined ? undefined : Array.isArray(options.inputs) ? [options.inputs as readonly string[]] : Object.values(options.inputs)
  const wanted = requested === undefined ? undefined : [...new Set([...requested.flat(), ...(labelKey === null ? [] : [labelKey])])]
  const read = await readExampleColumns(files, {
    ...(wanted ? { features: wanted } : {}),
    ...(raw && accessor.transformOutput ? { transform: accessor.transformOutput } : {}),
    ...(accessor.database ? { database: accessor.database } : {}),
    ...(accessor.tempDirectory ? { tempDirectory: accessor.tempDirectory } : {}),
    ...(accessor.signal ? { signal: accessor.signal } : {}),
  })
  if (labelKey !== null && !read.columns.has(labelKey)) {
    throw new TrainerError('SLUICE_TRAINER_BAD_FEATURE', `tfDatasetFactory: the label "${labelKey}" is not a numeric feature of ${files[0]}.`, { fix: 'Name the label feature as labelKey.' })
  }
  const inputs: FeatureInputs = options.inputs ?? [...read.columns.keys()].filter((name) => name !== labelKey)
  const groups: [string, readonly string[]][] = Array.isArray(inputs) ? [[LIST_INPUT, inputs as readonly string[]]] : Object.entries(inputs)
  if (groups.length === 0 || groups.some(([, features]) => features.length === 0)) {
    throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', 'tfDatasetFactory: every input needs at least one feature.', { fix: 'Pass inputs: [feature, …] or { inputName: [feature, …] }.' })
  }
  for (const column of read.columns.values()) await checkMissing(column, files, options.fillMissing)

  const dtypeOf = (name: string): InputDType => (typeof options.dtype === 'string' ? options.dtype : (options.dtype?.[name] ?? 'float32'))
  const matrices = groups.map(([name, features]) => toMatrix(name, features, dtypeOf(name), read.columns, read.numRows))
  const label = labelKey === null ? undefined : toMatrix('label', [labelKey], options.labelDtype ?? 'float32', read.columns, read.numRows).data
  accessor.onDataset?.({
    files,
    inputs,
    dtype: Array.isArray(inputs) ? matrices[0]!.dtype : Object.fromEntries(matrices.map((m) => [m.name, m.dtype])),
    labelKey,
    raw,
    fileFeatureTypes: read.fileFeatureTypes,
  })
  return { numRows: read.numRows, inputs: matrices, label }
}

async function checkMissing(column: ExampleColumn, files: readonly string[], fillMissing: number | undefined): Promise<void> {
  const values = column.values
  let first = -1
  let count = 0
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) {
      if (first < 0) first = i
      count++
    }
  }
  if (count === 0) return
  if (fillMissing !== undefined) {
    for (let i = first; i < values.length; i++) if (Number.isNaN(values[i]!)) values[i] = fillMissing
    return
  }
  const at = await locateRow(files, first)
  throw new TrainerError('SLUICE_TRAINER_MISSING_VALUE', `Feature "${column.name}" is missing (null or NaN) in ${count} example(s), first in ${at.file} at row ${at.row}.`, {
    fix: 'Fill it in preprocessingFn (tft.fillMissing), or pass fillMissing: <number> to tfDatasetFactory.',
  })
}

function toMatrix(name: string, features: readonly string[], dtype: InputDType, columns: ReadonlyMap<string, ExampleColumn>, numRows: number): InputMatrix {
  const k = features.length
  const data = dtype === 'int32' ? new Int32Array(numRows * k) : new Float32Array(numRows * k)
  features.forEach((feature, j) => {
    const values = columns.get(feature)!.values
    for (let i = 0; i < numRows; i++) data[i * k + j] = values[i]!
  })
  return { name, features, dtype, data }
}

interface IterationPlan {
  readonly batchSize: number
  readonly batchesPerEpoch: number
  readonly numEpochs: number
  readonly shuffle: boolean
  readonly seed: number
}

function batchIterator(tf: TfModule, examples: LoadedExamples, plan: IterationPlan): Iterator<Tfjs.TensorContainerObject> {
  const { numRows } = examples
  const random = seededRandom(plan.seed)
  let epoch = 0
  let batch = 0
  let order: Int32Array | undefined
  const slice = (source: Float32Array | Int32Array, k: number, start: number, end: number): Float32Array | Int32Array => {
    if (!order) return source.subarray(start * k, end * k)
    // A new array per batch: the cpu backend keeps the array it is given as the tensor's storage.
    const out = source instanceof Int32Array ? new Int32Array((end - start) * k) : new Float32Array((end - start) * k)
    for (let j = 0, r = start; r < end; j++, r++) {
      const from = order[r]! * k
      const to = j * k
      for (let c = 0; c < k; c++) out[to + c] = source[from + c]!
    }
    return out
  }
  return {
    next(): IteratorResult<Tfjs.TensorContainerObject> {
      if (batch >= plan.batchesPerEpoch) {
        epoch++
        batch = 0
        order = undefined
      }
      if (epoch >= plan.numEpochs || plan.batchesPerEpoch === 0) return { done: true, value: undefined }
      if (plan.shuffle && !order) order = permutation(numRows, random)
      const start = batch * plan.batchSize
      const end = Math.min(numRows, start + plan.batchSize)
      batch++
      const size = end - start
      const tensors = examples.inputs.map((m) => tf.tensor2d(slice(m.data, m.features.length, start, end), [size, m.features.length], m.dtype))
      const xs = examples.inputs.length === 1 && examples.inputs[0]!.name === LIST_INPUT ? tensors[0]! : Object.fromEntries(examples.inputs.map((m, i) => [m.name, tensors[i]!]))
      const value: Tfjs.TensorContainerObject = { xs }
      if (examples.label) value.ys = tf.tensor2d(slice(examples.label, 1, start, end), [size, 1], examples.label instanceof Int32Array ? 'int32' : 'float32')
      return { done: false, value }
    },
  }
}

/** A Fisher–Yates shuffle of 0…n-1. */
function permutation(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  return order
}

/** Each iteration of a dataset (one `fitDataset` epoch) gets its own order, reproducible from the seed. */
function mixSeed(seed: number, iteration: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca77)) >>> 0
}
