// The two ways a bundle runs its model on input buffers already built: the tfjs LayersModel or an
// onnxruntime session over model.onnx. Each says which input tensors it takes (`feeds`: the model
// inputs for tfjs; for ONNX the model inputs packed by dtype, as the exporter laid them out); both
// give one Float32Array per signature output, so predict and the Trainer's parity check share
// everything but this last step.
import type { LayersModel, Tensor } from '@tensorflow/tfjs'
import type * as Ort from 'onnxruntime-node'
import type { TfModule } from '../backend.js'
import type { InputDType } from '../data-accessor/data-accessor.js'
import { TrainerError } from '../errors.js'
import type { OrtModule } from './onnx-runtime.js'
import type { BundleRuntime, FeedSpec } from './signature.js'
import { modelInputNames } from './signature.js'

export type { BundleRuntime }

/** One input tensor's values for a batch: `rows × width`, row-major. */
export interface FeedInput {
  readonly name: string
  readonly dtype: InputDType
  readonly data: Float32Array | Int32Array
  readonly width: number
}

/** Runs a model on a batch. */
export interface ModelRunner {
  readonly runtime: BundleRuntime
  /** The input tensors `run` takes, in order. */
  readonly feeds: readonly FeedSpec[]
  /** One Float32Array per output (in signature order), `rows × width` values each. */
  run(inputs: readonly FeedInput[], rows: number): Promise<Float32Array[]>
  dispose(): void
}

/** A runner over a tfjs LayersModel; `inputs` are matched to the model's inputs by name. */
export function tfjsRunner(tf: TfModule, model: LayersModel, outputCount: number, feeds: readonly FeedSpec[]): ModelRunner {
  const order = modelInputNames(model)
  return {
    runtime: 'tfjs',
    feeds,
    async run(inputs, rows) {
      const tensors: Tensor[] = []
      let outputs: Tensor | Tensor[] | undefined
      try {
        for (const name of order) {
          const input = inputs.find((i) => i.name === name)
          if (!input) throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `No values were built for the model input "${name}".`)
          tensors.push(tf.tensor2d(input.data, [rows, input.width], input.dtype))
        }
        // One batch: LayersModel.predict defaults to 32 rows, which perf.md measured 15x slower on wasm.
        outputs = model.predict(tensors.length === 1 ? tensors[0]! : tensors, { batchSize: Math.max(1, rows) })
        const list = Array.isArray(outputs) ? outputs : [outputs]
        const result: Float32Array[] = []
        for (let i = 0; i < outputCount; i++) {
          const values = await list[i]!.data()
          result.push(values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>))
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

/** A runner over an onnxruntime session whose inputs and outputs are named as the signature's. */
export function onnxRunner(ort: OrtModule, session: Ort.InferenceSession, outputNames: readonly string[], feeds: readonly FeedSpec[]): ModelRunner {
  let released = false
  return {
    runtime: 'onnx',
    feeds,
    async run(inputs, rows) {
      const feeds: Record<string, Ort.Tensor> = {}
      for (const input of inputs) feeds[input.name] = new ort.Tensor(input.dtype, input.data, [rows, input.width])
      const results = await session.run(feeds, [...outputNames])
      return outputNames.map((name) => {
        const data = results[name]!.data
        return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>)
      })
    },
    dispose() {
      if (released) return
      released = true
      // The native session is freed synchronously; the promise only reports errors, and there is
      // nothing to do about one at disposal.
      session.release().catch(() => undefined)
    },
  }
}

/** Model input buffers (one per model input) laid out as `specs` (which may pack several side by side). */
export function packFeed(inputs: readonly FeedInput[], specs: readonly FeedSpec[], rows: number): FeedInput[] {
  return specs.map((spec) => {
    const members = spec.modelInputs.map((name) => {
      const input = inputs.find((i) => i.name === name)
      if (!input) throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `No values were built for the model input "${name}".`)
      return input
    })
    if (members.length === 1 && members[0]!.name === spec.name) return members[0]!
    const width = spec.features.length
    const data = spec.dtype === 'int32' ? new Int32Array(rows * width) : new Float32Array(rows * width)
    let column = 0
    for (const member of members) {
      for (let i = 0; i < rows; i++) for (let j = 0; j < member.width; j++) data[i * width + column + j] = member.data[i * member.width + j]!
      column += member.width
    }
    return { name: spec.name, dtype: spec.dtype, data, width }
  })
}
