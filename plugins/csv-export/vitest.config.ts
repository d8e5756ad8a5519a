import { sluiceProject } from '../../vitest.shared.ts'

export default sluiceProject('sluice-plugin-csv-export', { testTimeout: 60_000 })
