import type { AnyArtifactType } from './artifact-type.js'
import { hasKind, kind } from './brand.js'
import type { Channel } from './channel.js'
import { outputChannel } from './channel.js'
import type { AnyComponent } from './component.js'
import { PipelineError } from './errors.js'
import type { OutputSpec } from './io-spec.js'
import type { JsonValue } from './json.js'
import type { ResolverStrategy } from './resolver-strategies.js'
import type { ExecutionBackend } from './execution-backend.js'

/** How the runner treats one node. Unset fields take the runner's defaults. */
export interface NodeOptions {
  /** Extra attempts after a retryable failure. @default 0 */
  retries?: number
  /** Delay before the first retry, doubled for each further one. @default 1000 */
  retryBackoffMs?: number
  /** Fails the node (and aborts its executor) after this long. */
  timeoutMs?: number
  /** Set false to always execute this node, even when an identical execution is cached. @default true */
  cache?: boolean
  /**
   * Where the executor runs: `inline` in the runner's process; `process` in a child process, so a
   * crash fails only this node; or an {@link ExecutionBackend} such as a container. @default 'inline'
   */
  isolation?: 'inline' | 'process' | ExecutionBackend
}

/** A node the runner handles itself instead of calling an executor (TFX's system nodes). */
export type SystemNodeSpec =
  | {
      readonly kind: 'importer'
      readonly sourceUri: string
      readonly artifactType: AnyArtifactType
      readonly reimport: boolean
      readonly properties: Readonly<Record<string, JsonValue>>
      readonly customProperties: Readonly<Record<string, JsonValue>>
    }
  | { readonly kind: 'resolver'; readonly strategy: ResolverStrategy }

const NODE_ID = /^[A-Za-z][A-Za-z0-9_.-]*$/

/** A component invocation inside a pipeline: bound inputs, validated parameters and typed output channels. */
export interface Node<O extends OutputSpec = OutputSpec> {
  /** @internal */
  readonly [kind]: 'Node'
  /** Unique within the pipeline; defaults to the component name. */
  readonly id: string
  readonly component: AnyComponent
  /** Bound input channels, always as lists (empty for an unconnected optional input). */
  readonly inputs: Readonly<Record<string, readonly Channel[]>>
  /** Parameter values after schema validation and defaults. */
  readonly parameters: Readonly<Record<string, JsonValue>>
  /** One typed channel per output key. */
  readonly outputs: { readonly [K in keyof O]: Channel<O[K]> }
  readonly options: Readonly<NodeOptions>
  /** Set for Importer and Resolver nodes. */
  readonly system: SystemNodeSpec | undefined
  /** Nodes whose outputs this node consumes, in input order, without repeats. */
  readonly upstream: readonly AnyNode[]
  /** Renames the node (TFX's `with_id`); call it before building the pipeline. */
  withId(id: string): this
  /** Sets runner options for this node (retries, timeout, caching, isolation). */
  withOptions(options: NodeOptions): this
}

/** Any node. */
export type AnyNode = Node<OutputSpec>

class NodeImpl implements AnyNode {
  readonly [kind] = 'Node' as const
  #id: string
  readonly component: AnyComponent
  readonly inputs: Readonly<Record<string, readonly Channel[]>>
  readonly parameters: Readonly<Record<string, JsonValue>>
  readonly outputs: Record<string, Channel>
  readonly system: SystemNodeSpec | undefined
  options: Readonly<NodeOptions> = {}

  constructor(init: NodeInit) {
    this.#id = checkNodeId(init.id ?? init.component.name, init.component.name)
    this.component = init.component
    this.inputs = Object.freeze(init.inputs)
    this.parameters = Object.freeze(init.parameters)
    this.system = init.system
    const outputs: Record<string, Channel> = {}
    for (const [key, type] of Object.entries(init.outputs ?? init.component.outputs)) outputs[key] = outputChannel(type, this, key)
    this.outputs = Object.freeze(outputs)
  }

  get id(): string {
    return this.#id
  }

  get upstream(): readonly AnyNode[] {
    const seen = new Set<AnyNode>()
    for (const channels of Object.values(this.inputs)) for (const c of channels) if (c.producer) seen.add(c.producer)
    return [...seen]
  }

  withId(id: string): this {
    this.#id = checkNodeId(id, this.component.name)
    return this
  }

  withOptions(options: NodeOptions): this {
    this.options = Object.freeze({ ...this.options, ...options })
    return this
  }
}

/** @internal */
export interface NodeInit {
  id: string | undefined
  component: AnyComponent
  inputs: Record<string, readonly Channel[]>
  parameters: Record<string, JsonValue>
  outputs?: OutputSpec
  system?: SystemNodeSpec
}

/** @internal Creates a node; components and system nodes call this. */
export function createNode<O extends OutputSpec>(init: NodeInit): Node<O> {
  return new NodeImpl(init) as unknown as Node<O>
}

function checkNodeId(id: unknown, componentName: string): string {
  if (typeof id !== 'string' || !NODE_ID.test(id)) {
    throw new PipelineError(`Node id ${JSON.stringify(id)} of a "${componentName}" node is invalid.`, {
      fix: 'Use letters, digits, "_", "." or "-", starting with a letter.',
    })
  }
  return id
}

/** Whether `value` is a pipeline node. */
export function isNode(value: unknown): value is AnyNode {
  return hasKind(value, 'Node')
}
