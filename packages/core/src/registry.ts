import type { AnyArtifactType } from './artifact-type.js'
import type { AnyComponent } from './component.js'
import { RegistryError } from './errors.js'
import { stableStringify } from './json.js'
import type { Plugin } from './plugin.js'
import { isPlugin } from './plugin.js'
import { standardArtifactTypes } from './standard-artifacts.js'

/** Where each standard component ships, so a missing one gets the right `npm i` line. */
export const standardComponentPackages: Readonly<Record<string, string>> = {
  CsvExampleGen: '@sluice/component-example-gen',
  ImportExampleGen: '@sluice/component-example-gen',
  StatisticsGen: '@sluice/component-statistics-gen',
  SchemaGen: '@sluice/component-schema-gen',
  ImportSchemaGen: '@sluice/component-schema-gen',
  ExampleValidator: '@sluice/component-example-validator',
  Transform: '@sluice/component-transform',
  Trainer: '@sluice/component-trainer',
  Tuner: '@sluice/component-tuner',
  Evaluator: '@sluice/component-evaluator',
  InfraValidator: '@sluice/component-infra-validator',
  Pusher: '@sluice/component-pusher',
  BulkInferrer: '@sluice/component-bulk-inferrer',
}

/** A registered component with the package it came from. */
export interface RegisteredComponent {
  readonly component: AnyComponent
  readonly packageName: string | undefined
}

/** Components, artifact types and plugins by name. */
export interface Registry {
  registerArtifactType(type: AnyArtifactType): void
  registerComponent(component: AnyComponent, packageName?: string): void
  /** Registers the plugin and everything it contributes. */
  registerPlugin(plugin: Plugin): void
  /** @throws RegistryError naming the package to install when the type is unknown. */
  artifactType(name: string): AnyArtifactType
  /** @throws RegistryError with the `npm i` command for a standard component that is not installed. */
  component(name: string): AnyComponent
  plugin(name: string): Plugin
  artifactTypes(): AnyArtifactType[]
  components(): RegisteredComponent[]
  plugins(): Plugin[]
}

/** Creates an empty registry holding only the standard artifact types. */
export function createRegistry(): Registry {
  const types = new Map<string, AnyArtifactType>()
  const components = new Map<string, RegisteredComponent>()
  const plugins = new Map<string, Plugin>()
  const registry: Registry = {
    registerArtifactType(type) {
      const existing = types.get(type.name)
      if (existing && existing !== type && stableStringify(existing.properties) !== stableStringify(type.properties)) {
        throw new RegistryError(`Artifact type "${type.name}" is already registered with other properties.`, {
          fix: 'Give your type another name, or reuse the registered one.',
        })
      }
      if (!existing) types.set(type.name, type)
    },
    registerComponent(component, packageName) {
      const existing = components.get(component.name)
      if (existing && existing.component !== component && existing.packageName !== packageName) {
        throw new RegistryError(
          `Component "${component.name}" is registered twice (by ${existing.packageName ?? 'local code'} and by ${packageName ?? 'local code'}).`,
          { fix: 'Rename one of them.' },
        )
      }
      components.set(component.name, { component, packageName })
      for (const type of Object.values(component.outputs)) registry.registerArtifactType(type)
    },
    registerPlugin(plugin) {
      if (!isPlugin(plugin)) throw new RegistryError('registerPlugin: the value is not a plugin made by definePlugin.')
      for (const type of plugin.artifactTypes) registry.registerArtifactType(type)
      for (const component of plugin.components) registry.registerComponent(component, plugin.name)
      plugins.set(plugin.name, plugin)
    },
    artifactType(name) {
      const type = types.get(name)
      if (!type) throw new RegistryError(`Artifact type "${name}" is not registered.`, { fix: 'Import the plugin that defines it, or register it with registry.registerArtifactType().' })
      return type
    },
    component(name) {
      const found = components.get(name)
      if (found) return found.component
      const packageName = Object.hasOwn(standardComponentPackages, name) ? standardComponentPackages[name] : undefined
      if (packageName) {
        throw new RegistryError(`Component "${name}" is not installed.`, { packageName, fix: `Run \`npm i ${packageName}\` and import it.` })
      }
      throw new RegistryError(`Component "${name}" is not registered.`, {
        fix: `Registered components: ${[...components.keys()].map((k) => `"${k}"`).join(', ') || '(none)'}.`,
      })
    },
    plugin(name) {
      const plugin = plugins.get(name)
      if (!plugin) throw new RegistryError(`Plugin "${name}" is not loaded.`, { packageName: name, fix: `Run \`npm i ${name}\` and list it in sluice.plugins.` })
      return plugin
    },
    artifactTypes: () => [...types.values()],
    components: () => [...components.values()],
    plugins: () => [...plugins.values()],
  }
  for (const type of standardArtifactTypes) registry.registerArtifactType(type)
  return registry
}

/**
 * The process-wide registry. It lives on `globalThis` under a `Symbol.for` key so that every copy of
 * `@sluice/core` in the process shares it.
 */
export const registry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[Symbol.for('@sluice/core:registry')] ??= createRegistry())

/** Options of {@link loadPlugin}. */
export interface LoadPluginOptions {
  /**
   * Imports the module. Defaults to `import()`, which resolves package names from `@sluice/core`'s own
   * folder; the `sluice` CLI passes one that resolves from the project and loads TypeScript files.
   */
  importer?: (specifier: string) => Promise<unknown>
  /** Where to register the plugin. @default the process-wide {@link registry} */
  registry?: Registry
}

/**
 * Imports a plugin package (or module path) and registers its default export, which must be made by
 * {@link definePlugin}. A package that is not installed gets a {@link RegistryError} with the `npm i`
 * command; any other import failure (a syntax error, a missing dependency of the plugin) is rethrown
 * as it is.
 *
 * @example
 * const plugin = await loadPlugin('sluice-plugin-csv-export')
 * registry.component('ExportSplitToCsv')
 */
export async function loadPlugin(packageName: string, options: LoadPluginOptions = {}): Promise<Plugin> {
  const importer = options.importer ?? ((specifier: string) => import(specifier))
  let mod: unknown
  try {
    mod = await importer(packageName)
  } catch (error) {
    const code = (error as { code?: string }).code
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${packageName}'`)) {
      throw new RegistryError(`Plugin "${packageName}" is not installed.`, { packageName, cause: error, fix: `Run \`npm i ${packageName}\`.` })
    }
    throw error
  }
  const exported = (mod as { default?: unknown } | undefined)?.default
  // A CommonJS module's `exports` arrive as the default export; its own `exports.default` one level down.
  const plugin = isPlugin(exported) ? exported : (exported as { default?: unknown } | undefined)?.default
  if (!isPlugin(plugin)) {
    throw new RegistryError(`Package "${packageName}" has no plugin as its default export.`, { fix: 'Export definePlugin({ … }) as the default export.' })
  }
  const target = options.registry ?? registry
  target.registerPlugin(plugin)
  return plugin
}
