import type { Logger } from './executor.js'
import type { ExecutorInput, ExecutorOutput } from './executor-io.js'

/** One out-of-process executor call, as the runner hands it to a backend. */
export interface ExecutionBackendRequest {
  /** The executor input; also written to `inputFile`. */
  readonly executorInput: ExecutorInput
  /** Path of the executor input JSON file (inside `systemDir`). */
  readonly inputFile: string
  /** The execution's `.system` directory: executor input, output and error report live here. */
  readonly systemDir: string
  /** Host paths the executor must see: inputs read-only; outputs, the system dir and the temp dir writable. */
  readonly mounts: readonly { readonly path: string; readonly readOnly: boolean }[]
  readonly nodeId: string
  /** Aborted on cancel or timeout: stop the executor and reject. */
  readonly signal: AbortSignal
  /** Where the executor's output lines go (the run's log). */
  readonly logger: Logger
  progress(fraction: number, message?: string): void
}

/**
 * Where an executor runs when it does not run inside the runner's process: a child process, a
 * container… A backend starts `sluice-exec <executor_input.json>` there and returns the executor
 * output JSON that it wrote to `executorInput.outputs.outputFile`.
 */
export interface ExecutionBackend {
  /** Shown in logs and recorded on the execution. */
  readonly name: string
  /**
   * Runs the call. Rejects with a SluiceError naming the node, the exit code and the last output
   * lines when the executor fails; an `executor_error.json` in `systemDir`, when present, carries
   * the executor's own error code and message.
   */
  run(request: ExecutionBackendRequest): Promise<ExecutorOutput>
  /** Identifies the environment (e.g. an image digest); part of the cache key of every node it runs. */
  fingerprint?(): Promise<string>
}
