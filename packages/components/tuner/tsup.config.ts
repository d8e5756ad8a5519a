import { packageBuild } from '../../../tools/build/tsup-config.ts'

// The trial worker is its own entry: worker threads start it by file (dist/trial-worker.js).
export default packageBuild(['src/index.ts', 'src/trial-worker.ts'])
