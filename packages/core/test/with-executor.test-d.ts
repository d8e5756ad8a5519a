import { describe, expectTypeOf, test } from 'vitest'
import { Channel, Examples, Model, IntegerArtifact, StringArtifact, component, loadExecutor } from '../src/index.js'
import type { Artifact, ExecutorArgs, ExecutorFunction, ExecutorResult, InferInputs, InferOutputs, InferParameters, Node } from '../src/index.js'
import { CountRows, RowSummary } from './fixtures/count-rows.js'
import type { CountRowsArgs } from './fixtures/count-rows.js'
import { CountRowsExecutor } from './fixtures/count-rows-executor.js'

const Wrapped = CountRows.withExecutor(async (args) => {
  // The new executor's argument is typed from the component's spec.
  expectTypeOf(args.inputs.examples).toEqualTypeOf<Artifact<typeof Examples>>()
  expectTypeOf(args.outputs.summary).toEqualTypeOf<Artifact<typeof RowSummary>>()
  expectTypeOf(args.parameters).toEqualTypeOf<{ split: string }>()
  const original = await loadExecutor(CountRows.executor, CountRows.name)
  expectTypeOf(original).toEqualTypeOf<ExecutorFunction>()
  const result = await original(args)
  args.outputs.summary.properties.rows = 1
  return result
})

class Subclass extends CountRowsExecutor {
  override async execute(args: CountRowsArgs): Promise<ExecutorResult> {
    return super.execute(args)
  }
}
const Subclassed = CountRows.withExecutor(Subclass)

describe('withExecutor', () => {
  test('the re-bound component keeps the inputs, outputs and parameters types', () => {
    for (const rebound of [Wrapped, Subclassed]) {
      expectTypeOf(rebound).toEqualTypeOf<typeof CountRows>()
      expectTypeOf<InferInputs<typeof rebound>>().toEqualTypeOf<InferInputs<typeof CountRows>>()
      expectTypeOf<InferOutputs<typeof rebound>>().toEqualTypeOf<InferOutputs<typeof CountRows>>()
      expectTypeOf<InferParameters<typeof rebound>>().toEqualTypeOf<{ split: string }>()
    }
  })

  test('its nodes are wired and typed like the original', () => {
    const node = Wrapped({ examples: Channel(Examples), split: 'eval' })
    expectTypeOf(node).toEqualTypeOf<Node<{ summary: typeof RowSummary; rows: typeof IntegerArtifact }>>()
    expectTypeOf(node.outputs.rows).toEqualTypeOf<Channel<typeof IntegerArtifact>>()
    Subclassed({ examples: Channel(Examples) })
    // @ts-expect-error a Model channel is not Examples
    Wrapped({ examples: Channel(Model) })
    // @ts-expect-error split is a string
    Subclassed({ examples: Channel(Examples), split: 3 })
    // @ts-expect-error the examples input is missing
    Wrapped({})
  })

  test('executors typed for other inputs, outputs or parameters are refused', () => {
    // @ts-expect-error this executor reads a "model" input CountRows does not have
    CountRows.withExecutor(async (args: ExecutorArgs<{ model: typeof Model }>) => void args.inputs.model.uri)
    class NeedsArguments {
      async execute(args: ExecutorArgs<typeof CountRows.inputs, typeof CountRows.outputs>): Promise<void> {
        void args
      }
      // A required constructor argument: the runner constructs executors with none.
      constructor(readonly retries: number) {}
    }
    // @ts-expect-error executor classes are constructed without arguments
    CountRows.withExecutor(NeedsArguments)
  })

  test('a function component re-bound to a wrapper keeps its function-component typing for callers', () => {
    const SplitList = component({ name: 'SplitList', inputs: { examples: Examples }, outputs: { splits: StringArtifact } }, ({ inputs }) => ({
      splits: (inputs.examples.properties.splitNames ?? []).join(','),
    }))
    const Shouting = SplitList.withExecutor(async (args) => {
      // The executor contract: value outputs are reported as values, artifacts arrive as artifacts.
      expectTypeOf(args.inputs.examples).toEqualTypeOf<Artifact<typeof Examples>>()
      const result = await (await loadExecutor(SplitList.executor, SplitList.name))(args)
      return { values: { splits: String(result?.values?.splits).toUpperCase() } }
    })
    expectTypeOf(Shouting).toEqualTypeOf<typeof SplitList>()
    expectTypeOf(Shouting({ examples: Channel(Examples) }).outputs.splits).toEqualTypeOf<Channel<typeof StringArtifact>>()
  })
})
