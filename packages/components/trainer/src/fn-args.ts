// The contract between the Trainer and a user module: TFX's FnArgs and run_fn, for tfjs.
import { readFile, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import type { JsonValue, Logger } from '@sluice/core'
import type { TransformOutput } from '@sluice/component-transform'
import type { Schema } from '@sluice/data/schema'
import type { BackendName, TfModule } from './backend.js'
import type { DataAccessor, FeatureInputs } from './data-accessor/data-accessor.js'
import { TrainerError } from './errors.js'
import type { ServingSignature, ServingSignatureOptions } from './serving-bundle/signature.js'

/**
 * Options of `fnArgs.saveModel`. Everything is optional: `inputs`, `dtype` and `labelKey` default to
 * those of the last training dataset the data accessor read, the transform and backend are the run's.
 */
export type SaveModelOptions = Omit<ServingSignatureOptions, 'inputs' | 'transformOutput' | 'backend'> & {
  /** The transformed features per model input. @default the `inputs` of the last dataset read */
  readonly inputs?: FeatureInputs
  /**
   * Export `model.onnx` too when the model's layers allow it (checked against tfjs on up to 4,096 eval
   * rows); `false` skips the export. @default true
   */
  readonly onnx?: boolean
}

/** What a Trainer passes to `runFn` (TFX's `FnArgs`). */
export interface TrainerFnArgs {
  /** The Parquet files of the train splits. */
  readonly trainFiles: string[]
  /** The Parquet files of the eval splits. */
  readonly evalFiles: string[]
  readonly trainSplits: string[]
  readonly evalSplits: string[]
  /** Builds tf.data datasets of batched tensors over example files. */
  readonly dataAccessor: DataAccessor
  /** The TransformGraph input, read: fitted transform, raw schema, `numBuckets`, `transformRows`. */
  readonly transformOutput?: TransformOutput
  /** The TransformGraph artifact's directory (TFX's `transform_graph_path`). */
  readonly transformGraphPath?: string
  /** The Schema input, parsed. */
  readonly schema?: Schema
  /** The Schema input's directory. */
  readonly schemaPath?: string
  /** The HyperParameters input: `{ name: value }` (from `best_hyperparameters.txt` or `{ values }`). */
  readonly hyperparameters?: Readonly<Record<string, JsonValue>>
  /** `trainArgs.numSteps`: how many batches to train on (the module decides how to honour it). */
  readonly trainSteps?: number
  /** `evalArgs.numSteps`. */
  readonly evalSteps?: number
  readonly customConfig: Readonly<Record<string, JsonValue>>
  /** Where the serving bundle goes: `{model uri}/Format-Serving`. Write it with `saveModel`. */
  readonly servingModelDir: string
  /** The ModelRun artifact's directory, for logs the module writes itself. */
  readonly modelRunDir: string
  /** The base model's `Format-Serving` directory, for warm start. */
  readonly baseModel?: string
  /** Loads the base model's LayersModel; rejects when there is no `baseModel` input. */
  loadBaseModel(): Promise<Tfjs.LayersModel>
  /** `@tensorflow/tfjs` with the selected backend active: use it rather than importing tfjs (one copy, one backend). */
  readonly tf: TfModule
  readonly backend: BackendName
  /** Examples per split (train and eval splits), from the Parquet footers. */
  readonly numExamples: Readonly<Record<string, number>>
  /** Pass to `fit`/`fitDataset` (`callbacks: fnArgs.callbacks`) so the run records per-epoch metrics and examples/s. */
  readonly callbacks: Tfjs.CustomCallback
  /** Writes the serving bundle (tfjs model, `model.onnx` when exportable, fitted transform, signature) to `servingModelDir`. */
  saveModel(model: Tfjs.LayersModel, options?: SaveModelOptions): Promise<ServingSignature>
  readonly logger: Logger
  /** Aborted when the run is cancelled: stop and throw. */
  readonly signal: AbortSignal
}

/**
 * What `runFn` may return: nothing, the History of `fit` (used for per-epoch metrics when the module
 * did not pass `fnArgs.callbacks`), or final evaluation metrics (`{ accuracy: 0.91 }`).
 */
export type RunFnResult = void | undefined | Tfjs.History | Readonly<Record<string, number>>

/** The function a Trainer module file exports as `runFn`. */
export type RunFn = (fnArgs: TrainerFnArgs) => RunFnResult | Promise<RunFnResult>

/**
 * Reads a HyperParameters artifact: the first file under `uri` (TFX's Tuner writes
 * `best_hyperparameters.txt`), as JSON. A KerasTuner config `{ values: { … } }` gives its values.
 */
export async function readHyperparameters(uri: string): Promise<Record<string, JsonValue>> {
  const file = await firstFile(uri)
  if (file === undefined) {
    throw new TrainerError('SLUICE_TRAINER_BAD_HYPERPARAMETERS', `The hyperparameters input at ${uri} holds no file.`, {
      fix: "Wire a Tuner's bestHyperparameters output, or import a directory holding best_hyperparameters.txt (JSON).",
    })
  }
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (cause) {
    throw new TrainerError('SLUICE_TRAINER_BAD_HYPERPARAMETERS', `The hyperparameters file ${file} is not valid JSON: ${(cause as Error).message}`, { cause })
  }
  const isObject = (v: unknown): v is Record<string, JsonValue> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(value)) throw new TrainerError('SLUICE_TRAINER_BAD_HYPERPARAMETERS', `The hyperparameters file ${file} must hold a JSON object of name to value.`)
  return isObject(value.values) ? value.values : value
}

/** `uri` itself when it is a file, else the first file in it by name (hidden files skipped). */
async function firstFile(uri: string): Promise<string | undefined> {
  if ((await stat(uri).catch(() => undefined))?.isFile()) return uri
  const entries = await readdir(uri, { withFileTypes: true }).catch(() => [])
  const first = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort()[0]
  return first === undefined ? undefined : path.join(uri, first)
}
