// One served model: the versions under its base path, which of them the version policy wants, their
// loading and unloading, and which version a request goes to. TF Serving's AspiredVersionsManager
// with its availability-preserving policy, reduced to what a directory poller needs: a new version is
// loaded before an old one is unloaded, and a version that fails to load leaves the others serving.
import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '@sluice/core'
import type { ServingBundle } from '@sluice/component-trainer/bundle'
import { Batcher, Unbatched } from './batcher.js'
import type { PredictQueue } from './batcher.js'
import { ServingError } from './errors.js'
import type { ServerMetrics } from './metrics.js'
import type { BatchingOptions, ModelConfig, VersionPolicy } from './options.js'

/** TF Serving's ManagerState, as GetModelStatus reports it. */
export type VersionState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END'

/** One version of a model the server knows about. */
export interface ServedVersion {
  readonly version: number
  readonly state: VersionState
  /** Why the last load failed (state END). */
  readonly error?: string
  /** The bundle, while AVAILABLE or UNLOADING. */
  readonly bundle?: ServingBundle
  /** Where the bundle was loaded from. */
  readonly dir?: string
}

interface VersionEntry {
  version: number
  state: VersionState
  error?: string
  /** The version directory's files when the load failed: a retry waits until they change. */
  failedFingerprint?: string
  bundle?: ServingBundle
  queue?: PredictQueue
  dir?: string
}

/** What a {@link ServedModel} needs from the server. */
export interface ServedModelDeps {
  loadBundle(dir: string): Promise<ServingBundle>
  readonly logger: Logger
  readonly metrics: ServerMetrics
  readonly batching: Required<BatchingOptions> | false
}

/** The directory holding the bundle of a version: the version directory, or its `Format-Serving/` for a copied Model artifact. */
export const MODEL_ARTIFACT_SERVING_DIR = 'Format-Serving'
const SIGNATURE_FILE = 'signature.json'

const MAX_ENDED_VERSIONS = 50

/** Whether a file exists. */
async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}

/** Sizes and modification times of the files that make a version, so a failed load is retried only after they change. */
async function fingerprint(dir: string): Promise<string> {
  const parts: string[] = []
  for (const d of [dir, path.join(dir, MODEL_ARTIFACT_SERVING_DIR)]) {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => [] as Dirent[])
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const s = await stat(path.join(d, entry.name)).catch(() => undefined)
      parts.push(`${entry.name}:${s?.size ?? '-'}:${s?.mtimeMs ?? '-'}`)
    }
  }
  return parts.join('|')
}

/** The versions a policy wants among `candidates` (sorted newest first). */
export function chooseVersions(policy: VersionPolicy, candidates: readonly number[]): number[] {
  const newestFirst = [...candidates].sort((a, b) => b - a)
  if ('latest' in policy) return newestFirst.slice(0, policy.latest.numVersions)
  if ('all' in policy) return newestFirst
  const wanted = new Set(policy.specific.versions)
  return newestFirst.filter((v) => wanted.has(v))
}

/** Which version a request names: the latest, a number, or a label. */
export type VersionSelector = { readonly kind: 'latest' } | { readonly kind: 'version'; readonly version: number } | { readonly kind: 'label'; readonly label: string }

/** A model of the server and its versions. */
export class ServedModel {
  private readonly entries = new Map<number, VersionEntry>()
  private syncing: Promise<void> = Promise.resolve()
  private warnedNoVersions = false
  private closed = false
  /** Predict requests routed to this model whose bodies are still being read. */
  pendingBodies = 0

  constructor(
    private config: ModelConfig,
    private readonly deps: ServedModelDeps,
  ) {}

  get name(): string {
    return this.config.name
  }

  get basePath(): string {
    return this.config.basePath
  }

  /** Replaces the config (policy, labels, base path); the next sync applies it. */
  reconfigure(config: ModelConfig): void {
    this.config = config
  }

  /** Every version known, newest first. */
  versions(): ServedVersion[] {
    return [...this.entries.values()]
      .sort((a, b) => b.version - a.version)
      .map((e) => ({ version: e.version, state: e.state, ...(e.error !== undefined ? { error: e.error } : {}), ...(e.bundle ? { bundle: e.bundle } : {}), ...(e.dir ? { dir: e.dir } : {}) }))
  }

  /** The newest AVAILABLE version (kept up to date on every state change: requests read it). */
  private newest: VersionEntry | undefined

  /** The newest AVAILABLE version. */
  latest(): ServedVersion | undefined {
    return this.newest
  }

  /**
   * The version a request goes to, with its predict queue. Throws 404 for an unknown version or
   * label, 503 when the model has nothing to serve yet.
   */
  resolve(selector: VersionSelector): { version: number; bundle: ServingBundle; queue: PredictQueue } {
    const entry = this.entryFor(selector)
    if (entry.state !== 'AVAILABLE' || !entry.bundle || !entry.queue) {
      if (entry.state === 'LOADING' || entry.state === 'START') {
        throw new ServingError('SLUICE_SERVING_UNAVAILABLE', `Version ${entry.version} of model "${this.name}" is still loading.`, { fix: 'Retry shortly, or poll GET /v1/models/' + this.name + ' until it is AVAILABLE.' })
      }
      throw new ServingError('SLUICE_SERVING_NOT_FOUND', `Version ${entry.version} of model "${this.name}" is not being served (state ${entry.state}${entry.error ? `: ${entry.error}` : ''}).`)
    }
    return { version: entry.version, bundle: entry.bundle, queue: entry.queue }
  }

  /** The entry a selector names, for status requests (any state). */
  entryFor(selector: VersionSelector): ServedVersion & { readonly queue?: PredictQueue } {
    if (selector.kind === 'latest') {
      if (this.newest) return this.newest
      const loading = [...this.entries.values()].some((e) => e.state === 'LOADING' || e.state === 'START')
      throw new ServingError(
        'SLUICE_SERVING_UNAVAILABLE',
        loading ? `Model "${this.name}" is loading its first version.` : `Model "${this.name}" has no version to serve: none could be loaded from ${this.basePath}.`,
        loading ? { fix: `Retry shortly, or poll GET /v1/models/${this.name} until it is AVAILABLE.` } : { fix: `Write a serving bundle to ${path.join(this.basePath, '<version>')}/ (the server picks it up), or see the server's log for load errors.` },
      )
    }
    const version = selector.kind === 'version' ? selector.version : this.config.versionLabels?.[selector.label]
    if (version === undefined) {
      const labels = Object.keys(this.config.versionLabels ?? {})
      throw new ServingError('SLUICE_SERVING_NOT_FOUND', `Model "${this.name}" has no version label "${(selector as { label: string }).label}"${labels.length > 0 ? ` (labels: ${labels.join(', ')})` : ''}.`)
    }
    const entry = this.entries.get(version)
    if (!entry) throw new ServingError('SLUICE_SERVING_NOT_FOUND', `Model "${this.name}" has no version ${version}${selector.kind === 'label' ? ` (label "${selector.label}")` : ''}.`)
    return entry
  }

  /** Scans the base path and loads and unloads versions as the policy says. Calls do not overlap. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.doSync()).catch((error: unknown) => this.deps.logger.error(`Model "${this.name}": scanning ${this.basePath} failed: ${(error as Error).message}`))
    return this.syncing
  }

  private async onDisk(): Promise<number[]> {
    let entries: Dirent[]
    try {
      entries = await readdir(this.basePath, { withFileTypes: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error
      entries = []
    }
    const versions: number[] = []
    for (const entry of entries) {
      // Only integer names: a Pusher writes `.tmp-…` (or any other name) and renames it when complete.
      if (!/^\d+$/.test(entry.name)) continue
      const version = Number(entry.name)
      if (!Number.isSafeInteger(version)) continue
      if (entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path.join(this.basePath, entry.name)).then((s) => s.isDirectory(), () => false)))) versions.push(version)
    }
    return versions
  }

  private async doSync(): Promise<void> {
    if (this.closed) return
    const policy = this.config.versionPolicy ?? { latest: { numVersions: 1 } }
    const onDisk = await this.onDisk()
    if (onDisk.length === 0 && !this.warnedNoVersions) {
      this.deps.logger.warn(`Model "${this.name}": no versions found under ${this.basePath} (expected ${path.join(this.basePath, '<integer version>')}/ directories); watching for them.`)
      this.warnedNoVersions = true
    }
    if (onDisk.length > 0) this.warnedNoVersions = false
    // A version whose load failed is skipped until its files change: then the policy falls back to
    // the versions that do load (latest 1 keeps serving the previous one).
    const usable: number[] = []
    for (const version of onDisk) {
      const entry = this.entries.get(version)
      if (entry?.failedFingerprint !== undefined && entry.failedFingerprint === (await fingerprint(this.versionDir(version)))) continue
      usable.push(version)
    }
    // Load what the policy wants, newest first; a failure changes what it wants, so repeat.
    for (let round = 0; round <= onDisk.length; round++) {
      const wanted = chooseVersions(policy, usable).filter((v) => this.entries.get(v)?.state !== 'AVAILABLE')
      if (wanted.length === 0) break
      for (const version of wanted) {
        if (this.closed) return
        if (!(await this.load(version))) usable.splice(usable.indexOf(version), 1)
      }
    }
    const keep = new Set(chooseVersions(policy, usable))
    for (const entry of [...this.entries.values()]) {
      if (entry.state === 'AVAILABLE' && !keep.has(entry.version)) await this.unload(entry, onDisk.includes(entry.version) ? 'the version policy no longer wants it' : 'its directory is gone')
    }
    this.prune()
  }

  private versionDir(version: number): string {
    return path.join(this.basePath, String(version))
  }

  /** Loads one version; false when it failed (recorded as END with the error). */
  private async load(version: number): Promise<boolean> {
    const dir = this.versionDir(version)
    const entry: VersionEntry = this.entries.get(version) ?? { version, state: 'START' }
    this.entries.set(version, entry)
    entry.state = 'LOADING'
    delete entry.error
    const started = performance.now()
    try {
      const nested = path.join(dir, MODEL_ARTIFACT_SERVING_DIR)
      const bundleDir = !(await exists(path.join(dir, SIGNATURE_FILE))) && (await exists(path.join(nested, SIGNATURE_FILE))) ? nested : dir
      const bundle = await this.deps.loadBundle(bundleDir)
      if (this.closed) {
        bundle.dispose()
        return false
      }
      entry.bundle = bundle
      entry.dir = bundleDir
      entry.queue = this.queueFor(bundle)
      entry.state = 'AVAILABLE'
      delete entry.failedFingerprint
      this.updateGauge()
      const runtime = (bundle as { runtime?: string }).runtime
      this.deps.logger.info(`Model "${this.name}" version ${version} is AVAILABLE (${runtime ? `${runtime}, ` : ''}loaded from ${bundleDir} in ${((performance.now() - started) / 1000).toFixed(2)} s).`)
      return true
    } catch (error) {
      entry.state = 'END'
      entry.error = (error as Error).message
      entry.failedFingerprint = await fingerprint(dir)
      this.deps.metrics.loadFailed(this.name)
      const serving = this.latest()
      this.deps.logger.error(`Model "${this.name}" version ${version} failed to load from ${dir}: ${entry.error}${serving ? ` Version ${serving.version} keeps serving.` : ''} It is retried when its files change.`)
      return false
    }
  }

  private queueFor(bundle: ServingBundle): PredictQueue {
    const run = (rows: readonly object[]) => bundle.predict(rows)
    const onBatch = this.deps.metrics.batchObserver(this.name)
    const { batching } = this.deps
    if (batching === false) return new Unbatched(run, onBatch)
    return new Batcher(run, { maxBatchSize: batching.maxBatchSize, batchTimeoutMicros: batching.batchTimeoutMicros, pendingBodies: () => this.pendingBodies, onBatch })
  }

  /** Stops routing to a version, lets its queued requests finish, then releases it. */
  private async unload(entry: VersionEntry, why: string): Promise<void> {
    entry.state = 'UNLOADING'
    this.updateGauge()
    await entry.queue?.drain()
    entry.bundle?.dispose()
    delete entry.bundle
    delete entry.queue
    entry.state = 'END'
    this.deps.logger.info(`Model "${this.name}" version ${entry.version} unloaded: ${why}.`)
  }

  /** Keeps the status list bounded when a Pusher adds versions for months. */
  private prune(): void {
    const ended = [...this.entries.values()].filter((e) => e.state === 'END').sort((a, b) => a.version - b.version)
    for (const e of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_VERSIONS))) this.entries.delete(e.version)
  }

  /** Recounts the AVAILABLE versions (the gauge) and which is the newest, after a state change. */
  private updateGauge(): void {
    let n = 0
    let newest: VersionEntry | undefined
    for (const e of this.entries.values()) {
      if (e.state !== 'AVAILABLE') continue
      n++
      if (!newest || e.version > newest.version) newest = e
    }
    this.newest = newest
    this.deps.metrics.setLoadedVersions(this.name, n)
  }

  /** Unloads every version (after their in-flight requests); no sync runs afterwards. */
  async close(): Promise<void> {
    this.closed = true
    await this.syncing
    for (const entry of this.entries.values()) if (entry.state === 'AVAILABLE') await this.unload(entry, 'the server is shutting down')
  }
}
