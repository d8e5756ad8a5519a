import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ExecutorOutput } from '@sluice/core'
import { ExecutorError, SluiceError } from '@sluice/core'
import { ChildProcessError } from './errors.js'
import type { Invocation, InvocationResult } from './executor-invocation.js'
import type { ExecutorInputLocation } from './executor-input.js'
import { applyExecutorOutput, encodeExecutorInput } from './executor-input.js'
import type { ChildMessage, ExecutorErrorReport } from './sluice-exec-main.js'
import { errorReportPath } from './sluice-exec-main.js'

const KILL_GRACE_MS = 5_000
const LOG_TAIL_LINES = 20
const STREAM_DRAIN_MS = 500

/**
 * The node arguments of the `sluice-exec` child. When the runner itself runs from TypeScript source
 * (tests), the child needs tsx and the source export condition too.
 */
function childEntry(): { script: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url)
  const fromSource = self.endsWith('.ts')
  const script = path.join(path.dirname(self), fromSource ? 'sluice-exec.ts' : 'sluice-exec.js')
  return { script, execArgv: fromSource ? ['--conditions=@sluice/source', '--import', import.meta.resolve('tsx/esm')] : [] }
}

/**
 * Runs the call in a `sluice-exec` child process: the executor input goes to a file, the child runs
 * the executor and writes the executor output, which is applied to the outputs here. A crash of the
 * child fails only this node.
 */
export async function invokeInChildProcess(invocation: Invocation, location: ExecutorInputLocation, systemDir: string): Promise<InvocationResult> {
  const { context, nodeId } = invocation
  const input = encodeExecutorInput(invocation, location)
  const inputFile = path.join(systemDir, 'executor_input.json')
  await fs.mkdir(systemDir, { recursive: true })
  await fs.rm(location.outputFile, { force: true })
  await fs.rm(errorReportPath(location.outputFile), { force: true })
  await fs.writeFile(inputFile, JSON.stringify(input, null, 2))
  const { script, execArgv } = childEntry()
  const child = spawn(process.execPath, [...execArgv, script, inputFile], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env })
  const tail: string[] = []
  const stdout = lineSplitter((line) => {
    remember(tail, line)
    context.logger.info(line)
  })
  const stderr = lineSplitter((line) => {
    remember(tail, line)
    context.logger.error(line)
  })
  child.stdout!.on('data', stdout.push)
  child.stderr!.on('data', stderr.push)
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'log') context.logger[message.level](message.message)
    else if (message.type === 'progress') context.progress(message.fraction, message.message)
  })
  const stop = () => {
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref()
  }
  context.signal.addEventListener('abort', stop, { once: true })
  // Aborted while the input was being written: the listener above came too late.
  if (context.signal.aborted) stop()
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => resolve({ code, signal }))
  }).finally(() => context.signal.removeEventListener('abort', stop))
  // Let stdout and stderr drain, without waiting on a grandchild that may hold them open.
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, STREAM_DRAIN_MS).unref())])
  stdout.end()
  stderr.end()
  if (context.signal.aborted) throw context.signal.reason instanceof Error ? context.signal.reason : new ChildProcessError(`Node "${nodeId}" was stopped.`)
  if (exit.code !== 0) {
    const report = await readJson<ExecutorErrorReport>(errorReportPath(location.outputFile))
    if (report) {
      const error = new ExecutorError(report.message, { code: report.code, retryable: report.retryable })
      if (report.stack) error.stack = report.stack
      throw error
    }
    throw new ChildProcessError(
      `Node "${nodeId}": the executor process ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}.${tail.length > 0 ? ` Last output:\n${tail.join('\n')}` : ''}`,
    )
  }
  const output = await readJson<ExecutorOutput>(location.outputFile)
  if (!output) throw new ChildProcessError(`Node "${nodeId}": the executor process exited 0 but wrote no executor output at ${location.outputFile}.`)
  return applyExecutorOutput(output, invocation.outputs, nodeId)
}

/** Splits a stream's chunks into lines; a line split across chunks is delivered whole. */
function lineSplitter(onLine: (line: string) => void): { push: (chunk: Buffer) => void; end: () => void } {
  let partial = ''
  const emit = (line: string) => {
    if (line.trim() !== '') onLine(line.replace(/\r$/, ''))
  }
  return {
    push: (chunk) => {
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop()!
      lines.forEach(emit)
    },
    end: () => {
      emit(partial)
      partial = ''
    },
  }
}

function remember(tail: string[], line: string): void {
  tail.push(line)
  if (tail.length > LOG_TAIL_LINES) tail.shift()
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new SluiceError('SLUICE_EXECUTOR_OUTPUT_INVALID', `${file} is not valid JSON.`, { cause: error })
  }
}
