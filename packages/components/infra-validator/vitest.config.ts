import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-infra-validator', { testTimeout: 120_000 })
