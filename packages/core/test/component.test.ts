import { describe, expect, test } from 'vitest'
import {
  Channel,
  ComponentDefinitionError,
  ExampleStatistics,
  Examples,
  Model,
  ParameterError,
  PipelineError,
  Schema,
  WiringError,
  defineComponent,
  describeChannel,
  isChannel,
  isComponent,
  isNode,
  optional,
  z,
} from '../src/index.js'
import type { ComponentSpec, InputSpec, OutputSpec, ParametersSchema } from '../src/index.js'
import { ExampleGen, Merge, SchemaGen, StatisticsGen, Trainer, callUntyped, noopExecutor, thrown } from './helpers.js'

/** defineComponent for specs that are wrong on purpose. */
const defineUntyped = (spec: Record<string, unknown>) =>
  defineComponent({ executor: noopExecutor, ...spec } as unknown as ComponentSpec<InputSpec, OutputSpec, ParametersSchema>)

describe('defineComponent', () => {
  test('exposes its spec and is recognisable', () => {
    const parameters = z.object({ excludeSplits: z.array(z.string()).default([]) })
    const C = defineComponent({
      name: 'acme.Stats-v2',
      description: 'd',
      version: '3',
      executionType: 'Process',
      inputs: { examples: Examples },
      outputs: { statistics: Model },
      parameters,
      executor: noopExecutor,
    })
    expect(C.name).toBe('acme.Stats-v2')
    expect(C.description).toBe('d')
    expect(C.version).toBe('3')
    expect(C.executionType).toBe('Process')
    expect(C.inputs).toEqual({ examples: Examples })
    expect(C.outputs).toEqual({ statistics: Model })
    expect(C.parameters).toBe(parameters)
    expect(C.executor).toBe(noopExecutor)
    expect(C.code).toBe(noopExecutor.toString())
    expect(isComponent(C)).toBe(true)
    expect(Object.isFrozen(C)).toBe(true)
  })

  test('a component without parameters gets an empty zod object and nodes get no parameters', () => {
    expect(Object.keys(StatisticsGen.parameters.shape)).toEqual([])
    expect(StatisticsGen({ examples: Channel(Examples) }).parameters).toEqual({})
  })

  test.each(['', '2fast', 'has space', 'a/b'])('rejects the component name %j', (name) => {
    const error = thrown(() => defineUntyped({ name }))
    expect(error).toBeInstanceOf(ComponentDefinitionError)
    expect(error.message).toContain(`Component name ${JSON.stringify(name)} is invalid.`)
  })

  test('rejects a missing name', () => {
    expect(() => defineUntyped({})).toThrow(/Component name undefined is invalid/)
  })

  test('rejects an input that is not an artifact type', () => {
    expect(() => defineUntyped({ name: 'C', inputs: { examples: 'Examples' } })).toThrow(
      'Component "C": input "examples" is not an artifact type, optional(type) or list(type).',
    )
  })

  test('rejects an output that is not an artifact type', () => {
    expect(() => defineUntyped({ name: 'C', outputs: { model: optional(Model) } })).toThrow('Component "C": output "model" is not an artifact type.')
  })

  test('rejects a key that is both an input and a parameter', () => {
    const error = thrown(() => defineUntyped({ name: 'C', inputs: { examples: Examples }, parameters: z.object({ examples: z.string() }) }))
    expect(error).toBeInstanceOf(ComponentDefinitionError)
    expect(error.message).toBe('Component "C": "examples" is both an input and a parameter. Rename one of them.')
  })

  test('a parameter named like an Object.prototype member does not clash with the inputs', () => {
    const C = defineUntyped({ name: 'C', inputs: { examples: Examples }, parameters: z.object({ valueOf: z.string() }) })
    expect(callUntyped(C, { examples: Channel(Examples), valueOf: 'v' }).parameters).toEqual({ valueOf: 'v' })
  })

  test('"id" is reserved, as a parameter and as an input', () => {
    expect(() => defineUntyped({ name: 'C', parameters: z.object({ id: z.string() }) })).toThrow(
      'Component "C": "id" is reserved for the node id and cannot be a parameter.',
    )
    expect(() => defineUntyped({ name: 'C', inputs: { id: Examples } })).toThrow('Component "C": "id" is reserved for the node id and cannot be an input.')
  })

  test.each([
    ['a plain object', { steps: 1 }],
    ['an object of zod fields', { steps: z.number() }],
    ['a zod string', z.string()],
    ['a transformed zod object', z.object({ a: z.string() }).transform((v) => v)],
  ])('rejects parameters that are %s', (_what, parameters) => {
    const error = thrown(() => defineUntyped({ name: 'C', parameters }))
    expect(error).toBeInstanceOf(ComponentDefinitionError)
    expect(error.message).toContain('Component "C": parameters must be a zod object schema')
  })

  test('rejects reportOutputs that name no output, and keeps the ones given', () => {
    expect(() => defineUntyped({ name: 'C', outputs: { statistics: ExampleStatistics }, reportOutputs: ['stats'] })).toThrow('Component "C": reportOutputs names "stats", which is not an output.')
    const reported = defineComponent({ name: 'C', outputs: { statistics: ExampleStatistics, examples: Examples }, reportOutputs: ['statistics'], executor: async () => {} })
    expect(reported.reportOutputs).toEqual(['statistics'])
    expect(reported.withExecutor(async () => {}).reportOutputs).toEqual(['statistics'])
    expect(defineComponent({ name: 'D', outputs: { examples: Examples }, executor: async () => {} }).reportOutputs).toBeUndefined()
  })

  test('rejects an executor that is not a function', () => {
    expect(() => defineUntyped({ name: 'C', executor: './executor.js' })).toThrow('Component "C": executor must be a function, a class or a lazy loader.')
  })
})

describe('calling a component from untyped JavaScript', () => {
  const gen = ExampleGen({ inputBase: './data' })

  test('binds inputs as lists of channels', () => {
    const stats = StatisticsGen({ examples: gen.outputs.examples })
    expect(stats.inputs).toEqual({ examples: [gen.outputs.examples], schema: [] })
    expect(stats.inputs.examples![0]).toBe(gen.outputs.examples)
    expect(Object.isFrozen(stats.inputs)).toBe(true)
  })

  test('must be called with one object', () => {
    for (const args of [undefined, null, 'examples']) {
      expect(() => callUntyped(StatisticsGen, args)).toThrow('Component "StatisticsGen" must be called with one object of inputs and parameters.')
    }
  })

  test('an unknown argument is an error listing the inputs and parameters', () => {
    const error = thrown(() => callUntyped(StatisticsGen, { examples: gen.outputs.examples, exampels: gen.outputs.examples }))
    expect(error).toBeInstanceOf(WiringError)
    expect(error.code).toBe('SLUICE_WIRING_INVALID')
    expect(error.message).toBe('Component "StatisticsGen": unknown argument "exampels". Inputs are "examples", "schema"; parameters are (none).')
    expect(() => callUntyped(ExampleGen, { inputBase: 'x', split: 3 })).toThrow('parameters are "inputBase", "splits", "options"')
  })

  test('an argument named like an Object.prototype member is unknown, not silently ignored', () => {
    expect(() => callUntyped(StatisticsGen, { examples: gen.outputs.examples, toString: 'x' })).toThrow('unknown argument "toString"')
  })

  test('a missing required input names the component, input and type', () => {
    for (const args of [{}, { examples: undefined }, { examples: null }]) {
      const error = thrown(() => callUntyped(StatisticsGen, args))
      expect(error).toBeInstanceOf(WiringError)
      expect(error.message).toContain('Component "StatisticsGen": input "examples" (Examples) is missing.')
      expect(error.fix).toContain('Pass a Examples channel')
    }
  })

  test('an optional input may be left out', () => {
    expect(callUntyped(StatisticsGen, { examples: gen.outputs.examples }).inputs.schema).toEqual([])
    expect(callUntyped(StatisticsGen, { examples: gen.outputs.examples, schema: undefined }).inputs.schema).toEqual([])
  })

  test('a wrong artifact type names the component, input, expected and received types and the producer', () => {
    const stats = StatisticsGen({ examples: gen.outputs.examples })
    const schema = SchemaGen({ statistics: stats.outputs.statistics }).withId('schemaGen')
    const error = thrown(() => callUntyped(StatisticsGen, { examples: schema.outputs.schema }))
    expect(error).toBeInstanceOf(WiringError)
    expect(error.message).toBe('Component "StatisticsGen": input "examples" expects artifact type "Examples" but received "Schema" from "schemaGen".schema.')
  })

  test('a wrong artifact type in an optional input or from a standalone channel is caught too', () => {
    expect(() => callUntyped(StatisticsGen, { examples: gen.outputs.examples, schema: gen.outputs.examples })).toThrow(
      'input "schema" expects artifact type "Schema" but received "Examples" from "ExampleGen".examples.',
    )
    expect(() => callUntyped(StatisticsGen, { examples: Channel(Model) })).toThrow('but received "Model" from Channel(Model).')
  })

  test('a plain input takes one channel, not a list', () => {
    const error = thrown(() => callUntyped(StatisticsGen, { examples: [gen.outputs.examples] }))
    expect(error).toBeInstanceOf(WiringError)
    expect(error.message).toBe('Component "StatisticsGen": input "examples" takes one channel, not a list. Declare it as list(Examples) to accept several.')
  })

  test('a list input takes one channel or an array of them, all of its type', () => {
    const other = ExampleGen({ inputBase: './more', id: 'gen2' })
    expect(Merge({ parts: gen.outputs.examples }).inputs.parts).toEqual([gen.outputs.examples])
    expect(Merge({ parts: [other.outputs.examples, gen.outputs.examples] }).inputs.parts).toEqual([other.outputs.examples, gen.outputs.examples])
    expect(() => callUntyped(Merge, { parts: [gen.outputs.examples, Channel(Schema)] })).toThrow(
      'Component "Merge": input "parts" expects artifact type "Examples" but received "Schema" from Channel(Schema).',
    )
  })

  test('values that are not channels are rejected with what they were', () => {
    expect(() => callUntyped(StatisticsGen, { examples: './data/examples' })).toThrow(
      'Component "StatisticsGen": input "examples" must be a Examples channel (a node\'s outputs.<key>), got the string "./data/examples".',
    )
    // The common slip: passing the node instead of one of its outputs.
    expect(() => callUntyped(StatisticsGen, { examples: gen })).toThrow(/input "examples" must be a Examples channel .*got object\./)
    expect(() => callUntyped(Merge, { parts: [gen.outputs.examples, 3] })).toThrow(/input "parts" must be a Examples channel .*got number\./)
  })
})

describe('parameters', () => {
  test('defaults are applied, nested ones included', () => {
    expect(ExampleGen({ inputBase: './data' }).parameters).toEqual({ inputBase: './data', splits: 2, options: { header: true } })
    expect(ExampleGen({ inputBase: './data', splits: 3, options: { header: false } }).parameters).toEqual({
      inputBase: './data',
      splits: 3,
      options: { header: false },
    })
  })

  test('parameters of a node are frozen', () => {
    expect(Object.isFrozen(ExampleGen({ inputBase: './data' }).parameters)).toBe(true)
  })

  test('a failing parameter is named in the message', () => {
    const error = thrown(() => callUntyped(ExampleGen, {}))
    expect(error).toBeInstanceOf(ParameterError)
    expect(error.code).toBe('SLUICE_PARAMETER_INVALID')
    expect(error.message).toMatch(/^Component "ExampleGen": parameter "inputBase": .+\.$/)
    expect(() => callUntyped(ExampleGen, { inputBase: 'x', splits: 'two' })).toThrow(/parameter "splits": /)
    expect(() => callUntyped(ExampleGen, { inputBase: 'x', splits: 1.5 })).toThrow(/parameter "splits": /)
    expect(() => callUntyped(ExampleGen, { inputBase: 'x', options: { header: 'yes' } })).toThrow(/parameter "options\.header": /)
  })

  test('every failing parameter is reported', () => {
    const error = thrown(() => callUntyped(ExampleGen, { splits: 0 }))
    expect(error.message).toContain('parameter "inputBase"')
    expect(error.message).toContain('parameter "splits"')
    expect(error.message).toContain('; ')
  })

  test('a parameter value that is not plain JSON is rejected', () => {
    const C = defineComponent({ name: 'C', parameters: z.object({ when: z.date(), extra: z.any().optional() }), executor: noopExecutor })
    const error = thrown(() => C({ when: new Date(0) }))
    expect(error).toBeInstanceOf(ParameterError)
    expect(error.message).toBe(
      'Component "C": parameter "when" is not plain JSON (parameters are recorded in the metadata store). Use numbers, strings, booleans, arrays and plain objects.',
    )
    const D = defineComponent({ name: 'D', parameters: z.object({ extra: z.any() }), executor: noopExecutor })
    expect(() => D({ extra: { ratio: Number.POSITIVE_INFINITY } })).toThrow('parameter "extra.ratio" is not plain JSON')
    expect(() => D({ extra: new Map() })).toThrow('parameter "extra" is not plain JSON')
  })
})

describe('nodes', () => {
  test('the id defaults to the component name; id: sets it', () => {
    expect(ExampleGen({ inputBase: 'x' }).id).toBe('ExampleGen')
    expect(ExampleGen({ inputBase: 'x', id: 'trainData' }).id).toBe('trainData')
    expect(ExampleGen({ inputBase: 'x', id: 'trainData' }).parameters).not.toHaveProperty('id')
  })

  test('an invalid id is rejected, naming the component', () => {
    const error = thrown(() => ExampleGen({ inputBase: 'x', id: 'train data' }))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toContain('Node id "train data" of a "ExampleGen" node is invalid.')
    expect(() => callUntyped(ExampleGen, { inputBase: 'x', id: 7 })).toThrow('Node id 7 of a "ExampleGen" node is invalid.')
  })

  test('withId renames the node in place, and its channels follow', () => {
    const gen = ExampleGen({ inputBase: 'x' })
    const stats = StatisticsGen({ examples: gen.outputs.examples })
    expect(gen.withId('gen2')).toBe(gen)
    expect(gen.id).toBe('gen2')
    expect(describeChannel(stats.inputs.examples![0]!)).toBe('"gen2".examples')
    expect(() => gen.withId('')).toThrow(PipelineError)
    expect(gen.id).toBe('gen2')
  })

  test('withOptions merges options and returns the node', () => {
    const gen = ExampleGen({ inputBase: 'x' })
    expect(gen.options).toEqual({})
    expect(gen.withOptions({ retries: 2, cache: false }).withOptions({ timeoutMs: 500, retries: 3 })).toBe(gen)
    expect(gen.options).toEqual({ retries: 3, cache: false, timeoutMs: 500 })
    expect(Object.isFrozen(gen.options)).toBe(true)
  })

  test('outputs are channels produced by the node', () => {
    const trainer = Trainer({ examples: Channel(Examples) })
    expect(isNode(trainer)).toBe(true)
    expect(isNode(Trainer)).toBe(false)
    expect(trainer.component).toBe(Trainer)
    expect(Object.keys(trainer.outputs)).toEqual(['model'])
    const model = trainer.outputs.model
    expect(isChannel(model)).toBe(true)
    expect(model.type).toBe(Model)
    expect(model.producer).toBe(trainer)
    expect(model.outputKey).toBe('model')
    expect(describeChannel(model)).toBe('"Trainer".model')
  })

  test('upstream lists each producer once, in input order, and ignores standalone channels', () => {
    const a = ExampleGen({ inputBase: 'a', id: 'a' })
    const b = ExampleGen({ inputBase: 'b', id: 'b' })
    const merged = Merge({ parts: [b.outputs.examples, a.outputs.examples, b.outputs.examples, Channel(Examples)] })
    expect(merged.upstream).toEqual([b, a])
    expect(a.upstream).toEqual([])
  })
})

describe('Channel', () => {
  test('a standalone channel has no producer', () => {
    const c = Channel(Model)
    expect(isChannel(c)).toBe(true)
    expect(c.type).toBe(Model)
    expect(c.producer).toBeUndefined()
    expect(c.outputKey).toBeUndefined()
    expect(describeChannel(c)).toBe('Channel(Model)')
  })

  test('rejects something that is not an artifact type', () => {
    expect(() => Channel(undefined as unknown as typeof Model)).toThrow(WiringError)
    expect(() => Channel('Model' as unknown as typeof Model)).toThrow('Channel(type): "Model" is not an artifact type.')
  })
})
