import type { NodeResult, RunEvent, RunResult } from '@sluice/runner'
import { displayStatusOf, type NodeDisplayStatus } from './node-status.js'

/** What the CLI knows about one node while a run goes. */
export interface NodeProgress {
  readonly nodeId: string
  status: NodeDisplayStatus
  /** When the current attempt started (the display clock's ms). */
  startedAt?: number
  attempt: number
  /** Latest reported fraction in [0, 1]. */
  fraction?: number
  /** Latest progress message. */
  message?: string
  /** Set when a retry is scheduled: the display says "retrying" until the next start. */
  retryAt?: number
  result?: NodeResult
}

/**
 * The state both displays draw from, folded from the runner's events. Nodes keep the order the
 * run announced (topological); nodes first seen in a later event are appended.
 */
export class RunProgress {
  runId: string | undefined
  pipelineName: string | undefined
  resumed = false
  startedAt: number | undefined
  result: RunResult | undefined
  readonly nodes = new Map<string, NodeProgress>()

  /** Applies `event`, which happened at `now`; returns the node it concerned, if any. */
  apply(event: RunEvent, now: number): NodeProgress | undefined {
    switch (event.type) {
      case 'run-start':
        this.runId = event.runId
        this.pipelineName = event.pipelineName
        this.resumed = event.resumed
        this.startedAt = now
        for (const id of event.nodeIds) this.node(id)
        return undefined
      case 'node-start': {
        const node = this.node(event.nodeId)
        node.status = 'running'
        node.startedAt = now
        node.attempt = event.attempt
        delete node.retryAt
        delete node.fraction
        return node
      }
      case 'node-progress': {
        const node = this.node(event.nodeId)
        if (Number.isFinite(event.fraction)) node.fraction = Math.min(1, Math.max(0, event.fraction))
        if (event.message !== undefined) node.message = event.message
        return node
      }
      case 'node-log':
        return this.node(event.nodeId)
      case 'node-retry': {
        const node = this.node(event.nodeId)
        node.retryAt = now + event.delayMs
        return node
      }
      case 'node-end': {
        const node = this.node(event.result.nodeId)
        node.status = displayStatusOf(event.result.status)
        node.result = event.result
        delete node.retryAt
        return node
      }
      case 'run-end':
        this.result = event.result
        for (const result of Object.values(event.result.nodes)) {
          const node = this.node(result.nodeId)
          if (!node.result) (node.result = result), (node.status = displayStatusOf(result.status))
        }
        return undefined
    }
  }

  /** The node with this id, created pending when first seen. */
  node(nodeId: string): NodeProgress {
    let node = this.nodes.get(nodeId)
    if (!node) this.nodes.set(nodeId, (node = { nodeId, status: 'pending', attempt: 0 }))
    return node
  }

  /** Width of the longest node id, for aligned columns. */
  nodeIdWidth(): number {
    return Math.max(0, ...[...this.nodes.keys()].map((id) => id.length))
  }
}
