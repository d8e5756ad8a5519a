import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Config files, not folders: `packages/*` would also match `packages/components` and run every
    // component's tests a second time in a project of its own.
    projects: ['packages/*/vitest.config.ts', 'packages/components/*/vitest.config.ts', 'plugins/*/vitest.config.ts'],
  },
})
