import { describe, expect, test } from 'vitest'
import { Examples, Model, Pipeline, PipelineError, defineComponent, isPipeline, kind } from '../src/index.js'
import type { AnyNode, Channel } from '../src/index.js'
import { ExampleGen, SchemaGen, StatisticsGen, Trainer, noopExecutor, thrown } from './helpers.js'

const Step = defineComponent({ name: 'Step', inputs: { examples: Examples }, outputs: { examples: Examples }, executor: noopExecutor })

/**
 * A channel made by hand with the exported brand. Node inputs keep the channel object they were
 * given, so setting `producer` afterwards wires a node to one created later: the only way to build
 * a cycle (or a channel to a missing output) from outside core.
 */
function handMadeChannel(type: Channel['type'] = Examples): { -readonly [K in keyof Channel]: Channel[K] } {
  return { [kind]: 'Channel', type, producer: undefined, outputKey: undefined }
}

function graph() {
  const gen = ExampleGen({ inputBase: './data' })
  const stats = StatisticsGen({ examples: gen.outputs.examples })
  const schema = SchemaGen({ statistics: stats.outputs.statistics })
  const trainer = Trainer({ examples: gen.outputs.examples, schema: schema.outputs.schema })
  return { gen, stats, schema, trainer }
}

describe('Pipeline', () => {
  test('defaults root, metadata path and caching from the name', () => {
    const { gen } = graph()
    const p = new Pipeline({ name: 'taxi', components: [gen] })
    expect(p.name).toBe('taxi')
    expect(p.root).toBe('.sluice/taxi')
    expect(p.metadataPath).toBe('.sluice/taxi/metadata.sqlite')
    expect(p.enableCache).toBe(true)
    expect(isPipeline(p)).toBe(true)
    expect(isPipeline({ name: 'taxi', nodes: [] })).toBe(false)
  })

  test('keeps the options given', () => {
    const { gen } = graph()
    const p = new Pipeline({ name: 'taxi', root: '/srv/taxi', enableCache: false, description: 'd', components: [gen] })
    expect(p.metadataPath).toBe('/srv/taxi/metadata.sqlite')
    expect(p.enableCache).toBe(false)
    expect(p.description).toBe('d')
    expect(new Pipeline({ name: 'taxi', metadataPath: '/db/m.sqlite', components: [gen] }).metadataPath).toBe('/db/m.sqlite')
  })

  test.each(['', 'bad name', 'a/b', '-x'])('rejects the pipeline name %j', (name) => {
    const error = thrown(() => new Pipeline({ name, components: [ExampleGen({ inputBase: 'x' })] }))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.code).toBe('SLUICE_PIPELINE_INVALID')
    expect(error.message).toContain(`Pipeline name ${JSON.stringify(name)} is invalid.`)
  })

  test('rejects missing options and a missing name', () => {
    expect(() => new Pipeline(undefined as never)).toThrow('Pipeline name undefined is invalid.')
    expect(() => new Pipeline({ components: [] } as never)).toThrow('Pipeline name undefined is invalid.')
  })

  test('rejects empty or missing components', () => {
    expect(() => new Pipeline({ name: 'p', components: [] })).toThrow('Pipeline "p" has no components. Pass the nodes as components: [gen, stats, …].')
    expect(() => new Pipeline({ name: 'p' } as never)).toThrow('Pipeline "p" has no components.')
  })

  test('rejects a component that is not a node, suggesting to call it', () => {
    const { gen } = graph()
    const error = thrown(() => new Pipeline({ name: 'p', components: [gen, StatisticsGen as unknown as AnyNode] }))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toContain('Pipeline "p": components[1] is not a node.')
    expect(error.message).toContain('StatisticsGen({ examples })')
    expect(() => new Pipeline({ name: 'p', components: [gen.outputs.examples as unknown as AnyNode] })).toThrow('components[0] is not a node.')
  })

  test('rejects two nodes with one id, naming both components and suggesting withId', () => {
    const gen = ExampleGen({ inputBase: './data' })
    const trainer = Trainer({ examples: gen.outputs.examples, id: 'ExampleGen' })
    const error = thrown(() => new Pipeline({ name: 'p', components: [gen, trainer] }))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toContain('Pipeline "p": two nodes have the id "ExampleGen" (components "ExampleGen" and "Trainer").')
    expect(error.message).toContain(".withId('ExampleGen2')")
  })

  test('the usual duplicate: one component used twice without ids', () => {
    const a = ExampleGen({ inputBase: './a' })
    const b = ExampleGen({ inputBase: './b' })
    expect(() => new Pipeline({ name: 'p', components: [a, b] })).toThrow('two nodes have the id "ExampleGen" (components "ExampleGen" and "ExampleGen")')
    expect(new Pipeline({ name: 'p', components: [a, b.withId('ExampleGen2')] }).nodes).toEqual([a, b])
  })

  test('rejects a node listed twice', () => {
    const { gen } = graph()
    expect(() => new Pipeline({ name: 'p', components: [gen, gen] })).toThrow('Pipeline "p": node "ExampleGen" is listed twice in components.')
  })

  test('rejects a channel whose producer is not in the components', () => {
    const { gen, stats } = graph()
    const error = thrown(() => new Pipeline({ name: 'p', components: [stats] }))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toBe(
      'Pipeline "p": node "StatisticsGen" input "examples" reads "ExampleGen".examples, but node "ExampleGen" is not in the pipeline\'s components. Add it to components.',
    )
    // Another node with the producer's id does not stand in for it.
    const lookalike = ExampleGen({ inputBase: './data' })
    expect(() => new Pipeline({ name: 'p', components: [lookalike, stats] })).toThrow('node "ExampleGen" is not in the pipeline\'s components')
    expect(new Pipeline({ name: 'p', components: [stats, gen] }).nodes).toEqual([gen, stats])
  })

  test('rejects a channel naming an output its producer does not have', () => {
    const gen = ExampleGen({ inputBase: './data' })
    const channel = handMadeChannel()
    const step = Step({ examples: channel as Channel<typeof Examples> })
    Object.assign(channel, { producer: gen, outputKey: 'examplez' })
    expect(() => new Pipeline({ name: 'p', components: [gen, step] })).toThrow(
      'Pipeline "p": node "Step" input "examples" reads output "examplez", which node "ExampleGen" does not have.',
    )
    Object.assign(channel, { outputKey: 'constructor' })
    expect(() => new Pipeline({ name: 'p', components: [gen, step] })).toThrow('reads output "constructor", which node "ExampleGen" does not have.')
  })

  test('rejects a channel whose type no longer matches the input', () => {
    const gen = ExampleGen({ inputBase: './data' })
    const channel = handMadeChannel()
    const step = Step({ examples: channel as Channel<typeof Examples> })
    Object.assign(channel, { type: Model, producer: gen, outputKey: 'examples' })
    expect(() => new Pipeline({ name: 'p', components: [gen, step] })).toThrow(
      'Pipeline "p": node "Step" input "examples" expects "Examples" but "ExampleGen".examples carries "Model".',
    )
  })
})

describe('cycles', () => {
  test('a two-node cycle is reported with its path', () => {
    const back = handMadeChannel()
    const a = Step({ examples: back as Channel<typeof Examples>, id: 'a' })
    const b = Step({ examples: a.outputs.examples, id: 'b' })
    Object.assign(back, { producer: b, outputKey: 'examples' })
    const error = thrown(() => new Pipeline({ name: 'p', components: [a, b] }))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toBe('Pipeline "p" has a cycle: "a" -> "b" -> "a". A node cannot consume, directly or indirectly, its own outputs.')
  })

  test('the path follows the data flow, whatever the order of components and nodes hanging off the cycle', () => {
    const back = handMadeChannel()
    const a = Step({ examples: back as Channel<typeof Examples>, id: 'a' })
    const b = Step({ examples: a.outputs.examples, id: 'b' })
    const c = Step({ examples: b.outputs.examples, id: 'c' })
    const after = Step({ examples: c.outputs.examples, id: 'after' })
    const free = ExampleGen({ inputBase: 'x' })
    Object.assign(back, { producer: c, outputKey: 'examples' })
    // Any rotation of a -> b -> c is right; the reverse direction (a -> c -> b) would not be.
    const message = thrown(() => new Pipeline({ name: 'p', components: [after, free, c, b, a] })).message
    expect(message).toMatch(/has a cycle: ("a" -> "b" -> "c" -> "a"|"b" -> "c" -> "a" -> "b"|"c" -> "a" -> "b" -> "c")\./)
    expect(thrown(() => new Pipeline({ name: 'p', components: [a, b, c, after] })).message).toContain('has a cycle: "a" -> "b" -> "c" -> "a".')
  })

  test('a node reading its own output is a cycle', () => {
    const self = handMadeChannel()
    const a = Step({ examples: self as Channel<typeof Examples>, id: 'a' })
    Object.assign(self, { producer: a, outputKey: 'examples' })
    expect(() => new Pipeline({ name: 'p', components: [a] })).toThrow('has a cycle: "a" -> "a".')
  })
})

describe('topological order', () => {
  const ids = (p: Pipeline) => p.nodes.map((n) => n.id)

  test('a given order that already respects dependencies is kept', () => {
    const { gen, stats, schema, trainer } = graph()
    expect(ids(new Pipeline({ name: 'p', components: [gen, stats, schema, trainer] }))).toEqual(['ExampleGen', 'StatisticsGen', 'SchemaGen', 'Trainer'])
  })

  test('producers come before consumers whatever the given order', () => {
    const { gen, stats, schema, trainer } = graph()
    const extra = ExampleGen({ inputBase: 'y', id: 'extra' })
    const orders = [
      [trainer, schema, stats, gen, extra],
      [schema, extra, trainer, gen, stats],
      [extra, stats, trainer, schema, gen],
    ]
    for (const components of orders) {
      const nodes = new Pipeline({ name: 'p', components }).nodes
      expect(new Set(nodes)).toEqual(new Set(components))
      for (const [i, node] of nodes.entries()) for (const up of node.upstream) expect(nodes.indexOf(up)).toBeLessThan(i)
    }
    expect(ids(new Pipeline({ name: 'p', components: [trainer, schema, stats, gen] }))).toEqual(['ExampleGen', 'StatisticsGen', 'SchemaGen', 'Trainer'])
  })

  test('independent nodes keep their given order, and the result is the same every time', () => {
    const nodes = ['c', 'a', 'b'].map((id) => ExampleGen({ inputBase: id, id }))
    expect(ids(new Pipeline({ name: 'p', components: nodes }))).toEqual(['c', 'a', 'b'])
    const { gen, stats, schema, trainer } = graph()
    const components = [schema, trainer, stats, gen]
    expect(ids(new Pipeline({ name: 'p', components }))).toEqual(ids(new Pipeline({ name: 'p', components })))
  })

  test('nodes is frozen', () => {
    expect(Object.isFrozen(new Pipeline({ name: 'p', components: [ExampleGen({ inputBase: 'x' })] }).nodes)).toBe(true)
  })
})

describe('node lookup and downstreamOf', () => {
  test('node(id) finds a node, or names the ones there are', () => {
    const { gen, stats } = graph()
    const p = new Pipeline({ name: 'p', components: [gen, stats] })
    expect(p.node('StatisticsGen')).toBe(stats)
    expect(() => p.node('Trainer')).toThrow('Pipeline "p" has no node "Trainer". Its nodes are "ExampleGen", "StatisticsGen".')
  })

  test('downstreamOf returns direct and indirect consumers in topological order', () => {
    const { gen, stats, schema, trainer } = graph()
    const other = ExampleGen({ inputBase: 'y', id: 'other' })
    const p = new Pipeline({ name: 'p', components: [trainer, other, schema, stats, gen] })
    expect(p.downstreamOf('ExampleGen')).toEqual([stats, schema, trainer])
    expect(p.downstreamOf('StatisticsGen')).toEqual([schema, trainer])
    expect(p.downstreamOf('Trainer')).toEqual([])
    expect(p.downstreamOf('other')).toEqual([])
    expect(() => p.downstreamOf('nope')).toThrow(PipelineError)
  })

  test('downstreamOf follows wiring only: leaving an optional input unconnected leaves the node out', () => {
    const { gen, schema, stats } = graph()
    const trainer = Trainer({ examples: gen.outputs.examples })
    const p = new Pipeline({ name: 'p', components: [gen, stats, schema, trainer] })
    expect(p.downstreamOf('SchemaGen')).toEqual([])
    expect(p.downstreamOf('ExampleGen')).toEqual([stats, schema, trainer])
  })
})
