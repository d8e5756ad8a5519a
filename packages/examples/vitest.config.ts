import { sluiceProject } from '../../vitest.shared.ts'

export default sluiceProject('@sluice/examples', { testTimeout: 120_000 })
