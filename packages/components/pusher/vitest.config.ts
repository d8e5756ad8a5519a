import { sluiceProject } from '../../../vitest.shared.ts'

export default sluiceProject('@sluice/component-pusher', { testTimeout: 120_000 })
