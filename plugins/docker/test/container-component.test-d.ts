import { describe, expectTypeOf, test } from 'vitest'
import { Examples, IntegerArtifact, Model, StringArtifact, component, optional, z } from '@sluice/core'
import type { Channel, ComponentDefinition } from '@sluice/core'
import { concat, containerComponent, ifPresent } from '../src/index.js'
import type { CommandArg, InputPlaceholder, OutputPlaceholder, Placeholder, ValueInputPlaceholder } from '../src/index.js'

describe('the command function is typed by the spec', () => {
  test('the grep example types as written', () => {
    const FilterWithGrep = containerComponent({
      name: 'FilterWithGrep',
      image: 'sluice-test-busybox:local',
      inputs: { text: Examples },
      outputs: { filteredText: Examples },
      parameters: z.object({ pattern: z.string() }),
      command: ({ inputs, outputs, parameters }) => {
        expectTypeOf(inputs.text).toEqualTypeOf<InputPlaceholder<typeof Examples>>()
        expectTypeOf(inputs.text.uri).toEqualTypeOf<Placeholder>()
        expectTypeOf(outputs.filteredText).toEqualTypeOf<OutputPlaceholder>()
        expectTypeOf(parameters.pattern).toEqualTypeOf<Placeholder>()
        return [
          'sh', '-exc',
          'pattern="$1"; text="$3/data"; out="$5/data"; grep "$pattern" "$text" > "$out"',
          '--pattern', parameters.pattern,
          '--text', inputs.text.uri,
          '--filtered-text', outputs.filteredText.uri,
        ]
      },
    })
    expectTypeOf(FilterWithGrep).toEqualTypeOf<ComponentDefinition<{ readonly text: typeof Examples }, { readonly filteredText: typeof Examples }, z.ZodObject<{ pattern: z.ZodString }, z.core.$strip>>>()

    const gen = component({ name: 'Gen', outputs: { examples: Examples, model: Model } }, () => {})({})
    const node = FilterWithGrep({ text: gen.outputs.examples, pattern: 'apple' })
    expectTypeOf(node.outputs.filteredText).toEqualTypeOf<Channel<typeof Examples>>()
    // @ts-expect-error a Model channel is not Examples
    FilterWithGrep({ text: gen.outputs.model, pattern: 'apple' })
    // @ts-expect-error the pattern parameter is required
    FilterWithGrep({ text: gen.outputs.examples })
    // @ts-expect-error parameters are typed
    FilterWithGrep({ text: gen.outputs.examples, pattern: 3 })
  })

  test('unknown inputs, outputs, parameters and properties are compile errors', () => {
    containerComponent({
      name: 'Typed',
      image: 'img',
      inputs: { text: Examples, rows: IntegerArtifact, schema: optional(Examples) },
      outputs: { out: Examples, note: StringArtifact },
      parameters: z.object({ pattern: z.string(), steps: z.number().default(3), label: z.string().optional() }),
      command: ({ inputs, outputs, parameters }) => {
        // @ts-expect-error no such input
        void inputs.nope
        // @ts-expect-error no such output
        void outputs.nope
        // @ts-expect-error no such parameter
        void parameters.nope
        // @ts-expect-error Examples is not a value artifact: it has no value
        void inputs.text.value
        // @ts-expect-error Examples declares span, version and splitNames
        inputs.text.property('nope')
        expectTypeOf(inputs.rows).toEqualTypeOf<ValueInputPlaceholder<typeof IntegerArtifact>>()
        expectTypeOf(inputs.rows.value).toEqualTypeOf<Placeholder>()
        expectTypeOf(inputs.text.property('span')).toEqualTypeOf<Placeholder>()
        expectTypeOf(inputs.text.customProperty('anything')).toEqualTypeOf<Placeholder>()
        // Parameters with defaults or optional ones still have placeholders.
        expectTypeOf(parameters.steps).toEqualTypeOf<Placeholder>()
        expectTypeOf(parameters.label).toEqualTypeOf<Placeholder>()
        return [
          'tool',
          concat('--out=', outputs.out.uri, '/x'),
          outputs.note.uri,
          inputs.rows.value,
          parameters.steps,
          3,
          true,
          ifPresent(inputs.schema, ['--schema', inputs.schema.uri]),
        ]
      },
    })
  })

  test('a command returns strings and placeholders only', () => {
    containerComponent({
      name: 'Wrong',
      image: 'img',
      inputs: { text: Examples },
      // @ts-expect-error the input's placeholder object is not an argument: use inputs.text.uri
      command: ({ inputs }) => ['cat', inputs.text],
    })
    containerComponent({
      name: 'Wrong2',
      image: 'img',
      // @ts-expect-error an object is not an argument
      command: () => ['echo', { a: 1 }],
    })
    expectTypeOf<Placeholder>().toExtend<CommandArg>()
    expectTypeOf<number>().toExtend<CommandArg>()
  })

  test('env takes strings, or placeholders through a function', () => {
    containerComponent({ name: 'Env', image: 'img', env: { A: 'b' }, command: () => ['env'] })
    containerComponent({
      name: 'Env2',
      image: 'img',
      parameters: z.object({ level: z.string() }),
      env: ({ parameters }) => ({ LEVEL: parameters.level, B: concat('x', parameters.level) }),
      command: () => ['env'],
    })
    // @ts-expect-error env values are strings
    containerComponent({ name: 'Env3', image: 'img', env: { A: 1 }, command: () => ['env'] })
    // @ts-expect-error memory is a size
    containerComponent({ name: 'Mem', image: 'img', memory: { gb: 1 }, command: () => ['true'] })
  })
})
