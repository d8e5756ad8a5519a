import { sluiceProject } from '../../vitest.shared.ts'

export default sluiceProject('@sluice/data', { testTimeout: 60_000 })
