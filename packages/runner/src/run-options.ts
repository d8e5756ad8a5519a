import type { NodeOptions } from '@sluice/core'
import type { MetadataStore } from '@sluice/metadata'
import type { RunEvent } from './run-events.js'

/** Options of one run. */
export interface RunOptions {
  /**
   * Absolute path of the module whose default export is the pipeline. Needed for nodes that run
   * outside the runner's process (`isolation: 'process'` or an execution backend such as a
   * container), which re-load the pipeline there; recorded so a run can be resumed from the CLI.
   */
  pipelineModule?: string
  /** The new run's id. @default a timestamp such as `20261127-101503-123-3fa2` */
  runId?: string
  /** Finish this earlier FAILED or CANCELED run instead of starting a new one: nodes it completed are reused. */
  resume?: string
  /** Set false to execute every node (`--no-cache`). @default the pipeline's `enableCache` */
  enableCache?: boolean
  /** How many nodes may run at once. @default os.availableParallelism() */
  parallelism?: number
  /** Aborting it cancels the run: running nodes are stopped and recorded CANCELED. */
  signal?: AbortSignal
  /** Receives progress events. */
  onEvent?: (event: RunEvent) => void
  /** Resolves the pipeline root, the metadata path and relative file parameters. @default process.cwd() */
  cwd?: string
  /** Where executors run unless a node sets its own `isolation` (e.g. a container backend for every node). @default 'inline' */
  isolation?: NodeOptions['isolation']
  /** A store to use instead of opening the pipeline's SQLite file (it is then not closed by the run). */
  store?: MetadataStore
}
