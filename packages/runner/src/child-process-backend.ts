import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ExecutionBackend, ExecutionBackendRequest, ExecutorOutput } from '@sluice/core'
import { SluiceError } from '@sluice/core'
import { ChildProcessError } from './errors.js'
import type { ChildMessage } from './sluice-exec-main.js'

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
 * Runs executors in a `sluice-exec` child process of the runner (`isolation: 'process'`): a crash of
 * the child fails only its node. Logs and progress come back over stdout/stderr and IPC.
 */
export const childProcessBackend: ExecutionBackend = {
  name: 'process',
  async run(request: ExecutionBackendRequest): Promise<ExecutorOutput> {
    const { nodeId, signal, logger } = request
    const { script, execArgv } = childEntry()
    const child = spawn(process.execPath, [...execArgv, script, request.inputFile], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env })
    const tail: string[] = []
    const stdout = lineSplitter((line) => {
      remember(tail, line)
      logger.info(line)
    })
    const stderr = lineSplitter((line) => {
      remember(tail, line)
      logger.error(line)
    })
    child.stdout!.on('data', stdout.push)
    child.stderr!.on('data', stderr.push)
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'log') logger[message.level](message.message)
      else if (message.type === 'progress') request.progress(message.fraction, message.message)
    })
    const stop = () => {
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref()
    }
    signal.addEventListener('abort', stop, { once: true })
    // Aborted while the input was being written: the listener above came too late.
    if (signal.aborted) stop()
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code, sig) => resolve({ code, signal: sig }))
    }).finally(() => signal.removeEventListener('abort', stop))
    // Let stdout and stderr drain, without waiting on a grandchild that may hold them open.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, STREAM_DRAIN_MS).unref())])
    stdout.end()
    stderr.end()
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ChildProcessError(`Node "${nodeId}" was stopped.`)
    if (exit.code !== 0) {
      throw new ChildProcessError(
        `Node "${nodeId}": the executor process ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}.${tail.length > 0 ? ` Last output:\n${tail.join('\n')}` : ''}`,
      )
    }
    const output = await readExecutorOutput(request.executorInput.outputs.outputFile)
    if (!output) throw new ChildProcessError(`Node "${nodeId}": the executor process exited 0 but wrote no executor output at ${request.executorInput.outputs.outputFile}.`)
    return output
  },
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

/** Reads an executor output (or error report) JSON file; undefined when it does not exist. */
export async function readExecutorOutput<T = ExecutorOutput>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new SluiceError('SLUICE_EXECUTOR_OUTPUT_INVALID', `${file} is not valid JSON.`, { cause: error })
  }
}
