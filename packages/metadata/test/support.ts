import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { openSqliteStore, type MetadataStore } from '@sluice/metadata'

const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A fresh directory under the OS temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-metadata-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A store on a new SQLite file, closed (before its directory is removed) after the test. */
export function openTempStore(): MetadataStore {
  const store = openSqliteStore(join(tempDir(), 'metadata.sqlite'))
  cleanups.unshift(() => store.close())
  return store
}

/** A temp store with the types most tests use. */
export async function openStoreWithTypes(): Promise<MetadataStore> {
  const store = openTempStore()
  await store.putArtifactType({ name: 'Examples', properties: { span: 'INT', split_names: 'STRING' }, baseType: 'DATASET' })
  await store.putArtifactType({ name: 'Model', properties: { accuracy: 'DOUBLE' }, baseType: 'MODEL' })
  await store.putExecutionType({ name: 'Trainer', properties: { num_steps: 'INT' }, baseType: 'TRAIN' })
  await store.putExecutionType({ name: 'ExampleGen' })
  await store.putContextType({ name: 'pipeline' })
  await store.putContextType({ name: 'pipeline_run' })
  await store.putContextType({ name: 'node' })
  return store
}

/** Runs `fn` and returns what it threw (a failing assertion if it did not). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & { code?: string; retryable?: boolean }> {
  try {
    await fn()
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected the call to throw')
}
