// Loading the user's tunerFn and calling it: shared by the executor and every trial worker, so that
// both report a bad module the same way.
import { ExecutorError, loadModuleFunction } from '@sluice/core'
import type { TunerFnArgs } from './fn-args.js'
import type { LoadedTuning, TunerFn } from './tuner-fn.js'
import { validateTunerFnResult } from './tuner-fn.js'

/** Imports the module file and returns its `tunerFn` export. */
export function loadTunerFn(moduleFile: string): Promise<TunerFn> {
  return loadModuleFunction<TunerFn>(moduleFile, { component: 'Tuner', exportName: 'tunerFn', signature: 'tunerFn(fnArgs)' })
}

/** Calls `tunerFn(fnArgs)` and validates what it returns; a throw becomes an error naming the module. */
export async function callTunerFn(tunerFn: TunerFn, fnArgs: TunerFnArgs, moduleFile: string): Promise<LoadedTuning> {
  let result: unknown
  try {
    result = await tunerFn(fnArgs)
  } catch (error) {
    throw new ExecutorError(`Tuner: tunerFn in ${moduleFile} threw: ${(error as Error)?.message ?? String(error)}`, {
      code: 'SLUICE_TUNER_FN_FAILED',
      fix: 'Fix the error in tunerFn; it runs once before the trials (and once in each worker thread when numParallelTrials > 1).',
      cause: error,
    })
  }
  return validateTunerFnResult(moduleFile, result)
}

/** Loads the module, calls tunerFn and validates the result. */
export async function loadTuning(moduleFile: string, fnArgs: TunerFnArgs): Promise<LoadedTuning> {
  return callTunerFn(await loadTunerFn(moduleFile), fnArgs, moduleFile)
}
