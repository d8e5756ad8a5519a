import type { AnyArtifactType, Artifact, InputSpec, JsonValue, ListInput, OptionalInput, OutputSpec, ParametersSchema, ValueOf, z } from '@sluice/core'
import { describeInput, metadataPropertyName } from '@sluice/core'
import { DockerError } from './errors.js'

// Placeholders stand for values known only when the node runs: artifact uris, values and properties,
// and parameters. A container component's `command` function receives placeholder objects and
// returns a list that mixes them with plain strings; the list is kept as JSON (so a compiler can turn
// it into Kubeflow placeholders such as `{{$.inputs.artifacts['text'].uri}}`) and resolved into plain
// strings right before the container starts. TFX's InputValuePlaceholder, InputUriPlaceholder,
// OutputUriPlaceholder and ConcatPlaceholder, KFP's IfPresentPlaceholder.

const BRAND: unique symbol = Symbol.for('@sluice/plugin-docker:placeholder') as never
const INPUT_KEY: unique symbol = Symbol.for('@sluice/plugin-docker:input-key') as never

/** The JSON form of a placeholder, as kept in a container component's spec. */
export type PlaceholderJson =
  | { readonly placeholder: 'inputUri'; readonly input: string }
  | { readonly placeholder: 'inputValue'; readonly input: string }
  | { readonly placeholder: 'inputProperty'; readonly input: string; readonly property: string; readonly custom: boolean }
  | { readonly placeholder: 'outputUri'; readonly output: string }
  | { readonly placeholder: 'parameter'; readonly parameter: string }
  | { readonly placeholder: 'concat'; readonly parts: readonly CommandPartJson[] }
  | { readonly placeholder: 'ifPresent'; readonly input: string; readonly then: readonly CommandPartJson[]; readonly else: readonly CommandPartJson[] }

/** One element of a command in JSON form: a literal string or a placeholder. */
export type CommandPartJson = string | PlaceholderJson

/** A value known only when the node runs. Put it in a `command`, `args` or `env` value. */
export type Placeholder = PlaceholderJson & { readonly [BRAND]: true }

/** What a command list may hold: literal strings (numbers and booleans become strings) and placeholders. */
export type CommandArg = string | number | boolean | Placeholder

type ArtifactTypeOf<E> = E extends OptionalInput<infer T> ? T : E extends ListInput<infer T> ? T : E extends AnyArtifactType ? E : never
type IsValueType<T extends AnyArtifactType> = T['valueKind'] extends undefined ? false : [ValueOf<T>] extends [never] ? false : true

/** The placeholders of one input. */
export interface InputPlaceholder<T extends AnyArtifactType = AnyArtifactType> {
  /** @internal */
  readonly [INPUT_KEY]: string
  /** The artifact's uri, mounted read-only at the same path (the first artifact of a list input). */
  readonly uri: Placeholder
  /** A declared property of the artifact (e.g. `'span'`). */
  property<K extends keyof T['properties'] & string>(name: K): Placeholder
  /** A custom property of the artifact. */
  customProperty(name: string): Placeholder
}

/** The placeholders of a value input (String, Integer, Float, Boolean, JsonValue): also its value. */
export interface ValueInputPlaceholder<T extends AnyArtifactType = AnyArtifactType> extends InputPlaceholder<T> {
  /** The value itself: strings as they are, numbers and booleans through `String()`, JSON as JSON text. */
  readonly value: Placeholder
}

/** The placeholders of one output. */
export interface OutputPlaceholder {
  /** Where to write the output: a directory, or for a value output the file that holds the value. */
  readonly uri: Placeholder
}

/** `inputs` of a command function: one placeholder object per declared input. */
export type InputPlaceholders<I extends InputSpec> = {
  readonly [K in keyof I]: IsValueType<ArtifactTypeOf<I[K]>> extends true ? ValueInputPlaceholder<ArtifactTypeOf<I[K]>> : InputPlaceholder<ArtifactTypeOf<I[K]>>
}

/** `outputs` of a command function: one placeholder object per declared output. */
export type OutputPlaceholders<O extends OutputSpec> = { readonly [K in keyof O]: OutputPlaceholder }

/** `parameters` of a command function: one placeholder per parameter of the schema. */
export type ParameterPlaceholders<P extends ParametersSchema> = { readonly [K in keyof z.output<P>]-?: Placeholder }

/** What a container component's `command` (and `args`, `env`) function receives. */
export interface CommandPlaceholders<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema> {
  readonly inputs: InputPlaceholders<I>
  readonly outputs: OutputPlaceholders<O>
  readonly parameters: ParameterPlaceholders<P>
}

function placeholder(json: PlaceholderJson): Placeholder {
  return Object.freeze({ ...json, [BRAND]: true as const }) as Placeholder
}

/** Whether `value` is a placeholder made by this package. */
export function isPlaceholder(value: unknown): value is Placeholder {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
}

/**
 * Joins its parts into one argument (TFX's ConcatPlaceholder).
 *
 * @example concat('--output=', outputs.model.uri, '/model.bin')
 */
export function concat(...parts: CommandArg[]): Placeholder {
  return placeholder({ placeholder: 'concat', parts: parts.map((p, i) => toPartJson(p, `concat() part ${i}`)) })
}

/**
 * Arguments that depend on whether an optional input is connected (KFP's IfPresentPlaceholder):
 * `then` when it has an artifact, else `otherwise`. Spliced into the command in place.
 *
 * @example ...[ifPresent(inputs.schema, ['--schema', inputs.schema.uri])]
 */
export function ifPresent(input: InputPlaceholder, then: readonly CommandArg[], otherwise: readonly CommandArg[] = []): Placeholder {
  const key = (input as Partial<InputPlaceholder> | undefined)?.[INPUT_KEY]
  if (typeof key !== 'string') {
    throw new DockerError('SLUICE_CONTAINER_INVALID', 'ifPresent() takes an input of the command function, e.g. ifPresent(inputs.schema, [...]).')
  }
  return placeholder({
    placeholder: 'ifPresent',
    input: key,
    then: then.map((p, i) => toPartJson(p, `ifPresent() then[${i}]`)),
    else: otherwise.map((p, i) => toPartJson(p, `ifPresent() otherwise[${i}]`)),
  })
}

/** The JSON form of one command element; throws for anything that is neither a literal nor a placeholder. */
export function toPartJson(part: unknown, where: string): CommandPartJson {
  if (typeof part === 'string') return part
  if (typeof part === 'number' || typeof part === 'boolean') return String(part)
  if (isPlaceholder(part)) return stripBrand(part)
  const hint =
    typeof part === 'object' && part !== null && INPUT_KEY in part
      ? ` It is input "${String((part as InputPlaceholder)[INPUT_KEY])}" itself: use inputs.${String((part as InputPlaceholder)[INPUT_KEY])}.uri (or .value, .property(name)).`
      : typeof part === 'object' && part !== null && 'uri' in part
        ? ' Use outputs.<key>.uri.'
        : ''
  throw new DockerError('SLUICE_CONTAINER_INVALID', `${where} is ${describe(part)}, not a string or a placeholder.${hint}`, {
    fix: 'Use strings, numbers and the placeholders the command function receives (inputs.x.uri, outputs.y.uri, parameters.p, concat(…)).',
  })
}

function stripBrand(p: PlaceholderJson): PlaceholderJson {
  const { [BRAND]: _, ...json } = p as Placeholder
  return json as PlaceholderJson
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : typeof value
}

/** A read-only view that throws on unknown string keys, for callers without the static types. */
function guarded<T extends object>(target: T, message: (key: string) => string, fix: string): T {
  return new Proxy(Object.freeze(target), {
    get(t, key, receiver) {
      if (typeof key === 'string' && !(key in t) && key !== 'then' && key !== 'toJSON') {
        throw new DockerError('SLUICE_CONTAINER_INVALID', message(key), { fix })
      }
      return Reflect.get(t, key, receiver)
    },
  })
}

/** Builds the placeholder objects a command function receives for a component's declared spec. */
export function commandPlaceholders(component: string, inputs: InputSpec, outputs: OutputSpec, parameterKeys: readonly string[]): CommandPlaceholders<InputSpec, OutputSpec, ParametersSchema> {
  const inputObjects: Record<string, ValueInputPlaceholder | InputPlaceholder> = {}
  for (const [key, entry] of Object.entries(inputs)) {
    const { type } = describeInput(entry)!
    const declared = Object.keys(type.properties)
    const obj: Record<string | symbol, unknown> = {
      [INPUT_KEY]: key,
      uri: placeholder({ placeholder: 'inputUri', input: key }),
      property: (name: string) => {
        if (!declared.includes(name)) {
          throw new DockerError('SLUICE_CONTAINER_INVALID', `Container component "${component}": input "${key}" (${type.name}) declares no property "${name}".`, {
            fix: declared.length > 0 ? `Declared properties: ${declared.join(', ')}; use customProperty("${name}") for a custom one.` : `Use customProperty("${name}").`,
          })
        }
        return placeholder({ placeholder: 'inputProperty', input: key, property: name, custom: false })
      },
      customProperty: (name: string) => {
        if (typeof name !== 'string' || name === '') throw new DockerError('SLUICE_CONTAINER_INVALID', `Container component "${component}": customProperty() of input "${key}" needs a name.`)
        return placeholder({ placeholder: 'inputProperty', input: key, property: name, custom: true })
      },
    }
    if (type.valueKind !== undefined) obj.value = placeholder({ placeholder: 'inputValue', input: key })
    inputObjects[key] = guarded(
      obj,
      (field) => `Container component "${component}": input "${key}" (${type.name}) has no "${field}".`,
      type.valueKind === undefined
        ? `Use inputs.${key}.uri, .property(name) or .customProperty(name); .value is only for value artifacts (String, Integer, Float, Boolean, JsonValue).`
        : `Use inputs.${key}.value, .uri, .property(name) or .customProperty(name).`,
    ) as unknown as InputPlaceholder
  }
  const outputObjects: Record<string, OutputPlaceholder> = {}
  for (const key of Object.keys(outputs)) outputObjects[key] = Object.freeze({ uri: placeholder({ placeholder: 'outputUri', output: key }) })
  const parameterObjects: Record<string, Placeholder> = {}
  for (const key of parameterKeys) parameterObjects[key] = placeholder({ placeholder: 'parameter', parameter: key })
  const unknown = (what: string, keys: string[]) =>
    guarded<Record<string, unknown>>(
      what === 'input' ? inputObjects : what === 'output' ? outputObjects : parameterObjects,
      (key) => `Container component "${component}" has no ${what} "${key}".`,
      `Its ${what}s are ${keys.length === 0 ? '(none)' : keys.map((k) => `"${k}"`).join(', ')}.`,
    )
  return Object.freeze({
    inputs: unknown('input', Object.keys(inputs)),
    outputs: unknown('output', Object.keys(outputs)),
    parameters: unknown('parameter', [...parameterKeys]),
  }) as unknown as CommandPlaceholders<InputSpec, OutputSpec, ParametersSchema>
}

/** Calls `visit` for every placeholder of a command, nested ones included. */
export function visitPlaceholders(parts: readonly CommandPartJson[], visit: (p: PlaceholderJson) => void): void {
  for (const part of parts) {
    if (typeof part === 'string') continue
    visit(part)
    if (part.placeholder === 'concat') visitPlaceholders(part.parts, visit)
    if (part.placeholder === 'ifPresent') {
      visitPlaceholders(part.then, visit)
      visitPlaceholders(part.else, visit)
    }
  }
}

/** What placeholders resolve against: the node's artifacts and parameters. */
export interface ResolutionContext {
  /** The component name, for messages. */
  readonly component: string
  /** Input artifacts by key, always as lists (empty for an unconnected optional input). */
  readonly inputs: Readonly<Record<string, readonly Artifact[]>>
  readonly outputs: Readonly<Record<string, Artifact>>
  readonly parameters: Readonly<Record<string, unknown>>
}

/**
 * Turns a command in JSON form into plain strings: uris as they are, strings as they are, numbers
 * and booleans through `String()`, anything else as JSON text. `ifPresent` may yield any number of
 * arguments; every other element yields one.
 */
export function resolveCommand(parts: readonly CommandPartJson[], context: ResolutionContext): string[] {
  return parts.flatMap((part) => resolvePart(part, context))
}

function resolvePart(part: CommandPartJson, context: ResolutionContext): string[] {
  if (typeof part === 'string') return [part]
  const fail = (message: string, fix?: string): never => {
    throw new DockerError('SLUICE_CONTAINER_INVALID', `Container component "${context.component}": ${message}`, fix === undefined ? {} : { fix })
  }
  const firstInput = (key: string): Artifact => {
    if (!(key in context.inputs)) return fail(`the command uses input "${key}", which the node does not have.`)
    const artifact = context.inputs[key]![0]
    if (!artifact) return fail(`input "${key}" is not connected, so the command cannot use it.`, `Wrap the arguments that use it in ifPresent(inputs.${key}, [...]).`)
    return artifact
  }
  switch (part.placeholder) {
    case 'inputUri':
      return [firstInput(part.input).uri]
    case 'inputValue': {
      const artifact = firstInput(part.input)
      if (artifact.value === undefined) return fail(`input "${part.input}" (${artifact.type.name}) has no value.`)
      return [formatValue(artifact.value as JsonValue)]
    }
    case 'inputProperty': {
      const artifact = firstInput(part.input)
      const value = (part.custom ? artifact.customProperties : (artifact.properties as Record<string, JsonValue | undefined>))[part.property]
      if (value === undefined) {
        return fail(
          `input "${part.input}" (${artifact.type.name}, ${artifact.uri}) has no ${part.custom ? 'custom ' : ''}property "${part.property}".`,
          'Set it in the producing component, or drop it from the command.',
        )
      }
      return [formatValue(value)]
    }
    case 'outputUri': {
      const artifact = context.outputs[part.output]
      if (!artifact) return fail(`the command uses output "${part.output}", which the node does not have.`)
      return [artifact.uri]
    }
    case 'parameter': {
      const value = context.parameters[part.parameter]
      if (value === undefined) return fail(`parameter "${part.parameter}" has no value.`, 'Pass it, or give it a default in the parameter schema.')
      return [formatValue(value as JsonValue)]
    }
    case 'concat':
      return [part.parts.flatMap((p) => resolvePart(p, context)).join('')]
    case 'ifPresent': {
      if (!(part.input in context.inputs)) return fail(`ifPresent() names input "${part.input}", which the node does not have.`)
      const present = context.inputs[part.input]!.length > 0
      return resolveCommand(present ? part.then : part.else, context)
    }
  }
}

/** How a value becomes one command-line argument. */
export function formatValue(value: JsonValue): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/**
 * The Kubeflow Pipelines v2 form of a command: placeholders become `{{$.inputs.artifacts['x'].uri}}`
 * and friends (value inputs and properties read the runtime artifact's metadata, where Sluice keeps
 * them); `ifPresent` becomes KFP's `{"IfPresent": …}` placeholder.
 */
export function toKfpCommand(parts: readonly CommandPartJson[]): string[] {
  return parts.map(toKfpString)
}

function toKfpString(part: CommandPartJson): string {
  if (typeof part === 'string') return part
  switch (part.placeholder) {
    case 'inputUri':
      return `{{$.inputs.artifacts['${part.input}'].uri}}`
    case 'inputValue':
      return `{{$.inputs.artifacts['${part.input}'].metadata['value']}}`
    case 'inputProperty':
      return `{{$.inputs.artifacts['${part.input}'].metadata['${part.custom ? part.property : metadataPropertyName(part.property)}']}}`
    case 'outputUri':
      return `{{$.outputs.artifacts['${part.output}'].uri}}`
    case 'parameter':
      return `{{$.inputs.parameters['${part.parameter}']}}`
    case 'concat':
      return part.parts.some((p) => typeof p !== 'string' && p.placeholder === 'ifPresent')
        ? JSON.stringify({ Concat: part.parts.map(toKfpString) })
        : part.parts.map(toKfpString).join('')
    case 'ifPresent':
      return JSON.stringify({ IfPresent: { InputName: part.input, Then: part.then.map(toKfpString), Else: part.else.map(toKfpString) } })
  }
}
