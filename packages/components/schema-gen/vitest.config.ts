import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-schema-gen', { testTimeout: 60_000 })
