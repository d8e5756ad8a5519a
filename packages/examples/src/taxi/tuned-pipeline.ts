// The taxi pipeline with a Tuner in front of the Trainer: Hyperband searches `tuning.ts`'s space in
// two worker threads and the Trainer trains with the best values. `npx sluice run src/taxi/tuned-pipeline.ts`.
import { taxiPipeline } from './pipeline.js'

export default taxiPipeline({ tune: true })
