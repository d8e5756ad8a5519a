import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@sluice/source'] },
  test: { name: '@sluice/examples', include: ['test/**/*.test.ts'], testTimeout: 120_000 },
})
