import { describe, expect, test } from 'vitest'
import { ParameterError, PipelineError, RegistryError, WiringError, createRegistry, pipelineFromSpec } from '../src/index.js'
import type { PipelineSpecJson, Registry } from '../src/index.js'
import { ExampleGen, Merge, StatisticsGen, Trainer, thrown } from './helpers.js'

function testRegistry(): Registry {
  const r = createRegistry()
  for (const c of [ExampleGen, StatisticsGen, Merge, Trainer]) r.registerComponent(c)
  return r
}

const spec = (components: PipelineSpecJson['components'], extra: Partial<PipelineSpecJson> = {}): PipelineSpecJson => ({ name: 'json', components, ...extra })

describe('pipelineFromSpec', () => {
  test('builds the pipeline: components from the registry, inputs from "<nodeId>.<outputKey>"', () => {
    const p = pipelineFromSpec(
      {
        name: 'json',
        root: '/srv/json',
        metadataPath: '/srv/m.sqlite',
        enableCache: false,
        components: [
          { component: 'ExampleGen', parameters: { inputBase: './a' } },
          { component: 'ExampleGen', id: 'more', parameters: { inputBase: './b', splits: 3 } },
          { component: 'Merge', inputs: { parts: ['ExampleGen.examples', 'more.examples'] } },
          { component: 'StatisticsGen', inputs: { examples: 'Merge.merged' } },
          { component: 'Trainer', id: 'train.v2', inputs: { examples: 'Merge.merged' }, parameters: { steps: 5 } },
        ],
      },
      testRegistry(),
    )
    expect(p.name).toBe('json')
    expect(p.root).toBe('/srv/json')
    expect(p.metadataPath).toBe('/srv/m.sqlite')
    expect(p.enableCache).toBe(false)
    expect(p.nodes.map((n) => n.id)).toEqual(['ExampleGen', 'more', 'Merge', 'StatisticsGen', 'train.v2'])
    expect(p.node('ExampleGen').parameters).toEqual({ inputBase: './a', splits: 2, options: { header: true } })
    expect(p.node('more').parameters).toMatchObject({ splits: 3 })
    expect(p.node('Merge').inputs.parts).toEqual([p.node('ExampleGen').outputs.examples, p.node('more').outputs.examples])
    expect(p.node('StatisticsGen').inputs.examples).toEqual([p.node('Merge').outputs.merged])
    expect(p.node('StatisticsGen').component).toBe(StatisticsGen)
    expect(p.node('train.v2').parameters).toEqual({ steps: 5 })
  })

  test('pipeline defaults apply when the spec leaves them out', () => {
    const p = pipelineFromSpec(spec([{ component: 'ExampleGen', parameters: { inputBase: 'x' } }]), testRegistry())
    expect(p.root).toBe('.sluice/json')
    expect(p.enableCache).toBe(true)
  })

  test('a single ref to a list input and a list of refs to a plain input', () => {
    const r = testRegistry()
    const gen = { component: 'ExampleGen', parameters: { inputBase: 'x' } }
    expect(pipelineFromSpec(spec([gen, { component: 'Merge', inputs: { parts: 'ExampleGen.examples' } }]), r).node('Merge').inputs.parts).toHaveLength(1)
    expect(() => pipelineFromSpec(spec([gen, { component: 'StatisticsGen', inputs: { examples: ['ExampleGen.examples'] } }]), r)).toThrow(
      'input "examples" takes one channel, not a list',
    )
  })

  test('uses the process-wide registry by default', () => {
    expect(() => pipelineFromSpec(spec([{ component: 'acme.NotRegisteredAnywhere' }]))).toThrow(RegistryError)
  })

  test('an unknown component is a RegistryError; a standard one names its package', () => {
    expect(() => pipelineFromSpec(spec([{ component: 'Nope' }]), testRegistry())).toThrow('Component "Nope" is not registered.')
    const error = thrown(() => pipelineFromSpec(spec([{ component: 'Pusher' }]), testRegistry()))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.message).toContain('npm i @sluice/component-pusher')
  })

  test('components must be an array of entries naming a component', () => {
    expect(() => pipelineFromSpec({ name: 'json' } as never, testRegistry())).toThrow('Pipeline spec: "components" must be an array.')
    expect(() => pipelineFromSpec(spec([{ id: 'x' } as never]), testRegistry())).toThrow(
      'Pipeline spec "json" components[0] ("x"): "component" must be a component name.',
    )
  })

  test.each(['ExampleGen', '.examples', ''])('rejects the ref %j', (ref) => {
    const error = thrown(() =>
      pipelineFromSpec(spec([{ component: 'ExampleGen', parameters: { inputBase: 'x' } }, { component: 'StatisticsGen', inputs: { examples: ref } }]), testRegistry()),
    )
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toBe(`Pipeline spec "json" components[1]: input "examples" must be "<nodeId>.<outputKey>", got ${JSON.stringify(ref)}.`)
  })

  test('a ref with an empty output key names the outputs', () => {
    const components = [{ component: 'ExampleGen', parameters: { inputBase: 'x' } }, { component: 'StatisticsGen', inputs: { examples: 'ExampleGen.' } }]
    expect(() => pipelineFromSpec(spec(components), testRegistry())).toThrow('reads output "" of node "ExampleGen", which has outputs "examples".')
  })

  test('a ref that is not a string is rejected', () => {
    expect(() => pipelineFromSpec(spec([{ component: 'StatisticsGen', inputs: { examples: 42 as never } }]), testRegistry())).toThrow(
      'input "examples" must be "<nodeId>.<outputKey>", got 42.',
    )
  })

  test('an unknown output key lists the outputs the node has', () => {
    const components = [{ component: 'ExampleGen', parameters: { inputBase: 'x' } }, { component: 'StatisticsGen', inputs: { examples: 'ExampleGen.example' } }]
    expect(() => pipelineFromSpec(spec(components), testRegistry())).toThrow(
      'Pipeline spec "json" components[1]: input "examples" reads output "example" of node "ExampleGen", which has outputs "examples".',
    )
  })

  test('inherited property names are not outputs', () => {
    const components = [{ component: 'ExampleGen', parameters: { inputBase: 'x' } }, { component: 'StatisticsGen', inputs: { examples: 'ExampleGen.constructor' } }]
    expect(() => pipelineFromSpec(spec(components), testRegistry())).toThrow('reads output "constructor" of node "ExampleGen", which has outputs "examples".')
  })

  test('a reference to a node defined later is rejected', () => {
    const components = [
      { component: 'StatisticsGen', inputs: { examples: 'gen.examples' } },
      { component: 'ExampleGen', id: 'gen', parameters: { inputBase: 'x' } },
    ]
    const error = thrown(() => pipelineFromSpec(spec(components), testRegistry()))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toBe(
      'Pipeline spec "json" components[0]: input "examples" reads node "gen", which is not defined before it. List producers before their consumers in "components".',
    )
  })

  test('an id used twice is rejected', () => {
    const gen = { component: 'ExampleGen', parameters: { inputBase: 'x' } }
    expect(() => pipelineFromSpec(spec([gen, gen]), testRegistry())).toThrow(
      'Pipeline spec "json" components[1]: node id "ExampleGen" is used twice. Give each entry a distinct "id".',
    )
  })

  test('component calls check inputs and parameters as for TypeScript callers', () => {
    const r = testRegistry()
    expect(() => pipelineFromSpec(spec([{ component: 'ExampleGen', parameters: {} }]), r)).toThrow(ParameterError)
    expect(() => pipelineFromSpec(spec([{ component: 'ExampleGen', parameters: { inputBase: 'x', split: 1 } }]), r)).toThrow(WiringError)
    expect(() => pipelineFromSpec(spec([{ component: 'StatisticsGen' }]), r)).toThrow('input "examples" (Examples) is missing.')
    const gen = { component: 'ExampleGen', parameters: { inputBase: 'x' } }
    expect(() => pipelineFromSpec(spec([gen, { component: 'Trainer', inputs: { examples: 'ExampleGen.examples', schema: 'ExampleGen.examples' } }]), r)).toThrow(
      'input "schema" expects artifact type "Schema" but received "Examples" from "ExampleGen".examples.',
    )
  })

  test('an invalid pipeline name is caught by Pipeline', () => {
    expect(() => pipelineFromSpec(spec([{ component: 'ExampleGen', parameters: { inputBase: 'x' } }], { name: 'bad name' }), testRegistry())).toThrow(
      'Pipeline name "bad name" is invalid.',
    )
  })
})
