import type * as z from 'zod'
import type { AnyArtifactType, ValueOf } from './artifact-type.js'
import type { Artifact } from './artifact.js'
import type { ComponentDefinition, ComponentSpec } from './component.js'
import { buildComponent } from './component.js'
import type { ExecutionContext, ExecutorFunction, NoParameters, OutputValues, ParametersSchema, ValueOutputKeys } from './executor.js'
import type { InputSpec, ListInput, OptionalInput, OutputSpec } from './io-spec.js'
import { describeInput } from './io-spec.js'
import type { JsonValue } from './json.js'

type IsValueType<T extends AnyArtifactType> = T['valueKind'] extends undefined ? false : [ValueOf<T>] extends [never] ? false : true
type InputFor<T extends AnyArtifactType> = IsValueType<T> extends true ? ValueOf<T> : Artifact<T>

/** Inputs as a function component receives them: value artifacts (Integer, String…) arrive as their values. */
export type FunctionInputs<I extends InputSpec> = {
  -readonly [K in keyof I]: I[K] extends OptionalInput<infer T>
    ? InputFor<T> | undefined
    : I[K] extends ListInput<infer T>
      ? InputFor<T>[]
      : I[K] extends AnyArtifactType
        ? InputFor<I[K]>
        : never
}

/** Outputs a function component writes files into: every output that is not a value artifact. */
export type FunctionOutputs<O extends OutputSpec> = { -readonly [K in Exclude<keyof O, ValueOutputKeys<O>>]: Artifact<O[K]> }

/** What the function of a function component receives. */
export interface FunctionComponentArgs<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema> {
  readonly inputs: FunctionInputs<I>
  readonly outputs: FunctionOutputs<O>
  readonly parameters: z.output<P>
  readonly context: ExecutionContext
}

type ReturnFor<O extends OutputSpec> = [ValueOutputKeys<O>] extends [never] ? void | undefined : OutputValues<O>

/**
 * Defines a function-based component, TypeScript's form of TFX's `@component`: artifact inputs
 * arrive as artifacts, value inputs (Integer, Float, String, Boolean, JsonValue) as their values,
 * and the returned object fills the value outputs.
 *
 * @example
 * const CountRows = component(
 *   { name: 'CountRows', inputs: { data: Examples }, outputs: { rows: IntegerArtifact }, executionType: 'Process' },
 *   async ({ inputs }) => ({ rows: await countRows(inputs.data.uri) }),
 * )
 */
export function component<const I extends InputSpec = {}, const O extends OutputSpec = {}, P extends ParametersSchema = NoParameters>(
  spec: Omit<ComponentSpec<I, O, P>, 'executor'>,
  fn: (args: FunctionComponentArgs<I, O, P>) => Promise<ReturnFor<O>> | ReturnFor<O>,
): ComponentDefinition<I, O, P> {
  const inputs = (spec.inputs ?? {}) as InputSpec
  const outputs = (spec.outputs ?? {}) as OutputSpec
  const valueOutputs = Object.entries(outputs).filter(([, type]) => type.valueKind !== undefined).map(([key]) => key)
  const executor: ExecutorFunction = async ({ inputs: artifacts, outputs: outputArtifacts, parameters, context }) => {
    const values: Record<string, unknown> = {}
    for (const [key, entry] of Object.entries(inputs)) {
      const { type } = describeInput(entry)!
      const given = (artifacts as Record<string, Artifact | Artifact[] | undefined>)[key]
      values[key] = type.valueKind === undefined ? given : Array.isArray(given) ? given.map((a) => a.value) : given?.value
    }
    const fileOutputs: Record<string, Artifact> = {}
    for (const [key, artifact] of Object.entries(outputArtifacts as Record<string, Artifact>)) if (!valueOutputs.includes(key)) fileOutputs[key] = artifact
    const returned = (await fn({ inputs: values, outputs: fileOutputs, parameters, context } as unknown as FunctionComponentArgs<I, O, P>)) as
      | Record<string, JsonValue>
      | undefined
    if (valueOutputs.length === 0) return
    return { values: returned ?? {} }
  }
  return buildComponent({ ...spec, executor } as ComponentSpec<I, O, P>, Function.prototype.toString.call(fn))
}
