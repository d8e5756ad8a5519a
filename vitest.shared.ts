import { defaultClientConditions, defaultServerConditions } from 'vite'
import type { ViteUserConfig } from 'vitest/config'
import { defineProject } from 'vitest/config'

// Tests resolve workspace packages to their TypeScript sources through the `@sluice/source` export
// condition, so no build is needed before `vitest`. Vite keeps separate condition lists for client and
// server (SSR) resolution; vitest's node environment uses the server one.
const source = '@sluice/source'

/** The vitest project config of one workspace package. */
export function sluiceProject(name: string, test: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineProject({
    resolve: { conditions: [source, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [source, ...defaultServerConditions] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
      ...test,
    },
  })
}
