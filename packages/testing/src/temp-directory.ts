import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** A temporary directory that removes itself. */
export interface TempDirectory extends AsyncDisposable {
  readonly path: string
  remove(): Promise<void>
}

/**
 * Creates a fresh directory under the system temp dir, e.g. for a pipeline root in a test.
 *
 * @example
 * await using dir = await createTempDirectory('stats-test-')
 */
export async function createTempDirectory(prefix = 'sluice-test-'): Promise<TempDirectory> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  const remove = () => fs.rm(dir, { recursive: true, force: true })
  return { path: dir, remove, [Symbol.asyncDispose]: remove }
}
