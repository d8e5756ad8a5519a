import { sluiceProject } from '../../vitest.shared.ts'

export default sluiceProject('@sluice/plugin-docker', { testTimeout: 60_000 })
