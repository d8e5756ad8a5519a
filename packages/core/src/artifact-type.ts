import { hasKind, kind } from './brand.js'
import { ComponentDefinitionError } from './errors.js'
import type { JsonValue } from './json.js'

/** The kinds a declared artifact property can have; stored in the metadata store with MLMD's property types. */
export type PropertyKind = 'int' | 'float' | 'string' | 'boolean' | 'json' | 'string[]'

/** Declared properties of an artifact type: property name to kind. */
export type PropertySpec = { readonly [name: string]: PropertyKind }

/** The TypeScript type of a property of the given kind. */
export type PropertyValueOf<K extends PropertyKind> = K extends 'int' | 'float'
  ? number
  : K extends 'string'
    ? string
    : K extends 'boolean'
      ? boolean
      : K extends 'string[]'
        ? string[]
        : JsonValue

/** The property values of an artifact whose type declares `P`; each may still be unset. */
export type PropertyValues<P extends PropertySpec> = { -readonly [K in keyof P]?: PropertyValueOf<P[K]> }

/** ML Metadata's system base type of an artifact type. */
export type ArtifactBaseType = 'DATASET' | 'MODEL' | 'METRICS' | 'STATISTICS'

/** How a value artifact (String, Integer, Float, Boolean, JsonValue) encodes its payload in the file at its uri. */
export type ValueKind = 'string' | 'int' | 'float' | 'boolean' | 'json'

/**
 * An artifact type: a value that names a kind of artifact and declares its typed properties. Static
 * types are inferred from it, so `Channel<typeof Examples>` and `Channel<typeof Model>` do not mix.
 */
export interface ArtifactType<N extends string = string, P extends PropertySpec = PropertySpec, V = never> {
  /** @internal */
  readonly [kind]: 'ArtifactType'
  /** The type name, as recorded in the metadata store (TFX's `TYPE_NAME`). */
  readonly name: N
  /** Declared, typed properties. */
  readonly properties: P
  /** ML Metadata's base type, when the type is one of its system types. */
  readonly baseType: ArtifactBaseType | undefined
  readonly description: string | undefined
  /** Set only for value artifacts: how the payload is encoded in the file at the uri. */
  readonly valueKind: ValueKind | undefined
  /** @internal Phantom: the payload type of a value artifact. Never set at run time. */
  readonly __value?: V
}

/** Any artifact type. */
export type AnyArtifactType = ArtifactType<string, PropertySpec, unknown>

/** The payload type of a value artifact type (`number` for Integer…), `never` for others. */
export type ValueOf<T extends AnyArtifactType> = T extends ArtifactType<string, PropertySpec, infer V> ? V : never

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/
const PROPERTY_KINDS: readonly PropertyKind[] = ['int', 'float', 'string', 'boolean', 'json', 'string[]']

/**
 * Declares an artifact type.
 *
 * @example
 * export const Examples = defineArtifactType({ name: 'Examples', properties: { span: 'int', version: 'int', splitNames: 'string[]' } })
 */
export function defineArtifactType<const N extends string, const P extends PropertySpec = {}>(def: {
  name: N
  properties?: P
  baseType?: ArtifactBaseType
  description?: string
}): ArtifactType<N, P> {
  return makeArtifactType(def, undefined)
}

/** @internal Declares a value artifact type; the standard ones are {@link StringArtifact} and friends. */
export function defineValueArtifactType<const N extends string, V>(name: N, valueKind: ValueKind): ArtifactType<N, {}, V> {
  return makeArtifactType({ name }, valueKind) as ArtifactType<N, {}, V>
}

function makeArtifactType<N extends string, P extends PropertySpec>(
  def: { name: N; properties?: P; baseType?: ArtifactBaseType; description?: string },
  valueKind: ValueKind | undefined,
): ArtifactType<N, P> {
  if (typeof def.name !== 'string' || !TYPE_NAME.test(def.name)) {
    throw new ComponentDefinitionError(`Artifact type name ${JSON.stringify(def.name)} is invalid.`, {
      fix: 'Use letters, digits, "_", "." or "-", starting with a letter (e.g. "Examples").',
    })
  }
  const properties = { ...(def.properties ?? {}) } as P
  for (const [prop, k] of Object.entries(properties)) {
    if (!PROPERTY_KINDS.includes(k)) {
      throw new ComponentDefinitionError(`Artifact type "${def.name}": property "${prop}" has unknown kind ${JSON.stringify(k)}.`, {
        fix: `Use one of ${PROPERTY_KINDS.join(', ')}.`,
      })
    }
  }
  return Object.freeze({
    [kind]: 'ArtifactType' as const,
    name: def.name,
    properties: Object.freeze(properties),
    baseType: def.baseType,
    description: def.description,
    valueKind,
  })
}

/** Whether `value` is an artifact type. */
export function isArtifactType(value: unknown): value is AnyArtifactType {
  return hasKind(value, 'ArtifactType')
}

/**
 * The name a property has in the metadata store. TypeScript uses camelCase (`splitNames`), TFX and
 * ML Metadata snake_case (`split_names`); keeping TFX's names keeps stores readable by TFX tools.
 */
export function metadataPropertyName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}
