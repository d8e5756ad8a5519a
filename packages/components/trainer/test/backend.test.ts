import { describe, expect, it } from 'vitest'
import { selectBackend } from '@sluice/component-trainer'

describe('selectBackend', () => {
  it("'auto' falls back to wasm when @tensorflow/tfjs-node is not installed, and logs why", async () => {
    const lines: string[] = []
    const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) }
    const { tf, backend } = await selectBackend('auto', { logger })
    expect(backend).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^info tfjs backend: wasm \(@tensorflow\/tfjs-node is not installed\)\.$/)
  })

  it('fails clearly when an explicitly named backend is unavailable', async () => {
    const error = await selectBackend('tensorflow').catch((e: Error & { code?: string }) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as { code?: string }).code).toBe('SLUICE_TRAINER_BACKEND_UNAVAILABLE')
    expect((error as Error).message).toMatch(/The tfjs backend "tensorflow" is not available: @tensorflow\/tfjs-node is not installed\. Install it \(npm i @tensorflow\/tfjs-node@4\.22\.0/)
  })

  it('switches to cpu and back to wasm on request', async () => {
    expect((await selectBackend('cpu')).tf.getBackend()).toBe('cpu')
    expect((await selectBackend('wasm')).tf.getBackend()).toBe('wasm')
  })

  it('gives wasm the UnsortedSegmentSum kernel, so embeddings train (the gradient of gather matches cpu)', async () => {
    const gradientOfGather = async (backend: 'cpu' | 'wasm') => {
      const { tf } = await selectBackend(backend)
      const table = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]])
      const indices = tf.tensor1d([3, 0, 3, 1], 'int32')
      const weights = tf.tensor2d([[1, 10], [2, 20], [3, 30], [4, 40]])
      const grad = tf.grad((t: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.mul(tf.gather(t, indices), weights)))(table)
      const values = Array.from(await grad.data())
      tf.dispose([table, indices, weights, grad])
      return values
    }
    const cpu = await gradientOfGather('cpu')
    expect(cpu).toEqual([2, 20, 4, 40, 0, 0, 4, 40])
    expect(await gradientOfGather('wasm')).toEqual(cpu)
  })
})
