// The check that keeps a model.onnx only if it computes what the tfjs model computes: both runtimes
// predict the same input buffers (built from example rows when there are any, else generated) and
// every output value must agree within a tolerance.
import type { LayersModel } from '@tensorflow/tfjs'
import type { FittedTransform } from '@sluice/component-transform'
import { compileTransform } from '@sluice/component-transform'
import type { TfModule } from '../backend.js'
import type { FeedInput } from './model-runner.js'
import { onnxRunner, packFeed, tfjsRunner } from './model-runner.js'
import { ONNX_MODEL_FILE } from './bundle-files.js'
import { createOnnxSession, loadOnnxRuntime } from './onnx-runtime.js'
import type { ServingSignature, SignatureOnnxParity } from './signature.js'
import { modelFeedSpecs, onnxFeedSpecs, pruneFittedTransform } from './signature.js'

/** The default parity tolerance: |ONNX − tfjs| ≤ 1e-5 · max(1, |tfjs|) for every output value. */
export const DEFAULT_ONNX_PARITY_TOLERANCE = 1e-5
/** Rows the parity check predicts at most. */
export const MAX_PARITY_ROWS = 4096
const GENERATED_ROWS = 256

/** Options of {@link checkOnnxParity}. */
export interface OnnxParityOptions {
  readonly tf: TfModule
  readonly model: LayersModel
  /** The exported model's bytes. */
  readonly onnx: Uint8Array
  /** The signature, with `onnx.inputs` when the exported graph packs the model inputs. */
  readonly signature: ServingSignature
  readonly transform?: FittedTransform
  /**
   * Example rows. A model input feature is read from the row when the row has it (transformed
   * examples), else computed with `transform` from the row's raw features. Rows with a missing or
   * non-numeric feature are left out. Without usable rows, inputs are generated.
   */
  readonly rows?: readonly object[]
  /** What the rows are, for the record (`eval`). @default 'rows' */
  readonly source?: string
  /** Exclusive bounds of integer inputs (from exportOnnx), for generated inputs. */
  readonly inputLimits?: Readonly<Record<string, number>>
  /** @default 1e-5 */
  readonly tolerance?: number
}

/** The outcome of {@link checkOnnxParity}. */
export interface OnnxParityResult extends SignatureOnnxParity {
  readonly ok: boolean
  /** When not ok: the first value out of bounds, in words. */
  readonly problem?: string
}

/**
 * Predicts the same inputs with the tfjs model (on the active backend) and with the ONNX model (on
 * onnxruntime-node, one thread) and compares every output value.
 */
export async function checkOnnxParity(options: OnnxParityOptions): Promise<OnnxParityResult> {
  const tolerance = options.tolerance ?? DEFAULT_ONNX_PARITY_TOLERANCE
  const fromRows = options.rows && options.rows.length > 0 ? feedFromRows(options.signature, options.transform, options.rows.slice(0, MAX_PARITY_ROWS)) : undefined
  const { inputs, rows } = fromRows ?? generatedFeed(options.signature, options.inputLimits ?? {})
  const source = fromRows ? (options.source ?? 'rows') : 'generated'
  const outputNames = options.signature.outputs.map((o) => o.name)

  // Not disposed: disposing a tfjs runner disposes the model, which the caller still owns.
  const expected = await tfjsRunner(options.tf, options.model, outputNames.length, modelFeedSpecs(options.signature)).run(inputs, rows)
  const ort = await loadOnnxRuntime()
  const feeds = onnxFeedSpecs(options.signature)
  const runner = onnxRunner(ort, await createOnnxSession(options.onnx, { file: ONNX_MODEL_FILE, threads: 1 }), outputNames, feeds)
  let actual: Float32Array[]
  try {
    actual = await runner.run(packFeed(inputs, feeds, rows), rows)
  } finally {
    runner.dispose()
  }

  let maxAbsDiff = 0
  let problem: string | undefined
  for (const [o, name] of outputNames.entries()) {
    const a = actual[o]!
    const b = expected[o]!
    if (a.length !== b.length) {
      problem ??= `output "${name}" has ${a.length} values from ONNX and ${b.length} from tfjs`
      maxAbsDiff = Infinity
      continue
    }
    const width = b.length / rows
    for (let i = 0; i < b.length; i++) {
      const x = a[i]!
      const y = b[i]!
      if (Number.isNaN(x) && Number.isNaN(y)) continue
      const diff = Math.abs(x - y)
      if (!(diff <= maxAbsDiff)) maxAbsDiff = Number.isNaN(diff) ? Infinity : diff
      if (!(diff <= tolerance * Math.max(1, Math.abs(y)))) {
        problem ??= `output "${name}" of row ${Math.floor(i / width)} is ${x} from ONNX and ${y} from tfjs`
      }
    }
  }
  return { ok: problem === undefined, rows, source, maxAbsDiff, tolerance, ...(problem !== undefined ? { problem } : {}) }
}

function isNumeric(value: unknown): boolean {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || typeof value === 'boolean'
}

/** Model inputs from example rows, or undefined when a feature can be found neither in the rows nor through the transform. */
function feedFromRows(signature: ServingSignature, transform: FittedTransform | undefined, rows: readonly object[]): { inputs: FeedInput[]; rows: number } | undefined {
  const first = rows[0] as Record<string, unknown>
  const features = signature.modelInputs.flatMap((m) => m.features)
  const computed = features.filter((f) => first[f] === undefined)
  const columns = new Map<string, readonly unknown[]>()
  if (computed.length > 0) {
    if (!transform || computed.some((f) => transform.outputs[f] === undefined)) return undefined
    const compiled = compileTransform(pruneFittedTransform(transform, computed))
    const raw = compiled.inputs.map((name) => rows.map((row) => (row as Record<string, unknown>)[name]))
    const outputs = compiled.applyColumns(raw, rows.length)
    compiled.outputs.forEach((name, j) => columns.set(name, outputs[j]!))
  }
  for (const f of features) if (!columns.has(f)) columns.set(f, rows.map((row) => (row as Record<string, unknown>)[f]))
  const keep: number[] = []
  for (let i = 0; i < rows.length; i++) if (features.every((f) => isNumeric(columns.get(f)![i]))) keep.push(i)
  if (keep.length === 0) return undefined
  const inputs = signature.modelInputs.map((input): FeedInput => {
    const k = input.features.length
    const data = input.dtype === 'int32' ? new Int32Array(keep.length * k) : new Float32Array(keep.length * k)
    input.features.forEach((f, j) => {
      const column = columns.get(f)!
      keep.forEach((row, i) => {
        data[i * k + j] = Number(column[row])
      })
    })
    return { name: input.name, dtype: input.dtype, data, width: k }
  })
  return { inputs, rows: keep.length }
}

/** Deterministic inputs: floats in [-3, 3), integers in [0, limit) (limit from the consuming layer, else 10). */
function generatedFeed(signature: ServingSignature, limits: Readonly<Record<string, number>>): { inputs: FeedInput[]; rows: number } {
  let state = 0x2545f491
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const inputs = signature.modelInputs.map((input): FeedInput => {
    const k = input.features.length
    const size = GENERATED_ROWS * k
    const limit = Math.max(1, limits[input.name] ?? 10)
    const data = input.dtype === 'int32' ? Int32Array.from({ length: size }, () => Math.floor(next() * limit)) : Float32Array.from({ length: size }, () => next() * 6 - 3)
    return { name: input.name, dtype: input.dtype, data, width: k }
  })
  return { inputs, rows: GENERATED_ROWS }
}
