// The command line of the model server, shared by the `sluice-model-server` bin and `sluice serve`:
// TF Serving's flags (`--model_name`, `--rest_api_port`, …) in kebab-case, snake_case accepted.
import path from 'node:path'
import type { Logger } from '@sluice/core'
import { readModelConfigFile } from './config-file.js'
import { ServingError } from './errors.js'
import { DEFAULT_BATCH_TIMEOUT_MICROS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_POLL_WAIT_SECONDS, DEFAULT_REST_PORT } from './options.js'
import type { ModelServerOptions } from './options.js'
import { startModelServer } from './server.js'
import type { ModelServer } from './server.js'

/** The flags, parsed. */
export interface ModelServerArgs {
  modelName?: string
  modelBasePath?: string
  port?: number
  host?: string
  socketPath?: string
  modelConfigFile?: string
  fileSystemPollWaitSeconds?: number
  enableBatching?: boolean
  maxBatchSize?: number
  batchTimeoutMicros?: number
  maxRequestBytes?: number
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu'
  onnxThreads?: number
  help?: boolean
}

type Kind = 'string' | 'port' | 'count' | 'nonNegative' | 'bool' | 'backend'

const FLAGS: readonly { readonly names: readonly string[]; readonly key: keyof ModelServerArgs; readonly kind: Kind; readonly value?: string; readonly help: string }[] = [
  { names: ['model-name'], key: 'modelName', kind: 'string', value: 'name', help: 'name of the model in /v1/models/{name} (default "default" with --model-base-path)' },
  { names: ['model-base-path'], key: 'modelBasePath', kind: 'string', value: 'dir', help: 'directory of versions: {dir}/{integer version}/ each holding a serving bundle' },
  { names: ['model-config-file'], key: 'modelConfigFile', kind: 'string', value: 'file', help: 'several models: TF Serving model_config_list in text format or JSON (instead of --model-name/--model-base-path)' },
  { names: ['port', 'rest-api-port'], key: 'port', kind: 'port', value: 'n', help: `REST API port; 0 picks a free one (default ${DEFAULT_REST_PORT})` },
  { names: ['host', 'rest-api-host'], key: 'host', kind: 'string', value: 'address', help: 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)' },
  { names: ['rest-api-socket'], key: 'socketPath', kind: 'string', value: 'path', help: 'listen on this unix socket instead of a TCP port' },
  { names: ['file-system-poll-wait-seconds'], key: 'fileSystemPollWaitSeconds', kind: 'nonNegative', value: 's', help: `seconds between scans for new versions; 0 scans only at start (default ${DEFAULT_POLL_WAIT_SECONDS})` },
  { names: ['enable-batching'], key: 'enableBatching', kind: 'bool', help: 'merge concurrent predict requests into one model call (default true; --enable-batching=false turns it off)' },
  { names: ['max-batch-size'], key: 'maxBatchSize', kind: 'count', value: 'n', help: `most rows per model call (default ${DEFAULT_MAX_BATCH_SIZE})` },
  { names: ['batch-timeout-micros'], key: 'batchTimeoutMicros', kind: 'nonNegative', value: 'us', help: `longest wait for request bodies still arriving to join a batch (default ${DEFAULT_BATCH_TIMEOUT_MICROS})` },
  { names: ['max-request-bytes'], key: 'maxRequestBytes', kind: 'count', value: 'n', help: 'largest request body; larger ones get 413 (default 64 MiB)' },
  { names: ['backend'], key: 'backend', kind: 'backend', value: 'name', help: 'tfjs backend for tfjs bundles: auto, tensorflow, wasm or cpu (default auto)' },
  { names: ['onnx-threads'], key: 'onnxThreads', kind: 'count', value: 'n', help: 'onnxruntime intra-op threads per ONNX model (default 1: the model runs on the server thread)' },
  { names: ['help'], key: 'help', kind: 'bool', help: 'show this help' },
]

/** The help text of the flags, for `sluice-model-server --help` and `sluice serve --help`. */
export function modelServerUsage(program = 'sluice-model-server'): string {
  const rows = FLAGS.map((f) => [`  ${f.names.map((n) => `--${n}`).join(', ')}${f.value ? ` <${f.value}>` : ''}`, f.help] as const)
  const width = Math.max(...rows.map(([left]) => left.length)) + 2
  return `Usage: ${program} --model-base-path <dir> [--model-name <name>] [--port <n>] [flags]
       ${program} --model-config-file <file> [flags]

A model server with TensorFlow Serving's REST API for Sluice serving bundles: raw features in, the
bundle's fitted transform and model run inside. New versions under the base path are picked up
without a restart; SIGTERM or Ctrl-C shuts down gracefully.

Flags (TF Serving's snake_case spellings work too, and --flag=value):
${rows.map(([left, help]) => left.padEnd(width) + help).join('\n')}

Endpoints:
  GET  /v1/models/{name}[/versions/{v}|/labels/{l}]            version status
  GET  /v1/models/{name}[/versions/{v}|/labels/{l}]/metadata   signature
  POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict    {"instances":[{…}]} or {"inputs":{…}}
  POST /v1/models/{name}[…]:classify | :regress                {"examples":[{…}]}
  GET  /metrics                                                Prometheus metrics

Example:
  ${program} --model-name taxi --model-base-path ./serving/taxi --port 8501
`
}

const usage = (message: string): never => {
  throw new ServingError('SLUICE_SERVING_USAGE', message)
}

function convert(kind: Kind, flag: string, raw: string): unknown {
  switch (kind) {
    case 'string':
      if (raw === '') usage(`--${flag} needs a value.`)
      return raw
    case 'bool':
      if (/^(true|1|yes)$/i.test(raw)) return true
      if (/^(false|0|no)$/i.test(raw)) return false
      return usage(`--${flag} takes true or false, got "${raw}".`)
    case 'backend':
      if (['auto', 'tensorflow', 'wasm', 'cpu'].includes(raw)) return raw
      return usage(`--${flag} takes auto, tensorflow, wasm or cpu, got "${raw}".`)
    default: {
      const n = Number(raw)
      const ok = raw.trim() !== '' && Number.isFinite(n) && (kind === 'nonNegative' ? n >= 0 : Number.isSafeInteger(n) && (kind === 'port' ? n >= 0 && n < 65536 : n >= 1))
      if (!ok) usage(`--${flag} takes ${kind === 'port' ? 'a port number (0-65535)' : kind === 'count' ? 'a whole number of at least 1' : 'a number of at least 0'}, got "${raw}".`)
      return n
    }
  }
}

/**
 * Parses the server's flags (`--flag value`, `--flag=value`, kebab-case or snake_case). Throws a
 * ServingError with code SLUICE_SERVING_USAGE for an unknown flag, a missing or bad value, or a
 * positional argument.
 *
 * @example
 * parseModelServerArgs(['--model_name=taxi', '--model-base-path', './serving/taxi', '--rest_api_port=8501'])
 */
export function parseModelServerArgs(argv: readonly string[]): ModelServerArgs {
  const args: Record<string, unknown> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '-h') {
      args.help = true
      continue
    }
    if (!arg.startsWith('--')) usage(`Unexpected argument "${arg}"; every setting is a --flag.`)
    const eq = arg.indexOf('=')
    const flag = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).replaceAll('_', '-')
    const spec = FLAGS.find((f) => f.names.includes(flag))
    if (!spec) {
      const near = FLAGS.flatMap((f) => f.names).find((n) => n.startsWith(flag.slice(0, 5)))
      usage(`Unknown flag --${flag}.${near ? ` Did you mean --${near}?` : ''}`)
    }
    let raw: string
    if (eq !== -1) raw = arg.slice(eq + 1)
    else if (spec!.kind === 'bool') raw = 'true'
    else {
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) usage(`--${flag} needs a value.`)
      raw = next!
      i++
    }
    args[spec!.key] = convert(spec!.kind, flag, raw)
  }
  return args as ModelServerArgs
}

/** Turns parsed flags into {@link ModelServerOptions}, reading the model config file. */
export async function modelServerOptionsFromArgs(args: ModelServerArgs, options: { cwd?: string; logger?: Logger } = {}): Promise<ModelServerOptions> {
  const cwd = options.cwd ?? process.cwd()
  if (args.modelConfigFile !== undefined && (args.modelName !== undefined || args.modelBasePath !== undefined)) {
    usage('Pass either --model-config-file or --model-name/--model-base-path, not both.')
  }
  if (args.modelConfigFile === undefined && args.modelBasePath === undefined) {
    usage('Nothing to serve: pass --model-base-path <dir> (with --model-name <name>) or --model-config-file <file>.')
  }
  const models = args.modelConfigFile !== undefined ? await readModelConfigFile(args.modelConfigFile, cwd) : [{ name: args.modelName ?? 'default', basePath: path.resolve(cwd, args.modelBasePath!) }]
  if (models.length === 0) usage(`The model config file ${args.modelConfigFile} lists no models.`)
  return {
    models,
    ...(args.port !== undefined ? { port: args.port } : {}),
    ...(args.host !== undefined ? { host: args.host } : {}),
    ...(args.socketPath !== undefined ? { socketPath: path.resolve(cwd, args.socketPath) } : {}),
    ...(args.fileSystemPollWaitSeconds !== undefined ? { fileSystemPollWaitSeconds: args.fileSystemPollWaitSeconds } : {}),
    ...(args.maxRequestBytes !== undefined ? { maxRequestBytes: args.maxRequestBytes } : {}),
    ...(args.backend !== undefined ? { backend: args.backend } : {}),
    ...(args.onnxThreads !== undefined ? { onnxThreads: args.onnxThreads } : {}),
    batching:
      args.enableBatching === false
        ? false
        : {
            ...(args.maxBatchSize !== undefined ? { maxBatchSize: args.maxBatchSize } : {}),
            ...(args.batchTimeoutMicros !== undefined ? { batchTimeoutMicros: args.batchTimeoutMicros } : {}),
          },
    ...(options.logger ? { logger: options.logger } : {}),
  }
}

/** Where {@link runModelServerCli} writes and how it learns about shutdown. */
export interface ModelServerCliIo {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
  /** Relative paths (base paths, config file, socket) resolve against it. */
  readonly cwd: string
  /** Calls `handler` on SIGTERM and SIGINT until the returned function is called. */
  onShutdownSignal(handler: (signal: string) => void): () => void
}

/** The real process: SIGTERM and SIGINT. */
export function processServerIo(): ModelServerCliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    onShutdownSignal(handler) {
      const term = () => handler('SIGTERM')
      const int = () => handler('SIGINT')
      process.on('SIGTERM', term)
      process.on('SIGINT', int)
      return () => {
        process.off('SIGTERM', term)
        process.off('SIGINT', int)
      }
    },
  }
}

/** A logger writing every level to `stream`, prefixed with the program name. */
export function streamLogger(stream: { write(text: string): unknown }, program: string): Logger {
  const line = (level: string) => (message: string) => void stream.write(`${program}: ${level}${message}\n`)
  return { debug: () => {}, info: line(''), warn: line('warning: '), error: line('error: ') }
}

/** Options of {@link runModelServerCli}. */
export interface RunModelServerCliOptions {
  /** How the program is called in messages and help. @default 'sluice-model-server' */
  readonly program?: string
  /** Called once the server listens (tests use it to reach the server). */
  readonly onStarted?: (server: ModelServer) => void
}

/**
 * Runs the model server from command-line flags: prints `Serving models <names> at <url>` on stdout
 * once it listens, logs loads and failures on stderr, and on SIGTERM or SIGINT closes gracefully.
 * Resolves to the exit code: 0 after a shutdown, 1 when the server cannot start, 2 for bad flags.
 *
 * @example
 * process.exitCode = await runModelServerCli(process.argv.slice(2))
 */
export async function runModelServerCli(argv: readonly string[], io: ModelServerCliIo = processServerIo(), options: RunModelServerCliOptions = {}): Promise<number> {
  const program = options.program ?? 'sluice-model-server'
  let server: ModelServer
  try {
    const args = parseModelServerArgs(argv)
    if (args.help) {
      io.stdout.write(modelServerUsage(program))
      return 0
    }
    const serverOptions = await modelServerOptionsFromArgs(args, { cwd: io.cwd, logger: streamLogger(io.stderr, program) })
    // Shutdown may be asked for while models load: remember it and close right after listening.
    let early: string | undefined
    const offEarly = io.onShutdownSignal((signal) => (early = signal))
    try {
      server = await startModelServer(serverOptions)
    } finally {
      offEarly()
    }
    if (early !== undefined) {
      await server.close()
      return 0
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    io.stderr.write(`${program}: error: ${(error as Error).message}${code ? ` [${String(code)}]` : ''}\n`)
    if (code === 'SLUICE_SERVING_USAGE') {
      io.stderr.write(`Run "${program} --help" for the flags.\n`)
      return 2
    }
    return 1
  }
  io.stdout.write(`Serving models ${server.models.join(', ')} at ${server.url}\n`)
  options.onStarted?.(server)
  const signal = await new Promise<string>((resolve) => {
    const off = io.onShutdownSignal((s) => {
      off()
      resolve(s)
    })
  })
  io.stderr.write(`${program}: ${signal}: shutting down (finishing requests in flight)\n`)
  await server.close()
  return 0
}
