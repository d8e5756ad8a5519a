import { createHash } from 'node:crypto'
import type {
  AnyComponent,
  ComponentDefinition,
  ExecutionTypeAnnotation,
  ExecutorArgs,
  ExecutorResult,
  InputSpec,
  NoParameters,
  OutputSpec,
  ParametersSchema,
} from '@sluice/core'
import { ComponentDefinitionError, defineComponent, describeInput, isComponent, stableStringify, z } from '@sluice/core'
import { DockerError } from './errors.js'
import type { ContainerRunOptions } from './options.js'
import { checkRunOptions, parseCpus, parseMemory } from './options.js'
import type { CommandArg, CommandPartJson, CommandPlaceholders } from './placeholders.js'
import { commandPlaceholders, toKfpCommand, toPartJson, visitPlaceholders } from './placeholders.js'

const CONTAINER: unique symbol = Symbol.for('@sluice/plugin-docker:container') as never

/** A function of the placeholders that returns a list of arguments. */
export type CommandFunction<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema> = (
  placeholders: CommandPlaceholders<NoInfer<I>, NoInfer<O>, NoInfer<P>>,
) => readonly CommandArg[]

/** What `containerComponent` takes. */
export interface ContainerComponentSpec<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema> extends ContainerRunOptions {
  /** The component's name; also the default node id. */
  readonly name: string
  readonly description?: string
  /** Part of the cache key next to the image digest and the command. */
  readonly version?: string
  readonly executionType?: ExecutionTypeAnnotation
  /** The image, e.g. `ghcr.io/acme/grep:1.2` or a local tag. */
  readonly image: string
  /** Input artifact types (`optional()` and `list()` work as for any component). */
  readonly inputs?: I
  /** Output artifact types; the container writes into `outputs.<key>.uri`. */
  readonly outputs?: O
  /** A zod object schema of the parameters. */
  readonly parameters?: P
  /**
   * The command, exec form: the first element is the executable, never run through a shell unless
   * you call one (`'sh', '-c', …`). It replaces the image's ENTRYPOINT (Kubernetes' `command`).
   */
  readonly command: CommandFunction<I, O, P>
  /** Arguments after the command (Kubernetes' `args`); the image's CMD is never used. */
  readonly args?: CommandFunction<I, O, P>
  /** Environment variables: plain strings, or a function of the placeholders. */
  readonly env?: Readonly<Record<string, string>> | ((placeholders: CommandPlaceholders<NoInfer<I>, NoInfer<O>, NoInfer<P>>) => Readonly<Record<string, CommandArg>>)
}

/**
 * A container component's serialisable spec: the image, the command, args and env with their
 * placeholders in JSON form, and the resource limits. A Kubeflow compiler turns it into a KFP
 * container spec; {@link toKfpCommand} does the placeholders.
 */
export interface ContainerSpec {
  readonly image: string
  readonly command: readonly CommandPartJson[]
  readonly args: readonly CommandPartJson[]
  readonly env: Readonly<Record<string, CommandPartJson>>
  readonly resources: { readonly cpuLimit?: number; readonly memoryLimitBytes?: number }
}

/** What the executor needs besides the spec. */
export interface ContainerDefinition {
  readonly name: string
  readonly spec: ContainerSpec
  readonly options: ContainerRunOptions
  readonly inputs: InputSpec
}

/**
 * Defines a component that runs a container image (TFX's `create_container_component`). The
 * `command` function receives placeholder objects, not values: `inputs.x.uri`, `inputs.x.value`
 * (value artifacts), `inputs.x.property('span')`, `inputs.x.customProperty(name)`,
 * `outputs.y.uri` and `parameters.p`, plus {@link concat} and {@link ifPresent} to build arguments.
 * They are resolved into strings when the node runs; artifact directories are mounted at the same
 * paths, inputs read-only. The result is an ordinary component: typed wiring, caching (keyed by the
 * image digest and the command too), lineage.
 *
 * @example
 * const FilterWithGrep = containerComponent({
 *   name: 'FilterWithGrep',
 *   image: 'sluice-test-busybox:local',
 *   inputs: { text: Examples },
 *   outputs: { filteredText: Examples },
 *   parameters: z.object({ pattern: z.string() }),
 *   command: ({ inputs, outputs, parameters }) => [
 *     'sh', '-exc',
 *     'pattern="$1"; text="$3/data"; out="$5/data"; grep "$pattern" "$text" > "$out"',
 *     '--pattern', parameters.pattern,
 *     '--text', inputs.text.uri,
 *     '--filtered-text', outputs.filteredText.uri,
 *   ],
 * })
 */
export function containerComponent<const I extends InputSpec = {}, const O extends OutputSpec = {}, P extends ParametersSchema = NoParameters>(
  spec: ContainerComponentSpec<I, O, P>,
): ComponentDefinition<I, O, P> {
  const name = spec?.name
  const subject = `Container component "${String(name)}"`
  if (typeof spec?.image !== 'string' || spec.image.trim() === '') {
    throw new ComponentDefinitionError(`${subject}: image must be an image reference such as "busybox:1.36" or "ghcr.io/acme/tool:1.2".`)
  }
  if (typeof spec.command !== 'function') {
    throw new ComponentDefinitionError(`${subject}: command must be a function of the placeholders, e.g. command: ({ inputs, outputs }) => ['cat', inputs.text.uri].`)
  }
  checkRunOptions(spec, subject)
  const inputs = (spec.inputs ?? {}) as InputSpec
  const outputs = (spec.outputs ?? {}) as OutputSpec
  const parameters = (spec.parameters ?? z.object({})) as ParametersSchema
  // Placeholders need the keys: validate the rest of the spec the way defineComponent does, first.
  for (const [key, entry] of Object.entries(inputs)) if (!describeInput(entry)) throw new ComponentDefinitionError(`${subject}: input "${key}" is not an artifact type, optional(type) or list(type).`)
  const parameterKeys = parameters instanceof z.ZodObject || (typeof parameters === 'object' && parameters !== null && 'shape' in parameters) ? Object.keys(parameters.shape) : []
  const placeholders = commandPlaceholders(name, inputs, outputs, parameterKeys)

  const command = listFrom(spec.command, placeholders, subject, 'command')
  if (command.length === 0) throw new ComponentDefinitionError(`${subject}: command is empty.`, { fix: 'Return at least the executable, e.g. ["grep", …].' })
  const args = spec.args === undefined ? [] : listFrom(spec.args, placeholders, subject, 'args')
  const env = envFrom(spec.env, placeholders, subject)
  for (const part of [...command, ...args, ...Object.values(env)]) {
    visitPlaceholders([part], (p) => {
      if (p.placeholder === 'inputValue' && describeInput(inputs[p.input])?.type.valueKind === undefined) {
        throw new ComponentDefinitionError(`${subject}: input "${p.input}" is not a value artifact, so it has no value placeholder.`)
      }
    })
  }
  const containerSpec: ContainerSpec = deepFreeze({
    image: spec.image,
    command,
    args,
    env,
    resources: {
      ...(spec.cpus === undefined ? {} : { cpuLimit: parseCpus(spec.cpus) / 1e9 }),
      ...(spec.memory === undefined ? {} : { memoryLimitBytes: parseMemory(spec.memory) }),
    },
  })
  const { name: _name, description: _d, version: _v, executionType: _e, image: _i, inputs: _in, outputs: _out, parameters: _p, command: _c, args: _a, env: _env, ...options } = spec
  const definition: ContainerDefinition = { name, spec: containerSpec, options, inputs }
  // The executor loads dockerode only when the node runs. It declares its argument, so the runner
  // calls it as an executor, not as a lazy loader.
  const executor = async (executorArgs: ExecutorArgs): Promise<ExecutorResult | void> => {
    const { executeContainer } = await import('./container-executor.js')
    return executeContainer(definition, executorArgs)
  }
  Object.defineProperty(executor, CONTAINER, { value: containerSpec })
  const specHash = createHash('sha256').update(stableStringify(containerSpec)).digest('hex')
  return defineComponent<I, O, P>({
    name,
    description: spec.description,
    version: spec.version,
    executionType: spec.executionType,
    inputs: spec.inputs,
    outputs: spec.outputs,
    parameters: spec.parameters,
    // The image digest: rebuilding the image under the same tag misses the cache. The command, args
    // and env are part of it too, since every container component shares the same executor code.
    fingerprint: async () => {
      const { imageDigest } = await import('./engine.js')
      const id = await imageDigest(spec.image, spec.pull ?? 'if-missing', spec.docker)
      return `image ${spec.image} ${id}; container spec sha256:${specHash}`
    },
    // The executor drives Docker from the runner's process: a run-wide container backend must not
    // move it into a container that has no Docker socket.
    isolation: 'inline',
    executor: executor as never,
  })
}

/** The container spec of a container component, or undefined for any other component. */
export function containerSpecOf(component: AnyComponent | ComponentDefinition<any, any, any>): ContainerSpec | undefined {
  if (!isComponent(component)) return undefined
  const executor = component.executor as { [CONTAINER]?: ContainerSpec }
  return executor?.[CONTAINER]
}

/** Whether `component` was made by {@link containerComponent}. */
export function isContainerComponent(component: unknown): boolean {
  return isComponent(component) && containerSpecOf(component) !== undefined
}

/** The spec as Kubeflow Pipelines v2 strings: image, command, args and env with `{{$.…}}` placeholders. */
export function toKfpContainer(spec: ContainerSpec): { image: string; command: string[]; args: string[]; env: { name: string; value: string }[] } {
  return {
    image: spec.image,
    command: toKfpCommand(spec.command),
    args: toKfpCommand(spec.args),
    env: Object.entries(spec.env).map(([name, value]) => ({ name, value: toKfpCommand([value])[0]! })),
  }
}

function listFrom(fn: unknown, placeholders: unknown, subject: string, what: string): CommandPartJson[] {
  if (typeof fn !== 'function') throw new ComponentDefinitionError(`${subject}: ${what} must be a function of the placeholders.`)
  const list = call(fn, placeholders, subject, what)
  if (!Array.isArray(list)) throw new ComponentDefinitionError(`${subject}: ${what} must return an array of strings and placeholders.`)
  return list.map((part, i) => asDefinitionError(subject, () => toPartJson(part, `${what}[${i}]`)))
}

function envFrom(env: unknown, placeholders: unknown, subject: string): Record<string, CommandPartJson> {
  if (env === undefined) return {}
  const record = typeof env === 'function' ? call(env, placeholders, subject, 'env') : env
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new ComponentDefinitionError(`${subject}: env must be an object of variable names to values.`)
  }
  const out: Record<string, CommandPartJson> = {}
  for (const [key, value] of Object.entries(record)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new ComponentDefinitionError(`${subject}: env name ${JSON.stringify(key)} is not a valid variable name.`)
    out[key] = asDefinitionError(subject, () => toPartJson(value, `env.${key}`))
  }
  return out
}

function call(fn: Function, placeholders: unknown, subject: string, what: string): unknown {
  return asDefinitionError(subject, () => fn(placeholders), what)
}

/** Runs `work`; a placeholder error becomes a ComponentDefinitionError naming the component. */
function asDefinitionError<T>(subject: string, work: () => T, what?: string): T {
  try {
    return work()
  } catch (error) {
    if (error instanceof DockerError) {
      const message = error.fix ? error.message.slice(0, -error.fix.length - 1) : error.message
      const text = message.startsWith('Container component') ? message : `${subject}: ${message}`
      throw new ComponentDefinitionError(text, { cause: error, ...(error.fix === undefined ? {} : { fix: error.fix }) })
    }
    if (what !== undefined && !(error instanceof ComponentDefinitionError)) {
      throw new ComponentDefinitionError(`${subject}: its ${what} function threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    throw error
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
