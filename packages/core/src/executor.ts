import type * as z from 'zod'
import type { AnyArtifactType, ValueOf } from './artifact-type.js'
import type { Artifact } from './artifact.js'
import { ComponentDefinitionError } from './errors.js'
import type { InputSpec, ListInput, OptionalInput, OutputSpec } from './io-spec.js'
import type { JsonValue } from './json.js'

/** The parameter schema of a component: a zod object. */
export type ParametersSchema = z.ZodObject

/** A zod object with no keys: the parameters of a component that declares none. */
export type NoParameters = z.ZodObject<{}, z.core.$strip>

/** Input artifacts as the executor receives them. */
export type ResolvedInputs<I extends InputSpec> = {
  -readonly [K in keyof I]: I[K] extends OptionalInput<infer T>
    ? Artifact<T> | undefined
    : I[K] extends ListInput<infer T>
      ? Artifact<T>[]
      : I[K] extends AnyArtifactType
        ? Artifact<I[K]>
        : never
}

/** Output artifacts as the executor receives them, with their uris already allocated. */
export type ResolvedOutputs<O extends OutputSpec> = { -readonly [K in keyof O]: Artifact<O[K]> }

/** The keys of `O` whose artifact type is a value type (Integer, String…). */
export type ValueOutputKeys<O extends OutputSpec> = {
  [K in keyof O]: O[K]['valueKind'] extends undefined ? never : [ValueOf<O[K]>] extends [never] ? never : K
}[keyof O]

/** The values an executor reports for its value outputs. */
export type OutputValues<O extends OutputSpec> = { [K in ValueOutputKeys<O>]: ValueOf<O[K]> }

/** Logs lines into the run's log for this node. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** What an executor knows about where and why it runs, and how it reports back. */
export interface ExecutionContext {
  readonly pipelineName: string
  /** Absolute path of the pipeline root. */
  readonly pipelineRoot: string
  readonly runId: string
  readonly nodeId: string
  /** The metadata store id of this execution. */
  readonly executionId: number
  /** A scratch directory, removed after the execution. */
  readonly tmpDir: string
  /** Aborted when the run is cancelled or the node times out: stop promptly and throw. */
  readonly signal: AbortSignal
  readonly logger: Logger
  /** Reports progress in [0, 1] with an optional message, shown by the CLI. */
  progress(fraction: number, message?: string): void
}

/** The one argument every executor receives. */
export interface ExecutorArgs<I extends InputSpec = InputSpec, O extends OutputSpec = OutputSpec, P extends ParametersSchema = ParametersSchema> {
  readonly inputs: ResolvedInputs<I>
  readonly outputs: ResolvedOutputs<O>
  readonly parameters: z.output<P>
  readonly context: ExecutionContext
}

/** What an executor may return: the payloads of its value outputs. */
export interface ExecutorResult {
  values?: Record<string, JsonValue>
}

/** An executor written as a function. */
export type ExecutorFunction<I extends InputSpec = InputSpec, O extends OutputSpec = OutputSpec, P extends ParametersSchema = ParametersSchema> = (
  args: ExecutorArgs<I, O, P>,
) => Promise<ExecutorResult | void> | ExecutorResult | void

/** An executor written as a class, TFX's `BaseExecutor` style; subclass it to extend a standard executor. */
export interface ExecutorInstance<I extends InputSpec = InputSpec, O extends OutputSpec = OutputSpec, P extends ParametersSchema = ParametersSchema> {
  execute(args: ExecutorArgs<I, O, P>): Promise<ExecutorResult | void> | ExecutorResult | void
}

/** A class whose instances are executors. */
export type ExecutorClass<I extends InputSpec = InputSpec, O extends OutputSpec = OutputSpec, P extends ParametersSchema = ParametersSchema> = new () => ExecutorInstance<I, O, P>

/** An executor, or a module holding one as its default export. */
export type ExecutorModule<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema> =
  | ExecutorFunction<I, O, P>
  | ExecutorClass<I, O, P>
  | { default: ExecutorFunction<I, O, P> | ExecutorClass<I, O, P> }

/** A lazy loader, usually `() => import('./executor.js')`, so that heavy dependencies load only when the node runs. */
export type ExecutorLoader<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema> = () => Promise<ExecutorModule<I, O, P>>

/** Everything `executor:` accepts: a function of one argument, a class, or a loader of no arguments. */
export type ExecutorSource<I extends InputSpec = InputSpec, O extends OutputSpec = OutputSpec, P extends ParametersSchema = ParametersSchema> =
  | ExecutorFunction<I, O, P>
  | ExecutorClass<I, O, P>
  | ExecutorLoader<I, O, P>

function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn))
}

function toFunction(value: unknown, componentName: string): ExecutorFunction {
  if (typeof value === 'function') {
    if (isClass(value)) {
      const Ctor = value as ExecutorClass
      return (args) => {
        const instance = new Ctor()
        if (typeof instance.execute !== 'function') {
          throw new ComponentDefinitionError(`Component "${componentName}": executor class "${Ctor.name}" has no execute(args) method.`)
        }
        return instance.execute(args)
      }
    }
    return value as ExecutorFunction
  }
  if (typeof value === 'object' && value !== null && 'default' in value) return toFunction((value as { default: unknown }).default, componentName)
  throw new ComponentDefinitionError(`Component "${componentName}": its executor module exports no executor.`, {
    fix: 'Export a function `(args) => …` or a class with `execute(args)` as the default export.',
  })
}

/**
 * Turns any {@link ExecutorSource} into a plain executor function, loading it first when it is lazy.
 * A function declaring no parameter is a loader: an executor always takes its argument.
 */
export async function loadExecutor(source: ExecutorSource<any, any, any>, componentName: string): Promise<ExecutorFunction> {
  if (typeof source !== 'function') {
    throw new ComponentDefinitionError(`Component "${componentName}": executor must be a function, a class or a loader, got ${typeof source}.`)
  }
  if (isClass(source) || source.length > 0) return toFunction(source, componentName)
  return toFunction(await (source as ExecutorLoader<InputSpec, OutputSpec, ParametersSchema>)(), componentName)
}
