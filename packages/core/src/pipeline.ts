import { hasKind, kind } from './brand.js'
import type { Channel } from './channel.js'
import { describeChannel } from './channel.js'
import { PipelineError } from './errors.js'
import { describeInput } from './io-spec.js'
import type { AnyNode } from './node.js'
import { isNode } from './node.js'

/** What `new Pipeline` takes. */
export interface PipelineOptions {
  /** Names the pipeline's context in the metadata store. */
  name: string
  /** Where artifacts are written. @default `.sluice/<name>` (relative to the working directory) */
  root?: string
  /** The SQLite metadata store. @default `<root>/metadata.sqlite` */
  metadataPath?: string
  /** Every node of the pipeline, in any order. */
  components: readonly AnyNode[]
  /** Set false to execute every node on every run. @default true */
  enableCache?: boolean
  description?: string
}

const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/**
 * A validated DAG of nodes. Construction checks node ids (valid and unique), that every input channel
 * comes from a node of this pipeline with the declared artifact type, and that there is no cycle;
 * `nodes` is a topological order that keeps the given order where the graph allows.
 *
 * @example
 * export default new Pipeline({ name: 'taxi', components: [gen, stats, schema] })
 */
export class Pipeline {
  /** @internal */
  readonly [kind] = 'Pipeline' as const
  readonly name: string
  readonly root: string
  readonly metadataPath: string
  readonly enableCache: boolean
  readonly description: string | undefined
  /** Nodes in topological order. */
  readonly nodes: readonly AnyNode[]

  constructor(options: PipelineOptions) {
    if (typeof options?.name !== 'string' || !PIPELINE_NAME.test(options.name)) {
      throw new PipelineError(`Pipeline name ${JSON.stringify(options?.name)} is invalid.`, {
        fix: 'Use letters, digits, "_", "." or "-" (e.g. "taxi").',
      })
    }
    this.name = options.name
    this.root = options.root ?? `.sluice/${options.name}`
    this.metadataPath = options.metadataPath ?? `${this.root}/metadata.sqlite`
    this.enableCache = options.enableCache ?? true
    this.description = options.description
    this.nodes = Object.freeze(validate(options.name, options.components))
  }

  /** The node with this id. */
  node(id: string): AnyNode {
    const found = this.nodes.find((n) => n.id === id)
    if (!found) throw new PipelineError(`Pipeline "${this.name}" has no node "${id}".`, { fix: `Its nodes are ${this.nodes.map((n) => `"${n.id}"`).join(', ')}.` })
    return found
  }

  /** Nodes that consume an output of `id`, directly or further down. */
  downstreamOf(id: string): AnyNode[] {
    const result = new Set<AnyNode>()
    const queue = [this.node(id)]
    while (queue.length > 0) {
      const current = queue.shift()!
      for (const n of this.nodes) if (!result.has(n) && n.upstream.includes(current)) (result.add(n), queue.push(n))
    }
    return this.nodes.filter((n) => result.has(n))
  }
}

/** Whether `value` is a pipeline (from any copy of `@sluice/core`). */
export function isPipeline(value: unknown): value is Pipeline {
  return hasKind(value, 'Pipeline')
}

function validate(pipeline: string, components: readonly AnyNode[]): AnyNode[] {
  if (!Array.isArray(components) || components.length === 0) {
    throw new PipelineError(`Pipeline "${pipeline}" has no components.`, { fix: 'Pass the nodes as components: [gen, stats, …].' })
  }
  const byId = new Map<string, AnyNode>()
  for (const [i, node] of components.entries()) {
    if (!isNode(node)) {
      throw new PipelineError(`Pipeline "${pipeline}": components[${i}] is not a node.`, {
        fix: 'Call the component to get a node, e.g. StatisticsGen({ examples }), not StatisticsGen itself.',
      })
    }
    const other = byId.get(node.id)
    if (other === node) throw new PipelineError(`Pipeline "${pipeline}": node "${node.id}" is listed twice in components.`)
    if (other) {
      throw new PipelineError(`Pipeline "${pipeline}": two nodes have the id "${node.id}" (components "${other.component.name}" and "${node.component.name}").`, {
        fix: `Give one of them another id, e.g. ${node.component.name}({ …, id: '${node.id}2' }) or .withId('${node.id}2').`,
      })
    }
    byId.set(node.id, node)
  }
  for (const node of components) {
    for (const [key, channels] of Object.entries(node.inputs) as [string, readonly Channel[]][]) {
      const spec = node.system ? undefined : describeInput(node.component.inputs[key])
      for (const channel of channels) {
        if (spec && channel.type.name !== spec.type.name) {
          throw new PipelineError(`Pipeline "${pipeline}": node "${node.id}" input "${key}" expects "${spec.type.name}" but ${describeChannel(channel)} carries "${channel.type.name}".`)
        }
        if (!channel.producer) continue
        if (byId.get(channel.producer.id) !== channel.producer) {
          throw new PipelineError(
            `Pipeline "${pipeline}": node "${node.id}" input "${key}" reads ${describeChannel(channel)}, but node "${channel.producer.id}" is not in the pipeline's components.`,
            { fix: `Add it to components.` },
          )
        }
        if (!Object.hasOwn(channel.producer.outputs, channel.outputKey!)) {
          throw new PipelineError(`Pipeline "${pipeline}": node "${node.id}" input "${key}" reads output "${channel.outputKey}", which node "${channel.producer.id}" does not have.`)
        }
      }
    }
  }
  return topologicalOrder(pipeline, components)
}

function topologicalOrder(pipeline: string, nodes: readonly AnyNode[]): AnyNode[] {
  const indegree = new Map<AnyNode, number>(nodes.map((n) => [n, n.upstream.length]))
  const ordered: AnyNode[] = []
  // Kahn's algorithm, scanning in declaration order so the result is stable.
  let progressed = true
  while (ordered.length < nodes.length && progressed) {
    progressed = false
    for (const node of nodes) {
      if (indegree.get(node) !== 0) continue
      ordered.push(node)
      indegree.set(node, -1)
      progressed = true
      for (const other of nodes) if (other.upstream.includes(node)) indegree.set(other, indegree.get(other)! - 1)
    }
  }
  if (ordered.length < nodes.length) {
    const cycle = findCycle(nodes.filter((n) => indegree.get(n)! > 0))
    throw new PipelineError(`Pipeline "${pipeline}" has a cycle: ${cycle.map((n) => `"${n.id}"`).join(' -> ')}.`, {
      fix: 'A node cannot consume, directly or indirectly, its own outputs.',
    })
  }
  return ordered
}

function findCycle(remaining: AnyNode[]): AnyNode[] {
  const inRemaining = new Set(remaining)
  const path: AnyNode[] = []
  const onPath = new Set<AnyNode>()
  const visit = (node: AnyNode): AnyNode[] | undefined => {
    if (onPath.has(node)) return [...path.slice(path.indexOf(node)), node]
    onPath.add(node)
    path.push(node)
    for (const up of node.upstream) {
      if (!inRemaining.has(up)) continue
      const found = visit(up)
      if (found) return found
    }
    path.pop()
    onPath.delete(node)
    return undefined
  }
  for (const node of remaining) {
    const found = visit(node)
    if (found) return found.reverse()
  }
  return remaining
}
