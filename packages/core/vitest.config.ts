import { sluiceProject } from '../../vitest.shared.ts'

export default sluiceProject('@sluice/core')
