// Writes project folders with installed plugin packages, for the discovery and `components` tests.
import fs from 'node:fs'
import path from 'node:path'

/** The workspace's @sluice/core, linked into test projects so their plugins can import it. */
export const corePackage = path.resolve(import.meta.dirname, '..', '..', 'core')

/** Writes `files` (path → content) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Record<string, string | object>): void {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`)
  }
}

/** Links `node_modules/<name>` to `target`, as npm does for workspaces. */
export function linkPackage(dir: string, name: string, target: string): void {
  const link = path.join(dir, 'node_modules', name)
  fs.mkdirSync(path.dirname(link), { recursive: true })
  fs.symlinkSync(target, link, 'dir')
}

/**
 * A project with:
 * - `acme-sluice-greetings`, installed with the `sluice-plugin` keyword and a peer dependency on
 *   @sluice/core ^2.0.0 (so it warns), with a runnable `AcmeGreet` and a parameter-rich `AcmeScore`;
 * - `@acme/sluice-merge`, a scoped keyword plugin whose exports map has only an `import` condition;
 * - `listed-plugin`, without the keyword but listed in package.json `sluice.plugins`;
 * - `./plugins/local-plugin.ts`, listed by path in sluice.config.json;
 * - `not-a-plugin`, which has no keyword and throws if anything imports it.
 */
export function pluginProject(dir: string): string {
  linkPackage(dir, '@sluice/core', corePackage)
  writeFiles(dir, {
    'package.json': { name: 'demo-project', private: true, type: 'module', sluice: { plugins: ['listed-plugin'] } },
    'sluice.config.json': { plugins: ['./plugins/local-plugin.ts'] },
    'plugins/local-plugin.ts': `import { IntegerArtifact, component, definePlugin } from '@sluice/core'

export const LocalCount = component(
  { name: 'LocalCount', description: 'Counts to three.', outputs: { count: IntegerArtifact } },
  async (_args) => ({ count: 3 }),
)

export default definePlugin({ name: 'local-plugin', components: [LocalCount] })
`,
    'node_modules/acme-sluice-greetings/package.json': {
      name: 'acme-sluice-greetings',
      version: '1.4.0',
      type: 'module',
      keywords: ['ml', 'sluice-plugin'],
      exports: { '.': './index.js' },
      peerDependencies: { '@sluice/core': '^2.0.0' },
    },
    'node_modules/acme-sluice-greetings/index.js': `import { Examples, Schema, StringArtifact, component, defineComponent, definePlugin, fileParameter, optional, z } from '@sluice/core'

export const AcmeGreet = component(
  {
    name: 'AcmeGreet',
    executionType: 'Process',
    outputs: { greeting: StringArtifact },
    parameters: z.object({ name: z.string().default('world') }),
  },
  async ({ parameters }) => ({ greeting: 'hello ' + parameters.name }),
)

export const AcmeScore = defineComponent({
  name: 'AcmeScore',
  version: '2',
  inputs: { examples: Examples, schema: optional(Schema) },
  outputs: { scored: Examples },
  parameters: z.object({
    columns: z.array(z.string()),
    threshold: z.number().min(0).max(1).default(0.5).describe('the decision threshold'),
    mode: z.enum(['fast', 'exact']).default('fast'),
    moduleFile: fileParameter().optional(),
  }),
  executor: () => import('./executor.js'),
})

export default definePlugin({ name: 'acme-sluice-greetings', version: '1.4.0', components: [AcmeGreet, AcmeScore] })
`,
    'node_modules/acme-sluice-greetings/executor.js': `throw new Error('the executor must not be loaded to list components')\n`,
    'node_modules/@acme/sluice-merge/package.json': {
      name: '@acme/sluice-merge',
      version: '0.3.1',
      type: 'module',
      keywords: ['sluice-plugin'],
      exports: { '.': { import: './dist/index.js' } },
      peerDependencies: { '@sluice/core': '>=0.1.0 <1' },
    },
    'node_modules/@acme/sluice-merge/dist/index.js': `import { Examples, defineComponent, definePlugin, list } from '@sluice/core'

export const AcmeMerge = defineComponent({
  name: 'AcmeMerge',
  inputs: { parts: list(Examples) },
  outputs: { merged: Examples },
  executor: async (_args) => {},
})

export default definePlugin({ name: '@acme/sluice-merge', coreVersion: '^0.1.0', components: [AcmeMerge] })
`,
    'node_modules/listed-plugin/package.json': { name: 'listed-plugin', version: '0.0.1', type: 'module', main: 'main.js' },
    'node_modules/listed-plugin/main.js': `import { definePlugin } from '@sluice/core'\nexport default definePlugin({ name: 'listed-plugin', version: '0.0.1' })\n`,
    'node_modules/not-a-plugin/package.json': { name: 'not-a-plugin', version: '1.0.0', type: 'module', main: 'index.js', description: 'mentions sluice-plugin but has no keyword' },
    'node_modules/not-a-plugin/index.js': `throw new Error('not-a-plugin must not be imported')\n`,
  })
  return dir
}
