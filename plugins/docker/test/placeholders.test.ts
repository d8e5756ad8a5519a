import { describe, expect, test } from 'vitest'
import {
  ComponentDefinitionError,
  Examples,
  IntegerArtifact,
  JsonValueArtifact,
  Model,
  Pipeline,
  StringArtifact,
  WiringError,
  component,
  createRegistry,
  isComponent,
  list,
  optional,
  z,
} from '@sluice/core'
import type { Artifact } from '@sluice/core'
import { concat, containerComponent, containerSpecOf, ifPresent, isContainerComponent, resolveCommand, toKfpCommand, toKfpContainer } from '../src/index.js'
import type { CommandPartJson, ResolutionContext } from '../src/index.js'

const FilterWithGrep = containerComponent({
  name: 'FilterWithGrep',
  image: 'sluice-test-busybox:local',
  inputs: { text: Examples },
  outputs: { filteredText: Examples },
  parameters: z.object({ pattern: z.string() }),
  command: ({ inputs, outputs, parameters }) => [
    'sh', '-exc',
    'pattern="$1"; text="$3/data"; out="$5/data"; grep "$pattern" "$text" > "$out"',
    '--pattern', parameters.pattern,
    '--text', inputs.text.uri,
    '--filtered-text', outputs.filteredText.uri,
  ],
})

function artifact(type: Artifact['type'], uri: string, extra: Partial<Artifact> = {}): Artifact {
  return { id: 1, type, uri, properties: {}, customProperties: {}, ...extra } as Artifact
}

describe('containerComponent definitions', () => {
  test('keep the command as serialisable JSON with placeholders', () => {
    const spec = containerSpecOf(FilterWithGrep)!
    expect(spec).toEqual({
      image: 'sluice-test-busybox:local',
      command: [
        'sh', '-exc',
        'pattern="$1"; text="$3/data"; out="$5/data"; grep "$pattern" "$text" > "$out"',
        '--pattern', { placeholder: 'parameter', parameter: 'pattern' },
        '--text', { placeholder: 'inputUri', input: 'text' },
        '--filtered-text', { placeholder: 'outputUri', output: 'filteredText' },
      ],
      args: [],
      env: {},
      resources: {},
    })
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec)
    expect(Object.isFrozen(spec.command)).toBe(true)
  })

  test('turn into Kubeflow Pipelines placeholders', () => {
    expect(toKfpContainer(containerSpecOf(FilterWithGrep)!).command.slice(3)).toEqual([
      '--pattern', "{{$.inputs.parameters['pattern']}}",
      '--text', "{{$.inputs.artifacts['text'].uri}}",
      '--filtered-text', "{{$.outputs.artifacts['filteredText'].uri}}",
    ])
    const parts: CommandPartJson[] = [
      { placeholder: 'inputValue', input: 'n' },
      { placeholder: 'inputProperty', input: 'examples', property: 'splitNames', custom: false },
      { placeholder: 'inputProperty', input: 'examples', property: 'payload_format', custom: true },
      { placeholder: 'concat', parts: ['--out=', { placeholder: 'outputUri', output: 'model' }, '/model.bin'] },
      { placeholder: 'ifPresent', input: 'schema', then: ['--schema', { placeholder: 'inputUri', input: 'schema' }], else: [] },
    ]
    expect(toKfpCommand(parts)).toEqual([
      "{{$.inputs.artifacts['n'].metadata['value']}}",
      "{{$.inputs.artifacts['examples'].metadata['split_names']}}",
      "{{$.inputs.artifacts['examples'].metadata['payload_format']}}",
      "--out={{$.outputs.artifacts['model'].uri}}/model.bin",
      JSON.stringify({ IfPresent: { InputName: 'schema', Then: ['--schema', "{{$.inputs.artifacts['schema'].uri}}"], Else: [] } }),
    ])
  })

  test('are ordinary components: typed wiring, parameters, registry, fingerprint', () => {
    expect(isComponent(FilterWithGrep)).toBe(true)
    expect(isContainerComponent(FilterWithGrep)).toBe(true)
    expect(isContainerComponent(component({ name: 'Plain' }, () => {}))).toBe(false)
    expect(FilterWithGrep.name).toBe('FilterWithGrep')
    expect(FilterWithGrep.inputs).toEqual({ text: Examples })
    expect(typeof FilterWithGrep.fingerprint).toBe('function')
    const models = component({ name: 'Train', outputs: { model: Model } }, () => {})({})
    expect(() => FilterWithGrep({ text: models.outputs.model as never, pattern: 'x' })).toThrow(WiringError)
    expect(() => FilterWithGrep({ pattern: 'x' } as never)).toThrow(/input "text" \(Examples\) is missing/)
    const registry = createRegistry()
    registry.registerComponent(FilterWithGrep, '@acme/grep')
    expect(registry.component('FilterWithGrep')).toBe(FilterWithGrep)
    // A pipeline holds it like any node.
    const gen = component({ name: 'Gen', outputs: { examples: Examples } }, () => {})({})
    const pipeline = new Pipeline({ name: 'p', root: '/tmp/p', components: [gen, FilterWithGrep({ text: gen.outputs.examples, pattern: 'a' })] })
    expect(pipeline.node('FilterWithGrep').component).toBe(FilterWithGrep)
  })

  test('a different command is a different spec, so a different cache key', () => {
    const make = (word: string) =>
      containerComponent({ name: 'Echo', image: 'img', outputs: { out: Examples }, command: ({ outputs }) => ['sh', '-c', `echo ${word} > "$1/data"`, 'sh', outputs.out.uri] })
    expect(containerSpecOf(make('a'))).not.toEqual(containerSpecOf(make('b')))
    expect(make('a').code).toBe(make('b').code)
  })

  test('reject unknown inputs, outputs, parameters and fields for callers without the static types', () => {
    const define = (command: (p: any) => unknown[]) =>
      containerComponent({
        name: 'Untyped',
        image: 'img',
        inputs: { text: Examples, n: IntegerArtifact },
        outputs: { out: Examples },
        parameters: z.object({ pattern: z.string() }),
        command: command as never,
      })
    expect(() => define(({ inputs }) => [inputs.nope.uri])).toThrow(ComponentDefinitionError)
    expect(() => define(({ inputs }) => [inputs.nope.uri])).toThrow('Container component "Untyped" has no input "nope". Its inputs are "text", "n".')
    expect(() => define(({ outputs }) => [outputs.nope.uri])).toThrow('has no output "nope". Its outputs are "out".')
    expect(() => define(({ parameters }) => [parameters.nope])).toThrow('has no parameter "nope". Its parameters are "pattern".')
    expect(() => define(({ inputs }) => [inputs.text.value])).toThrow(/input "text" \(Examples\) has no "value".*only for value artifacts/)
    expect(() => define(({ inputs }) => [inputs.text.property('nope')])).toThrow(/declares no property "nope".*span, version, splitNames/)
    expect(() => define(({ inputs }) => [inputs.text])).toThrow(/command\[0\] is an object, not a string or a placeholder\. It is input "text" itself: use inputs\.text\.uri/)
    expect(() => define(({ outputs }) => [outputs.out])).toThrow(/Use outputs.<key>.uri/)
    expect(() => define(() => [undefined])).toThrow(/command\[0\] is undefined/)
    expect(() => define(() => [])).toThrow(/command is empty/)
    expect(() => define(() => 'sh -c x' as never)).toThrow(/must return an array/)
    expect(() => define(() => { throw new Error('boom') })).toThrow(/its command function threw: boom/)
    expect(define(({ inputs }) => [inputs.n.value, 3, true])).toBeTruthy()
  })

  test('reject a bad image, command, env or limits when defined', () => {
    const base = { name: 'Bad', image: 'img', command: () => ['true'] }
    expect(() => containerComponent({ ...base, image: '' })).toThrow(/image must be an image reference/)
    expect(() => containerComponent({ ...base, command: ['true'] as never })).toThrow(/command must be a function/)
    expect(() => containerComponent({ ...base, memory: 'lots' })).toThrow(/memory "lots" is not a memory size/)
    expect(() => containerComponent({ ...base, cpus: -1 })).toThrow(/cpus -1 is not a CPU count/)
    expect(() => containerComponent({ ...base, pull: 'sometimes' as never })).toThrow(/pull "sometimes" is not a pull policy/)
    expect(() => containerComponent({ ...base, env: { 'BAD-NAME': 'x' } })).toThrow(/env name "BAD-NAME"/)
    expect(() => containerComponent({ ...base, timeoutMs: -5 })).toThrow(/timeoutMs -5 must be a number of milliseconds/)
    const limited = containerComponent({ ...base, cpus: '1.5', memory: '512m', env: { A: 'b' } })
    expect(containerSpecOf(limited)!.resources).toEqual({ cpuLimit: 1.5, memoryLimitBytes: 512 * 1024 ** 2 })
    expect(containerSpecOf(limited)!.env).toEqual({ A: 'b' })
  })
})

describe('resolving placeholders when the node runs', () => {
  const context = (overrides: Partial<ResolutionContext> = {}): ResolutionContext => ({
    component: 'C',
    inputs: {
      text: [artifact(Examples, '/data/text/1', { properties: { span: 3, splitNames: ['train', 'eval'] }, customProperties: { source: 'csv', meta: { a: 1 } } })],
      many: [artifact(Examples, '/data/a'), artifact(Examples, '/data/b')],
      n: [artifact(IntegerArtifact, '/data/n/value', { value: 42 } as Partial<Artifact>)],
      flag: [artifact(JsonValueArtifact, '/data/j/value', { value: { k: [1, null] } } as Partial<Artifact>)],
      word: [artifact(StringArtifact, '/data/s/value', { value: 'hello world' } as Partial<Artifact>)],
      schema: [],
    },
    outputs: { out: artifact(Examples, '/root/node/out/5'), count: artifact(IntegerArtifact, '/root/node/count/5/value') },
    parameters: { pattern: 'a b', steps: 10, rate: 0.5, on: false, list: [1, 'x'], nothing: null },
    ...overrides,
  })
  const part = (json: CommandPartJson) => resolveCommand([json], context())

  test('uris, values, properties and parameters become strings', () => {
    expect(part({ placeholder: 'inputUri', input: 'text' })).toEqual(['/data/text/1'])
    expect(part({ placeholder: 'inputUri', input: 'many' })).toEqual(['/data/a'])
    expect(part({ placeholder: 'outputUri', output: 'out' })).toEqual(['/root/node/out/5'])
    expect(part({ placeholder: 'outputUri', output: 'count' })).toEqual(['/root/node/count/5/value'])
    expect(part({ placeholder: 'inputValue', input: 'n' })).toEqual(['42'])
    expect(part({ placeholder: 'inputValue', input: 'word' })).toEqual(['hello world'])
    expect(part({ placeholder: 'inputValue', input: 'flag' })).toEqual(['{"k":[1,null]}'])
    expect(part({ placeholder: 'inputProperty', input: 'text', property: 'span', custom: false })).toEqual(['3'])
    expect(part({ placeholder: 'inputProperty', input: 'text', property: 'splitNames', custom: false })).toEqual(['["train","eval"]'])
    expect(part({ placeholder: 'inputProperty', input: 'text', property: 'source', custom: true })).toEqual(['csv'])
    expect(part({ placeholder: 'inputProperty', input: 'text', property: 'meta', custom: true })).toEqual(['{"a":1}'])
    expect(resolveCommand(['x', ...['pattern', 'steps', 'rate', 'on', 'list', 'nothing'].map((p) => ({ placeholder: 'parameter' as const, parameter: p }))], context())).toEqual([
      'x', 'a b', '10', '0.5', 'false', '[1,"x"]', 'null',
    ])
  })

  test('concat joins into one argument; ifPresent splices its branch', () => {
    const spec = containerSpecOf(
      containerComponent({
        name: 'C',
        image: 'img',
        inputs: { text: Examples, schema: optional(Examples), many: list(Examples) },
        outputs: { out: Examples },
        parameters: z.object({ steps: z.number() }),
        command: ({ inputs, outputs, parameters }) => [
          'run',
          concat('--out=', outputs.out.uri, '/model-', parameters.steps, '.bin'),
          ifPresent(inputs.schema, ['--schema', inputs.schema.uri], ['--no-schema']),
          ifPresent(inputs.text, [concat('--span=', inputs.text.property('span'))]),
          ifPresent(inputs.many, ['--first', inputs.many.uri]),
        ],
      }),
    )!
    expect(resolveCommand(spec.command, context())).toEqual(['run', '--out=/root/node/out/5/model-10.bin', '--no-schema', '--span=3', '--first', '/data/a'])
    const withSchema = context({ inputs: { ...context().inputs, schema: [artifact(Examples, '/data/schema')] } })
    expect(resolveCommand(spec.command, withSchema)).toContain('/data/schema')
  })

  test('what cannot be resolved fails with the component, the input and the fix', () => {
    const fails = (json: CommandPartJson) => {
      try {
        part(json)
      } catch (error) {
        return error as Error & { code: string }
      }
      throw new Error('did not fail')
    }
    expect(fails({ placeholder: 'inputUri', input: 'schema' })).toMatchObject({
      code: 'SLUICE_CONTAINER_INVALID',
      message: 'Container component "C": input "schema" is not connected, so the command cannot use it. Wrap the arguments that use it in ifPresent(inputs.schema, [...]).',
    })
    expect(fails({ placeholder: 'inputProperty', input: 'text', property: 'version', custom: false }).message).toContain('input "text" (Examples, /data/text/1) has no property "version"')
    expect(fails({ placeholder: 'inputProperty', input: 'text', property: 'owner', custom: true }).message).toContain('has no custom property "owner"')
    expect(fails({ placeholder: 'parameter', parameter: 'absent' }).message).toContain('parameter "absent" has no value. Pass it, or give it a default')
    expect(fails({ placeholder: 'outputUri', output: 'absent' }).message).toContain('the command uses output "absent", which the node does not have')
  })
})
