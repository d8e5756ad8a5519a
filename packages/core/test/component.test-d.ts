import { describe, expectTypeOf, test } from 'vitest'
import {
  Channel,
  Examples,
  ExampleStatistics,
  FloatArtifact,
  Importer,
  IntegerArtifact,
  Model,
  ModelBlessing,
  Pipeline,
  Resolver,
  Schema,
  StringArtifact,
  component,
  defineComponent,
  latestBlessedModel,
  list,
  optional,
  z,
} from '../src/index.js'
import type { Artifact, InferParameters, Node } from '../src/index.js'

const ExampleGen = defineComponent({
  name: 'ExampleGen',
  outputs: { examples: Examples },
  parameters: z.object({ inputBase: z.string(), splits: z.number().default(2) }),
  executor: async ({ outputs, parameters }) => {
    expectTypeOf(outputs.examples).toEqualTypeOf<Artifact<typeof Examples>>()
    expectTypeOf(outputs.examples.properties.splitNames).toEqualTypeOf<string[] | undefined>()
    expectTypeOf(parameters).toEqualTypeOf<{ inputBase: string; splits: number }>()
  },
})

const StatisticsGen = defineComponent({
  name: 'StatisticsGen',
  inputs: { examples: Examples, schema: optional(Schema) },
  outputs: { statistics: ExampleStatistics },
  executor: async ({ inputs }) => {
    expectTypeOf(inputs.examples).toEqualTypeOf<Artifact<typeof Examples>>()
    expectTypeOf(inputs.schema).toEqualTypeOf<Artifact<typeof Schema> | undefined>()
  },
})

const Merge = defineComponent({
  name: 'Merge',
  inputs: { parts: list(Examples) },
  outputs: { merged: Examples },
  executor: () => import('./fixtures/noop-executor.js'),
})

describe('defineComponent', () => {
  test('outputs are typed channels', () => {
    const gen = ExampleGen({ inputBase: './data' })
    expectTypeOf(gen.outputs.examples).toEqualTypeOf<Channel<typeof Examples>>()
    const stats = StatisticsGen({ examples: gen.outputs.examples })
    expectTypeOf(stats).toEqualTypeOf<Node<{ readonly statistics: typeof ExampleStatistics }>>()
    Merge({ parts: [gen.outputs.examples, gen.outputs.examples] })
    Merge({ parts: gen.outputs.examples })
  })

  test('parameters with defaults are optional, others required', () => {
    expectTypeOf<InferParameters<typeof ExampleGen>>().toEqualTypeOf<{ inputBase: string; splits: number }>()
    // @ts-expect-error inputBase is required
    ExampleGen({})
    // @ts-expect-error splits must be a number
    ExampleGen({ inputBase: 'x', splits: 'two' })
  })

  test('wiring mistakes are compile errors', () => {
    const gen = ExampleGen({ inputBase: './data' })
    const stats = StatisticsGen({ examples: gen.outputs.examples })
    // @ts-expect-error a statistics channel is not examples
    StatisticsGen({ examples: stats.outputs.statistics })
    // @ts-expect-error the examples input is missing
    StatisticsGen({})
    // @ts-expect-error unknown input
    StatisticsGen({ examples: gen.outputs.examples, exampels: gen.outputs.examples })
    // @ts-expect-error schema expects a Schema channel
    StatisticsGen({ examples: gen.outputs.examples, schema: gen.outputs.examples })
    // @ts-expect-error a plain input takes one channel, not a list
    StatisticsGen({ examples: [gen.outputs.examples] })
    // @ts-expect-error the output key does not exist
    void gen.outputs.model
  })
})

describe('component (function-based)', () => {
  const Count = component(
    { name: 'Count', inputs: { data: Examples, scale: FloatArtifact }, outputs: { rows: IntegerArtifact, report: Model }, parameters: z.object({ label: z.string().default('x') }) },
    async ({ inputs, outputs, parameters }) => {
      expectTypeOf(inputs.scale).toEqualTypeOf<number>()
      expectTypeOf(inputs.data).toEqualTypeOf<Artifact<typeof Examples>>()
      expectTypeOf(outputs).toEqualTypeOf<{ report: Artifact<typeof Model> }>()
      expectTypeOf(parameters.label).toEqualTypeOf<string>()
      return { rows: 3 }
    },
  )
  test('value outputs come from the return value', () => {
    const Scale = component({ name: 'Scale', outputs: { factor: FloatArtifact } }, () => ({ factor: 2 }))
    const gen = ExampleGen({ inputBase: 'x' })
    const count = Count({ data: gen.outputs.examples, scale: Scale({}).outputs.factor })
    expectTypeOf(count.outputs.rows).toEqualTypeOf<Channel<typeof IntegerArtifact>>()
    // @ts-expect-error an Integer is not a Float
    Count({ data: gen.outputs.examples, scale: count.outputs.rows })
    // @ts-expect-error the returned value must match the output type
    component({ name: 'Bad', outputs: { n: IntegerArtifact } }, () => ({ n: 'three' }))
    // @ts-expect-error a value output must be returned
    component({ name: 'Bad2', outputs: { s: StringArtifact } }, () => {})
  })
})

describe('reportOutputs', () => {
  test('names outputs of the component only', () => {
    const Reporting = defineComponent({ name: 'Reporting', outputs: { statistics: ExampleStatistics, examples: Examples }, reportOutputs: ['statistics'], executor: async () => {} })
    expectTypeOf(Reporting.reportOutputs).toEqualTypeOf<readonly ('statistics' | 'examples')[] | undefined>()
    // @ts-expect-error "stats" is not an output
    defineComponent({ name: 'Bad', outputs: { statistics: ExampleStatistics }, reportOutputs: ['stats'], executor: async () => {} })
  })
})

describe('system nodes and pipelines', () => {
  test('Importer and Resolver are typed', () => {
    const imported = Importer({ sourceUri: './schema', artifactType: Schema })
    expectTypeOf(imported.outputs.result).toEqualTypeOf<Channel<typeof Schema>>()
    const baseline = Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing) })
    expectTypeOf(baseline.outputs.model).toEqualTypeOf<Channel<typeof Model>>()
    expectTypeOf(baseline.outputs.blessing).toEqualTypeOf<Channel<typeof ModelBlessing>>()
    // @ts-expect-error a resolver output of type Model is not Examples
    StatisticsGen({ examples: baseline.outputs.model })
    const p = new Pipeline({ name: 'p', components: [imported, baseline] })
    expectTypeOf(p.nodes).toEqualTypeOf<readonly Node[]>()
  })
})
