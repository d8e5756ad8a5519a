import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@sluice/source'] },
  test: { name: '@sluice/cli', include: ['test/**/*.test.ts'], typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' } },
})
