import type { Channel } from './channel.js'
import { PipelineError } from './errors.js'
import type { JsonValue } from './json.js'
import type { AnyNode } from './node.js'
import { Pipeline } from './pipeline.js'
import type { Registry } from './registry.js'
import { registry as defaultRegistry } from './registry.js'

/**
 * A pipeline written as JSON, for callers without TypeScript. Inputs name an upstream output as
 * `"<nodeId>.<outputKey>"` (or a list of those); components are looked up in the registry.
 */
export interface PipelineSpecJson {
  name: string
  root?: string
  metadataPath?: string
  enableCache?: boolean
  components: {
    id?: string
    component: string
    inputs?: Record<string, string | string[]>
    parameters?: Record<string, JsonValue>
  }[]
}

/**
 * Builds a {@link Pipeline} from a JSON spec, with the same checks as TypeScript callers get at
 * compile time, at run time: unknown components, inputs and parameters, missing inputs and wrong
 * artifact types are errors naming the node and key.
 */
export function pipelineFromSpec(spec: PipelineSpecJson, registry: Registry = defaultRegistry): Pipeline {
  if (!Array.isArray(spec?.components)) throw new PipelineError('Pipeline spec: "components" must be an array.')
  const nodes = new Map<string, AnyNode>()
  for (const [i, entry] of spec.components.entries()) {
    const where = `Pipeline spec "${spec.name}" components[${i}]${entry.id ? ` ("${entry.id}")` : ''}`
    if (typeof entry.component !== 'string') throw new PipelineError(`${where}: "component" must be a component name.`)
    const definition = registry.component(entry.component)
    const args: Record<string, unknown> = { ...(entry.parameters ?? {}) }
    if (entry.id !== undefined) args.id = entry.id
    for (const [key, ref] of Object.entries(entry.inputs ?? {})) {
      const refs = Array.isArray(ref) ? ref : [ref]
      const channels = refs.map((r) => resolveRef(where, key, r, nodes))
      args[key] = Array.isArray(ref) ? channels : channels[0]
    }
    const node = (definition as unknown as (a: Record<string, unknown>) => AnyNode)(args)
    if (nodes.has(node.id)) throw new PipelineError(`${where}: node id "${node.id}" is used twice.`, { fix: 'Give each entry a distinct "id".' })
    nodes.set(node.id, node)
  }
  return new Pipeline({
    name: spec.name,
    components: [...nodes.values()],
    ...(spec.root === undefined ? {} : { root: spec.root }),
    ...(spec.metadataPath === undefined ? {} : { metadataPath: spec.metadataPath }),
    ...(spec.enableCache === undefined ? {} : { enableCache: spec.enableCache }),
  })
}

function resolveRef(where: string, key: string, ref: string, nodes: Map<string, AnyNode>): Channel {
  const dot = typeof ref === 'string' ? ref.lastIndexOf('.') : -1
  if (dot <= 0) throw new PipelineError(`${where}: input "${key}" must be "<nodeId>.<outputKey>", got ${JSON.stringify(ref)}.`)
  const producer = nodes.get(ref.slice(0, dot))
  const outputKey = ref.slice(dot + 1)
  if (!producer) {
    throw new PipelineError(`${where}: input "${key}" reads node "${ref.slice(0, dot)}", which is not defined before it.`, {
      fix: 'List producers before their consumers in "components".',
    })
  }
  const channel = Object.hasOwn(producer.outputs, outputKey) ? (producer.outputs as Record<string, Channel>)[outputKey] : undefined
  if (!channel) {
    throw new PipelineError(`${where}: input "${key}" reads output "${outputKey}" of node "${producer.id}", which has outputs ${Object.keys(producer.outputs).map((k) => `"${k}"`).join(', ') || '(none)'}.`)
  }
  return channel
}
