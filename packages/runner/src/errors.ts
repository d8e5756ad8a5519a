import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** A run cannot start or resume (unknown run id, run of another pipeline, nothing to resume). */
export class RunError extends SluiceError {
  override name = 'RunError'
  constructor(code: string, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}

/** A node took longer than its `timeoutMs`. */
export class NodeTimeoutError extends SluiceError {
  override name = 'NodeTimeoutError'
  constructor(nodeId: string, timeoutMs: number) {
    super('SLUICE_NODE_TIMEOUT', `Node "${nodeId}" did not finish within ${timeoutMs} ms and was stopped.`, {
      fix: 'Raise its timeout with .withOptions({ timeoutMs }) or make the executor faster.',
    })
  }
}

/** The run was cancelled (Ctrl-C or an aborted signal) while the node ran. */
export class NodeCanceledError extends SluiceError {
  override name = 'NodeCanceledError'
  constructor(nodeId: string) {
    super('SLUICE_NODE_CANCELED', `Node "${nodeId}" was cancelled.`)
  }
}

/** The executor's child process died or broke the executor-output contract. */
export class ChildProcessError extends SluiceError {
  override name = 'ChildProcessError'
  constructor(message: string, options?: SluiceErrorOptions) {
    super('SLUICE_CHILD_PROCESS_FAILED', message, options)
  }
}
