import { Examples, Schema, TransformGraph, fileParameter, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

export const transformInputs = { examples: Examples, schema: Schema }
export const transformOutputs = { transformGraph: TransformGraph, transformedExamples: Examples }

export const transformParameters = z.object({
  /**
   * A JS/TS module exporting `preprocessingFn(inputs, tft)` (TFX `module_file`); its contents are part
   * of the cache key.
   */
  moduleFile: fileParameter(),
  /** TFX `splits_config`: splits analysed (default `['train']`) and materialised (default all). */
  splitsConfig: z
    .object({
      analyze: z.array(z.string().min(1)).min(1).default(['train']),
      transform: z.array(z.string().min(1)).optional(),
    })
    .prefault({}),
})

/** What Transform's executor receives. */
export type TransformArgs = ExecutorArgs<typeof transformInputs, typeof transformOutputs, typeof transformParameters>
