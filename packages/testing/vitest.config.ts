import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@sluice/source'] },
  test: { name: '@sluice/testing', include: ['test/**/*.test.ts'], typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' } },
})
