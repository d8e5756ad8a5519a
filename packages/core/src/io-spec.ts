import type { AnyArtifactType } from './artifact-type.js'
import { isArtifactType } from './artifact-type.js'
import { hasKind, kind } from './brand.js'

/** An input that may be left unconnected. */
export interface OptionalInput<T extends AnyArtifactType = AnyArtifactType> {
  /** @internal */
  readonly [kind]: 'InputModifier'
  readonly modifier: 'optional'
  readonly type: T
}

/** An input that takes any number of artifacts (one or more channels). */
export interface ListInput<T extends AnyArtifactType = AnyArtifactType> {
  /** @internal */
  readonly [kind]: 'InputModifier'
  readonly modifier: 'list'
  readonly type: T
}

/** What an input key of a component can be declared as. */
export type InputSpecEntry = AnyArtifactType | OptionalInput | ListInput

/** A component's inputs: key to artifact type, `optional(type)` or `list(type)`. */
export type InputSpec = { readonly [key: string]: InputSpecEntry }

/** A component's outputs: key to artifact type. */
export type OutputSpec = { readonly [key: string]: AnyArtifactType }

/**
 * Marks an input as optional: the component may be called without it.
 *
 * @example
 * inputs: { examples: Examples, schema: optional(Schema) }
 */
export function optional<const T extends AnyArtifactType>(type: T): OptionalInput<T> {
  return Object.freeze({ [kind]: 'InputModifier' as const, modifier: 'optional' as const, type })
}

/**
 * Marks an input as a list: it accepts one channel or an array of channels, and the executor gets
 * every artifact of all of them.
 */
export function list<const T extends AnyArtifactType>(type: T): ListInput<T> {
  return Object.freeze({ [kind]: 'InputModifier' as const, modifier: 'list' as const, type })
}

/** The normalised form of an input spec entry. */
export interface InputDescription {
  readonly type: AnyArtifactType
  readonly optional: boolean
  readonly list: boolean
}

/** Normalises an input spec entry; returns undefined when it is not one. */
export function describeInput(entry: unknown): InputDescription | undefined {
  if (isArtifactType(entry)) return { type: entry, optional: false, list: false }
  if (hasKind(entry, 'InputModifier')) {
    const m = entry as OptionalInput | ListInput
    return { type: m.type, optional: m.modifier === 'optional', list: m.modifier === 'list' }
  }
  return undefined
}
