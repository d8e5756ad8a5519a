import type Database from 'better-sqlite3'
import { codeOf, EVENT_TYPES, valueOf } from './enum-codes.js'
import { MetadataError } from './errors.js'
import type { Event, EventStep, EventType } from './types.js'

interface EventPathRow {
  id: number
  artifactId: number
  executionId: number
  type: number
  time: number
  isIndex: number | null
  stepIndex: number | null
  stepKey: string | null
}

interface PendingEvent {
  artifactId: number
  executionId: number
  type: number
  time: number
  path: EventStep[]
}

/** Reads and writes the Event and EventPath tables. */
export class EventTable {
  private readonly stmts

  constructor(db: Database.Database) {
    const select =
      'SELECT e.id, e.artifact_id AS artifactId, e.execution_id AS executionId, e.type, e.milliseconds_since_epoch AS time, ' +
      'p.is_index_step AS isIndex, p.step_index AS stepIndex, p.step_key AS stepKey ' +
      'FROM Event e LEFT JOIN EventPath p ON p.event_id = e.id'
    this.stmts = {
      insert: db.prepare<[number, number, number, number]>(
        'INSERT INTO Event (artifact_id, execution_id, type, milliseconds_since_epoch) VALUES (?, ?, ?, ?)',
      ),
      insertStep: db.prepare<[number, number, number, number | null, string | null]>(
        'INSERT INTO EventPath (event_id, step_order, is_index_step, step_index, step_key) VALUES (?, ?, ?, ?, ?)',
      ),
      byExecutions: db.prepare<[string], EventPathRow>(
        `${select} WHERE e.execution_id IN (SELECT value FROM json_each(?)) ORDER BY e.id, p.step_order`,
      ),
      byArtifacts: db.prepare<[string], EventPathRow>(
        `${select} WHERE e.artifact_id IN (SELECT value FROM json_each(?)) ORDER BY e.id, p.step_order`,
      ),
      byExecutionsOfTypes: db.prepare<[string, string], EventPathRow>(
        `${select} WHERE e.execution_id IN (SELECT value FROM json_each(?)) AND e.type IN (SELECT value FROM json_each(?)) ` +
          'ORDER BY e.id, p.step_order',
      ),
      byArtifactsOfTypes: db.prepare<[string, string], EventPathRow>(
        `${select} WHERE e.artifact_id IN (SELECT value FROM json_each(?)) AND e.type IN (SELECT value FROM json_each(?)) ` +
          'ORDER BY e.id, p.step_order',
      ),
      artifactExists: db.prepare<[number], number>('SELECT 1 FROM Artifact WHERE id = ?').pluck(),
      executionExists: db.prepare<[number], number>('SELECT 1 FROM Execution WHERE id = ?').pluck(),
    }
  }

  /**
   * Inserts events; those of the batch with the same (artifact, execution, type) become one event whose path is
   * the concatenation of theirs, as TFX does when one artifact feeds two inputs. Call inside a write transaction.
   */
  insert(events: readonly Event[], now: number): void {
    const pending = new Map<string, PendingEvent>()
    for (const event of events) {
      const checked = validate(event, now)
      const key = `${checked.artifactId}:${checked.executionId}:${checked.type}`
      const same = pending.get(key)
      if (same === undefined) pending.set(key, checked)
      else same.path.push(...checked.path)
    }
    for (const event of pending.values()) {
      let eventId: number
      try {
        eventId = Number(this.stmts.insert.run(event.artifactId, event.executionId, event.type, event.time).lastInsertRowid)
      } catch (error) {
        throw this.explain(error, event)
      }
      event.path.forEach((step, order) => {
        if ('index' in step) this.stmts.insertStep.run(eventId, order, 1, step.index, null)
        else this.stmts.insertStep.run(eventId, order, 0, null, step.key)
      })
    }
  }

  /** Events of these executions, optionally only of some types, by event id. */
  byExecutionIds(ids: readonly number[], types?: readonly EventType[]): Event[] {
    if (ids.length === 0) return []
    const rows =
      types === undefined
        ? this.stmts.byExecutions.all(JSON.stringify(ids))
        : this.stmts.byExecutionsOfTypes.all(JSON.stringify(ids), typeCodes(types))
    return toEvents(rows)
  }

  /** Events of these artifacts, optionally only of some types, by event id. */
  byArtifactIds(ids: readonly number[], types?: readonly EventType[]): Event[] {
    if (ids.length === 0) return []
    const rows =
      types === undefined
        ? this.stmts.byArtifacts.all(JSON.stringify(ids))
        : this.stmts.byArtifactsOfTypes.all(JSON.stringify(ids), typeCodes(types))
    return toEvents(rows)
  }

  private explain(error: unknown, event: PendingEvent): unknown {
    const code = (error as { code?: unknown }).code
    const type = valueOf(EVENT_TYPES, event.type, 'UNKNOWN')
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
      return new MetadataError(
        'SLUICE_METADATA_ALREADY_EXISTS',
        `An ${type} event between artifact ${event.artifactId} and execution ${event.executionId} already exists; ` +
          `events are unique per (artifact, execution, type). Put each one once, with all its path steps.`,
        { cause: error },
      )
    }
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      const missing =
        this.stmts.artifactExists.get(event.artifactId) === undefined
          ? `artifact ${event.artifactId}`
          : `execution ${event.executionId}`
      return new MetadataError(
        'SLUICE_METADATA_NOT_FOUND',
        `Cannot record an ${type} event: ${missing} does not exist. Put the artifact and the execution before their events.`,
        { cause: error },
      )
    }
    return error
  }
}

function typeCodes(types: readonly EventType[]): string {
  return JSON.stringify(types.map((t) => codeOf(EVENT_TYPES, t)))
}

function validate(event: Event, now: number): PendingEvent {
  const type = typeof event?.type === 'string' ? codeOf(EVENT_TYPES, event.type) : undefined
  if (type === undefined) {
    throw new MetadataError(
      'SLUICE_METADATA_INVALID_ARGUMENT',
      `Event type ${JSON.stringify(event?.type)} is not one of ${EVENT_TYPES.join(', ')}.`,
    )
  }
  for (const [field, id] of [['artifactId', event.artifactId], ['executionId', event.executionId]] as const) {
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `An ${event.type} event has ${field} ${String(id)}; put the node first and use the id it returns.`,
      )
    }
  }
  if (event.time !== undefined && !Number.isFinite(event.time)) {
    throw new MetadataError(
      'SLUICE_METADATA_INVALID_ARGUMENT',
      `An ${event.type} event has time ${String(event.time)}; pass milliseconds since epoch or leave it unset.`,
    )
  }
  const path = (event.path ?? []).map((step): EventStep => {
    if (step !== null && typeof step === 'object') {
      if ('key' in step && typeof step.key === 'string') return { key: step.key }
      if ('index' in step && Number.isSafeInteger(step.index)) return { index: step.index }
    }
    throw new MetadataError(
      'SLUICE_METADATA_INVALID_ARGUMENT',
      `Event path step ${JSON.stringify(step)} of artifact ${event.artifactId} / execution ${event.executionId} ` +
        `is neither { key: string } nor { index: integer }.`,
    )
  })
  return { artifactId: event.artifactId, executionId: event.executionId, type, time: event.time ?? now, path }
}

function toEvents(rows: readonly EventPathRow[]): Event[] {
  const events: Event[] = []
  let lastId = -1
  for (const row of rows) {
    if (row.id !== lastId) {
      lastId = row.id
      events.push({
        artifactId: row.artifactId,
        executionId: row.executionId,
        type: valueOf(EVENT_TYPES, row.type, 'UNKNOWN'),
        path: [],
        time: row.time,
      })
    }
    if (row.isIndex === null) continue
    const step: EventStep = row.isIndex === 1 ? { index: row.stepIndex ?? 0 } : { key: row.stepKey ?? '' }
    events[events.length - 1]?.path?.push(step)
  }
  return events
}
