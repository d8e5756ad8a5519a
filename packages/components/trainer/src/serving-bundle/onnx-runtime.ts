// onnxruntime-node, loaded on first use: a process that serves with tfjs (or only defines pipelines)
// never loads its native binding. Sessions are set up for small tabular models on a few cores.
import { availableParallelism } from 'node:os'
import type * as Ort from 'onnxruntime-node'
import { TrainerError } from '../errors.js'

/** The `onnxruntime-node` module namespace. */
export type OrtModule = typeof Ort

let ort: Promise<OrtModule> | undefined

/** Imports `onnxruntime-node` once. */
export function loadOnnxRuntime(): Promise<OrtModule> {
  ort ??= import('onnxruntime-node')
  return ort
}

/**
 * Intra-op threads when not given: perf.md measured a second thread 1.45x faster at batch 4096 and no
 * help at batch 1–64, so two at most; more would contend with the transform and the event loop.
 */
export function defaultOnnxThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()))
}

/** Options of {@link createOnnxSession}. */
export interface OnnxSessionOptions {
  /** Intra-op threads. @default min(2, cores) */
  readonly threads?: number
  /** The file the model came from, named in errors. */
  readonly file: string
}

/**
 * An InferenceSession for `source` (a path or the model bytes). A model onnxruntime cannot load is a
 * TrainerError naming the file.
 */
export async function createOnnxSession(source: string | Uint8Array, options: OnnxSessionOptions): Promise<Ort.InferenceSession> {
  const { InferenceSession } = await loadOnnxRuntime()
  const sessionOptions: Ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: options.threads ?? defaultOnnxThreads(),
    interOpNumThreads: 1,
    // Errors only: ORT warns about things like unused initializers on stderr otherwise.
    logSeverityLevel: 3,
    // Idle pool threads would otherwise spin, taking CPU from the transform and the event loop
    // between requests.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  }
  try {
    return typeof source === 'string' ? await InferenceSession.create(source, sessionOptions) : await InferenceSession.create(source, sessionOptions)
  } catch (cause) {
    throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `${options.file} cannot be loaded by onnxruntime-node: ${(cause as Error).message}`, {
      fix: "Re-run the Trainer to export it again, delete it to serve the tfjs model, or load the bundle with { runtime: 'tfjs' }.",
      cause,
    })
  }
}
