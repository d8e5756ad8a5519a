// The taxi example pipeline: TFX's Chicago taxi tutorial data, label `tips > 0.2 * fare`. Run it with
// `npm run demo` at the repository root, or `npx sluice run src/taxi/pipeline.ts` in packages/examples.
import { fileURLToPath } from 'node:url'
import { Pipeline } from '@sluice/core'
import { CsvExampleGen } from '@sluice/component-example-gen'
import { ExampleValidator } from '@sluice/component-example-validator'
import { SchemaGen } from '@sluice/component-schema-gen'
import { StatisticsGen } from '@sluice/component-statistics-gen'
import { EvaluateModel } from './components/evaluate-model.js'
import { LabelRate } from './components/label-rate.js'
import { TrainLogistic } from './components/train-logistic.js'

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))

const exampleGen = CsvExampleGen({ inputBase: here('../../data/taxi') })
const statisticsGen = StatisticsGen({ examples: exampleGen.outputs.examples })
const schemaGen = SchemaGen({ statistics: statisticsGen.outputs.statistics })
const exampleValidator = ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema })
const labelRate = LabelRate({ examples: exampleGen.outputs.examples })
const trainer = TrainLogistic({ examples: exampleGen.outputs.examples, moduleFile: here('./model.ts') })
const evaluator = EvaluateModel({
  model: trainer.outputs.model,
  examples: exampleGen.outputs.examples,
  labelRate: labelRate.outputs.rate,
})

export default new Pipeline({
  name: 'taxi',
  components: [exampleGen, statisticsGen, schemaGen, exampleValidator, labelRate, trainer, evaluator],
})
