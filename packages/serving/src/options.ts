import type { Logger } from '@sluice/core'
import type { BackendPreference } from '@sluice/component-trainer/bundle'

/**
 * Which versions of a model to serve (TF Serving's `model_version_policy`): the newest N (the
 * default, N = 1), every version on disk, or the versions listed.
 */
export type VersionPolicy = { readonly latest: { readonly numVersions: number } } | { readonly all: Record<string, never> } | { readonly specific: { readonly versions: readonly number[] } }

/** One model the server serves (TF Serving's `ModelConfig`). */
export interface ModelConfig {
  /** The name in `/v1/models/{name}`. */
  readonly name: string
  /**
   * The directory holding one sub-directory per version, named by an integer (`{basePath}/{version}/`),
   * each a Sluice serving bundle, or a copied Model artifact with the bundle under `Format-Serving/`.
   */
  readonly basePath: string
  /** @default { latest: { numVersions: 1 } } */
  readonly versionPolicy?: VersionPolicy
  /** Labels (`/v1/models/{name}/labels/{label}`) to versions, e.g. `{ stable: 3, canary: 4 }`. */
  readonly versionLabels?: Readonly<Record<string, number>>
}

/** Micro-batching of concurrent requests (docs/guides/serving.md, "Batching"). */
export interface BatchingOptions {
  /** Most rows one `predict` call gets; a single larger request still runs whole. @default 512 */
  readonly maxBatchSize?: number
  /**
   * Longest a request waits for others to join its batch, in microseconds. A batch runs as soon as
   * the requests that have arrived are all read, so a lone request never waits this long; the timeout
   * bounds the wait for request bodies still arriving. @default 1000
   */
  readonly batchTimeoutMicros?: number
}

/** Options of {@link startModelServer}. */
export interface ModelServerOptions {
  readonly models: readonly ModelConfig[]
  /** TCP port of the REST API; 0 picks a free one (read it back from `server.port`). @default 8501 */
  readonly port?: number
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string
  /** Listen on this unix socket instead of TCP (`port` and `host` are then ignored). */
  readonly socketPath?: string
  /** Micro-batching of concurrent predict requests; `false` runs each request on its own. @default {} (on) */
  readonly batching?: BatchingOptions | false
  /** Seconds between scans of the base paths for new versions; 0 scans only at start and on `reload()`. @default 2 */
  readonly fileSystemPollWaitSeconds?: number
  /** Largest request body accepted (413 above). @default 64 MiB */
  readonly maxRequestBytes?: number
  /** The tfjs backend for tfjs bundles. @default 'auto' */
  readonly backend?: BackendPreference
  /**
   * onnxruntime intra-op threads per ONNX model. One runs the model on the event loop's own thread:
   * a batch of a small model is a fraction of a millisecond; a second thread gained nothing measurable
   * on an idle 2-core machine and made the server 5x slower when other processes kept the cores busy
   * (the event loop waits for it). @default 1
   */
  readonly onnxThreads?: number
  /** Where loads, unloads and failures are reported. @default warnings and errors to stderr */
  readonly logger?: Logger
}

/** What every option resolves to. */
export interface ResolvedServerOptions {
  readonly models: readonly ModelConfig[]
  readonly port: number
  readonly host: string
  readonly socketPath: string | undefined
  readonly batching: Required<BatchingOptions> | false
  readonly fileSystemPollWaitSeconds: number
  readonly maxRequestBytes: number
  readonly backend: BackendPreference
  readonly onnxThreads: number
  readonly logger: Logger
}

/** The REST port TF Serving documents (and its Docker image exposes). */
export const DEFAULT_REST_PORT = 8501
/** Rows per batch unless `batching.maxBatchSize` says otherwise. */
export const DEFAULT_MAX_BATCH_SIZE = 512
/** Microseconds a request may wait for company unless `batching.batchTimeoutMicros` says otherwise. */
export const DEFAULT_BATCH_TIMEOUT_MICROS = 1000
/** Seconds between base path scans unless `fileSystemPollWaitSeconds` says otherwise (TF Serving: 1). */
export const DEFAULT_POLL_WAIT_SECONDS = 2
/** Largest request body unless `maxRequestBytes` says otherwise. */
export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024
