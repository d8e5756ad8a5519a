import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { MetadataError, openMemoryStore, openSqliteStore, SCHEMA_VERSION } from '@sluice/metadata'
import { caught, tempDir } from './support.js'

function inspect(path: string): { version: unknown; schema: unknown; journal: unknown } {
  const db = new Database(path, { readonly: true })
  try {
    return {
      version: db.prepare('SELECT version FROM schema_version').pluck().get(),
      schema: db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
      journal: db.pragma('journal_mode', { simple: true }),
    }
  } finally {
    db.close()
  }
}

describe('opening and migrations', () => {
  it('creates the directory and file at the current schema version, in WAL mode', async () => {
    const path = join(tempDir(), 'nested', 'dir', 'metadata.sqlite')
    const store = openSqliteStore(path)
    expect(store.location).toBe(path)
    await store.close()
    expect(existsSync(path)).toBe(true)
    const { version, journal } = inspect(path)
    expect(version).toBe(SCHEMA_VERSION)
    expect(journal).toBe('wal')
  })

  it('reopens an up-to-date file without changing it', async () => {
    const path = join(tempDir(), 'metadata.sqlite')
    const first = openSqliteStore(path)
    await first.putArtifactType({ name: 'Examples' })
    await first.close()
    const before = inspect(path)
    const second = openSqliteStore(path)
    expect(await second.getArtifactType('Examples')).toMatchObject({ name: 'Examples' })
    await second.close()
    expect(inspect(path)).toEqual(before)
  })

  it('refuses a file written by a newer schema, naming the file and the fix', async () => {
    const path = join(tempDir(), 'metadata.sqlite')
    await openSqliteStore(path).close()
    const db = new Database(path)
    db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1)
    db.close()
    const error = await caught(async () => openSqliteStore(path))
    expect(error).toBeInstanceOf(MetadataError)
    expect(error.code).toBe('SLUICE_METADATA_SCHEMA_TOO_NEW')
    expect(error.message).toContain(path)
    expect(error.message).toContain(String(SCHEMA_VERSION + 1))
    expect(error.message).toContain('Upgrade @sluice/metadata')
    // Also when opened read-only.
    expect((await caught(async () => openSqliteStore(path, { readonly: true }))).code).toBe('SLUICE_METADATA_SCHEMA_TOO_NEW')
  })

  it('refuses SQLite files that are not metadata stores and files that are not databases', async () => {
    const dir = tempDir()
    const foreign = join(dir, 'other.sqlite')
    const db = new Database(foreign)
    db.exec('CREATE TABLE users (id INTEGER)')
    db.close()
    const notStore = await caught(async () => openSqliteStore(foreign))
    expect(notStore.code).toBe('SLUICE_METADATA_OPEN_FAILED')
    expect(notStore.message).toContain('not a Sluice metadata store')

    const garbage = join(dir, 'garbage.sqlite')
    writeFileSync(garbage, 'this is not a database, just some text that is long enough to have a header'.repeat(20))
    const notDb = await caught(async () => openSqliteStore(garbage))
    expect(notDb.code).toBe('SLUICE_METADATA_OPEN_FAILED')
    expect(notDb.message).toContain(garbage)
  })

  it('opens read-only stores for reading only', async () => {
    const dir = tempDir()
    const path = join(dir, 'metadata.sqlite')
    const writer = openSqliteStore(path)
    await writer.putArtifactType({ name: 'Examples' })
    await writer.close()
    const reader = openSqliteStore(path, { readonly: true })
    expect(await reader.getArtifactTypes()).toHaveLength(1)
    const error = await caught(() => reader.putArtifactType({ name: 'Model' }))
    expect(error.code).toBe('SLUICE_METADATA_READONLY')
    await reader.close()
    const missing = await caught(async () => openSqliteStore(join(dir, 'missing.sqlite'), { readonly: true }))
    expect(missing.code).toBe('SLUICE_METADATA_OPEN_FAILED')
  })

  it('fails clearly after close', async () => {
    const store = openSqliteStore(join(tempDir(), 'metadata.sqlite'))
    await store.close()
    await store.close()
    const error = await caught(() => store.getArtifactTypes())
    expect(error.code).toBe('SLUICE_METADATA_CLOSED')
  })

  it('runs the same implementation in memory', async () => {
    const store = openMemoryStore()
    expect(store.location).toBe(':memory:')
    await store.putArtifactType({ name: 'Examples' })
    const [id] = await store.putArtifacts([{ type: 'Examples', uri: '/e', state: 'LIVE' }])
    expect(await store.getArtifactsById([id as number])).toHaveLength(1)
    await store.close()
  })
})
