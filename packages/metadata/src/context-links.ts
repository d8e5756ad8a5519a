import type Database from 'better-sqlite3'
import { MetadataError } from './errors.js'

/** Reads and writes the Attribution, Association and ParentContext tables. */
export class ContextLinks {
  private readonly stmts

  constructor(db: Database.Database) {
    const ids = (sql: string) => db.prepare<[number], number>(sql).pluck()
    this.stmts = {
      attribute: db.prepare<[number, number]>('INSERT OR IGNORE INTO Attribution (context_id, artifact_id) VALUES (?, ?)'),
      associate: db.prepare<[number, number]>('INSERT OR IGNORE INTO Association (context_id, execution_id) VALUES (?, ?)'),
      addParent: db.prepare<[number, number]>(
        'INSERT OR IGNORE INTO ParentContext (context_id, parent_context_id) VALUES (?, ?)',
      ),
      // Whether `child` is `parent` or one of its ancestors, in which case linking them would close a cycle.
      isAncestorOrSelf: db
        .prepare<[number, number], number>(
          'WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT p.parent_context_id FROM ParentContext p JOIN up ON p.context_id = up.id) ' +
            'SELECT 1 FROM up WHERE id = ? LIMIT 1',
        )
        .pluck(),
      contextsOfArtifact: ids('SELECT context_id FROM Attribution WHERE artifact_id = ? ORDER BY context_id'),
      contextsOfExecution: ids('SELECT context_id FROM Association WHERE execution_id = ? ORDER BY context_id'),
      parents: ids('SELECT parent_context_id FROM ParentContext WHERE context_id = ? ORDER BY parent_context_id'),
      children: ids('SELECT context_id FROM ParentContext WHERE parent_context_id = ? ORDER BY context_id'),
      artifactExists: ids('SELECT 1 FROM Artifact WHERE id = ?'),
      executionExists: ids('SELECT 1 FROM Execution WHERE id = ?'),
      contextExists: ids('SELECT 1 FROM Context WHERE id = ?'),
    }
  }

  /** Links an artifact to a context; an existing link is kept. */
  attribute(artifactId: number, contextId: number): void {
    this.guard(() => this.stmts.attribute.run(contextId, artifactId), [
      ['artifact', artifactId, this.stmts.artifactExists],
      ['context', contextId, this.stmts.contextExists],
    ])
  }

  /** Links an execution to a context; an existing link is kept. */
  associate(executionId: number, contextId: number): void {
    this.guard(() => this.stmts.associate.run(contextId, executionId), [
      ['execution', executionId, this.stmts.executionExists],
      ['context', contextId, this.stmts.contextExists],
    ])
  }

  /** Makes `parentId` a parent of `childId`, refusing links that would make a context its own ancestor. */
  addParent(childId: number, parentId: number): void {
    if (this.stmts.isAncestorOrSelf.get(parentId, childId) !== undefined) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `Making context ${parentId} a parent of context ${childId} would create a cycle ` +
          `(${childId} is ${childId === parentId ? 'the same context' : `already an ancestor of ${parentId}`}).`,
      )
    }
    this.guard(() => this.stmts.addParent.run(childId, parentId), [
      ['context', childId, this.stmts.contextExists],
      ['context', parentId, this.stmts.contextExists],
    ])
  }

  /** Ids of the contexts an artifact is attributed to. */
  contextIdsOfArtifact(artifactId: number): number[] {
    return this.stmts.contextsOfArtifact.all(artifactId)
  }

  /** Ids of the contexts an execution is associated with. */
  contextIdsOfExecution(executionId: number): number[] {
    return this.stmts.contextsOfExecution.all(executionId)
  }

  /** Ids of the direct parents of a context. */
  parentIds(contextId: number): number[] {
    return this.stmts.parents.all(contextId)
  }

  /** Ids of the direct children of a context. */
  childIds(contextId: number): number[] {
    return this.stmts.children.all(contextId)
  }

  /** Runs the insert, naming the missing node when a foreign key fails. */
  private guard(insert: () => unknown, nodes: [noun: string, id: number, exists: Database.Statement<[number], number>][]): void {
    for (const [noun, id] of nodes) {
      if (!Number.isSafeInteger(id) || id <= 0) {
        throw new MetadataError('SLUICE_METADATA_INVALID_ARGUMENT', `${noun} id ${String(id)} is not a valid id.`)
      }
    }
    try {
      insert()
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw error
      const [noun, id] = nodes.find(([, nodeId, exists]) => exists.get(nodeId) === undefined) ?? nodes[0] ?? ['node', 0]
      throw new MetadataError(
        'SLUICE_METADATA_NOT_FOUND',
        `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${id} does not exist; put it first and use the id it returns.`,
        { cause: error },
      )
    }
  }
}
