import type { Event, EventType } from './types.js'

/** Where the walk reads events from. */
export interface EventSource {
  byArtifactIds(ids: readonly number[], types: readonly EventType[]): Event[]
  byExecutionIds(ids: readonly number[], types: readonly EventType[]): Event[]
}

/** Node ids and events a walk reached. */
export interface LineageIds {
  artifactIds: Set<number>
  executionIds: Set<number>
  events: Map<string, Event>
}

const INPUTS: readonly EventType[] = ['INPUT', 'DECLARED_INPUT', 'INTERNAL_INPUT']
const OUTPUTS: readonly EventType[] = ['OUTPUT', 'DECLARED_OUTPUT', 'INTERNAL_OUTPUT', 'PENDING_OUTPUT']

/**
 * Breadth-first walk over events, one batch query per hop and kind of node.
 *
 * Upstream follows an artifact to the executions that output it and an execution to its inputs; downstream the
 * reverse. Every event crossed within `maxHops` is kept, also when it leads to a node already reached (a diamond
 * keeps both of its sides).
 */
export function walkLineage(
  source: EventSource,
  start: { artifactIds: readonly number[]; executionIds: readonly number[] },
  direction: 'upstream' | 'downstream',
  maxHops: number,
  into: LineageIds,
): void {
  // Upstream, an artifact is reached through its output events and an execution through its input events.
  const fromArtifact = direction === 'upstream' ? OUTPUTS : INPUTS
  const fromExecution = direction === 'upstream' ? INPUTS : OUTPUTS
  const seenArtifacts = new Set(start.artifactIds)
  const seenExecutions = new Set(start.executionIds)
  let artifacts = [...seenArtifacts]
  let executions = [...seenExecutions]
  for (const id of artifacts) into.artifactIds.add(id)
  for (const id of executions) into.executionIds.add(id)
  for (let hop = 0; hop < maxHops && (artifacts.length > 0 || executions.length > 0); hop++) {
    const nextArtifacts: number[] = []
    const nextExecutions: number[] = []
    for (const event of source.byArtifactIds(artifacts, fromArtifact)) {
      into.events.set(eventKey(event), event)
      if (!seenExecutions.has(event.executionId)) {
        seenExecutions.add(event.executionId)
        nextExecutions.push(event.executionId)
      }
    }
    for (const event of source.byExecutionIds(executions, fromExecution)) {
      into.events.set(eventKey(event), event)
      if (!seenArtifacts.has(event.artifactId)) {
        seenArtifacts.add(event.artifactId)
        nextArtifacts.push(event.artifactId)
      }
    }
    for (const id of nextArtifacts) into.artifactIds.add(id)
    for (const id of nextExecutions) into.executionIds.add(id)
    artifacts = nextArtifacts
    executions = nextExecutions
  }
}

function eventKey(event: Event): string {
  return `${event.artifactId}:${event.executionId}:${event.type}`
}
