import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-example-validator', { testTimeout: 60_000 })
