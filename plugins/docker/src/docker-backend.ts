import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ExecutionBackend, ExecutionBackendRequest, ExecutorOutput, Logger } from '@sluice/core'
import { ExecutorError, SluiceError } from '@sluice/core'
import type { Mount } from './engine.js'
import { DockerError } from './errors.js'
import type { ContainerRunOptions } from './options.js'
import { containerRunSettings } from './options.js'
import { checkRunOptions, containerUser } from './options.js'

const LOG_LINE = /^\[(debug|info|warn|error)\] (.*)$/
const PROGRESS_LINE = /^\[progress\] (\d+(?:\.\d+)?)(?: (.*))?$/

/** What {@link dockerBackend} takes. */
export interface DockerBackendOptions extends ContainerRunOptions {
  /** An image whose entrypoint is `sluice-exec`, such as the runner image built from containers/runner. */
  readonly image: string
  /** Replaces the image's entrypoint; the executor input file is appended. @default the image's (sluice-exec) */
  readonly command?: readonly string[]
  /** Environment variables of the container. */
  readonly env?: Readonly<Record<string, string>>
  /**
   * The project directory, mounted read-only at the same path so the container can import the
   * pipeline module and its dependencies. `false` mounts none. @default the nearest directory above
   * the module with a package.json and a node_modules (the workspace root in an npm/yarn/pnpm workspace)
   */
  readonly projectRoot?: string | false
}

/**
 * Runs executors in containers: an {@link ExecutionBackend} that starts `sluice-exec
 * <executor_input.json>` in the image, with every path the executor needs mounted at the same path
 * (inputs read-only, outputs and the execution's system directory writable), the project directory
 * read-only (to import the pipeline module), no network, and your uid:gid. Its fingerprint is the
 * image digest, so a rebuilt image misses the cache.
 *
 * @example
 * trainer.withOptions({ isolation: dockerBackend({ image: 'sluice-runner:local', memory: '4g' }) })
 */
export function dockerBackend(options: DockerBackendOptions): ExecutionBackend {
  if (typeof options?.image !== 'string' || options.image.trim() === '') {
    throw new DockerError('SLUICE_CONTAINER_INVALID', 'dockerBackend: image must be an image reference, e.g. "sluice-runner:local".')
  }
  checkRunOptions(options, `dockerBackend(${options.image})`)
  if (options.command !== undefined && (!Array.isArray(options.command) || options.command.some((c) => typeof c !== 'string'))) {
    throw new DockerError('SLUICE_CONTAINER_INVALID', `dockerBackend(${options.image}): command must be an array of strings.`)
  }
  const { image } = options
  return Object.freeze({
    name: `docker:${image}`,
    run: (request: ExecutionBackendRequest) => runInContainer(options, request),
    async fingerprint(): Promise<string> {
      const { imageDigest } = await import('./engine.js')
      return `image ${image} ${await imageDigest(image, options.pull ?? 'if-missing', options.docker)}`
    },
  })
}

async function runInContainer(options: DockerBackendOptions, request: ExecutionBackendRequest): Promise<ExecutorOutput> {
  const { runContainer, tailText } = await import('./engine.js')
  const { executorInput: input, logger } = request
  const subject = `Node "${request.nodeId}" (${input.sluice.component} in ${options.image})`
  const outputFile = input.outputs.outputFile
  const errorFile = path.join(path.dirname(outputFile), 'executor_error.json')
  await fsp.mkdir(request.systemDir, { recursive: true })
  await fsp.mkdir(path.dirname(outputFile), { recursive: true })
  if (input.sluice.tmpDir) await fsp.mkdir(input.sluice.tmpDir, { recursive: true })
  await fsp.rm(outputFile, { force: true })
  await fsp.rm(errorFile, { force: true })

  const projectRoot = options.projectRoot === false ? undefined : (options.projectRoot ?? projectRootOf(input.sluice))
  const mounts = backendMounts(request, projectRoot, options)
  for (const mount of mounts) {
    if (!fs.existsSync(mount.source)) {
      throw new DockerError('SLUICE_CONTAINER_MOUNT', `${subject}: ${mount.source} does not exist, so it cannot be mounted into the container.`)
    }
  }
  const user = containerUser(options.user)
  const workingDir = options.workingDir ?? projectRoot ?? request.systemDir
  const forward = logForwarder(logger, request)
  const exit = await runContainer({
    subject,
    image: options.image,
    pull: options.pull ?? 'if-missing',
    ...(options.command === undefined ? {} : { entrypoint: options.command }),
    cmd: [request.inputFile],
    env: { ...options.env },
    mounts,
    ...(user === undefined ? {} : { user }),
    workingDir,
    labels: {
      'sluice.node': request.nodeId,
      'sluice.component': input.sluice.component,
      'sluice.pipeline': input.sluice.pipelineName,
      'sluice.run': input.sluice.runId,
      'sluice.execution': String(input.sluice.executionId),
    },
    name: `sluice-${request.nodeId}-${input.sluice.executionId}`,
    ...containerRunSettings(options),
    signal: request.signal,
    onLine: forward,
  })
  if (exit.exitCode !== 0) {
    type Report = { code?: string; message?: string; retryable?: boolean; stack?: string }
    const report = (await readJson<Report>(errorFile)) ?? (await readJson<Report>(path.join(request.systemDir, 'executor_error.json')))
    if (report && typeof report.message === 'string') {
      const error = new ExecutorError(report.message, { code: report.code ?? 'SLUICE_EXECUTOR_FAILED', retryable: report.retryable === true })
      if (report.stack) error.stack = report.stack
      throw error
    }
    const oom = exit.oomKilled ? ` It was killed for exceeding its memory limit (${String(options.memory)}).` : ''
    throw new DockerError('SLUICE_CONTAINER_EXIT', `${subject}: sluice-exec exited with code ${exit.exitCode}.${oom}${tailText(exit.tail)}`, {
      ...(exit.oomKilled ? { fix: 'Raise the backend memory option.' } : {}),
    })
  }
  const output = await readJson<ExecutorOutput>(outputFile)
  if (!output) {
    throw new ExecutorError(`${subject}: the container exited 0 but wrote no executor output at ${outputFile}.`, {
      code: 'SLUICE_EXECUTOR_OUTPUT_INVALID',
      fix: `Check that the image's entrypoint is sluice-exec (or set the backend's command).`,
    })
  }
  return output
}

/**
 * Every mount of a backend container: the request's (inputs read-only, outputs, system and temp
 * dirs writable), the system dir writable, the project root read-only, extra mounts. One mount per
 * path; writable wins.
 */
export function backendMounts(request: Pick<ExecutionBackendRequest, 'mounts' | 'systemDir' | 'executorInput'>, projectRoot: string | undefined, options: Pick<DockerBackendOptions, 'extraMounts'> = {}): Mount[] {
  const byTarget = new Map<string, Mount>()
  const add = (source: string, target: string, readOnly: boolean) => {
    const existing = byTarget.get(target)
    byTarget.set(target, { source, target, readOnly: readOnly && (existing?.readOnly ?? true) })
  }
  for (const m of request.mounts) add(path.resolve(m.path), path.resolve(m.path), m.readOnly)
  // What the executor input names, in case the request's list misses some: inputs read-only,
  // outputs writable (a value output is a file: its directory), the system and temp dirs writable.
  const { inputs, outputs, sluice } = request.executorInput
  for (const { artifacts } of Object.values(inputs.artifacts ?? {})) for (const a of artifacts) add(path.resolve(a.uri), path.resolve(a.uri), true)
  const valueOutputs = new Set(Object.values(outputs.parameters ?? {}).map((p) => path.resolve(p.outputFile)))
  for (const { artifacts } of Object.values(outputs.artifacts ?? {})) {
    for (const a of artifacts) {
      const dir = valueOutputs.has(path.resolve(a.uri)) ? path.dirname(path.resolve(a.uri)) : path.resolve(a.uri)
      add(dir, dir, false)
    }
  }
  add(path.resolve(request.systemDir), path.resolve(request.systemDir), false)
  if (sluice.tmpDir && !isInside(path.resolve(sluice.tmpDir), path.resolve(request.systemDir))) add(path.resolve(sluice.tmpDir), path.resolve(sluice.tmpDir), false)
  if (projectRoot !== undefined) add(path.resolve(projectRoot), path.resolve(projectRoot), true)
  else {
    // No project: at least the module file's directory, so sluice-exec can import it.
    const module = modulePath(sluice.pipelineModule) ?? modulePath(sluice.componentModule)
    if (module) add(path.dirname(module), path.dirname(module), true)
  }
  for (const m of options.extraMounts ?? []) add(m.source, m.target ?? m.source, m.readOnly ?? true)
  return [...byTarget.values()]
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** The absolute path of a module specifier that is a path or file URL; undefined for a package name. */
function modulePath(specifier: string | undefined): string | undefined {
  if (!specifier) return undefined
  if (specifier.startsWith('file:')) return fileURLToPath(specifier)
  if (path.isAbsolute(specifier) || specifier.startsWith('.')) return path.resolve(specifier)
  return undefined
}

/** The project root for the executor input's pipeline or component module, if it names a file. */
export function projectRootOf(sluice: { pipelineModule?: string | undefined; componentModule?: string | undefined }): string | undefined {
  const module = modulePath(sluice.pipelineModule) ?? modulePath(sluice.componentModule)
  return module === undefined ? undefined : findProjectRoot(module)
}

/**
 * The directory a module's imports resolve from: the nearest ancestor with a package.json and a
 * node_modules, or the workspace root above it (a package.json with `workspaces`, or a
 * pnpm-workspace.yaml), where npm, yarn and pnpm hoist dependencies.
 */
export function findProjectRoot(modulePath: string): string | undefined {
  const has = (dir: string, name: string) => fs.existsSync(path.join(dir, name))
  let found: string | undefined
  for (let dir = path.dirname(path.resolve(modulePath)); ; dir = path.dirname(dir)) {
    if (has(dir, 'package.json') && has(dir, 'node_modules')) {
      found = dir
      break
    }
    if (path.dirname(dir) === dir) return undefined
  }
  for (let dir = path.dirname(found); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (!has(dir, 'node_modules')) continue
    if (has(dir, 'pnpm-workspace.yaml')) return dir
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown }
      if (pkg.workspaces !== undefined) return dir
    } catch {
      // No package.json there, or not JSON: not a workspace root.
    }
  }
  return found
}

/**
 * Sends the container's lines to the run's log: `sluice-exec` writes its executor's log lines to
 * stderr as `[level] message` (and progress as `[progress] 0.5 message`); other stdout lines are
 * info and other stderr lines warnings.
 */
export function logForwarder(logger: Logger, request: Pick<ExecutionBackendRequest, 'progress'>): (stream: 'stdout' | 'stderr', line: string) => void {
  return (stream, line) => {
    const log = LOG_LINE.exec(line)
    if (log) return logger[log[1] as 'debug' | 'info' | 'warn' | 'error'](log[2]!)
    const progress = PROGRESS_LINE.exec(line)
    if (progress) return request.progress(Number(progress[1]), ...(progress[2] === undefined ? [] : [progress[2]]))
    if (stream === 'stdout') logger.info(line)
    else logger.warn(line)
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string
  try {
    text = await fsp.readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new SluiceError('SLUICE_EXECUTOR_OUTPUT_INVALID', `${file} is not valid JSON.`, { cause: error })
  }
}
