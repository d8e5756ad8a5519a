import { Examples, Model, ModelBlessing, ModelEvaluation, Schema, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'
import { analyzeEvalConfig, evalConfigSchema, fairnessSchema } from './config.js'

export const evaluatorInputs = {
  /** The examples to evaluate on (raw: the model's fitted transform runs inside the serving bundle). */
  examples: Examples,
  /** The candidate model. Without it, every model spec needs `predictionKey` naming a column of pre-computed predictions. */
  model: optional(Model),
  /** The model to compare with, usually `Resolver({ strategy: latestBlessedModel(), … }).outputs.model`. */
  baselineModel: optional(Model),
  /** Accepted for TFX compatibility; Parquet examples carry their own types. */
  schema: optional(Schema),
}
export const evaluatorOutputs = { evaluation: ModelEvaluation, blessing: ModelBlessing }
export const evaluatorParameters = z
  .object({
    /** TFMA's EvalConfig, camelCase (see `fromTfmaEvalConfig` for TFMA's own JSON). */
    evalConfig: evalConfigSchema,
    /** The splits evaluated together. */
    exampleSplits: z.array(z.string().min(1)).min(1).default(['eval']),
    /** Fairness Indicators: per-value false positive / negative rates of sensitive features and their gap to Overall. */
    fairness: fairnessSchema.optional(),
  })
  // Semantic checks (unknown metrics, thresholds on slices never computed…) when the pipeline is
  // defined, not after the data has been read.
  .superRefine((parameters, ctx) => {
    for (const issue of analyzeEvalConfig(parameters.evalConfig, parameters.fairness).issues) {
      ctx.addIssue({ code: 'custom', path: issue.path[0] === 'fairness' ? [...issue.path] : ['evalConfig', ...issue.path], message: issue.message })
    }
  })

/** What the Evaluator's executor receives. */
export type EvaluatorArgs = ExecutorArgs<typeof evaluatorInputs, typeof evaluatorOutputs, typeof evaluatorParameters>
