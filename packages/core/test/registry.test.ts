import { describe, expect, test } from 'vitest'
import {
  ComponentDefinitionError,
  Examples,
  Model,
  RegistryError,
  createRegistry,
  defineArtifactType,
  defineComponent,
  definePlugin,
  isPlugin,
  loadPlugin,
  registry,
  standardArtifactTypes,
  standardComponentPackages,
} from '../src/index.js'
import type { AnyComponent, Plugin } from '../src/index.js'
import { ExampleGen, StatisticsGen, Trainer, noopExecutor, rejected, thrown } from './helpers.js'

const FeatureView = defineArtifactType({ name: 'acme.FeatureView', properties: { rowCount: 'int', owner: 'string' } })
const FeatureViewGen = defineComponent({ name: 'acme.FeatureViewGen', outputs: { view: FeatureView }, executor: noopExecutor })

describe('createRegistry', () => {
  test('holds every standard artifact type and nothing else', () => {
    const r = createRegistry()
    expect(r.artifactTypes()).toEqual([...standardArtifactTypes])
    expect(r.artifactType('Examples')).toBe(Examples)
    expect(r.artifactType('Integer').valueKind).toBe('int')
    expect(r.components()).toEqual([])
    expect(r.plugins()).toEqual([])
  })

  test('registries are independent of each other and of the process-wide one', () => {
    const a = createRegistry()
    a.registerComponent(Trainer)
    expect(createRegistry().components()).toEqual([])
    expect(registry.components().some((c) => c.component === Trainer)).toBe(false)
  })

  test('an unknown artifact type is a RegistryError', () => {
    const error = thrown(() => createRegistry().artifactType('acme.Nope'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('SLUICE_NOT_REGISTERED')
    expect(error.message).toContain('Artifact type "acme.Nope" is not registered.')
  })
})

describe('registerArtifactType', () => {
  test('registers a new type; registering it again is harmless', () => {
    const r = createRegistry()
    r.registerArtifactType(FeatureView)
    r.registerArtifactType(FeatureView)
    expect(r.artifactType('acme.FeatureView')).toBe(FeatureView)
    expect(r.artifactTypes().filter((t) => t.name === 'acme.FeatureView')).toHaveLength(1)
  })

  test('an equal type from another copy keeps the first, whatever its property order', () => {
    const r = createRegistry()
    r.registerArtifactType(FeatureView)
    r.registerArtifactType(defineArtifactType({ name: 'acme.FeatureView', properties: { owner: 'string', rowCount: 'int' } }))
    expect(r.artifactType('acme.FeatureView')).toBe(FeatureView)
  })

  test('a type with the same name and other properties is refused', () => {
    const r = createRegistry()
    r.registerArtifactType(FeatureView)
    const error = thrown(() => r.registerArtifactType(defineArtifactType({ name: 'acme.FeatureView', properties: { rowCount: 'float' } })))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.message).toContain('Artifact type "acme.FeatureView" is already registered with other properties.')
    expect(() => r.registerArtifactType(defineArtifactType({ name: 'Examples' }))).toThrow('Artifact type "Examples" is already registered')
  })
})

describe('components', () => {
  test('registerComponent makes it findable by name and registers its output types', () => {
    const r = createRegistry()
    r.registerComponent(FeatureViewGen, 'acme-feature-store')
    expect(r.component('acme.FeatureViewGen')).toBe(FeatureViewGen)
    expect(r.components()).toEqual([{ component: FeatureViewGen, packageName: 'acme-feature-store' }])
    expect(r.artifactType('acme.FeatureView')).toBe(FeatureView)
  })

  test('a missing standard component names the package to install', () => {
    const error = thrown(() => createRegistry().component('Trainer'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('SLUICE_PACKAGE_MISSING')
    expect(error.packageName).toBe('@sluice/component-trainer')
    expect(error.message).toContain('Component "Trainer" is not installed.')
    expect(error.message).toContain('npm i @sluice/component-trainer')
  })

  test('every standard component maps to a @sluice/component-* package', () => {
    for (const [name, pkg] of Object.entries(standardComponentPackages)) {
      expect(pkg).toMatch(/^@sluice\/component-[a-z-]+$/)
      expect(thrown(() => createRegistry().component(name)).packageName).toBe(pkg)
    }
  })

  test('an unknown component lists the registered ones', () => {
    const r = createRegistry()
    expect(() => r.component('Nope')).toThrow('Component "Nope" is not registered. Registered components: (none).')
    r.registerComponent(ExampleGen)
    r.registerComponent(StatisticsGen)
    const error = thrown(() => r.component('Nope'))
    expect(error.code).toBe('SLUICE_NOT_REGISTERED')
    expect(error.packageName).toBeUndefined()
    expect(error.message).toContain('Registered components: "ExampleGen", "StatisticsGen".')
  })

  test('names of Object.prototype members are unknown components, not packages', () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const error = thrown(() => createRegistry().component(name))
      expect(error.code).toBe('SLUICE_NOT_REGISTERED')
    }
  })

  test('two different components with one name from different packages are refused', () => {
    const r = createRegistry()
    const Other = defineComponent({ name: 'Trainer', executor: noopExecutor })
    r.registerComponent(Trainer, '@sluice/component-trainer')
    const error = thrown(() => r.registerComponent(Other, 'acme-trainer'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.message).toBe(
      'Component "Trainer" is registered twice (by @sluice/component-trainer and by acme-trainer). Rename one of them.',
    )
    expect(() => r.registerComponent(Other)).toThrow('(by @sluice/component-trainer and by local code)')
  })

  test('the same package registering again replaces its component', () => {
    const r = createRegistry()
    const Reloaded = Trainer.withExecutor(noopExecutor)
    r.registerComponent(Trainer, 'pkg')
    r.registerComponent(Trainer, 'pkg')
    r.registerComponent(Reloaded, 'pkg')
    expect(r.component('Trainer')).toBe(Reloaded)
    expect(r.components()).toHaveLength(1)
  })
})

describe('definePlugin', () => {
  test('makes a frozen plugin with copies of its lists', () => {
    const types = [FeatureView]
    const plugin = definePlugin({ name: 'acme-feature-store', version: '1.2.0', coreVersion: '^0.1.0', artifactTypes: types, components: [FeatureViewGen] })
    types.push(Model as never)
    expect(isPlugin(plugin)).toBe(true)
    expect(plugin.name).toBe('acme-feature-store')
    expect(plugin.version).toBe('1.2.0')
    expect(plugin.coreVersion).toBe('^0.1.0')
    expect(plugin.artifactTypes).toEqual([FeatureView])
    expect(plugin.components).toEqual([FeatureViewGen])
    expect(Object.isFrozen(plugin)).toBe(true)
    expect(definePlugin({ name: 'empty' })).toMatchObject({ artifactTypes: [], components: [] })
    expect(isPlugin({ name: 'x', artifactTypes: [], components: [] })).toBe(false)
  })

  test('checks its definition', () => {
    for (const def of [undefined, {}, { name: '' }, { name: 3 }]) {
      expect(() => definePlugin(def as never)).toThrow('definePlugin: "name" must be the plugin\'s package name.')
    }
    const error = thrown(() => definePlugin({ name: 'acme', artifactTypes: [FeatureView, { name: 'Fake', properties: {} } as never] }))
    expect(error).toBeInstanceOf(ComponentDefinitionError)
    expect(error.message).toBe('Plugin "acme": artifactTypes[1] is not an artifact type made by defineArtifactType.')
    // A node is the usual mistake: the component was called.
    const node = ExampleGen({ inputBase: 'x' })
    expect(() => definePlugin({ name: 'acme', components: [node as unknown as AnyComponent] })).toThrow(
      'Plugin "acme": components[0] is not a component made by defineComponent or component.',
    )
    expect(() => definePlugin({ name: 'acme', coreVersion: 1 as never })).toThrow('Plugin "acme": "coreVersion" must be a version string such as "^0.1.0".')
    expect(() => definePlugin({ name: 'acme', version: ' ' })).toThrow('Plugin "acme": "version" must be a version string such as "1.0.0".')
  })
})

describe('registerPlugin', () => {
  test('registers the plugin, its artifact types and its components under the plugin name', () => {
    const Extra = defineArtifactType({ name: 'acme.Extra' })
    const plugin = definePlugin({ name: 'acme-feature-store', artifactTypes: [Extra], components: [FeatureViewGen] })
    const r = createRegistry()
    r.registerPlugin(plugin)
    expect(r.plugin('acme-feature-store')).toBe(plugin)
    expect(r.plugins()).toEqual([plugin])
    expect(r.artifactType('acme.Extra')).toBe(Extra)
    expect(r.artifactType('acme.FeatureView')).toBe(FeatureView)
    expect(r.component('acme.FeatureViewGen')).toBe(FeatureViewGen)
    expect(r.components()).toEqual([{ component: FeatureViewGen, packageName: 'acme-feature-store' }])
  })

  test('refuses what is not a plugin', () => {
    expect(() => createRegistry().registerPlugin({ name: 'x', artifactTypes: [], components: [] } as unknown as Plugin)).toThrow(
      'registerPlugin: the value is not a plugin made by definePlugin.',
    )
  })

  test('a plugin that is not loaded names the package to install', () => {
    const error = thrown(() => createRegistry().plugin('acme-missing'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('SLUICE_PACKAGE_MISSING')
    expect(error.packageName).toBe('acme-missing')
    expect(error.message).toContain('npm i acme-missing')
  })
})

describe('the process-wide registry', () => {
  test('lives on globalThis under a Symbol.for key, so every copy of core shares it', () => {
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('@sluice/core:registry')]).toBe(registry)
    expect(registry.artifactType('Examples')).toBe(Examples)
  })
})

describe('loadPlugin', () => {
  const notFound = (specifier: string) =>
    Object.assign(new Error(`Cannot find package '${specifier}' imported from /work/app/sluice.config.js`), { code: 'ERR_MODULE_NOT_FOUND' })

  test('imports the package and registers its default export in the process-wide registry', async () => {
    const Gen = defineComponent({ name: 'loadtest.Gen', outputs: { view: FeatureView }, executor: noopExecutor })
    const plugin = definePlugin({ name: 'loadtest-plugin', components: [Gen] })
    const requested: string[] = []
    const loaded = await loadPlugin('loadtest-plugin', {
      importer: async (s) => {
        requested.push(s)
        return { default: plugin }
      },
    })
    expect(requested).toEqual(['loadtest-plugin'])
    expect(loaded).toBe(plugin)
    expect(registry.plugin('loadtest-plugin')).toBe(plugin)
    expect(registry.component('loadtest.Gen')).toBe(Gen)
  })

  test('a package that is not installed gets the npm i command', async () => {
    const cause = notFound('acme-missing')
    const error = await rejected(loadPlugin('acme-missing', { importer: async () => Promise.reject(cause) }))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.code).toBe('SLUICE_PACKAGE_MISSING')
    expect(error.packageName).toBe('acme-missing')
    expect(error.message).toBe('Plugin "acme-missing" is not installed. Run `npm i acme-missing`.')
    expect(error.cause).toBe(cause)
    const cjs = Object.assign(new Error("Cannot find module 'acme-cjs'\nRequire stack:\n- /app/x.js"), { code: 'MODULE_NOT_FOUND' })
    expect((await rejected(loadPlugin('acme-cjs', { importer: async () => Promise.reject(cjs) }))).code).toBe('SLUICE_PACKAGE_MISSING')
  })

  test('a missing dependency of an installed plugin is not reported as the plugin missing', async () => {
    const depMissing = Object.assign(
      new Error("Cannot find package 'acme-utils' imported from /work/app/node_modules/acme/dist/index.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    )
    const error = await rejected(loadPlugin('acme', { importer: async () => Promise.reject(depMissing) }))
    expect(error).toBe(depMissing)
  })

  test('other import failures are rethrown as they are', async () => {
    const boom = new SyntaxError('Unexpected token')
    expect(await rejected(loadPlugin('acme-broken', { importer: async () => Promise.reject(boom) }))).toBe(boom)
  })

  test('a module without a plugin as its default export is an error', async () => {
    for (const mod of [{}, { default: { name: 'acme' } }, { plugin: definePlugin({ name: 'acme-named' }) }]) {
      const error = await rejected(loadPlugin('acme-noplugin', { importer: async () => mod }))
      expect(error).toBeInstanceOf(RegistryError)
      expect(error.message).toBe('Package "acme-noplugin" has no plugin as its default export. Export definePlugin({ … }) as the default export.')
    }
    expect(() => registry.plugin('acme-noplugin')).toThrow(RegistryError)
  })

  test('registers into the registry it is given, and unwraps a CommonJS default export', async () => {
    const plugin = definePlugin({ name: 'loadtest-cjs', components: [FeatureViewGen] })
    const isolated = createRegistry()
    expect(await loadPlugin('loadtest-cjs', { importer: async () => ({ default: { default: plugin } }), registry: isolated })).toBe(plugin)
    expect(isolated.plugin('loadtest-cjs')).toBe(plugin)
    expect(isolated.component('acme.FeatureViewGen')).toBe(FeatureViewGen)
    expect(() => registry.plugin('loadtest-cjs')).toThrow(RegistryError)
  })

  test('by default it imports with import()', async () => {
    const error = await rejected(loadPlugin('@sluice-test/definitely-not-installed'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.message).toContain('npm i @sluice-test/definitely-not-installed')
  })
})
