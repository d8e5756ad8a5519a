import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-statistics-gen', { testTimeout: 60_000 })
