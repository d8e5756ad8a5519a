import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { MetadataError, openSqliteStore } from '@sluice/metadata'
import { caught, tempDir } from './support.js'

describe('write lock', () => {
  it('waits for another connection’s write transaction without blocking the event loop', async () => {
    const path = join(tempDir(), 'metadata.sqlite')
    const store = openSqliteStore(path)
    await store.putArtifactType({ name: 'Examples' })
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    let ticks = 0
    const ticker = setInterval(() => ticks++, 5)
    setTimeout(() => other.exec('COMMIT'), 100)
    const [id] = await store.putArtifacts([{ type: 'Examples', uri: '/a', state: 'LIVE' }])
    clearInterval(ticker)
    expect(id).toBe(1)
    expect(ticks).toBeGreaterThan(5)
    other.close()
    await store.close()
  })

  it('fails with a retryable BUSY error naming the file after busyTimeoutMs', async () => {
    const path = join(tempDir(), 'metadata.sqlite')
    const store = openSqliteStore(path, { busyTimeoutMs: 50 })
    await store.putArtifactType({ name: 'Examples' })
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    const error = await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/a', state: 'LIVE' }]))
    expect(error).toBeInstanceOf(MetadataError)
    expect(error.code).toBe('SLUICE_METADATA_BUSY')
    expect(error.retryable).toBe(true)
    expect(error.message).toContain(path)
    expect(error.message).toContain('busyTimeoutMs')
    const txError = await caught(() => store.transaction(() => store.putArtifacts([{ type: 'Examples', uri: '/b', state: 'LIVE' }])))
    expect(txError.code).toBe('SLUICE_METADATA_BUSY')
    other.exec('ROLLBACK')
    other.close()
    // Nothing was half-written, and the store works once the lock is free.
    expect(await store.getArtifacts()).toEqual([])
    await store.putArtifacts([{ type: 'Examples', uri: '/c', state: 'LIVE' }])
    await store.close()
  })

  it('rejects a bad busyTimeoutMs', async () => {
    const error = await caught(async () => openSqliteStore(join(tempDir(), 'm.sqlite'), { busyTimeoutMs: -1 }))
    expect(error.code).toBe('SLUICE_METADATA_INVALID_ARGUMENT')
  })
})
