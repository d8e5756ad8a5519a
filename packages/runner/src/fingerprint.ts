import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

/**
 * A cheap fingerprint of what is at `location`: a file by its content, a directory by every file's
 * relative path, size and modification time (TFX's `input_fingerprint` rule: reading every byte of
 * a data directory on each run would cost more than the cache saves). Missing paths fingerprint
 * as `missing`, so creating them later changes the fingerprint.
 */
export async function fingerprintPath(location: string): Promise<string> {
  let stat
  try {
    stat = await fs.stat(location)
  } catch {
    return 'missing'
  }
  if (stat.isFile()) {
    const hash = createHash('sha256')
    hash.update(await fs.readFile(location))
    return `file:${hash.digest('hex')}`
  }
  const entries: string[] = []
  await walk(location, '', entries)
  entries.sort()
  return `dir:${createHash('sha256').update(entries.join('\n')).digest('hex')}`
}

async function walk(root: string, relative: string, out: string[]): Promise<void> {
  const dirents = await fs.readdir(path.join(root, relative), { withFileTypes: true })
  for (const d of dirents) {
    const rel = relative ? `${relative}/${d.name}` : d.name
    if (d.isDirectory()) await walk(root, rel, out)
    else {
      const s = await fs.stat(path.join(root, rel))
      out.push(`${rel}\t${s.size}\t${Math.trunc(s.mtimeMs)}`)
    }
  }
}

/** Whether a declared output holds something: a non-empty directory, or a file. */
export async function hasContent(location: string): Promise<boolean> {
  try {
    const stat = await fs.stat(location)
    if (stat.isFile()) return true
    return (await fs.readdir(location)).length > 0
  } catch {
    return false
  }
}
