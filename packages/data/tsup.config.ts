import { packageBuild } from '../../tools/build/tsup-config.ts'

export default packageBuild(['src/index.ts', 'src/examples.ts', 'src/statistics.ts', 'src/schema.ts', 'src/anomalies.ts'])
