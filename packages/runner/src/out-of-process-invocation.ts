import fs from 'node:fs/promises'
import path from 'node:path'
import type { ExecutionBackend } from '@sluice/core'
import { ExecutorError } from '@sluice/core'
import { readExecutorOutput } from './child-process-backend.js'
import type { Invocation, InvocationResult } from './executor-invocation.js'
import type { ExecutorInputLocation } from './executor-input.js'
import { applyExecutorOutput, encodeExecutorInput } from './executor-input.js'
import type { ExecutorErrorReport } from './sluice-exec-main.js'
import { errorReportPath } from './sluice-exec-main.js'

/**
 * Runs the call through an execution backend (a child process, a container): writes the executor
 * input JSON, lets the backend run `sluice-exec` on it, and applies the executor output to the
 * outputs. When the executor left an error report, its code and message win over the backend's
 * generic "exited with code N".
 */
export async function invokeOutOfProcess(
  invocation: Invocation,
  location: ExecutorInputLocation,
  systemDir: string,
  backend: ExecutionBackend,
  extraReadOnlyPaths: readonly string[] = [],
): Promise<InvocationResult> {
  const { context, nodeId } = invocation
  const executorInput = encodeExecutorInput(invocation, location)
  const inputFile = path.join(systemDir, 'executor_input.json')
  await fs.mkdir(systemDir, { recursive: true })
  await fs.rm(location.outputFile, { force: true })
  await fs.rm(errorReportPath(location.outputFile), { force: true })
  await fs.writeFile(inputFile, JSON.stringify(executorInput, null, 2))
  const mounts = new Map<string, boolean>()
  for (const p of extraReadOnlyPaths) mounts.set(p, true)
  for (const given of Object.values(invocation.inputs)) {
    for (const artifact of given === undefined ? [] : Array.isArray(given) ? given : [given]) mounts.set(artifact.uri, true)
  }
  for (const artifact of Object.values(invocation.outputs)) mounts.set(artifact.type.valueKind === undefined ? artifact.uri : path.dirname(artifact.uri), false)
  mounts.set(systemDir, false)
  try {
    const output = await backend.run({
      executorInput,
      inputFile,
      systemDir,
      mounts: [...mounts].map(([p, readOnly]) => ({ path: p, readOnly })),
      nodeId,
      signal: context.signal,
      logger: context.logger,
      progress: context.progress,
    })
    return applyExecutorOutput(output, invocation.outputs, nodeId)
  } catch (error) {
    if (context.signal.aborted) throw error
    const report = await readExecutorOutput<ExecutorErrorReport>(errorReportPath(location.outputFile)).catch(() => undefined)
    if (!report) throw error
    const reported = new ExecutorError(report.message, { code: report.code, retryable: report.retryable, cause: error })
    if (report.stack) reported.stack = report.stack
    throw reported
  }
}
