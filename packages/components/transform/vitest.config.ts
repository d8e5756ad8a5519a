import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-transform', { testTimeout: 60_000 })
