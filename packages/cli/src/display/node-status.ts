import type { NodeStatus } from '@sluice/runner'
import type { Colors } from '../cli-io.js'

/** A node's state as the CLI shows it: the runner's end states plus the two before the end. */
export type NodeDisplayStatus = 'pending' | 'running' | 'done' | 'cached' | 'reused' | 'failed' | 'skipped' | 'canceled'

/** A node status as read back from the metadata store, where a node may also not have ended. */
export type RecordedNodeStatus = NodeStatus | 'RUNNING' | 'NEW'

/** The display status of a node status reported by the runner or read from the store. */
export function displayStatusOf(status: RecordedNodeStatus): NodeDisplayStatus {
  switch (status) {
    case 'RUNNING':
      return 'running'
    case 'NEW':
      return 'pending'
    case 'COMPLETE':
      return 'done'
    case 'CACHED':
      return 'cached'
    case 'REUSED':
      return 'reused'
    case 'FAILED':
      return 'failed'
    case 'SKIPPED':
      return 'skipped'
    case 'CANCELED':
      return 'canceled'
  }
}

const SYMBOLS: Record<NodeDisplayStatus, string> = {
  pending: '·',
  running: '›',
  done: '✔',
  cached: '↺',
  reused: '↺',
  failed: '✖',
  skipped: '-',
  canceled: '■',
}

/** Braille spinner frames for running nodes on a terminal. */
export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const

/** The one-character mark of a status (the live display animates `running` with {@link SPINNER_FRAMES}). */
export function statusSymbol(status: NodeDisplayStatus): string {
  return SYMBOLS[status]
}

/** `text` in the color of `status`: green done, cyan cached/reused, red failed, yellow skipped/canceled. */
export function colorForStatus(status: NodeDisplayStatus, colors: Colors): (text: string) => string {
  switch (status) {
    case 'done':
      return colors.green
    case 'cached':
    case 'reused':
      return colors.cyan
    case 'failed':
      return colors.red
    case 'skipped':
    case 'canceled':
      return colors.yellow
    case 'running':
      return colors.blue
    case 'pending':
      return colors.dim
  }
}

/** Order in which status counts are listed ("3 done, 2 cached"). */
export const STATUS_ORDER: readonly NodeDisplayStatus[] = ['done', 'cached', 'reused', 'failed', 'skipped', 'canceled', 'running', 'pending']

/** "3 done, 2 cached, 1 failed" for the given statuses, in {@link STATUS_ORDER}. */
export function countStatuses(statuses: readonly NodeDisplayStatus[]): string {
  const counts = new Map<NodeDisplayStatus, number>()
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1)
  return formatStatusCounts(counts)
}

/** "3 done, 2 cached" from counts by status. */
export function formatStatusCounts(counts: ReadonlyMap<NodeDisplayStatus, number>): string {
  return STATUS_ORDER.filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s === 'pending' ? 'not started' : s}`)
    .join(', ')
}
