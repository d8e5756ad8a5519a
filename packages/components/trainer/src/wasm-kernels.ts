// Kernels the tfjs wasm backend (4.22) lacks but training needs. The gradient of Gather, and so of every
// Embedding layer, calls UnsortedSegmentSum, which wasm does not register: without it, a model with an
// embedding for a categorical feature cannot train on the default backend.
import type { TensorInfo } from '@tensorflow/tfjs'
import type { TfModule } from './backend.js'

type NumericArray = Float32Array | Int32Array | Uint8Array

/** The parts of tfjs-backend-wasm's BackendWasm a JS kernel uses. */
interface WasmBackend {
  readSync(dataId: object): unknown
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo
  typedArrayFromHeap(info: TensorInfo): NumericArray
}

/** Registers JS implementations of the kernels wasm is missing; idempotent. */
export function registerMissingWasmKernels(tf: TfModule): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined) return
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo }
      const numSegments = (attrs as { numSegments: number }).numSegments
      const wasm = backend as unknown as WasmBackend
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)]
      // Allocate before taking views of the heap: growing it would detach them.
      const out = wasm.makeOutput(outShape, x.dtype)
      const values = wasm.readSync(x.dataId) as NumericArray
      const ids = wasm.readSync(segmentIds.dataId) as NumericArray
      const target = wasm.typedArrayFromHeap(out)
      target.fill(0)
      const inner = ids.length === 0 ? 0 : values.length / ids.length
      for (let i = 0; i < ids.length; i++) {
        const segment = ids[i]!
        if (segment < 0 || segment >= numSegments) continue
        const from = i * inner
        const to = segment * inner
        for (let j = 0; j < inner; j++) target[to + j]! += values[from + j]!
      }
      return out
    },
  })
}
