import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-example-gen', { testTimeout: 60_000 })
