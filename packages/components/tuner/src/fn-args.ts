// fnArgs of tunerFn: the Trainer's fnArgs without what saves a model or records a training run (the
// Trainer's buildTrainingFnArgs), plus the Tuner's working directory. They are built from a
// structured-clonable request so that each trial worker can rebuild them in its own thread.
import type { Logger } from '@sluice/core'
import type { TrainingFnArgs, TrainingInputsRequest } from '@sluice/component-trainer'
import { buildTrainingFnArgs } from '@sluice/component-trainer'
import type { JsonValue } from '@sluice/core'
import type { TunerArgs } from './spec.js'

/** What `tunerFn(fnArgs)` receives: the Trainer's fnArgs minus the model-saving and run-recording parts. */
export interface TunerFnArgs extends TrainingFnArgs {
  /** Scratch space of the Tuner run, removed afterwards (trial directories live under `trials/`). */
  readonly workingDir: string
}

/** Everything needed to build {@link TunerFnArgs}, in structured-clonable form. */
export type TunerFnArgsRequest = TrainingInputsRequest

/** The request for the executor's inputs and parameters. */
export function tunerFnArgsRequest(inputs: TunerArgs['inputs'], parameters: TunerArgs['parameters'], tmpDir: string): TunerFnArgsRequest {
  return {
    examplesUri: inputs.examples.uri,
    schemaUri: inputs.schema?.uri,
    transformGraphUri: inputs.transformGraph?.uri,
    baseModelUri: inputs.baseModel?.uri,
    trainSplits: parameters.trainArgs.splits,
    evalSplits: parameters.evalArgs.splits,
    trainSteps: parameters.trainArgs.numSteps,
    evalSteps: parameters.evalArgs.numSteps,
    customConfig: parameters.customConfig as Record<string, JsonValue>,
    backend: parameters.backend,
    tmpDir,
  }
}

/** Builds fnArgs: on the executor's thread, and again in every trial worker. */
export async function buildTunerFnArgs(request: TunerFnArgsRequest, options: { logger: Logger; signal: AbortSignal }): Promise<TunerFnArgs> {
  const common = await buildTrainingFnArgs(request, { component: 'Tuner', ...options })
  return { ...common, workingDir: request.tmpDir }
}
