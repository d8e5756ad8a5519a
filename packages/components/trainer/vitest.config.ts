import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-trainer', { testTimeout: 120_000 })
