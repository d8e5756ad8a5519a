import type { Options } from 'tsup'
import { defineConfig } from 'tsup'

/**
 * The build of every publishable package: ESM for Node 20 with type declarations. Declarations are
 * built against the other packages' dist types (no `@sluice/source` condition), so they import them
 * instead of inlining them.
 */
export function packageBuild(entry: string[] = ['src/index.ts']): Options | Options[] {
  return defineConfig({
    entry,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    dts: { compilerOptions: { customConditions: [] } },
    sourcemap: true,
    clean: true,
    silent: true,
  }) as Options
}
