import type Database from 'better-sqlite3'
import { MetadataError } from './errors.js'

/** One schema change; `up` runs inside the migration's transaction. */
interface Migration {
  version: number
  description: string
  up: (db: Database.Database) => void
}

// MLMD's schema (v10, SQLite dialect) in spirit, with these differences:
// - property tables carry `data_type` so every value reads back as the JS type it was written with
//   (a DOUBLE NaN is stored as NULL, which SQLite does for NaN anyway);
// - uniqueness of (type_id, name) and external_id uses partial indexes, so unnamed nodes cost no index write;
// - value indexes on property tables are partial too: each property row feeds exactly one of them
//   (the STRUCT one indexes the name only, since JSON documents would bloat it);
// - link tables are WITHOUT ROWID keyed by the pair, which is their uniqueness constraint and first index;
// - EventPath has an explicit step_order instead of relying on insertion order;
// - Event's unique key is ordered (artifact_id, type, execution_id) and its execution index is (execution_id, type),
//   so a lineage hop reads only the events of the wanted direction: the producer of an artifact consumed by
//   thousands of executions is one index probe, not a scan of its consumers.
// Node ids use AUTOINCREMENT because cache keys and users hold on to ids: an id must never be reused.
const V1_SCHEMA = `
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (0);

CREATE TABLE Type (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  version TEXT,
  type_kind INTEGER NOT NULL, -- 0 execution, 1 artifact, 2 context (MLMD's numbering)
  description TEXT,
  base_type TEXT,
  UNIQUE (type_kind, name)
);
CREATE TABLE TypeProperty (
  type_id INTEGER NOT NULL REFERENCES Type (id),
  name TEXT NOT NULL,
  data_type INTEGER NOT NULL,
  PRIMARY KEY (type_id, name)
) WITHOUT ROWID;

CREATE TABLE Artifact (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type_id INTEGER NOT NULL REFERENCES Type (id),
  uri TEXT NOT NULL,
  state INTEGER NOT NULL,
  name TEXT,
  external_id TEXT,
  create_time_since_epoch INTEGER NOT NULL,
  last_update_time_since_epoch INTEGER NOT NULL
);
CREATE UNIQUE INDEX idx_artifact_type_name ON Artifact (type_id, name) WHERE name IS NOT NULL;
CREATE UNIQUE INDEX idx_artifact_external_id ON Artifact (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX idx_artifact_uri ON Artifact (uri);
CREATE INDEX idx_artifact_type_id ON Artifact (type_id, id);
CREATE INDEX idx_artifact_state ON Artifact (state, id);

CREATE TABLE Execution (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type_id INTEGER NOT NULL REFERENCES Type (id),
  last_known_state INTEGER NOT NULL,
  name TEXT,
  external_id TEXT,
  create_time_since_epoch INTEGER NOT NULL,
  last_update_time_since_epoch INTEGER NOT NULL
);
CREATE UNIQUE INDEX idx_execution_type_name ON Execution (type_id, name) WHERE name IS NOT NULL;
CREATE UNIQUE INDEX idx_execution_external_id ON Execution (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX idx_execution_type_id ON Execution (type_id, id);
CREATE INDEX idx_execution_state ON Execution (last_known_state, id);

CREATE TABLE Context (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type_id INTEGER NOT NULL REFERENCES Type (id),
  name TEXT NOT NULL,
  external_id TEXT,
  create_time_since_epoch INTEGER NOT NULL,
  last_update_time_since_epoch INTEGER NOT NULL,
  UNIQUE (type_id, name)
);
CREATE UNIQUE INDEX idx_context_external_id ON Context (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX idx_context_type_id ON Context (type_id, id);
CREATE INDEX idx_context_name ON Context (name);

${propertyTable('ArtifactProperty', 'artifact_id', 'Artifact')}
${propertyTable('ExecutionProperty', 'execution_id', 'Execution')}
${propertyTable('ContextProperty', 'context_id', 'Context')}

CREATE TABLE ParentContext (
  context_id INTEGER NOT NULL REFERENCES Context (id),
  parent_context_id INTEGER NOT NULL REFERENCES Context (id),
  PRIMARY KEY (context_id, parent_context_id)
) WITHOUT ROWID;
CREATE INDEX idx_parentcontext_parent_context_id ON ParentContext (parent_context_id);

CREATE TABLE Event (
  id INTEGER PRIMARY KEY,
  artifact_id INTEGER NOT NULL REFERENCES Artifact (id),
  execution_id INTEGER NOT NULL REFERENCES Execution (id),
  type INTEGER NOT NULL,
  milliseconds_since_epoch INTEGER NOT NULL,
  UNIQUE (artifact_id, type, execution_id)
);
CREATE INDEX idx_event_execution_id ON Event (execution_id, type);
CREATE TABLE EventPath (
  event_id INTEGER NOT NULL REFERENCES Event (id),
  step_order INTEGER NOT NULL,
  is_index_step INTEGER NOT NULL,
  step_index INTEGER,
  step_key TEXT,
  PRIMARY KEY (event_id, step_order)
) WITHOUT ROWID;

CREATE TABLE Association (
  context_id INTEGER NOT NULL REFERENCES Context (id),
  execution_id INTEGER NOT NULL REFERENCES Execution (id),
  PRIMARY KEY (context_id, execution_id)
) WITHOUT ROWID;
CREATE INDEX idx_association_execution_id ON Association (execution_id);

CREATE TABLE Attribution (
  context_id INTEGER NOT NULL REFERENCES Context (id),
  artifact_id INTEGER NOT NULL REFERENCES Artifact (id),
  PRIMARY KEY (context_id, artifact_id)
) WITHOUT ROWID;
CREATE INDEX idx_attribution_artifact_id ON Attribution (artifact_id);
`

function propertyTable(table: string, fk: string, parent: string): string {
  return `
CREATE TABLE ${table} (
  ${fk} INTEGER NOT NULL REFERENCES ${parent} (id),
  name TEXT NOT NULL,
  is_custom_property INTEGER NOT NULL,
  data_type INTEGER NOT NULL,
  int_value INTEGER,
  double_value REAL,
  string_value TEXT,
  bool_value INTEGER,
  struct_value TEXT,
  PRIMARY KEY (${fk}, name, is_custom_property)
) WITHOUT ROWID;
CREATE INDEX idx_${table.toLowerCase()}_int ON ${table} (name, int_value) WHERE int_value IS NOT NULL;
CREATE INDEX idx_${table.toLowerCase()}_double ON ${table} (name, double_value) WHERE double_value IS NOT NULL;
CREATE INDEX idx_${table.toLowerCase()}_string ON ${table} (name, string_value) WHERE string_value IS NOT NULL;
CREATE INDEX idx_${table.toLowerCase()}_bool ON ${table} (name, bool_value) WHERE bool_value IS NOT NULL;
CREATE INDEX idx_${table.toLowerCase()}_struct ON ${table} (name) WHERE struct_value IS NOT NULL;`
}

const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'MLMD data model', up: (db) => db.exec(V1_SCHEMA) },
]

/** The schema version this code writes; a file with a higher version was written by a newer @sluice/metadata. */
export const SCHEMA_VERSION: number = MIGRATIONS.length

/**
 * Brings the database at `location` to {@link SCHEMA_VERSION}, one transaction per migration, and returns the version.
 *
 * Each migration starts with BEGIN IMMEDIATE and re-reads the version, so processes opening a fresh file at the
 * same time apply each migration exactly once.
 */
export function migrate(db: Database.Database, location: string, options: { readonly: boolean }): number {
  for (;;) {
    const version = readSchemaVersion(db, location)
    if (version > SCHEMA_VERSION) {
      throw new MetadataError(
        'SLUICE_METADATA_SCHEMA_TOO_NEW',
        `Metadata store ${location} has schema version ${version}, but this @sluice/metadata only knows versions up to ` +
          `${SCHEMA_VERSION}. Upgrade @sluice/metadata (and the tools sharing this store) to the version that wrote it.`,
      )
    }
    if (version === SCHEMA_VERSION) return version
    if (options.readonly) {
      throw new MetadataError(
        'SLUICE_METADATA_SCHEMA_TOO_OLD',
        `Metadata store ${location} has schema version ${version} but ${SCHEMA_VERSION} is needed, and it was opened ` +
          `read-only. Open it once without { readonly: true } to migrate it.`,
      )
    }
    db.transaction(() => {
      const current = readSchemaVersion(db, location)
      const migration = MIGRATIONS[current]
      if (current !== version || migration === undefined) return // another process migrated meanwhile
      migration.up(db)
      db.prepare('UPDATE schema_version SET version = ?').run(migration.version)
    }).immediate()
  }
}

/** The schema version recorded in the file; 0 for an empty file. */
function readSchemaVersion(db: Database.Database, location: string): number {
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .pluck()
    .all() as string[]
  if (tables.includes('schema_version')) {
    const version = db.prepare('SELECT version FROM schema_version').pluck().get()
    if (typeof version === 'number') return version
  }
  if (tables.length === 0) return 0
  throw new MetadataError(
    'SLUICE_METADATA_OPEN_FAILED',
    `${location} is an SQLite database but not a Sluice metadata store (it has tables ${tables.slice(0, 5).join(', ')} ` +
      `but no schema_version). Point the store at a new file or at one Sluice created.`,
  )
}
