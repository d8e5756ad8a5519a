import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-bulk-inferrer', { testTimeout: 120_000 })
