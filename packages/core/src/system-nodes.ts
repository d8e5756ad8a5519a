import type { AnyArtifactType } from './artifact-type.js'
import { isArtifactType } from './artifact-type.js'
import type { Channel } from './channel.js'
import { isChannel } from './channel.js'
import type { ComponentDefinition } from './component.js'
import { buildComponent } from './component.js'
import { PipelineError } from './errors.js'
import type { JsonValue } from './json.js'
import { findNonJson } from './json.js'
import type { Node } from './node.js'
import { createNode } from './node.js'
import type { ResolverStrategy } from './resolver-strategies.js'

// System nodes never call an executor: the runner publishes their outputs itself. They still get a
// component definition so every node looks alike to the pipeline, the CLI and the metadata store.
const systemExecutor = async (): Promise<never> => {
  throw new PipelineError('Importer and Resolver nodes are run by the runner, not by an executor.')
}
const ImporterComponent = buildComponent({ name: 'Importer', executionType: 'Process', executor: systemExecutor }, 'system:importer')
const ResolverComponent = buildComponent({ name: 'Resolver', executor: systemExecutor }, 'system:resolver')

/** What `Importer` takes. */
export interface ImporterArgs<T extends AnyArtifactType> {
  /** The uri (file or directory) to register as an artifact; it is not copied. */
  sourceUri: string
  artifactType: T
  /** Register a new artifact even when one with this uri, type and properties exists. @default false */
  reimport?: boolean
  properties?: Record<string, JsonValue>
  customProperties?: Record<string, JsonValue>
  /** @default 'Importer' */
  id?: string
}

/**
 * Registers an external file or directory as an artifact of the given type (TFX's Importer). Its
 * output is `outputs.result`.
 *
 * @example
 * const schema = Importer({ sourceUri: './schema', artifactType: Schema, id: 'curatedSchema' })
 */
export function Importer<const T extends AnyArtifactType>(args: ImporterArgs<T>): Node<{ result: T }> {
  if (typeof args?.sourceUri !== 'string' || args.sourceUri === '') throw new PipelineError('Importer: "sourceUri" must be a non-empty path.')
  if (!isArtifactType(args.artifactType)) throw new PipelineError(`Importer "${args.id ?? 'Importer'}": "artifactType" must be an artifact type such as Schema.`)
  for (const [field, value] of [['properties', args.properties], ['customProperties', args.customProperties]] as const) {
    const bad = value === undefined ? undefined : findNonJson(value)
    if (bad !== undefined) throw new PipelineError(`Importer "${args.id ?? 'Importer'}": ${field}.${bad} is not plain JSON.`)
  }
  const parameters = {
    sourceUri: args.sourceUri,
    artifactType: args.artifactType.name,
    reimport: args.reimport ?? false,
    properties: args.properties ?? {},
    customProperties: args.customProperties ?? {},
  }
  return createNode<{ result: T }>({
    id: args.id,
    component: ImporterComponent as ComponentDefinition,
    inputs: {},
    parameters,
    outputs: { result: args.artifactType },
    system: { kind: 'importer', ...parameters, artifactType: args.artifactType },
  })
}

type ResolverOutputs<A> = { [K in Exclude<keyof A, 'strategy' | 'id'>]: A[K] extends Channel<infer T> ? T : never }

/**
 * Picks artifacts from the pipeline's history with a strategy; outputs mirror the input keys.
 *
 * @example
 * const baseline = Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing) })
 * Evaluator({ baselineModel: baseline.outputs.model, … })
 */
export function Resolver<const A extends { strategy: ResolverStrategy; id?: string }>(
  args: A & { [K in Exclude<keyof A, 'strategy' | 'id'>]: Channel },
): Node<ResolverOutputs<A>> {
  const id = args.id ?? 'Resolver'
  const strategy = args.strategy
  if (!strategy || typeof strategy.resolve !== 'function') throw new PipelineError(`Resolver "${id}": "strategy" must be a strategy such as latestArtifacts() or latestBlessedModel().`)
  const inputs: Record<string, Channel[]> = {}
  const outputs: Record<string, AnyArtifactType> = {}
  for (const [key, value] of Object.entries(args)) {
    if (key === 'strategy' || key === 'id') continue
    if (!isChannel(value)) throw new PipelineError(`Resolver "${id}": "${key}" must be a channel, e.g. Channel(Model) or node.outputs.model.`)
    inputs[key] = [value]
    outputs[key] = value.type
  }
  strategy.checkChannels(Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, t.name])))
  return createNode<ResolverOutputs<A>>({
    id: args.id,
    component: ResolverComponent as ComponentDefinition,
    inputs,
    parameters: { strategy: strategy.name, config: strategy.config },
    outputs,
    system: { kind: 'resolver', strategy },
  })
}
