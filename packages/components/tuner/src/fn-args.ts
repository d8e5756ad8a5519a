// fnArgs of tunerFn: the Trainer's fnArgs without what saves a model or records a training run. They
// are built from a structured-clonable request, so that each trial worker can rebuild them in its own
// thread (functions and tfjs cannot be posted). The Trainer exposes its pieces (selectBackend,
// createDataAccessor, fileSystemHandler) but no fnArgs builder, so the Tuner assembles them here.
import path from 'node:path'
import type { JsonValue, Logger } from '@sluice/core'
import type { TrainerFnArgs } from '@sluice/component-trainer'
import { SERVING_MODEL_DIR, TrainerError, createDataAccessor, fileSystemHandler, selectBackend } from '@sluice/component-trainer'
import { readTransformOutput } from '@sluice/component-transform'
import { countParquetRows, listSplitFiles, openDuckDB } from '@sluice/data/examples'
import { readSchema } from '@sluice/data/schema'
import type { TunerArgs } from './spec.js'

/** What `tunerFn(fnArgs)` receives: the Trainer's fnArgs minus the model-saving and run-recording parts. */
export interface TunerFnArgs extends Omit<TrainerFnArgs, 'servingModelDir' | 'modelRunDir' | 'saveModel' | 'callbacks' | 'hyperparameters'> {
  /** Scratch space of the Tuner run, removed afterwards (trial directories live under `trials/`). */
  readonly workingDir: string
}

/** Everything needed to build {@link TunerFnArgs}, in structured-clonable form. */
export interface TunerFnArgsRequest {
  readonly examplesUri: string
  readonly schemaUri: string | undefined
  readonly transformGraphUri: string | undefined
  readonly baseModelUri: string | undefined
  readonly trainSplits: readonly string[]
  readonly evalSplits: readonly string[]
  readonly trainSteps: number | undefined
  readonly evalSteps: number | undefined
  readonly customConfig: Readonly<Record<string, JsonValue>>
  readonly backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu'
  readonly tmpDir: string
}

/** The request for the executor's inputs and parameters. */
export function tunerFnArgsRequest(inputs: TunerArgs['inputs'], parameters: TunerArgs['parameters'], tmpDir: string): TunerFnArgsRequest {
  return {
    examplesUri: inputs.examples.uri,
    schemaUri: inputs.schema?.uri,
    transformGraphUri: inputs.transformGraph?.uri,
    baseModelUri: inputs.baseModel?.uri,
    trainSplits: parameters.trainArgs.splits,
    evalSplits: parameters.evalArgs.splits,
    // TFX: num_steps 0 means "unset, the module decides".
    trainSteps: parameters.trainArgs.numSteps || undefined,
    evalSteps: parameters.evalArgs.numSteps || undefined,
    customConfig: parameters.customConfig as Record<string, JsonValue>,
    backend: parameters.backend,
    tmpDir,
  }
}

/** Builds fnArgs: on the executor's thread, and again in every trial worker. */
export async function buildTunerFnArgs(request: TunerFnArgsRequest, options: { logger: Logger; signal: AbortSignal }): Promise<TunerFnArgs> {
  const { logger, signal } = options
  const filesOf = async (splits: readonly string[]) => (await Promise.all(splits.map((s) => listSplitFiles(request.examplesUri, s)))).flat()
  const [trainFiles, evalFiles, selected, transformOutput, schema] = await Promise.all([
    filesOf(request.trainSplits),
    filesOf(request.evalSplits),
    selectBackend(request.backend, { logger }),
    request.transformGraphUri ? readTransformOutput(request.transformGraphUri) : undefined,
    request.schemaUri ? readSchema(request.schemaUri) : undefined,
  ])
  const { tf, backend } = selected
  const numExamples = await countExamples(request.examplesUri, [...new Set([...request.trainSplits, ...request.evalSplits])])
  const baseModel = request.baseModelUri ? path.join(request.baseModelUri, SERVING_MODEL_DIR) : undefined
  const dataAccessor = createDataAccessor({ tf, ...(transformOutput ? { transformOutput } : {}), tempDirectory: request.tmpDir, signal })
  return {
    trainFiles,
    evalFiles,
    trainSplits: [...request.trainSplits],
    evalSplits: [...request.evalSplits],
    dataAccessor,
    ...(transformOutput ? { transformOutput, transformGraphPath: transformOutput.uri } : {}),
    ...(schema ? { schema, schemaPath: request.schemaUri! } : {}),
    ...(request.trainSteps !== undefined ? { trainSteps: request.trainSteps } : {}),
    ...(request.evalSteps !== undefined ? { evalSteps: request.evalSteps } : {}),
    // A copy per build: a trial that edits customConfig must not change what another sees.
    customConfig: structuredClone(request.customConfig) as Record<string, JsonValue>,
    ...(baseModel ? { baseModel } : {}),
    loadBaseModel: async () => {
      if (!baseModel) {
        throw new TrainerError('SLUICE_TRAINER_BAD_OPTIONS', 'loadBaseModel: the Tuner has no baseModel input.', { fix: 'Wire a Model channel as baseModel, or check fnArgs.baseModel first.' })
      }
      return tf.loadLayersModel(fileSystemHandler(baseModel))
    },
    tf,
    backend,
    numExamples,
    workingDir: request.tmpDir,
    logger,
    signal,
  }
}

async function countExamples(examplesUri: string, splits: readonly string[]): Promise<Record<string, number>> {
  await using db = await openDuckDB({ threads: 1 })
  const counts: Record<string, number> = {}
  for (const split of splits) counts[split] = await countParquetRows(db.connection, await listSplitFiles(examplesUri, split))
  return counts
}
