import { stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import type { JsonValue, Logger } from '@sluice/core'
import { ExecutorError, isSluiceError, loadModuleFunction } from '@sluice/core'
import type { TransformOutput } from '@sluice/component-transform'
import type { FeatureTypes } from '@sluice/data/examples'
import type { DuckDB } from '@sluice/data/examples'
import { examplesSplitNames, openDuckDB, sqlStringList } from '@sluice/data/examples'
import type { Schema } from '@sluice/data/schema'
import type { TfModule } from './backend.js'
import type { DatasetDescription } from './data-accessor/data-accessor.js'
import { TrainerError } from './errors.js'
import type { RunFn, SaveModelOptions, TrainerFnArgs } from './fn-args.js'
import { readHyperparameters } from './fn-args.js'
import { MODEL_JSON_FILE } from './serving-bundle/file-system-handler.js'
import { SIGNATURE_FILE, saveServingBundle } from './serving-bundle/save.js'
import { MAX_PARITY_ROWS } from './serving-bundle/onnx-parity.js'
import type { SignatureValueType } from './serving-bundle/signature.js'
import { signatureTypesOfSchema } from './serving-bundle/signature.js'
import type { ModelRunMetrics } from './model-run.js'
import { MODEL_RUN_METRICS_FILE, SERVING_MODEL_DIR } from './model-run.js'
import type { TrainerArgs } from './spec.js'
import type { EpochRecord } from './training-recorder.js'
import { createTrainingRecorder, epochsFromHistory } from './training-recorder.js'
import { buildTrainingFnArgs } from './training-inputs.js'

/**
 * The Trainer's executor (TFX's GenericExecutor): builds `fnArgs`, calls the module's `runFn`, checks
 * that it saved a serving bundle, and writes the ModelRun's `metrics.json`.
 */
export default async function trainerExecutor({ inputs, outputs, parameters, context }: TrainerArgs): Promise<void> {
  const { logger, signal } = context
  const moduleFile = parameters.moduleFile
  const trainSplits = parameters.trainArgs.splits
  const evalSplits = parameters.evalArgs.splits
  const available = await examplesSplitNames(inputs.examples)
  for (const split of [...trainSplits, ...evalSplits]) {
    if (!available.includes(split)) {
      throw new ExecutorError(`Trainer: trainArgs/evalArgs name split "${split}", which the examples at ${inputs.examples.uri} do not have (they have ${available.join(', ') || 'none'}).`, {
        code: 'SLUICE_TRAINER_UNKNOWN_SPLIT',
        fix: 'Name existing splits in trainArgs.splits and evalArgs.splits.',
      })
    }
  }
  const runFn = await loadModuleFunction<RunFn>(moduleFile, { component: 'Trainer', exportName: 'runFn', signature: 'runFn(fnArgs)' })

  // One database for the run: counting examples and every dataset the module reads.
  await using database = await openDuckDB({ tempDirectory: context.tmpDir, signal })
  const hyperparameters = inputs.hyperparameters ? await readHyperparameters(inputs.hyperparameters.uri) : undefined
  const servingModelDir = path.join(outputs.model.uri, SERVING_MODEL_DIR)
  const modelsToDispose = new Set<Tfjs.LayersModel>()
  // saveModel's defaults come from the data the model was trained on: the last train dataset read.
  let trainedOn: DatasetDescription | undefined
  const reads: Promise<unknown>[] = []
  const sameFiles = (files: readonly string[]) => files.length === common.trainFiles.length && files.every((f, i) => f === common.trainFiles[i])
  const common = await buildTrainingFnArgs(
    {
      examplesUri: inputs.examples.uri,
      schemaUri: inputs.schema?.uri,
      transformGraphUri: inputs.transformGraph?.uri,
      baseModelUri: inputs.baseModel?.uri,
      trainSplits,
      evalSplits,
      trainSteps: parameters.trainArgs.numSteps,
      evalSteps: parameters.evalArgs.numSteps,
      customConfig: parameters.customConfig as Record<string, JsonValue>,
      backend: parameters.backend,
      tmpDir: context.tmpDir,
    },
    {
      component: 'Trainer',
      logger,
      signal,
      database,
      onRead: (reading) => reads.push(reading),
      onDataset: (description) => {
        if (sameFiles(description.files) || trainedOn === undefined) trainedOn = description
      },
      onModelLoaded: (model) => modelsToDispose.add(model),
    },
  )
  const { tf, backend, numExamples, transformOutput, schema } = common
  const numTrainExamples = trainSplits.reduce((sum, s) => sum + (numExamples[s] ?? 0), 0)
  const { callback, record } = createTrainingRecorder(tf, {
    signal,
    onEpochEnd: (entry, { epoch, epochs }) => {
      const metrics = Object.entries(entry).filter(([k, v]) => k !== 'epoch' && typeof v === 'number')
      logger.info(`Epoch ${epoch + 1}${epochs ? `/${epochs}` : ''}: ${metrics.map(([k, v]) => `${k} ${(v as number).toPrecision(4)}`).join(', ')}`)
      if (epochs) context.progress(Math.min(1, (epoch + 1) / epochs), `epoch ${epoch + 1}/${epochs}`)
    },
  })
  const fnArgs: TrainerFnArgs = {
    ...common,
    ...(hyperparameters ? { hyperparameters } : {}),
    servingModelDir,
    modelRunDir: outputs.modelRun.uri,
    callbacks: callback,
    saveModel: async (model, options = {}) => {
      modelsToDispose.add(model)
      return saveServingBundle(model, servingModelDir, {
        ...servingOptions(options, trainedOn, transformOutput, schema, backend),
        logger,
        // The parity check compares ONNX and tfjs on eval rows, which exercise the value ranges
        // (vocabulary ids, buckets) the model will see; read only if the model can be exported.
        onnx: options.onnx === false ? false : { parityRows: () => readParityRows(database, common.evalFiles, logger), paritySource: 'eval' },
      })
    },
  }

  const tensorsBefore = tf.memory().numTensors
  const started = performance.now()
  let result: unknown
  try {
    result = await runFn(fnArgs)
  } catch (error) {
    if (signal.aborted) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new ExecutorError(`Trainer: runFn of module file ${moduleFile} failed: ${message}`, {
      code: isSluiceError(error) ? error.code : 'SLUICE_TRAINER_RUN_FN_FAILED',
      cause: error,
    })
  } finally {
    // A dataset created but never iterated may still be reading from the database closed below.
    await Promise.allSettled(reads)
    for (const model of [...record.models, ...modelsToDispose]) disposeModel(model)
    const left = tf.memory().numTensors - tensorsBefore
    if (left > 0) logger.debug(`${left} tensor(s) created during runFn are still allocated.`)
  }
  const trainingTimeMs = performance.now() - started
  signal.throwIfAborted()

  const returned = checkResult(tf, result, moduleFile)
  if (!(await exists(path.join(servingModelDir, MODEL_JSON_FILE)))) {
    throw new ExecutorError(`Trainer: runFn of module file ${moduleFile} saved no model (${path.join(servingModelDir, MODEL_JSON_FILE)} does not exist).`, {
      code: 'SLUICE_TRAINER_NOTHING_SAVED',
      fix: 'End runFn with `await fnArgs.saveModel(model)`.',
    })
  }
  if (!(await exists(path.join(servingModelDir, SIGNATURE_FILE)))) {
    throw new ExecutorError(`Trainer: runFn of module file ${moduleFile} saved a model to ${servingModelDir} without a serving signature (${SIGNATURE_FILE}).`, {
      code: 'SLUICE_TRAINER_NO_SIGNATURE',
      fix: 'Save with `await fnArgs.saveModel(model)`, which writes the model, the fitted transform and the signature.',
    })
  }

  const epochs = record.epochs.length > 0 ? record.epochs : returned.history ? epochsFromHistory(returned.history) : []
  const examplesPerSecond =
    record.examplesSeen > 0 && record.fitTimeMs > 0
      ? record.examplesSeen / (record.fitTimeMs / 1000)
      : epochs.length > 0 && trainingTimeMs > 0
        ? (numTrainExamples * epochs.length) / (trainingTimeMs / 1000)
        : null
  const metrics: ModelRunMetrics = {
    backend,
    trainingTimeMs: Math.round(trainingTimeMs),
    examplesPerSecond: examplesPerSecond === null ? null : Math.round(examplesPerSecond),
    numTrainExamples,
    numExamples,
    epochs,
    ...(hyperparameters ? { hyperparameters } : {}),
    ...(returned.evaluation ? { evaluation: returned.evaluation } : {}),
  }
  await writeFile(path.join(outputs.modelRun.uri, MODEL_RUN_METRICS_FILE), `${JSON.stringify(metrics, null, 2)}\n`)
  const runProperties: Record<string, JsonValue> = { backend, training_time_ms: metrics.trainingTimeMs }
  if (metrics.examplesPerSecond !== null) runProperties.examples_per_second = metrics.examplesPerSecond
  Object.assign(outputs.modelRun.customProperties, runProperties)
  outputs.model.customProperties.backend = backend
  const last = epochs[epochs.length - 1]
  logger.info(
    `Trained in ${(trainingTimeMs / 1000).toFixed(1)}s on ${backend}` +
      `${metrics.examplesPerSecond !== null ? `, ${metrics.examplesPerSecond} examples/s` : ''}` +
      `${last?.loss !== undefined ? `, final loss ${last.loss.toPrecision(4)}` : ''}; serving bundle in ${servingModelDir}.`,
  )
}

function toSignatureTypes(types: FeatureTypes | undefined): Record<string, SignatureValueType> {
  const result: Record<string, SignatureValueType> = {}
  for (const [name, type] of Object.entries(types ?? {})) {
    if (type === 'INT' || type === 'FLOAT') result[name] = type
    else if (type === 'STRING' || type === 'BYTES') result[name] = 'STRING'
  }
  return result
}

/**
 * saveModel's options filled in from the run: inputs, dtype and label of the last training dataset,
 * the transform, and raw feature types from (weakest first) the files trained on, the Schema input,
 * the transform's raw schema and the module's own `rawFeatureTypes`.
 */
function servingOptions(options: SaveModelOptions, trainedOn: DatasetDescription | undefined, transformOutput: TransformOutput | undefined, schema: Schema | undefined, backend: string) {
  const inputs = options.inputs ?? trainedOn?.inputs
  if (inputs === undefined) {
    throw new TrainerError('SLUICE_TRAINER_BAD_BUNDLE', 'saveModel: which features feed the model is unknown (no dataset was read through fnArgs.dataAccessor).', {
      fix: "Pass saveModel(model, { inputs: [...features] }) or { inputs: { inputName: [...] } }, as given to the model's input tensors.",
    })
  }
  const dtype = options.dtype ?? (options.inputs === undefined ? trainedOn?.dtype : undefined)
  const labelKey = options.labelKey ?? trainedOn?.labelKey ?? undefined
  const observed = trainedOn && (trainedOn.raw || !transformOutput) ? toSignatureTypes(trainedOn.fileFeatureTypes) : {}
  const rawFeatureTypes = { ...observed, ...signatureTypesOfSchema(schema), ...signatureTypesOfSchema(transformOutput?.rawSchema), ...options.rawFeatureTypes }
  return {
    ...options,
    inputs,
    ...(dtype !== undefined ? { dtype } : {}),
    ...(labelKey !== undefined ? { labelKey } : {}),
    ...(transformOutput ? { transformOutput } : {}),
    rawFeatureTypes,
    backend,
  }
}

/** What runFn returned, checked: nothing, a History, or metrics. */
function checkResult(tf: TfModule, result: unknown, moduleFile: string): { history?: Tfjs.History; evaluation?: Record<string, number> } {
  if (result === undefined || result === null) return {}
  if (result instanceof tf.History || (typeof result === 'object' && Array.isArray((result as Tfjs.History).epoch) && typeof (result as Tfjs.History).history === 'object')) {
    return { history: result as Tfjs.History }
  }
  if (typeof result === 'object' && !Array.isArray(result) && Object.getPrototypeOf(result) === Object.prototype) {
    const entries = Object.entries(result)
    if (entries.every(([, v]) => typeof v === 'number' && Number.isFinite(v))) return { evaluation: Object.fromEntries(entries) as Record<string, number> }
    const bad = entries.find(([, v]) => typeof v !== 'number' || !Number.isFinite(v))!
    throw new ExecutorError(`Trainer: runFn of module file ${moduleFile} returned an object whose "${bad[0]}" is ${describe(bad[1])}, not a finite number.`, {
      code: 'SLUICE_TRAINER_BAD_RETURN',
      fix: 'Return nothing, the History of model.fit, or an object of metric name to number.',
    })
  }
  throw new ExecutorError(`Trainer: runFn of module file ${moduleFile} returned ${describe(result)}.`, {
    code: 'SLUICE_TRAINER_BAD_RETURN',
    fix: 'Return nothing, the History of model.fit, or an object of metric name to number.',
  })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'an unknown class'}`
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  return `${typeof value} ${String(value)}`
}

/** Disposes a model and its optimizer, whose variables outlive `model.dispose()` (perf.md). */
function disposeModel(model: Tfjs.LayersModel): void {
  try {
    model.optimizer?.dispose()
  } catch {
    // Already disposed by the module, or never compiled.
  }
  try {
    model.dispose()
  } catch {
    // Already disposed by the module.
  }
}

/** The first rows of the eval files for the ONNX parity check; undefined (generated inputs) when they cannot be read. */
async function readParityRows(database: DuckDB, files: readonly string[], logger: Pick<Logger, 'debug'>): Promise<Record<string, unknown>[] | undefined> {
  if (files.length === 0) return undefined
  try {
    const reader = await database.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlStringList(files)}) LIMIT ${MAX_PARITY_ROWS}`)
    return reader.getRowObjectsJS() as Record<string, unknown>[]
  } catch (error) {
    logger.debug(`ONNX parity: the eval files cannot be read (${(error as Error).message}); comparing on generated inputs.`)
    return undefined
  }
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined
}
