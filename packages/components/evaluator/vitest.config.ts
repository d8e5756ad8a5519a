import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-evaluator', { testTimeout: 120_000 })
