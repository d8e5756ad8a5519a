import type { AnyArtifactType } from './artifact-type.js'
import { isArtifactType } from './artifact-type.js'
import { hasKind, kind } from './brand.js'
import type { AnyComponent } from './component.js'
import { isComponent } from './component.js'
import { ComponentDefinitionError } from './errors.js'

/**
 * A bundle of artifact types and components published as one npm package. The `sluice` CLI finds
 * plugin packages by their `sluice-plugin` keyword or in `sluice.plugins` and registers their
 * default export before it loads a pipeline.
 */
export interface Plugin {
  /** @internal */
  readonly [kind]: 'Plugin'
  /** The npm package name; components are registered under it. */
  readonly name: string
  /** The plugin's own version, usually its package.json version. */
  readonly version: string | undefined
  /**
   * The `@sluice/core` semver range the plugin was built against (`^0.1.0`). When the installed core
   * is outside it, the CLI warns; without it, the package's `peerDependencies["@sluice/core"]` is used.
   */
  readonly coreVersion: string | undefined
  readonly artifactTypes: readonly AnyArtifactType[]
  readonly components: readonly AnyComponent[]
}

/**
 * Declares a plugin; a third-party package makes it its default export. Keep the module light: give
 * components lazy executors (`executor: () => import('./executor.js')`) so that listing or loading the
 * plugin does not load their heavy dependencies.
 *
 * @example
 * export default definePlugin({
 *   name: 'acme-feature-store',
 *   version: '1.2.0',
 *   coreVersion: '^0.1.0',
 *   artifactTypes: [FeatureView],
 *   components: [FeatureViewGen],
 * })
 */
export function definePlugin(def: {
  name: string
  version?: string
  coreVersion?: string
  artifactTypes?: readonly AnyArtifactType[]
  components?: readonly AnyComponent[]
}): Plugin {
  if (typeof def?.name !== 'string' || def.name === '') throw new ComponentDefinitionError('definePlugin: "name" must be the plugin\'s package name.')
  for (const key of ['version', 'coreVersion'] as const) {
    const value: unknown = def[key]
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new ComponentDefinitionError(`Plugin "${def.name}": "${key}" must be a version string such as ${key === 'version' ? '"1.0.0"' : '"^0.1.0"'}.`)
    }
  }
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
