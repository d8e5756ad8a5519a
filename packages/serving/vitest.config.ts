import { sluiceProject } from '../../vitest.shared.ts'

export default sluiceProject('@sluice/serving', { testTimeout: 120_000 })
