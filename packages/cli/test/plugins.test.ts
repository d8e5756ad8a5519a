// Plugin discovery, loading, `sluice components` and `sluice run` with discovered plugins, on
// temporary projects whose node_modules hold plugin packages written by the tests.
import fs from 'node:fs'
import path from 'node:path'
import { createRegistry } from '@sluice/core'
import type { RunResult } from '@sluice/runner'
import { describe, expect, test } from 'vitest'
import { discoverPlugins, loadPlugins, main, scanInstalledPlugins } from '../src/index.js'
import type { ComponentsListing } from '../src/index.js'
import { TestIo, tempDir } from './helpers.js'
import { linkPackage, pluginProject, writeFiles } from './plugin-project.js'

const versionWarning = 'warning: Plugin "acme-sluice-greetings" was built for @sluice/core ^2.0.0 but 0.1.0 is installed; it may not work.\n'

/** Runs `sluice <args>` in `cwd` against a fresh registry. */
async function sluice(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = new TestIo(cwd)
  const code = await main(args, io, { registry: createRegistry() })
  return { code, out: io.out, err: io.err }
}

describe('discovery', () => {
  test('finds listed plugins first, then keyword packages (scoped too) by name, and reads no other package', async () => {
    const dir = pluginProject(tempDir())
    const found = await discoverPlugins({ cwd: dir })
    expect(found.projectDir).toBe(dir)
    expect(found.configFile).toBe(path.join(dir, 'sluice.config.json'))
    expect(found.references.map((r) => [r.specifier, r.source.kind])).toEqual([
      ['./plugins/local-plugin.ts', 'config'],
      ['listed-plugin', 'package.json'],
      ['@acme/sluice-merge', 'keyword'],
      ['acme-sluice-greetings', 'keyword'],
    ])
    expect(found.warnings).toEqual([])
  })

  test('a sluice.config.json next to the pipeline file wins over the one in the current directory', async () => {
    const dir = tempDir()
    writeFiles(dir, { 'sluice.config.json': { plugins: ['from-cwd'] }, 'pipelines/sluice.config.json': { plugins: ['./near.ts'] } })
    const found = await discoverPlugins({ cwd: dir, pipelineFile: 'pipelines/p.json' })
    expect(found.configFile).toBe(path.join(dir, 'pipelines', 'sluice.config.json'))
    expect(found.references).toEqual([{ specifier: './near.ts', baseDir: path.join(dir, 'pipelines'), source: { kind: 'config', file: found.configFile } }])
    expect((await discoverPlugins({ cwd: dir, pipelineFile: 'elsewhere/p.json' })).references.map((r) => r.specifier)).toEqual(['from-cwd'])
  })

  test('the project is the nearest folder with a package.json; in an npm workspace the root node_modules is scanned too', async () => {
    const root = tempDir()
    writeFiles(root, {
      'package.json': { name: 'monorepo', private: true, workspaces: ['apps/*'] },
      'node_modules/hoisted-plugin/package.json': { name: 'hoisted-plugin', keywords: ['sluice-plugin'] },
      'apps/taxi/package.json': { name: 'taxi', sluice: { plugins: ['hoisted-plugin', 'other'] } },
      'apps/taxi/node_modules/own-plugin/package.json': { name: 'own-plugin', keywords: ['sluice-plugin'] },
    })
    const found = await discoverPlugins({ cwd: path.join(root, 'apps', 'taxi', 'pipelines') })
    expect(found.projectDir).toBe(path.join(root, 'apps', 'taxi'))
    // Listed and keyword-discovered at once: loaded once, as listed.
    expect(found.references.map((r) => [r.specifier, r.source.kind])).toEqual([
      ['hoisted-plugin', 'package.json'],
      ['other', 'package.json'],
      ['own-plugin', 'keyword'],
    ])
  })

  test('scanInstalledPlugins reads package.json keywords only, and tolerates junk', async () => {
    const dir = tempDir()
    writeFiles(dir, {
      'node_modules/a/package.json': { name: 'a', keywords: ['sluice-plugin'] },
      'node_modules/b/package.json': { name: 'b', keywords: 'sluice-plugin' },
      'node_modules/c/package.json': '{ not json sluice-plugin',
      'node_modules/d/README.md': 'no package.json',
      'node_modules/@s/e/package.json': { name: '@s/e', keywords: ['x', 'sluice-plugin'] },
      'node_modules/.bin/sluice': '',
    })
    expect(await scanInstalledPlugins(path.join(dir, 'node_modules'))).toEqual([
      { name: '@s/e', dir: path.join(dir, 'node_modules', '@s', 'e') },
      { name: 'a', dir: path.join(dir, 'node_modules', 'a') },
    ])
    expect(await scanInstalledPlugins(path.join(dir, 'missing'))).toEqual([])
  })

  test('config mistakes are errors naming the file; unknown keys are warnings', async () => {
    const dir = tempDir()
    writeFiles(dir, { 'sluice.config.json': '{ "plugins": [' })
    await expect(discoverPlugins({ cwd: dir })).rejects.toMatchObject({ code: 'SLUICE_CLI_CONFIG_INVALID', message: expect.stringContaining('sluice.config.json is not valid JSON') })
    writeFiles(dir, { 'sluice.config.json': { plugins: 'sluice-plugin-csv-export' } })
    await expect(discoverPlugins({ cwd: dir })).rejects.toThrow('sluice.config.json: "plugins" must be a list of package names or module paths.')
    writeFiles(dir, { 'sluice.config.json': { plugin: ['x'] } })
    expect((await discoverPlugins({ cwd: dir })).warnings).toEqual([`${path.join(dir, 'sluice.config.json')}: unknown key "plugin" is ignored (known keys: "plugins").`])
    writeFiles(dir, { 'sluice.config.json': {}, 'package.json': { sluice: ['x'] } })
    await expect(discoverPlugins({ cwd: dir })).rejects.toThrow('package.json: "sluice" must be an object such as { "plugins": ["sluice-plugin-csv-export"] }.')
  })
})

describe('loadPlugins', () => {
  test('registers each plugin with its package, version and core range, and warns about a core mismatch', async () => {
    const dir = pluginProject(tempDir())
    const registry = createRegistry()
    const { loaded, warnings } = await loadPlugins((await discoverPlugins({ cwd: dir })).references, { registry, cwd: dir })
    expect(loaded.map((l) => [l.plugin.name, l.packageName, l.packageVersion, l.coreRange, l.coreVersion])).toEqual([
      ['local-plugin', undefined, undefined, undefined, '0.1.0'],
      ['listed-plugin', 'listed-plugin', '0.0.1', undefined, '0.1.0'],
      // coreVersion in definePlugin wins over the peer dependency range.
      ['@acme/sluice-merge', '@acme/sluice-merge', '0.3.1', '^0.1.0', '0.1.0'],
      ['acme-sluice-greetings', 'acme-sluice-greetings', '1.4.0', '^2.0.0', '0.1.0'],
    ])
    expect(warnings).toEqual([versionWarning.slice('warning: '.length, -1)])
    expect(registry.components().map((c) => [c.component.name, c.packageName])).toEqual([
      ['LocalCount', 'local-plugin'],
      ['AcmeMerge', '@acme/sluice-merge'],
      ['AcmeGreet', 'acme-sluice-greetings'],
      ['AcmeScore', 'acme-sluice-greetings'],
    ])
  })

  test('a keyword plugin that fails to load is skipped with a warning; a listed one is an error', async () => {
    const dir = tempDir()
    linkPackage(dir, '@sluice/core', path.resolve(import.meta.dirname, '..', '..', 'core'))
    writeFiles(dir, {
      'node_modules/broken-plugin/package.json': { name: 'broken-plugin', type: 'module', main: 'index.js', keywords: ['sluice-plugin'] },
      'node_modules/broken-plugin/index.js': "import 'acme-missing-dependency'\n",
    })
    const references = (await discoverPlugins({ cwd: dir })).references
    const { loaded, warnings } = await loadPlugins(references, { registry: createRegistry(), cwd: dir })
    expect(loaded).toEqual([])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^Plugin "broken-plugin" \(installed with the "sluice-plugin" keyword\) failed to load and was skipped: Cannot find package 'acme-missing-dependency' imported from .*index\.js\. Reinstall it with `npm i broken-plugin`, or uninstall it\.$/,
    )
  })
})

describe('sluice components', { timeout: 30_000 }, () => {
  test('lists every registered component with its package, inputs, outputs and parameters, then what is not installed', async () => {
    const dir = pluginProject(tempDir())
    const { code, out, err } = await sluice(dir, ['components'])
    expect(code).toBe(0)
    expect(err).toBe(versionWarning)
    expect(out).toContain(
      [
        'Plugins',
        '  local-plugin           -      listed in ./sluice.config.json',
        '  listed-plugin          0.0.1  listed in "sluice.plugins" of ./package.json',
        '  @acme/sluice-merge     0.3.1  installed with the "sluice-plugin" keyword',
        '  acme-sluice-greetings  1.4.0  installed with the "sluice-plugin" keyword',
        '',
        'Components',
        '  AcmeGreet  acme-sluice-greetings 1.4.0',
        '    inputs      (none)',
        '    outputs     greeting  String',
        '    parameters  name      string  = "world"',
        '',
        '  AcmeMerge  @acme/sluice-merge 0.3.1',
        '    inputs      parts   Examples  list',
        '    outputs     merged  Examples',
        '    parameters  (none)',
        '',
        '  AcmeScore  acme-sluice-greetings 1.4.0',
        '    inputs      examples    Examples',
        '                schema      Schema            optional',
        '    outputs     scored      Examples',
        '    parameters  columns     string[]          required',
        '                threshold   number            = 0.5           the decision threshold',
        '                mode        "fast" | "exact"  = "fast"',
        '                moduleFile  string            optional, file',
        '',
        '  LocalCount  local-plugin',
        '    Counts to three.',
        '    inputs      (none)',
        '    outputs     count   Integer',
        '    parameters  (none)',
        '',
        'Standard components not installed',
        '  CsvExampleGen, ImportExampleGen  npm i @sluice/component-example-gen',
        '  StatisticsGen                    npm i @sluice/component-statistics-gen',
      ].join('\n'),
    )
    expect(out).toMatch(/\n {2}BulkInferrer +npm i @sluice\/component-bulk-inferrer\n$/)
    expect(out).not.toContain('\x1b[')
  })

  test('--json prints the listing for scripts', async () => {
    const dir = pluginProject(tempDir())
    const { code, out, err } = await sluice(dir, ['components', '--json'])
    expect(code).toBe(0)
    expect(err).toBe(versionWarning)
    const listing = JSON.parse(out) as ComponentsListing
    expect(listing.plugins.map((p) => [p.name, p.source])).toEqual([
      ['local-plugin', 'config'],
      ['listed-plugin', 'package.json'],
      ['@acme/sluice-merge', 'keyword'],
      ['acme-sluice-greetings', 'keyword'],
    ])
    expect(listing.plugins[3]).toEqual({
      name: 'acme-sluice-greetings',
      package: 'acme-sluice-greetings',
      version: '1.4.0',
      coreRange: '^2.0.0',
      coreVersion: '0.1.0',
      source: 'keyword',
      from: path.join(dir, 'node_modules', 'acme-sluice-greetings'),
    })
    expect(listing.components.find((c) => c.name === 'AcmeScore')).toEqual({
      name: 'AcmeScore',
      description: null,
      version: '2',
      executionType: null,
      package: 'acme-sluice-greetings',
      packageVersion: '1.4.0',
      inputs: [
        { key: 'examples', type: 'Examples', optional: false, list: false },
        { key: 'schema', type: 'Schema', optional: true, list: false },
      ],
      outputs: [{ key: 'scored', type: 'Examples' }],
      parameters: [
        { name: 'columns', type: 'string[]', required: true, description: null, file: false },
        { name: 'threshold', type: 'number', required: false, default: 0.5, description: 'the decision threshold', file: false },
        { name: 'mode', type: '"fast" | "exact"', required: false, default: 'fast', description: null, file: false },
        { name: 'moduleFile', type: 'string', required: false, description: null, file: true },
      ],
    })
    expect(listing.notInstalled).toContainEqual({ package: '@sluice/component-schema-gen', components: ['SchemaGen', 'ImportSchemaGen'], install: 'npm i @sluice/component-schema-gen' })
    expect(listing.notInstalled).toHaveLength(11)
  })

  test('with no plugins it says how to add one', async () => {
    const { code, out, err } = await sluice(tempDir(), ['components'])
    expect(code).toBe(0)
    expect(err).toBe('')
    expect(out).toMatch(/^No components are registered\. Install a plugin \(its package\.json keywords include "sluice-plugin"\), or list one in sluice\.config\.json/)
    expect(out).toContain('Standard components not installed')
  })

  test('a listed plugin that cannot be loaded is one error line naming it, where it is listed, and the fix', async () => {
    const dir = tempDir()
    linkPackage(dir, '@sluice/core', path.resolve(import.meta.dirname, '..', '..', 'core'))
    writeFiles(dir, {
      'node_modules/throws-plugin/package.json': { name: 'throws-plugin', type: 'module', main: 'index.js' },
      'node_modules/throws-plugin/index.js': "throw new TypeError('cannot read the config')\n",
      'node_modules/no-default/package.json': { name: 'no-default', type: 'module', main: 'index.js' },
      'node_modules/no-default/index.js': 'export const x = 1\n',
      'broken.ts': 'export default {{{\n',
    })
    const cases: [listed: string, error: string][] = [
      [
        'acme-not-installed',
        'error: Plugin "acme-not-installed" (listed in ./sluice.config.json) is not installed. Run `npm i acme-not-installed`, or remove it from "plugins" in ./sluice.config.json. [SLUICE_PACKAGE_MISSING]\n',
      ],
      [
        'throws-plugin',
        'error: Plugin "throws-plugin" (listed in ./sluice.config.json) failed to load: TypeError: cannot read the config. Reinstall it with `npm i throws-plugin`, or remove it from "plugins" in ./sluice.config.json. [SLUICE_CLI_PLUGIN_LOAD_FAILED]\n',
      ],
      [
        'no-default',
        'error: Plugin "no-default" (listed in ./sluice.config.json) failed to load: Package "no-default" has no plugin as its default export. Reinstall it with `npm i no-default`, or remove it from "plugins" in ./sluice.config.json. [SLUICE_CLI_PLUGIN_LOAD_FAILED]\n',
      ],
      [
        './missing.ts',
        'error: Plugin "./missing.ts" (listed in ./sluice.config.json) does not exist: no file ./missing.ts. Fix the path, or remove it from "plugins" in ./sluice.config.json. [SLUICE_CLI_PLUGIN_LOAD_FAILED]\n',
      ],
    ]
    for (const [listed, error] of cases) {
      writeFiles(dir, { 'sluice.config.json': { plugins: [listed] } })
      const { code, out, err } = await sluice(dir, ['components'])
      expect(code).toBe(1)
      expect(out).toBe('')
      expect(err).toBe(error)
    }
    writeFiles(dir, { 'sluice.config.json': { plugins: ['./broken.ts'] } })
    const { err } = await sluice(dir, ['components'])
    expect(err).toMatch(/^error: Plugin "\.\/broken\.ts" \(listed in \.\/sluice\.config\.json\) failed to load: .*Fix the module, or remove it from "plugins" in \.\/sluice\.config\.json\. \[SLUICE_CLI_PLUGIN_LOAD_FAILED\]\n$/)
    expect(err.split('\n')).toHaveLength(2)
  })
})

describe('sluice run with plugins', { timeout: 30_000 }, () => {
  test('loads the discovered plugins before the pipeline, so a JSON spec can name their components', async () => {
    const dir = pluginProject(tempDir())
    writeFiles(dir, {
      'pipeline.json': {
        name: 'greet',
        components: [
          { id: 'greet', component: 'AcmeGreet', parameters: { name: 'sluice' } },
          { id: 'count', component: 'LocalCount' },
        ],
      },
    })
    const io = new TestIo(dir)
    expect(await main(['run', 'pipeline.json', '--json'], io, { registry: createRegistry() })).toBe(0)
    expect(io.err).toBe(versionWarning)
    const result = JSON.parse(io.out) as RunResult
    expect(result.status).toBe('COMPLETE')
    expect(result.nodes.greet?.outputs.greeting?.[0]?.value).toBe('hello sluice')
    expect(result.nodes.count?.outputs.count?.[0]?.value).toBe(3)
  })

  test('a spec naming a component no plugin provides lists the registered ones', async () => {
    const dir = pluginProject(tempDir())
    writeFiles(dir, { 'pipeline.json': { name: 'x', components: [{ component: 'AcmeGreeter' }] } })
    const { code, err } = await sluice(dir, ['run', 'pipeline.json'])
    expect(code).toBe(1)
    expect(err).toContain('error: Component "AcmeGreeter" is not registered. Registered components: "LocalCount", "AcmeMerge", "AcmeGreet", "AcmeScore". [SLUICE_NOT_REGISTERED]')
  })

  test('a spec\'s own "plugins" go through the same loader: resolved from its folder, version-checked, failures named', async () => {
    const dir = pluginProject(tempDir())
    fs.rmSync(path.join(dir, 'sluice.config.json'))
    writeFiles(dir, {
      'specs/pipeline.json': { name: 'spec-plugins', plugins: ['../plugins/local-plugin.ts'], components: [{ id: 'count', component: 'LocalCount' }] },
      'specs/bad.json': { name: 'bad', plugins: ['./nope.ts'], components: [] },
    })
    const ok = await sluice(dir, ['run', 'specs/pipeline.json'])
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/Run \S+ of pipeline spec-plugins complete/)
    const bad = await sluice(dir, ['run', 'specs/bad.json'])
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('error: Plugin "./nope.ts" (listed in "plugins" of ./specs/bad.json) does not exist: no file ./specs/nope.ts.')
  })
})
