import type { AnyArtifactType } from './artifact-type.js'
import { isArtifactType } from './artifact-type.js'
import { hasKind, kind } from './brand.js'
import { WiringError } from './errors.js'
import type { AnyNode } from './node.js'

/**
 * A typed handle on artifacts: either the output `outputKey` of a node of this pipeline, or, with
 * no producer, every LIVE artifact of the type recorded for this pipeline (what a Resolver reads).
 */
export interface Channel<T extends AnyArtifactType = AnyArtifactType> {
  /** @internal */
  readonly [kind]: 'Channel'
  readonly type: T
  /** The node whose output this is; undefined for a standalone channel. */
  readonly producer: AnyNode | undefined
  /** The producer's output key; undefined for a standalone channel. */
  readonly outputKey: string | undefined
}

/**
 * A standalone channel over every artifact of `type` in the pipeline's history.
 *
 * @example
 * Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing) })
 */
export function Channel<const T extends AnyArtifactType>(type: T): Channel<T> {
  if (!isArtifactType(type)) throw new WiringError(`Channel(type): ${JSON.stringify(type) ?? String(type)} is not an artifact type.`, { fix: 'Pass one such as Model or Examples.' })
  return Object.freeze({ [kind]: 'Channel' as const, type, producer: undefined, outputKey: undefined })
}

/** @internal A node's output channel. */
export function outputChannel<T extends AnyArtifactType>(type: T, producer: AnyNode, outputKey: string): Channel<T> {
  return Object.freeze({ [kind]: 'Channel' as const, type, producer, outputKey })
}

/** Whether `value` is a channel. */
export function isChannel(value: unknown): value is Channel {
  return hasKind(value, 'Channel')
}

/** How a channel is named in messages: `"Trainer".model` or `Channel(Model)`. */
export function describeChannel(channel: Channel): string {
  return channel.producer ? `"${channel.producer.id}".${channel.outputKey}` : `Channel(${channel.type.name})`
}
