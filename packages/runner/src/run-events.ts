import type { JsonValue } from '@sluice/core'

/** How a node ended in a run. `CACHED`: an identical earlier execution was reused; `REUSED`: a resumed run kept what the earlier attempt completed; `SKIPPED`: an upstream node failed or a Resolver found nothing. */
export type NodeStatus = 'COMPLETE' | 'CACHED' | 'REUSED' | 'FAILED' | 'SKIPPED' | 'CANCELED'

/** How a run ended. */
export type RunStatus = 'COMPLETE' | 'FAILED' | 'CANCELED'

/** An output artifact as reported in events and results. */
export interface PublishedArtifact {
  readonly id: number
  readonly type: string
  readonly uri: string
  readonly properties: Readonly<Record<string, JsonValue>>
  readonly customProperties: Readonly<Record<string, JsonValue>>
  /** The payload of a value artifact (Integer, String…). */
  readonly value?: JsonValue
}

/** The error of a failed node, as reported. */
export interface NodeFailure {
  readonly code: string
  readonly message: string
  readonly retryable: boolean
  readonly stack?: string
}

/** What happened to one node. */
export interface NodeResult {
  readonly nodeId: string
  readonly status: NodeStatus
  /** The execution recorded for the node in this run (the CACHED or REUSED one for those). */
  readonly executionId: number | undefined
  readonly durationMs: number
  readonly attempts: number
  readonly outputs: Readonly<Record<string, readonly PublishedArtifact[]>>
  readonly error?: NodeFailure
  /** Why a SKIPPED node did not run. */
  readonly reason?: string
}

/** What `LocalDagRunner.run` resolves to. */
export interface RunResult {
  readonly runId: string
  readonly pipelineName: string
  readonly status: RunStatus
  readonly durationMs: number
  /** By node id, in topological order. */
  readonly nodes: Readonly<Record<string, NodeResult>>
}

/** Events a run emits while it goes, for progress displays and logs. */
export type RunEvent =
  | { readonly type: 'run-start'; readonly runId: string; readonly pipelineName: string; readonly nodeIds: readonly string[]; readonly resumed: boolean }
  | { readonly type: 'node-start'; readonly nodeId: string; readonly executionId: number | undefined; readonly attempt: number }
  | { readonly type: 'node-progress'; readonly nodeId: string; readonly fraction: number; readonly message?: string }
  | { readonly type: 'node-log'; readonly nodeId: string; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string }
  | { readonly type: 'node-retry'; readonly nodeId: string; readonly attempt: number; readonly delayMs: number; readonly error: NodeFailure }
  | { readonly type: 'node-end'; readonly result: NodeResult }
  | { readonly type: 'run-end'; readonly result: RunResult }
