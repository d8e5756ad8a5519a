import { describe, expectTypeOf, test } from 'vitest'
import { Channel, Examples, Model, ModelRun, Schema, TransformGraph } from '@sluice/core'
import { Trainer } from '@sluice/component-trainer'
import type { DataAccessor, RunFn, TrainerFnArgs } from '@sluice/component-trainer'
import type * as Tfjs from '@tensorflow/tfjs'

declare const examples: Channel<typeof Examples>
declare const graph: Channel<typeof TransformGraph>
declare const schema: Channel<typeof Schema>

describe('Trainer', () => {
  test('outputs are typed channels', () => {
    const trainer = Trainer({ examples, transformGraph: graph, moduleFile: './model.ts' })
    expectTypeOf(trainer.outputs.model).toEqualTypeOf<Channel<typeof Model>>()
    expectTypeOf(trainer.outputs.modelRun).toEqualTypeOf<Channel<typeof ModelRun>>()
    Trainer({ examples, schema, baseModel: trainer.outputs.model, moduleFile: './model.ts', trainArgs: { numSteps: 100 }, backend: 'wasm' })
  })

  test('wiring the wrong artifact type is a compile error', () => {
    // @ts-expect-error a Schema channel is not Examples
    Trainer({ examples: schema, moduleFile: './model.ts' })
    // @ts-expect-error moduleFile is required
    Trainer({ examples })
    // @ts-expect-error no such backend
    Trainer({ examples, moduleFile: './model.ts', backend: 'webgl' })
  })

  test('the data accessor types xs after inputs and ys after labelKey', () => {
    const accessor = {} as DataAccessor
    const list = accessor.tfDatasetFactory([], { batchSize: 32, labelKey: 'y', inputs: ['a', 'b'] })
    expectTypeOf<Parameters<Parameters<typeof list.forEachAsync>[0]>[0]['xs']>().toEqualTypeOf<Tfjs.Tensor2D>()
    expectTypeOf<Parameters<Parameters<typeof list.forEachAsync>[0]>[0]['ys']>().toEqualTypeOf<Tfjs.Tensor2D>()
    const named = accessor.tfDatasetFactory([], { batchSize: 32, labelKey: null, inputs: { dense: ['a'], cat: ['c'] } })
    type NamedElement = Parameters<Parameters<typeof named.forEachAsync>[0]>[0]
    expectTypeOf<NamedElement['xs']['dense']>().toEqualTypeOf<Tfjs.Tensor2D>()
    expectTypeOf<NamedElement['xs']['cat']>().toEqualTypeOf<Tfjs.Tensor2D>()
    expectTypeOf<'ys' extends keyof NamedElement ? true : false>().toEqualTypeOf<false>()
  })

  test('runFn takes TrainerFnArgs', () => {
    const runFn: RunFn = async (fnArgs) => {
      expectTypeOf(fnArgs).toEqualTypeOf<TrainerFnArgs>()
      expectTypeOf(fnArgs.loadBaseModel).returns.resolves.toEqualTypeOf<Tfjs.LayersModel>()
      return { accuracy: 1 }
    }
    expectTypeOf(runFn).toBeFunction()
  })
})
