import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { LayersModel, Tensor } from '@tensorflow/tfjs'
import type { FittedTransform } from '@sluice/component-transform'
import { applyTransform, parseFittedTransform } from '@sluice/component-transform'
import type { BackendPreference, TfModule } from '../backend.js'
import { selectBackend } from '../backend.js'
import { TrainerError } from '../errors.js'
import { fileSystemHandler } from './file-system-handler.js'
import { BUNDLE_TRANSFORM_FILE, SIGNATURE_FILE } from './save.js'
import type { ServingSignature, SignatureInput } from './signature.js'
import { modelInputNames, parseServingSignature, pruneFittedTransform } from './signature.js'

/**
 * Rows per `model.predict` call. LayersModel.predict defaults to 32, which perf.md measured 15x
 * slower than one large batch on wasm.
 */
export const DEFAULT_PREDICT_BATCH_SIZE = 8192

/** Options of {@link loadServingBundle}. */
export interface LoadServingBundleOptions {
  /** The tfjs backend to activate (see selectBackend). @default 'auto' */
  readonly backend?: BackendPreference
  /** Use this tfjs (with its active backend) instead of selecting one. */
  readonly tf?: TfModule
}

/** Options of {@link ServingBundle.predict}. */
export interface PredictOptions {
  /** Rows per `model.predict` batch. @default 8192 */
  readonly batchSize?: number
}

/** A loaded serving bundle. */
export interface ServingBundle {
  readonly dir: string
  readonly model: LayersModel
  readonly signature: ServingSignature
  /** The fitted transform, when the model was trained on transformed features. */
  readonly transform?: FittedTransform
  /**
   * Predicts raw rows: checks them against the signature's inputs, applies the fitted transform,
   * builds the model's input tensors and runs the model. Returns each output, row-major
   * (`rows.length × width` values).
   */
  predict(rows: readonly object[], options?: PredictOptions): Promise<Record<string, Float32Array>>
  /** Releases the model's tensors. */
  dispose(): void
}

/**
 * Loads the serving bundle in `dir` (a Model artifact's `Format-Serving/`). Reads only that directory.
 *
 * @example
 * const bundle = await loadServingBundle('/serving/taxi/1700000000/Format-Serving')
 * const { output_0 } = await bundle.predict([{ fare: 12.5, trip_miles: 3.1, payment_type: 'Cash' }])
 */
export async function loadServingBundle(dir: string, options: LoadServingBundleOptions = {}): Promise<ServingBundle> {
  const tf = options.tf ?? (await selectBackend(options.backend ?? 'auto')).tf
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
  const model = await tf.loadLayersModel(fileSystemHandler(dir))
  const features = signature.modelInputs.flatMap((m) => m.features)
  const applied = transform ? pruneFittedTransform(transform, features) : undefined
  const inputOrder = modelInputNames(model).map((name) => {
    const found = signature.modelInputs.find((m) => m.name === name)
    if (!found) throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `${signatureFile} has no modelInputs entry for the model input "${name}".`)
    return found
  })

  return {
    dir,
    model,
    signature,
    ...(transform ? { transform } : {}),
    async predict(rows, predictOptions = {}) {
      checkRows(rows, signature.inputs)
      const transformed: readonly Record<string, unknown>[] = applied ? applyTransform(applied, rows) : (rows as readonly Record<string, unknown>[])
      const n = rows.length
      if (n === 0) return Object.fromEntries(signature.outputs.map((o) => [o.name, new Float32Array(0)]))
      const tensors: Tensor[] = []
      let outputs: Tensor | Tensor[] | undefined
      try {
        for (const input of inputOrder) {
          const k = input.features.length
          const data = input.dtype === 'int32' ? new Int32Array(n * k) : new Float32Array(n * k)
          input.features.forEach((feature, j) => {
            const fromTransform = applied !== undefined && feature in applied.outputs
            for (let i = 0; i < n; i++) {
              const value = fromTransform ? transformed[i]![feature] : (rows[i] as Record<string, unknown>)[feature]
              data[i * k + j] = modelValue(value, feature, i, fromTransform)
            }
          })
          tensors.push(tf.tensor2d(data, [n, k], input.dtype))
        }
        const batchSize = Math.max(1, Math.min(n, predictOptions.batchSize ?? DEFAULT_PREDICT_BATCH_SIZE))
        outputs = model.predict(tensors.length === 1 ? tensors[0]! : tensors, { batchSize })
        const list = Array.isArray(outputs) ? outputs : [outputs]
        const result: Record<string, Float32Array> = {}
        for (const [i, output] of signature.outputs.entries()) {
          const values = await list[i]!.data()
          result[output.name] = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>)
        }
        return result
      } finally {
        tf.dispose(tensors)
        if (outputs) tf.dispose(outputs)
      }
    },
    dispose() {
      model.dispose()
    },
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'an object'
  return `${typeof value} ${String(value)}`
}

function checkRows(rows: readonly object[], inputs: readonly SignatureInput[]): void {
  if (!Array.isArray(rows)) throw new TrainerError('SLUICE_SERVING_BAD_INPUT', 'predict takes a list of rows (objects of raw feature name to value).')
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Record<string, unknown> | null | undefined
    if (typeof row !== 'object' || row === null) {
      throw new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${i} is ${row === null ? 'null' : typeof row}, not an object of raw feature name to value.`)
    }
    for (const { name, type } of inputs) {
      const value = row[name]
      if (value === undefined) {
        throw new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${i} has no feature "${name}" (${type}).`, {
          fix: `Send every input of the signature: ${inputs.map((x) => x.name).join(', ')}; a missing value is null.`,
        })
      }
      if (value === null) continue
      const ok =
        type === 'FLOAT'
          ? typeof value === 'number' || typeof value === 'bigint'
          : type === 'INT'
            ? (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint'
            : type === 'STRING'
              ? typeof value === 'string'
              : typeof value === 'boolean'
      if (!ok) throw new TrainerError('SLUICE_SERVING_BAD_INPUT', `Row ${i}: feature "${name}" must be ${type}, got ${describe(value)}.`)
    }
  }
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
