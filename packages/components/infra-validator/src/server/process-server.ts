// The Sluice model server in a child process: `node …/sluice-model-server --port 0`, as `sluice serve`
// and a production deployment run it, reached over loopback TCP on the port it reports.
import { createInterface } from 'node:readline'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { InfraValidatorError } from '../errors.js'
import type { Endpoint, RunningServer, ServerExit, ServerLauncher } from './server.js'
import { ServerLog, parseStartLine, within } from './server.js'

/** How long a server gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000

/**
 * How to start `sluice-model-server`: the package's bin (which loads its dist/) when this package
 * runs built; from TypeScript sources (tests, the monorepo) its `src/bin.ts` through tsx with the
 * `@sluice/source` condition, as the runner starts `sluice-exec` from sources.
 */
export function serverEntry(): { execArgv: string[]; script: string } {
  const require = createRequire(import.meta.url)
  let packageJson: string
  try {
    packageJson = require.resolve('@sluice/serving/package.json')
  } catch (cause) {
    throw new InfraValidatorError('SLUICE_INFRA_SERVER_UNAVAILABLE', 'InfraValidator: the model server package @sluice/serving is not installed.', {
      cause,
      fix: 'Install it: npm i @sluice/serving',
    })
  }
  const dir = path.dirname(packageJson)
  const source = path.join(dir, 'src', 'bin.ts')
  if (fileURLToPath(import.meta.url).endsWith('.ts') && fs.existsSync(source)) {
    return { execArgv: ['--conditions=@sluice/source', '--import', pathToFileURL(require.resolve('tsx/esm')).href], script: source }
  }
  if (!fs.existsSync(path.join(dir, 'dist', 'bin.js'))) {
    throw new InfraValidatorError('SLUICE_INFRA_SERVER_UNAVAILABLE', `InfraValidator: @sluice/serving at ${dir} is not built (no dist/bin.js).`, {
      fix: 'Build it (npm run build -w @sluice/serving), or reinstall it.',
    })
  }
  return { execArgv: [], script: path.join(dir, 'bin', 'sluice-model-server.js') }
}

/** Servers still running, killed if this process exits without stopping them (a crash, process.exit()). */
const running = new Set<ChildProcess>()
let exitHookInstalled = false

function track(child: ChildProcess): void {
  running.add(child)
  child.once('close', () => running.delete(child))
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Synchronous, as 'exit' handlers must be: no orphaned server outlives the pipeline's process.
  process.once('exit', () => {
    for (const orphan of running) orphan.kill('SIGKILL')
  })
}

/** Starts the model server as a child process of this one, listening on a free loopback port. */
export function processLauncher(): ServerLauncher {
  return {
    description: 'a child process',
    async start({ modelName, modelBasePath, onLine }) {
      const { execArgv, script } = serverEntry()
      const args = [...execArgv, script, '--model-name', modelName, '--model-base-path', modelBasePath, '--port', '0']
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env })
      track(child)
      const log = new ServerLog()
      let announce: (endpoint: Endpoint) => void = () => {}
      const listening = new Promise<Endpoint>((resolve) => (announce = resolve))
      const handle = (line: string) => {
        log.add(line)
        onLine(line)
        const endpoint = parseStartLine(line)
        if (endpoint) announce(endpoint)
      }
      for (const input of [child.stdout!, child.stderr!]) {
        createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
          if (line.trim() !== '') handle(line)
        })
      }
      const exited = new Promise<ServerExit>((resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, error }))
        // 'close', not 'exit': by then every line the server wrote has been read.
        child.once('close', (code, signal) => resolve({ code, signal }))
      })
      let stopping: Promise<void> | undefined
      const server: RunningServer = {
        label: `the model server (child process ${child.pid ?? '?'})`,
        ...(child.pid === undefined ? {} : { pid: child.pid }),
        listening,
        exited,
        log,
        stop() {
          stopping ??= (async () => {
            if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return void (await within(exited, STOP_GRACE_MS))
            child.kill('SIGTERM')
            if ((await within(exited, STOP_GRACE_MS)) !== undefined) return
            log.add(`(no exit within ${STOP_GRACE_MS / 1000} s of SIGTERM: killed)`)
            child.kill('SIGKILL')
            await within(exited, STOP_GRACE_MS)
          })()
          return stopping
        },
      }
      return server
    },
  }
}
