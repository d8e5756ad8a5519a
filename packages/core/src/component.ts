import * as z from 'zod'
import type { AnyArtifactType } from './artifact-type.js'
import { isArtifactType } from './artifact-type.js'
import { hasKind, kind } from './brand.js'
import type { Channel } from './channel.js'
import { describeChannel, isChannel } from './channel.js'
import { ComponentDefinitionError, ParameterError, WiringError } from './errors.js'
import type { ExecutorSource, NoParameters, ParametersSchema } from './executor.js'
import type { InputSpec, ListInput, OptionalInput, OutputSpec } from './io-spec.js'
import { describeInput } from './io-spec.js'
import type { JsonValue } from './json.js'
import { findNonJson } from './json.js'
import type { AnyNode, Node } from './node.js'
import { createNode } from './node.js'

/** ML Metadata's execution base types, TFX's `component_annotation`. */
export type ExecutionTypeAnnotation = 'Train' | 'Transform' | 'Process' | 'Evaluate' | 'Deploy'

type RequiredInputKeys<I extends InputSpec> = { [K in keyof I]: I[K] extends OptionalInput ? never : K }[keyof I]
type OptionalInputKeys<I extends InputSpec> = Exclude<keyof I, RequiredInputKeys<I>>

/** What a caller may pass for one input. */
export type InputArg<E> = E extends OptionalInput<infer T>
  ? Channel<T>
  : E extends ListInput<infer T>
    ? Channel<T> | readonly Channel<T>[]
    : E extends AnyArtifactType
      ? Channel<E>
      : never

/** The input channels a component call takes: required keys for plain and list inputs, optional ones for `optional()`. */
export type InputArgs<I extends InputSpec> = { [K in RequiredInputKeys<I>]: InputArg<I[K]> } & {
  [K in OptionalInputKeys<I>]?: InputArg<I[K]> | undefined
}

type Simplify<T> = { [K in keyof T]: T[K] } & {}

// zod types an empty object's input as `{ [k: string]: never }`, which would reject every input key.
type ParameterArgs<P extends ParametersSchema> = [keyof P['shape']] extends [never] ? {} : z.input<P>

/** The single argument of a component call: input channels, parameters (defaults optional) and an optional node id. */
export type ComponentArgs<I extends InputSpec, P extends ParametersSchema> = Simplify<InputArgs<I> & ParameterArgs<P> & { id?: string }>

/** What `defineComponent` takes. */
export interface ComponentSpec<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema> {
  /** The component's name; also the default node id and the execution type name in the metadata store. */
  name: string
  description?: string
  /** Part of the cache key: bump it when the executor's behaviour changes. */
  version?: string
  /** ML Metadata's execution base type. */
  executionType?: ExecutionTypeAnnotation
  inputs?: I
  outputs?: O
  /** A zod object schema; its defaults fill unset parameters. */
  parameters?: P
  /**
   * Extra text for the cache key, computed when the node runs: what the executor depends on beyond
   * its code and parameters (a container component returns its image digest).
   */
  fingerprint?: (parameters: z.output<NoInfer<P>>) => Promise<string> | string
  /**
   * `inline` keeps the executor in the runner's process even when the run sends every node to a
   * backend (a container component drives Docker from there). A node's own isolation still wins.
   */
  isolation?: 'inline'
  /**
   * The outputs whose reports (a statistics summary, an anomalies table, an evaluation's slice table)
   * `sluice run` prints after the run; the others get a line pointing at `sluice show <id>`. Default:
   * every output. Transform lists its anomalies, not its pre- and post-transform statistics, so that
   * StatisticsGen's summary is not buried under two more.
   */
  reportOutputs?: readonly (keyof NoInfer<O> & string)[]
  /**
   * A function `(args) => …`, a class with `execute(args)`, or a lazy `() => import('./executor.js')`.
   * `NoInfer`: the spec's types come from `inputs`, `outputs` and `parameters`, never from how a
   * shared executor happens to be annotated.
   */
  executor: ExecutorSource<NoInfer<I>, NoInfer<O>, NoInfer<P>>
}

/**
 * A defined component. Call it with its inputs and parameters to get a pipeline {@link Node}.
 */
export interface ComponentDefinition<I extends InputSpec = InputSpec, O extends OutputSpec = OutputSpec, P extends ParametersSchema = ParametersSchema> {
  (args: ComponentArgs<I, P>): Node<O>
  /** @internal */
  readonly [kind]: 'Component'
  readonly name: string
  readonly description: string | undefined
  readonly version: string | undefined
  readonly executionType: ExecutionTypeAnnotation | undefined
  readonly inputs: I
  readonly outputs: O
  readonly parameters: P
  readonly executor: ExecutorSource<I, O, P>
  /**
   * Text that identifies the executor's code (its source, or for function components the user
   * function's source); the runner hashes it into the cache key.
   */
  readonly code: string
  /** Extra cache-key text computed when the node runs (see {@link ComponentSpec.fingerprint}). */
  readonly fingerprint: ((parameters: z.output<P>) => Promise<string> | string) | undefined
  /** Set when the executor must run in the runner's process (see {@link ComponentSpec.isolation}). */
  readonly isolation: 'inline' | undefined
  /** The outputs `sluice run` reports in full; undefined: all (see {@link ComponentSpec.reportOutputs}). */
  readonly reportOutputs: readonly (keyof O & string)[] | undefined
  /**
   * The same component with another executor: same inputs, outputs and parameters, so every
   * pipeline that used it still type-checks (TFX's `custom_executor_spec`).
   */
  withExecutor(executor: ExecutorSource<I, O, P>): ComponentDefinition<I, O, P>
}

/**
 * Any component definition, whatever its inputs, outputs and parameters: what registries, plugins
 * and runners hold. Call it through a cast; its argument type is unknown here.
 */
export interface AnyComponent {
  (args: never): AnyNode
  /** @internal */
  readonly [kind]: 'Component'
  readonly name: string
  readonly description: string | undefined
  readonly version: string | undefined
  readonly executionType: ExecutionTypeAnnotation | undefined
  readonly inputs: InputSpec
  readonly outputs: OutputSpec
  readonly parameters: ParametersSchema
  // `any`: an executor typed for specific inputs is not assignable to one typed for all inputs.
  readonly executor: ExecutorSource<any, any, any>
  readonly code: string
  readonly fingerprint: ((parameters: any) => Promise<string> | string) | undefined
  readonly isolation: 'inline' | undefined
  readonly reportOutputs: readonly string[] | undefined
  withExecutor(executor: never): AnyComponent
}

/** Infers the input spec of a component. */
export type InferInputs<C> = C extends ComponentDefinition<infer I, any, any> ? I : never
/** Infers the output spec of a component. */
export type InferOutputs<C> = C extends ComponentDefinition<any, infer O, any> ? O : never
/** Infers the parameter values (after defaults) of a component. */
export type InferParameters<C> = C extends ComponentDefinition<any, any, infer P> ? z.output<P> : never

const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/

/**
 * Defines a component from typed inputs, outputs, a zod parameter schema and an executor. The result
 * is callable: `StatisticsGen({ examples: gen.outputs.examples })` returns a node whose `outputs` are
 * typed channels; wiring a `Model` channel into an `Examples` input is a compile error and, for
 * untyped callers, a {@link WiringError}.
 *
 * @example
 * export const StatisticsGen = defineComponent({
 *   name: 'StatisticsGen',
 *   inputs: { examples: Examples, schema: optional(Schema) },
 *   outputs: { statistics: ExampleStatistics },
 *   parameters: z.object({ excludeSplits: z.array(z.string()).default([]) }),
 *   executor: () => import('./executor.js'),
 * })
 */
export function defineComponent<const I extends InputSpec = {}, const O extends OutputSpec = {}, P extends ParametersSchema = NoParameters>(
  spec: ComponentSpec<I, O, P>,
): ComponentDefinition<I, O, P> {
  return buildComponent(spec, codeOf(spec.executor))
}

/** @internal Shared by `defineComponent` and `component`: validates the spec and makes the callable. */
export function buildComponent<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema>(
  spec: ComponentSpec<I, O, P>,
  code: string,
): ComponentDefinition<I, O, P> {
  const name = spec.name
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ComponentDefinitionError(`Component name ${JSON.stringify(name)} is invalid.`, {
      fix: 'Use letters, digits, "_", "." or "-", starting with a letter (e.g. "StatisticsGen").',
    })
  }
  const inputs = (spec.inputs ?? {}) as I
  const outputs = (spec.outputs ?? {}) as O
  const parameters = (spec.parameters ?? z.object({})) as P
  for (const [key, entry] of Object.entries(inputs)) {
    if (!describeInput(entry)) throw new ComponentDefinitionError(`Component "${name}": input "${key}" is not an artifact type, optional(type) or list(type).`)
  }
  for (const [key, type] of Object.entries(outputs)) {
    if (!isArtifactType(type)) throw new ComponentDefinitionError(`Component "${name}": output "${key}" is not an artifact type.`)
  }
  if (!(parameters instanceof z.ZodObject) && !hasZodObjectShape(parameters)) {
    throw new ComponentDefinitionError(`Component "${name}": parameters must be a zod object schema, e.g. z.object({ steps: z.number().default(100) }).`)
  }
  const parameterKeys = Object.keys(parameters.shape)
  for (const key of parameterKeys) {
    if (Object.hasOwn(inputs, key)) throw new ComponentDefinitionError(`Component "${name}": "${key}" is both an input and a parameter.`, { fix: 'Rename one of them.' })
    if (key === 'id') throw new ComponentDefinitionError(`Component "${name}": "id" is reserved for the node id and cannot be a parameter.`)
  }
  if (Object.hasOwn(inputs, 'id')) throw new ComponentDefinitionError(`Component "${name}": "id" is reserved for the node id and cannot be an input.`)
  if (typeof spec.executor !== 'function') throw new ComponentDefinitionError(`Component "${name}": executor must be a function, a class or a lazy loader.`)
  for (const key of spec.reportOutputs ?? []) {
    if (!Object.hasOwn(outputs, key)) throw new ComponentDefinitionError(`Component "${name}": reportOutputs names "${String(key)}", which is not an output.`, { fix: `Outputs are ${listKeys(Object.keys(outputs))}.` })
  }

  const call = (args: Record<string, unknown>) => {
    if (typeof args !== 'object' || args === null) throw new WiringError(`Component "${name}" must be called with one object of inputs and parameters.`)
    const bound: Record<string, Channel[]> = {}
    const rawParams: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(args)) {
      if (key === 'id') continue
      if (Object.hasOwn(inputs, key)) continue
      if (parameterKeys.includes(key)) rawParams[key] = value
      else {
        throw new WiringError(`Component "${name}": unknown argument "${key}".`, {
          fix: `Inputs are ${listKeys(Object.keys(inputs))}; parameters are ${listKeys(parameterKeys)}.`,
        })
      }
    }
    for (const [key, entry] of Object.entries(inputs)) bound[key] = bindInput(name, key, entry, args[key])
    return createNode<O>({
      id: args.id as string | undefined,
      component: definition as unknown as AnyComponent,
      inputs: bound,
      parameters: parseParameters(name, parameters, rawParams),
    })
  }
  const definition = Object.assign(call, {
    [kind]: 'Component' as const,
    description: spec.description,
    version: spec.version,
    executionType: spec.executionType,
    inputs,
    outputs,
    parameters,
    executor: spec.executor,
    code,
    fingerprint: spec.fingerprint,
    isolation: spec.isolation,
    reportOutputs: spec.reportOutputs === undefined ? undefined : Object.freeze([...spec.reportOutputs]),
    withExecutor: (executor: ExecutorSource<I, O, P>) => buildComponent({ ...spec, executor }, codeOf(executor)),
  })
  // `name` is a read-only property of functions: define it instead of assigning.
  Object.defineProperty(definition, 'name', { value: name })
  return Object.freeze(definition) as unknown as ComponentDefinition<I, O, P>
}

function codeOf(executor: unknown): string {
  return typeof executor === 'function' ? Function.prototype.toString.call(executor) : String(executor)
}

function hasZodObjectShape(value: unknown): value is z.ZodObject {
  return typeof value === 'object' && value !== null && 'shape' in value && typeof (value as { safeParse?: unknown }).safeParse === 'function'
}

function listKeys(keys: string[]): string {
  return keys.length === 0 ? '(none)' : keys.map((k) => `"${k}"`).join(', ')
}

function bindInput(component: string, key: string, entry: unknown, value: unknown): Channel[] {
  const spec = describeInput(entry)!
  if (value === undefined || value === null) {
    if (spec.optional) return []
    throw new WiringError(`Component "${component}": input "${key}" (${spec.type.name}) is missing.`, {
      fix: `Pass a ${spec.type.name} channel, e.g. ${key}: someNode.outputs.${key}.`,
    })
  }
  const channels = Array.isArray(value) ? value : [value]
  if (Array.isArray(value) && !spec.list) {
    throw new WiringError(`Component "${component}": input "${key}" takes one channel, not a list.`, {
      fix: `Declare it as list(${spec.type.name}) to accept several.`,
    })
  }
  for (const channel of channels) {
    if (!isChannel(channel)) {
      throw new WiringError(`Component "${component}": input "${key}" must be a ${spec.type.name} channel (a node's outputs.<key>), got ${describeValue(channel)}.`)
    }
    if (channel.type.name !== spec.type.name) {
      throw new WiringError(
        `Component "${component}": input "${key}" expects artifact type "${spec.type.name}" but received "${channel.type.name}" from ${describeChannel(channel)}.`,
      )
    }
  }
  return channels
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))}`
  return Array.isArray(value) ? 'an array' : typeof value
}

/** @internal Validates parameters against the schema, filling defaults; the result must be plain JSON. */
export function parseParameters(component: string, schema: ParametersSchema, raw: Record<string, unknown>): Record<string, JsonValue> {
  const result = schema.safeParse(raw)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(parameters)'
      return `parameter "${path}": ${issue.message}`
    })
    throw new ParameterError(`Component "${component}": ${lines.join('; ')}.`)
  }
  const bad = findNonJson(result.data)
  if (bad !== undefined) {
    throw new ParameterError(`Component "${component}": parameter "${bad}" is not plain JSON (parameters are recorded in the metadata store).`, {
      fix: 'Use numbers, strings, booleans, arrays and plain objects.',
    })
  }
  return result.data as Record<string, JsonValue>
}

/** Whether `value` is a component definition. */
export function isComponent(value: unknown): value is AnyComponent {
  return hasKind(value, 'Component')
}
