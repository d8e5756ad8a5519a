import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-tuner', { testTimeout: 120_000 })
