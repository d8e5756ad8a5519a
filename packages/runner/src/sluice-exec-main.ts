import fs from 'node:fs/promises'
import path from 'node:path'
import type { ExecutionContext, ExecutorInput, Logger } from '@sluice/core'
import { SluiceError, isSluiceError } from '@sluice/core'
import { locateComponent } from './component-locator.js'
import { invokeExecutor } from './executor-invocation.js'
import { decodeExecutorInput, encodeExecutorOutput } from './executor-input.js'

/** Messages a child executor sends to the runner over IPC. */
export type ChildMessage =
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'progress'; fraction: number; message?: string }

/** The error report a failed child leaves next to its executor output file. */
export interface ExecutorErrorReport {
  code: string
  message: string
  retryable: boolean
  stack?: string
}

/** Path of the error report for an executor output file. */
export function errorReportPath(outputFile: string): string {
  return path.join(path.dirname(outputFile), 'executor_error.json')
}

function send(message: ChildMessage): void {
  if (process.send) process.send(message)
  // Without IPC (a container), logs and progress go to stderr as lines the backend parses.
  else if (message.type === 'log') process.stderr.write(`[${message.level}] ${message.message}\n`)
  else process.stderr.write(`[progress] ${message.fraction}${message.message === undefined ? '' : ` ${message.message}`}\n`)
}

/** Reads and checks the shape of an executor input file. */
async function readExecutorInput(file: string): Promise<ExecutorInput> {
  let input: ExecutorInput
  try {
    input = JSON.parse(await fs.readFile(file, 'utf8')) as ExecutorInput
  } catch (cause) {
    throw new SluiceError('SLUICE_EXECUTOR_INPUT_INVALID', `Cannot read the executor input ${file}: ${(cause as Error).message}`, { cause })
  }
  const missing = [
    typeof input?.outputs?.outputFile === 'string' ? undefined : 'outputs.outputFile',
    typeof input?.sluice?.component === 'string' ? undefined : 'sluice.component',
    typeof input?.sluice?.nodeId === 'string' ? undefined : 'sluice.nodeId',
    typeof input?.sluice?.tmpDir === 'string' ? undefined : 'sluice.tmpDir',
  ].filter((field) => field !== undefined)
  if (missing.length > 0) {
    throw new SluiceError('SLUICE_EXECUTOR_INPUT_INVALID', `The executor input ${file} has no ${missing.join(', ')}.`, {
      fix: 'Write it with encodeExecutorInput() from @sluice/runner.',
    })
  }
  return input
}

/**
 * Runs the executor input at `file`. Returns the exit code: 0 on success; 1 on failure, with an
 * `executor_error.json` beside the output file (beside `file` when the input names no output file)
 * so the caller can report the code and message.
 */
export async function runExecutorInputFile(file: string): Promise<number> {
  let outputFile: string | undefined
  const controller = new AbortController()
  process.once('SIGTERM', () => controller.abort(new Error('terminated')))
  try {
    const input = await readExecutorInput(file)
    outputFile = input.outputs.outputFile
    const component = await locateComponent(input.sluice)
    const decoded = decodeExecutorInput(input, component)
    const logger: Logger = {
      debug: (m) => send({ type: 'log', level: 'debug', message: m }),
      info: (m) => send({ type: 'log', level: 'info', message: m }),
      warn: (m) => send({ type: 'log', level: 'warn', message: m }),
      error: (m) => send({ type: 'log', level: 'error', message: m }),
    }
    const s = input.sluice
    await fs.mkdir(s.tmpDir, { recursive: true })
    const context: ExecutionContext = {
      pipelineName: s.pipelineName,
      pipelineRoot: s.pipelineRoot,
      runId: s.runId,
      nodeId: s.nodeId,
      executionId: s.executionId,
      tmpDir: s.tmpDir,
      signal: controller.signal,
      logger,
      progress: (fraction, message) => send({ type: 'progress', fraction, ...(message === undefined ? {} : { message }) }),
    }
    const result = await invokeExecutor({ component, nodeId: s.nodeId, ...decoded, context })
    await fs.mkdir(path.dirname(outputFile), { recursive: true })
    await fs.writeFile(outputFile, JSON.stringify(encodeExecutorOutput(result), null, 2))
    return 0
  } catch (error) {
    const report: ExecutorErrorReport = {
      code: isSluiceError(error) ? error.code : 'SLUICE_EXECUTOR_FAILED',
      message: error instanceof Error ? error.message : String(error),
      retryable: isSluiceError(error) ? error.retryable : false,
      ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    }
    process.stderr.write(`${report.message}\n`)
    const reportFile = outputFile ? errorReportPath(outputFile) : path.join(path.dirname(path.resolve(file)), 'executor_error.json')
    await fs.mkdir(path.dirname(reportFile), { recursive: true }).catch(() => {})
    await fs.writeFile(reportFile, JSON.stringify(report, null, 2)).catch(() => {})
    return 1
  }
}
