import { ExampleAnomalies, ExampleStatistics, Schema, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const exampleValidatorInputs = {
  statistics: ExampleStatistics,
  schema: Schema,
  /** Statistics of the previous span: features with a `drift_comparator` in the schema are compared with them. */
  previousStatistics: optional(ExampleStatistics),
  /** Statistics of serving data: features with a `skew_comparator` in the schema are compared with them. */
  servingStatistics: optional(ExampleStatistics),
}
export const exampleValidatorOutputs = { anomalies: ExampleAnomalies }
export const exampleValidatorParameters = z.object({
  /**
   * The environment the statistics come from (e.g. `'SERVING'`), one of the schema's
   * `default_environment`: features `not_in_environment` there are not required.
   */
  environment: z.string().min(1).optional(),
  /** Splits of the statistics not to validate. */
  excludeSplits: z.array(z.string()).default([]),
})

/** What ExampleValidator's executor receives. */
export type ExampleValidatorArgs = ExecutorArgs<typeof exampleValidatorInputs, typeof exampleValidatorOutputs, typeof exampleValidatorParameters>
