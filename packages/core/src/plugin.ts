import type { AnyArtifactType } from './artifact-type.js'
import { isArtifactType } from './artifact-type.js'
import { hasKind, kind } from './brand.js'
import type { AnyComponent } from './component.js'
import { isComponent } from './component.js'
import { ComponentDefinitionError } from './errors.js'

/** A bundle of artifact types and components published as one npm package. */
export interface Plugin {
  /** @internal */
  readonly [kind]: 'Plugin'
  /** Usually the npm package name. */
  readonly name: string
  readonly version: string | undefined
  /** The `@sluice/core` range the plugin was built against, checked when it is loaded. */
  readonly coreVersion: string | undefined
  readonly artifactTypes: readonly AnyArtifactType[]
  readonly components: readonly AnyComponent[]
}

/**
 * Declares a plugin; a third-party package makes it its default export.
 *
 * @example
 * export default definePlugin({ name: 'acme-feature-store', artifactTypes: [FeatureView], components: [FeatureViewGen] })
 */
export function definePlugin(def: {
  name: string
  version?: string
  coreVersion?: string
  artifactTypes?: readonly AnyArtifactType[]
  components?: readonly AnyComponent[]
}): Plugin {
  if (typeof def?.name !== 'string' || def.name === '') throw new ComponentDefinitionError('definePlugin: "name" must be the plugin\'s package name.')
  for (const [i, t] of (def.artifactTypes ?? []).entries()) {
    if (!isArtifactType(t)) throw new ComponentDefinitionError(`Plugin "${def.name}": artifactTypes[${i}] is not an artifact type made by defineArtifactType.`)
  }
  for (const [i, c] of (def.components ?? []).entries()) {
    if (!isComponent(c)) throw new ComponentDefinitionError(`Plugin "${def.name}": components[${i}] is not a component made by defineComponent or component.`)
  }
  return Object.freeze({
    [kind]: 'Plugin' as const,
    name: def.name,
    version: def.version,
    coreVersion: def.coreVersion,
    artifactTypes: Object.freeze([...(def.artifactTypes ?? [])]),
    components: Object.freeze([...(def.components ?? [])]),
  })
}

/** Whether `value` is a plugin. */
export function isPlugin(value: unknown): value is Plugin {
  return hasKind(value, 'Plugin')
}
