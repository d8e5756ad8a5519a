import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { LayersModel } from '@tensorflow/tfjs'
import type { Logger } from '@sluice/core'
import type { CompiledTransform, FittedTransform, NumericColumn } from '@sluice/component-transform'
import { compileTransform, parseFittedTransform } from '@sluice/component-transform'
import type { BackendPreference, TfModule } from '../backend.js'
import { selectBackend } from '../backend.js'
import { TrainerError } from '../errors.js'
import { fileSystemHandler } from './file-system-handler.js'
import type { BundleRuntime, FeedInput, ModelRunner } from './model-runner.js'
import { onnxRunner, tfjsRunner } from './model-runner.js'
import { createOnnxSession, loadOnnxRuntime } from './onnx-runtime.js'
import { BUNDLE_TRANSFORM_FILE, ONNX_MODEL_FILE, SIGNATURE_FILE } from './bundle-files.js'
import type { FeedSpec, ServingSignature, SignatureInput } from './signature.js'
import { modelFeedSpecs, modelInputNames, onnxFeedSpecs, parseServingSignature, pruneFittedTransform } from './signature.js'

/**
 * Rows per model call. Bigger batches amortise per-call overhead (LayersModel.predict's default of 32
 * was measured 15x slower on wasm); 8192 keeps the transform's columns and intermediate activations
 * of a chunk in a few MB however many rows one predict call gets.
 */
export const DEFAULT_PREDICT_BATCH_SIZE = 8192

/** Which runtime {@link loadServingBundle} runs the model with: `auto` is ONNX when the bundle has `model.onnx`. */
export type RuntimePreference = 'auto' | BundleRuntime

/** Options of {@link loadServingBundle}. */
export interface LoadServingBundleOptions {
  /**
   * `onnx`: onnxruntime-node over `model.onnx` (an error when the bundle has none); `tfjs`: the
   * LayersModel; `auto`: ONNX when `model.onnx` exists, else tfjs. @default 'auto'
   */
  readonly runtime?: RuntimePreference
  /** The tfjs backend to activate when the runtime is tfjs (see selectBackend). @default 'auto' */
  readonly backend?: BackendPreference
  /** Use this tfjs (with its active backend) instead of selecting one, when the runtime is tfjs. */
  readonly tf?: TfModule
  /** onnxruntime intra-op threads. @default min(2, available cores) */
  readonly onnxThreads?: number
  /** Where to say that `auto` fell back to tfjs because onnxruntime-node could not be loaded. */
  readonly logger?: Pick<Logger, 'warn'>
}

/** Options of {@link ServingBundle.predict}. */
export interface PredictOptions {
  /** Rows per model call; larger requests are run in chunks of this size. @default 8192 */
  readonly batchSize?: number
}

/** A loaded serving bundle. */
export interface ServingBundle {
  readonly dir: string
  /** What runs the model: `onnx` (onnxruntime-node over `model.onnx`) or `tfjs`. */
  readonly runtime: BundleRuntime
  /** The tfjs LayersModel, when `runtime` is `tfjs`; with ONNX tfjs is not loaded at all. */
  readonly model?: LayersModel
  readonly signature: ServingSignature
  /** The fitted transform, when the model was trained on transformed features. */
  readonly transform?: FittedTransform
  /**
   * Predicts raw rows: checks them against the signature's inputs, applies the fitted transform,
   * builds the model's input buffers and runs the model, in chunks of `batchSize` rows. Returns each
   * output, row-major (`rows.length × width` values). The same for both runtimes.
   */
  predict(rows: readonly object[], options?: PredictOptions): Promise<Record<string, Float32Array>>
  /**
   * {@link ServingBundle.predict} for `rowCount` rows given as columns (raw feature name → values),
   * as a columnar reader has them: no row objects are made. Errors name rows by their index.
   */
  predictColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>, rowCount: number, options?: PredictOptions): Promise<Record<string, Float32Array>>
  /** Releases the model: the onnxruntime session, or the tfjs model's tensors. */
  dispose(): void
}

/**
 * Loads the serving bundle in `dir` (a Model artifact's `Format-Serving/`). Reads only that directory.
 * With `runtime: 'auto'` (the default) a bundle with `model.onnx` runs on onnxruntime-node, 4–6x
 * faster than tfjs-wasm for the MLPs measured, and tfjs is not imported; otherwise the tfjs model runs
 * on the selected backend.
 *
 * @example
 * const bundle = await loadServingBundle('/serving/taxi/1700000000/Format-Serving')
 * const { output_0 } = await bundle.predict([{ fare: 12.5, trip_miles: 3.1, payment_type: 'Cash' }])
 */
export async function loadServingBundle(dir: string, options: LoadServingBundleOptions = {}): Promise<ServingBundle> {
  const signatureFile = path.join(dir, SIGNATURE_FILE)
  let signatureJson: unknown
  try {
    signatureJson = JSON.parse(await readFile(signatureFile, 'utf8'))
  } catch (cause) {
    throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `${signatureFile} cannot be read: ${(cause as Error).message}`, {
      fix: 'Point at the Format-Serving directory of a Model written by the Trainer (fnArgs.saveModel).',
      cause,
    })
  }
  const signature = parseServingSignature(signatureJson, signatureFile)
  const transformFile = path.join(dir, BUNDLE_TRANSFORM_FILE)
  const transformText = await readFile(transformFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  const transform = transformText === undefined ? undefined : parseFittedTransform(transformText)
  const features = signature.modelInputs.flatMap((m) => m.features)
  const compiled = transform ? compileTransform(pruneFittedTransform(transform, features)) : undefined

  const { runner, model } = await openRunner(dir, signature, signatureFile, options)
  let disposed = false
  const outputNames = signature.outputs.map((o) => o.name)

  /** Runs `n` rows in chunks; `read(start, m)` checks a chunk's raw features and gives each by name. */
  const predictChunks = async (n: number, predictOptions: PredictOptions, read: (start: number, m: number) => (name: string) => readonly unknown[]): Promise<Record<string, Float32Array>> => {
    if (disposed) throw new TrainerError('SLUICE_SERVING_BUNDLE_DISPOSED', `The serving bundle ${dir} was disposed.`, { fix: 'Load it again with loadServingBundle.' })
    if (n === 0) return Object.fromEntries(outputNames.map((name) => [name, new Float32Array(0)]))
    const requested = predictOptions.batchSize ?? DEFAULT_PREDICT_BATCH_SIZE
    const chunk = Math.min(n, Number.isFinite(requested) && requested >= 1 ? Math.floor(requested) : DEFAULT_PREDICT_BATCH_SIZE)
    let result: Float32Array[] | undefined
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start)
      const outputs = await runner.run(buildFeed(runner.feeds, compiled, read(start, m), start, m), m)
      if (m === n) {
        result = outputs
        break
      }
      // Widths are known once the first chunk has run; later chunks are copied in place.
      result ??= outputs.map((o) => new Float32Array((o.length / m) * n))
      outputs.forEach((o, i) => result![i]!.set(o, start * (o.length / m)))
    }
    return Object.fromEntries(outputNames.map((name, i) => [name, result![i]!]))
  }

  return {
    dir,
    runtime: runner.runtime,
    ...(model ? { model } : {}),
    signature,
    ...(transform ? { transform } : {}),
    predict(rows, predictOptions = {}) {
      if (!Array.isArray(rows)) return Promise.reject(new TrainerError('SLUICE_SERVING_BAD_INPUT', 'predict takes a list of rows (objects of raw feature name to value).'))
      return predictChunks(rows.length, predictOptions, (start, m) => {
        const raw = readRawColumns(rows, start, m, signature.inputs)
        return (name) => raw.get(name) ?? readRows(rows, name, start, m)
      })
    },
    predictColumns(columns, rowCount, predictOptions = {}) {
      if (typeof columns !== 'object' || columns === null || !Number.isInteger(rowCount) || rowCount < 0) {
        return Promise.reject(new TrainerError('SLUICE_SERVING_BAD_INPUT', 'predictColumns takes an object of raw feature name to values and a row count.'))
      }
      return predictChunks(rowCount, predictOptions, (start, m) => {
        const raw = readGivenColumns(columns, rowCount, start, m, signature.inputs)
        return (name) => raw.get(name) ?? Array.from({ length: m }, (_, i) => columns[name]?.[start + i])
      })
    },
    dispose() {
      if (disposed) return
      disposed = true
      runner.dispose()
    },
  }
}

async function openRunner(dir: string, signature: ServingSignature, signatureFile: string, options: LoadServingBundleOptions): Promise<{ runner: ModelRunner; model?: LayersModel }> {
  const preference = options.runtime ?? 'auto'
  if (preference !== 'auto' && preference !== 'onnx' && preference !== 'tfjs') {
    throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', `loadServingBundle: runtime must be 'auto', 'onnx' or 'tfjs', not ${JSON.stringify(preference)}.`)
  }
  const onnxFile = path.join(dir, ONNX_MODEL_FILE)
  if (preference !== 'tfjs') {
    const present = (await stat(onnxFile).catch(() => undefined))?.isFile() ?? false
    if (!present && preference === 'onnx') {
      throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `${onnxFile} does not exist, so the bundle cannot run on ONNX.`, {
        fix: `Load it with { runtime: 'auto' } or { runtime: 'tfjs' }. The Trainer writes model.onnx only for models whose layers it can export${signature.onnx?.skipped ? ` (this one: ${signature.onnx.skipped})` : ''}.`,
      })
    }
    if (present) {
      let ort: Awaited<ReturnType<typeof loadOnnxRuntime>> | undefined
      try {
        ort = await loadOnnxRuntime()
      } catch (cause) {
        if (preference === 'onnx') {
          throw new TrainerError('SLUICE_SERVING_RUNTIME_UNAVAILABLE', `onnxruntime-node cannot be loaded: ${(cause as Error).message}`, { fix: 'Reinstall onnxruntime-node, or load the bundle with { runtime: \'tfjs\' }.', cause })
        }
        options.logger?.warn(`onnxruntime-node cannot be loaded (${(cause as Error).message}); ${dir} runs on tfjs.`)
      }
      if (ort) {
        const session = await createOnnxSession(onnxFile, { file: onnxFile, ...(options.onnxThreads !== undefined ? { threads: options.onnxThreads } : {}) })
        const feeds = onnxFeedSpecs(signature)
        checkSessionNames(session, feeds, signature, onnxFile)
        return { runner: onnxRunner(ort, session, signature.outputs.map((o) => o.name), feeds) }
      }
    }
  }
  const tf = options.tf ?? (await selectBackend(options.backend ?? 'auto')).tf
  const model = await tf.loadLayersModel(fileSystemHandler(dir))
  for (const name of modelInputNames(model)) {
    if (!signature.modelInputs.some((m) => m.name === name)) {
      model.dispose()
      throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `${signatureFile} has no modelInputs entry for the model input "${name}".`)
    }
  }
  return { runner: tfjsRunner(tf, model, signature.outputs.length, modelFeedSpecs(signature)), model }
}

/** model.onnx must take the inputs the signature lays out for it and give its outputs, by name. */
function checkSessionNames(session: { readonly inputNames: readonly string[]; readonly outputNames: readonly string[]; release(): Promise<void> }, feeds: readonly FeedSpec[], signature: ServingSignature, file: string): void {
  const missingInputs = feeds.map((f) => f.name).filter((name) => !session.inputNames.includes(name))
  const missingOutputs = signature.outputs.map((o) => o.name).filter((name) => !session.outputNames.includes(name))
  if (missingInputs.length === 0 && missingOutputs.length === 0) return
  session.release().catch(() => undefined)
  throw new TrainerError(
    'SLUICE_SERVING_BUNDLE_INVALID',
    `${file} does not match signature.json: ${[missingInputs.length > 0 ? `it has no input ${missingInputs.join(', ')}` : '', missingOutputs.length > 0 ? `it has no output ${missingOutputs.join(', ')}` : ''].filter(Boolean).join('; ')} (it has inputs ${session.inputNames.join(', ')} and outputs ${session.outputNames.join(', ')}).`,
    { fix: "Re-run the Trainer so that both are written together, or load the bundle with { runtime: 'tfjs' }." },
  )
}

/**
 * The signature's raw features of rows `start … start + m`, one column each, checked against their
 * types. Column by column: reading one property of every row keeps each property access site on one
 * name, which V8 serves from its inline cache; row by row the name changes at every access.
 */
function readRawColumns(rows: readonly object[], start: number, m: number, inputs: readonly SignatureInput[]): Map<string, unknown[]> {
  for (let i = start; i < start + m; i++) {
    const row = rows[i] as unknown
    if (typeof row !== 'object' || row === null) {
      throw new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${i} is ${row === null ? 'null' : typeof row}, not an object of raw feature name to value.`)
    }
  }
  const columns = new Map<string, unknown[]>()
  for (const { name, type } of inputs) {
    const column = new Array<unknown>(m)
    for (let i = 0; i < m; i++) {
      const value = (rows[start + i] as Record<string, unknown>)[name]
      column[i] = value
      // The error names the first bad row, as a row-by-row check would find it.
      if (!hasType(value, type)) throw firstBadValue((row, feature) => (rows[row] as Record<string, unknown>)[feature], start, m, inputs)
    }
    columns.set(name, column)
  }
  return columns
}

function hasType(value: unknown, type: SignatureInput['type']): boolean {
  if (value === null) return true
  switch (type) {
    case 'FLOAT':
      return typeof value === 'number' || typeof value === 'bigint'
    case 'INT':
      return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint'
    case 'STRING':
      return typeof value === 'string'
    default:
      return typeof value === 'boolean'
  }
}

/** The error for the first row (then the first feature) whose value is missing or of the wrong type. */
function firstBadValue(valueAt: (row: number, feature: string) => unknown, start: number, m: number, inputs: readonly SignatureInput[]): TrainerError {
  for (let i = start; i < start + m; i++) {
    for (const { name, type } of inputs) {
      const value = valueAt(i, name)
      if (value === undefined) {
        return new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${i} has no feature "${name}" (${type}).`, {
          fix: `Send every input of the signature: ${inputs.map((x) => x.name).join(', ')}; a missing value is null.`,
        })
      }
      if (!hasType(value, type)) return new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${i}: feature "${name}" must be ${type}, got ${describe(value)}.`)
    }
  }
  return new TrainerError('SLUICE_SERVING_BAD_INPUT', `Rows ${start} to ${start + m - 1} changed while they were read.`)
}

/** Feature `name` of rows `start … start + m` (one the signature does not list: not checked). */
function readRows(rows: readonly object[], name: string, start: number, m: number): unknown[] {
  const values = new Array<unknown>(m)
  for (let i = 0; i < m; i++) values[i] = (rows[start + i] as Record<string, unknown>)[name]
  return values
}

/** As {@link readRawColumns}, for rows given as columns. */
function readGivenColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>, rowCount: number, start: number, m: number, inputs: readonly SignatureInput[]): Map<string, unknown[]> {
  const raw = new Map<string, unknown[]>()
  for (const { name, type } of inputs) {
    const given = columns[name]
    if (given === undefined || given === null || typeof given.length !== 'number' || given.length < rowCount) {
      throw new TrainerError('SLUICE_SERVING_BAD_INPUT', given === undefined ? `There is no column for feature "${name}" (${type}).` : `The column of feature "${name}" has ${String(given?.length)} values for ${rowCount} rows.`, {
        fix: `Give a column of ${rowCount} values for every input of the signature: ${inputs.map((x) => x.name).join(', ')}; a missing value is null.`,
      })
    }
    const column = new Array<unknown>(m)
    for (let i = 0; i < m; i++) {
      const value = given[start + i]
      column[i] = value
      if (!hasType(value, type)) throw firstBadValue((row, feature) => columns[feature]?.[row], start, m, inputs)
    }
    raw.set(name, column)
  }
  return raw
}

/**
 * The input tensors of rows `start … start + m`, laid out as the runner takes them: the transform runs
 * once over the chunk's raw columns and each feature is written straight into its tensor's column,
 * from the transform's typed outputs, so no per-row objects or boxed values are made. All tensors
 * share one ArrayBuffer: a typed array of more than 64 bytes gets a buffer of its own outside the JS
 * heap, and 17 of those per call cost more than the model at serving batch sizes.
 */
function buildFeed(specs: readonly FeedSpec[], compiled: CompiledTransform | undefined, raw: (name: string) => readonly unknown[], start: number, m: number): FeedInput[] {
  const transformed = new Map<string, NumericColumn | readonly unknown[]>()
  if (compiled) {
    const outputs = compiled.applyColumnsNumeric(compiled.inputs.map(raw), m)
    compiled.outputs.forEach((name, j) => transformed.set(name, outputs[j]!))
  }
  // Float32 and int32 values are both 4 bytes.
  const buffer = new ArrayBuffer(specs.reduce((sum, spec) => sum + spec.features.length, 0) * m * 4)
  let offset = 0
  return specs.map((spec) => {
    const k = spec.features.length
    const data = spec.dtype === 'int32' ? new Int32Array(buffer, offset, m * k) : new Float32Array(buffer, offset, m * k)
    offset += m * k * 4
    spec.features.forEach((feature, j) => {
      const column = transformed.get(feature)
      if (column && !Array.isArray(column)) {
        const { values, missing } = column as NumericColumn
        for (let i = 0; i < m; i++) {
          const value = values[i]!
          data[i * k + j] = value === value && (missing === null || missing[i] !== 1) ? value : modelValue(missing !== null && missing[i] === 1 ? null : value, feature, start + i, true)
        }
      } else {
        const values = (column as readonly unknown[] | undefined) ?? raw(feature)
        for (let i = 0; i < m; i++) {
          const value = values[i]
          data[i * k + j] = typeof value === 'number' && value === value ? value : modelValue(value, feature, start + i, column !== undefined)
        }
      }
      const bound = spec.bounds?.[j]
      if (bound !== undefined) {
        for (let i = 0; i < m; i++) {
          const value = data[i * k + j]!
          if (value < 0 || value >= bound) {
            throw new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${start + i}: ${column ? 'transformed ' : ''}feature "${feature}" is ${value}, outside the ${bound} values the model has rows for (0 to ${bound - 1}).`, {
              fix: column ? 'The model was built for fewer values than the transform gives: size its one-hot or embedding layer from the transform output (numBuckets, vocabulary size plus OOV buckets).' : `Send a value from 0 to ${bound - 1}.`,
            })
          }
        }
      }
    })
    return { name: spec.name, dtype: spec.dtype, data, width: k }
  })
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'an object'
  return `${typeof value} ${String(value)}`
}

function modelValue(value: unknown, feature: string, row: number, transformed: boolean): number {
  if (typeof value === 'number' && !Number.isNaN(value)) return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') return Number(value)
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
    throw new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${row}: ${transformed ? 'transformed ' : ''}feature "${feature}" is missing${transformed ? ' after the transform' : ''}.`, {
      fix: transformed ? 'Send a value for the raw features it is computed from, or fill missing values in preprocessingFn (tft.fillMissing).' : 'Send a value for it.',
    })
  }
  throw new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${row}: ${transformed ? 'transformed ' : ''}feature "${feature}" is ${describe(value)}, not a number.`)
}
