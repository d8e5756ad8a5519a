import { packageBuild } from '../../tools/build/tsup-config.ts'

export default packageBuild(['src/index.ts', 'src/engine-api.ts'])
