// The taxi example pipeline: TFX's Chicago taxi tutorial data, label `tips > 0.2 * fare`. Run it with
// `npm run demo` at the repository root, or `npx sluice run src/taxi/pipeline.ts` in packages/examples.
import { fileURLToPath } from 'node:url'
import { Pipeline } from '@sluice/core'
import { ColumnStats } from './components/column-stats.js'
import { EvaluateModel } from './components/evaluate-model.js'
import { LabelRate } from './components/label-rate.js'
import { SplitCsv } from './components/split-csv.js'
import { TrainLogistic } from './components/train-logistic.js'

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))

const examples = SplitCsv({ dataPath: here('../../data/taxi/data.csv') })
const statistics = ColumnStats({ examples: examples.outputs.examples })
const labelRate = LabelRate({ examples: examples.outputs.examples })
const trainer = TrainLogistic({ examples: examples.outputs.examples, moduleFile: here('./model.ts') })
const evaluator = EvaluateModel({
  model: trainer.outputs.model,
  examples: examples.outputs.examples,
  labelRate: labelRate.outputs.rate,
})

export default new Pipeline({
  name: 'taxi',
  components: [examples, statistics, labelRate, trainer, evaluator],
})
