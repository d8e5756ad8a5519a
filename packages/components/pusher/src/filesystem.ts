// The filesystem push: a model directory copied to `{baseDirectory}/{version}/` so that a server
// watching the base directory (TF Serving's layout: one numeric directory per version, highest
// served) never sees a partial version. The copy goes to a hidden staging directory beside the
// versions, every file and directory is fsynced, and one rename(2) publishes it: on one filesystem
// that is atomic, so the version directory appears complete or not at all.
import fs from 'node:fs/promises'
import path from 'node:path'
import { PusherError } from './errors.js'

/** Options of {@link pushToFilesystem}. */
export interface FilesystemPushOptions {
  /** The clock the version is read from, in milliseconds. @default Date.now */
  readonly now?: () => number
  /** Stops the copy between files; the staging directory is removed. */
  readonly signal?: AbortSignal
}

/** Where {@link pushToFilesystem} put the model. */
export interface FilesystemPush {
  /** The version directory's name: unix seconds (see {@link pushToFilesystem}). */
  readonly version: string
  /** The absolute path of the version directory. */
  readonly destination: string
  /** Files copied. */
  readonly files: number
  /** Bytes copied. */
  readonly bytes: number
}

const VERSION = /^\d+$/
// A rename that loses a race with another pusher tries the next version number, up to this many.
const MAX_RENAME_ATTEMPTS = 1000

/**
 * Copies the contents of `source` (a model's serving directory) to a new version directory
 * `{baseDirectory}/{version}/` and returns where. The version, chosen when the copy is complete, is
 * the current unix time in seconds, or one more than the highest numeric version already there when
 * that is larger, so a new push is always the newest version (two pushes in one second get
 * consecutive numbers). Existing versions are never written, replaced or removed.
 *
 * The copy is staged in `{baseDirectory}/.{version}.tmp-{random}/` (hidden, not a number, so servers
 * ignore it), fsynced, then renamed into place; the base directory is fsynced after the rename. When
 * anything fails, the staging directory is removed and no version directory exists.
 *
 * @throws PusherError `SLUICE_PUSHER_DESTINATION_UNWRITABLE` when the base directory cannot be created
 *   or written; `SLUICE_PUSHER_COPY_FAILED` when the copy fails.
 *
 * @example
 * const { version, destination } = await pushToFilesystem(path.join(model.uri, 'Format-Serving'), '/srv/models/taxi')
 */
export async function pushToFilesystem(source: string, baseDirectory: string, options: FilesystemPushOptions = {}): Promise<FilesystemPush> {
  const base = path.resolve(baseDirectory)
  await ensureWritableDirectory(base)
  const now = options.now ?? Date.now
  const nextVersion = async () => Math.max(Math.floor(now() / 1000), (await highestVersion(base)) + 1)
  let staging: string
  try {
    // The name is cosmetic; the version is chosen again when the copy is complete.
    staging = await fs.mkdtemp(path.join(base, `.${await nextVersion()}.tmp-`))
  } catch (cause) {
    throw unwritable(base, cause)
  }
  try {
    const copied = { files: 0, bytes: 0 }
    await copyTree(source, staging, { fsync: true, ...(options.signal ? { signal: options.signal } : {}) }, copied)
    await fsyncDirectory(staging)
    // Chosen at publication, not at the start: a push published later always gets a higher version.
    const first = await nextVersion()
    for (let version = first; version < first + MAX_RENAME_ATTEMPTS; version++) {
      const destination = path.join(base, String(version))
      // rename(2) would replace an empty directory of that name: never take a name that exists.
      if (await exists(destination)) continue
      try {
        await fs.rename(staging, destination)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        // Another pusher published this version between our check and our rename.
        if (code === 'EEXIST' || code === 'ENOTEMPTY') continue
        throw error
      }
      await fsyncDirectory(base)
      return { version: String(version), destination, files: copied.files, bytes: copied.bytes }
    }
    throw new Error(`versions ${first} to ${first + MAX_RENAME_ATTEMPTS - 1} are all taken`)
  } catch (cause) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => {})
    if (cause instanceof PusherError) throw cause
    if (options.signal?.aborted) throw options.signal.reason
    throw new PusherError('SLUICE_PUSHER_COPY_FAILED', `Copying the model from ${source} to ${base} failed: ${(cause as Error).message}. No version was published.`, {
      cause,
      fix: 'Check free space and permissions under the base directory, and that every file of the model is readable (no dangling symlinks).',
    })
  }
}

/** The highest numeric version directory in `base`, or 0. */
async function highestVersion(base: string): Promise<number> {
  let highest = 0
  for (const entry of await fs.readdir(base, { withFileTypes: true })) {
    if (VERSION.test(entry.name) && entry.isDirectory()) highest = Math.max(highest, Number(entry.name))
  }
  return highest
}

async function ensureWritableDirectory(base: string): Promise<void> {
  try {
    await fs.mkdir(base, { recursive: true })
    const stat = await fs.stat(base)
    if (!stat.isDirectory()) throw Object.assign(new Error('it is not a directory'), { code: 'ENOTDIR' })
    await fs.access(base, fs.constants.W_OK | fs.constants.X_OK)
  } catch (cause) {
    throw unwritable(base, cause)
  }
}

function unwritable(base: string, cause: unknown): PusherError {
  const code = (cause as NodeJS.ErrnoException).code
  const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only filesystem' : (cause as Error).message
  return new PusherError('SLUICE_PUSHER_DESTINATION_UNWRITABLE', `Pusher: the push destination's baseDirectory ${base} cannot be created or written (${why}).`, {
    cause,
    fix: 'Set pushDestination.filesystem.baseDirectory to a directory this process can create and write.',
  })
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  )
}

/** Options of {@link copyTree}. */
export interface CopyTreeOptions {
  /** fsync every file and directory written. */
  readonly fsync?: boolean
  readonly signal?: AbortSignal
}

/**
 * Copies the contents of directory `from` into directory `to` (created when missing), following
 * symbolic links so that the copy holds real files. Adds to `counts` as it goes.
 */
export async function copyTree(from: string, to: string, options: CopyTreeOptions = {}, counts = { files: 0, bytes: 0 }): Promise<{ files: number; bytes: number }> {
  await fs.mkdir(to, { recursive: true })
  for (const name of (await fs.readdir(from)).sort()) {
    options.signal?.throwIfAborted()
    const source = path.join(from, name)
    const target = path.join(to, name)
    const stat = await fs.stat(source)
    if (stat.isDirectory()) {
      await copyTree(source, target, options, counts)
      if (options.fsync) await fsyncDirectory(target)
    } else if (stat.isFile()) {
      await fs.copyFile(source, target)
      if (options.fsync) {
        const handle = await fs.open(target, 'r')
        try {
          await handle.sync()
        } finally {
          await handle.close()
        }
      }
      counts.files++
      counts.bytes += stat.size
    } else {
      throw new Error(`${source} is neither a file nor a directory`)
    }
  }
  return counts
}

/** fsyncs a directory so that the entries written in it survive a crash. Best effort: some platforms refuse. */
async function fsyncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(dir, 'r')
    await handle.sync()
  } catch {
    // Windows and some network filesystems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => {})
  }
}
