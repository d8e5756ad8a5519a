// The fnArgs Trainer and Tuner share (TFX builds both from the same FnArgs): split files, the data
// accessor, the transform output, schema, base model, tfjs with its backend. Built from a
// structured-clonable request so that a Tuner's worker threads can rebuild them in their own thread.
import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import type { JsonValue, Logger } from '@sluice/core'
import { readTransformOutput } from '@sluice/component-transform'
import type { DuckDB } from '@sluice/data/examples'
import { countParquetRows, listSplitFiles, openDuckDB } from '@sluice/data/examples'
import { readSchema } from '@sluice/data/schema'
import type { BackendPreference } from './backend.js'
import { selectBackend } from './backend.js'
import type { DatasetDescription } from './data-accessor/data-accessor.js'
import { createDataAccessor } from './data-accessor/data-accessor.js'
import { TrainerError } from './errors.js'
import type { TrainerFnArgs } from './fn-args.js'
import { SERVING_MODEL_DIR } from './model-run.js'
import { fileSystemHandler } from './serving-bundle/file-system-handler.js'

/** The fnArgs every training component gets: the Trainer's without what saves a model or records a run. */
export type TrainingFnArgs = Omit<TrainerFnArgs, 'servingModelDir' | 'modelRunDir' | 'saveModel' | 'callbacks' | 'hyperparameters'>

/** What {@link buildTrainingFnArgs} reads, as plain data (it crosses to worker threads). */
export interface TrainingInputsRequest {
  readonly examplesUri: string
  readonly schemaUri?: string | undefined
  readonly transformGraphUri?: string | undefined
  /** The base Model artifact's uri (its `Format-Serving/` is loaded). */
  readonly baseModelUri?: string | undefined
  readonly trainSplits: readonly string[]
  readonly evalSplits: readonly string[]
  /** TFX's `num_steps`; 0 means unset (the module decides), as in TFX. */
  readonly trainSteps?: number | undefined
  readonly evalSteps?: number | undefined
  readonly customConfig: Readonly<Record<string, JsonValue>>
  readonly backend: BackendPreference
  /** Scratch space for DuckDB when no database is given. */
  readonly tmpDir: string
}

/** Options of {@link buildTrainingFnArgs}. */
export interface BuildTrainingFnArgsOptions {
  /** The component building them, for messages (`Trainer`, `Tuner`). */
  readonly component: string
  readonly logger: Logger
  readonly signal: AbortSignal
  /** One database for every read of the run; unset, each dataset opens its own. */
  readonly database?: DuckDB
  /** See the data accessor's `onDataset`. */
  readonly onDataset?: (description: DatasetDescription) => void
  /** See the data accessor's `onRead`. */
  readonly onRead?: (reading: Promise<unknown>) => void
  /** Called with every model `loadBaseModel()` loads, so its owner can dispose of it. */
  readonly onModelLoaded?: (model: Tfjs.LayersModel) => void
}

/**
 * Builds the shared fnArgs: lists the split files, counts examples, reads the TransformGraph and
 * Schema, selects the tfjs backend, and creates the data accessor.
 */
export async function buildTrainingFnArgs(request: TrainingInputsRequest, options: BuildTrainingFnArgsOptions): Promise<TrainingFnArgs> {
  const { logger, signal, database } = options
  const filesOf = async (splits: readonly string[]) => (await Promise.all(splits.map((s) => listSplitFiles(request.examplesUri, s)))).flat()
  const [trainFiles, evalFiles, selected, transformOutput, schema] = await Promise.all([
    filesOf(request.trainSplits),
    filesOf(request.evalSplits),
    selectBackend(request.backend, { logger }),
    request.transformGraphUri ? readTransformOutput(request.transformGraphUri) : undefined,
    request.schemaUri ? readSchema(request.schemaUri) : undefined,
  ])
  const { tf, backend } = selected
  const numExamples = await countExamples(database, request.examplesUri, [...new Set([...request.trainSplits, ...request.evalSplits])])
  const baseModel = request.baseModelUri ? path.join(request.baseModelUri, SERVING_MODEL_DIR) : undefined
  const dataAccessor = createDataAccessor({
    tf,
    ...(transformOutput ? { transformOutput } : {}),
    ...(database ? { database } : { tempDirectory: request.tmpDir }),
    signal,
    ...(options.onDataset ? { onDataset: options.onDataset } : {}),
    ...(options.onRead ? { onRead: options.onRead } : {}),
  })
  const trainSteps = request.trainSteps || undefined
  const evalSteps = request.evalSteps || undefined
  return {
    trainFiles,
    evalFiles,
    trainSplits: [...request.trainSplits],
    evalSplits: [...request.evalSplits],
    dataAccessor,
    ...(transformOutput ? { transformOutput, transformGraphPath: transformOutput.uri } : {}),
    ...(schema ? { schema, schemaPath: request.schemaUri! } : {}),
    ...(trainSteps !== undefined ? { trainSteps } : {}),
    ...(evalSteps !== undefined ? { evalSteps } : {}),
    // A copy per build: a module that edits customConfig must not change what another build sees.
    customConfig: structuredClone(request.customConfig) as Record<string, JsonValue>,
    ...(baseModel ? { baseModel } : {}),
    loadBaseModel: async () => {
      if (!baseModel) {
        throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', `loadBaseModel: the ${options.component} has no baseModel input.`, {
          fix: 'Wire a Model channel as baseModel, or check fnArgs.baseModel first.',
        })
      }
      const model = await tf.loadLayersModel(fileSystemHandler(baseModel))
      options.onModelLoaded?.(model)
      return model
    },
    tf,
    backend,
    numExamples,
    logger,
    signal,
  }
}

async function countExamples(database: DuckDB | undefined, examplesUri: string, splits: readonly string[]): Promise<Record<string, number>> {
  await using owned = database ? undefined : await openDuckDB({ threads: 1 })
  const connection = (database ?? owned)!.connection
  const counts: Record<string, number> = {}
  for (const split of splits) counts[split] = await countParquetRows(connection, await listSplitFiles(examplesUri, split))
  return counts
}
