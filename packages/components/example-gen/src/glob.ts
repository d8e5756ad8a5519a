// File globs for split patterns, with the semantics of TFX's `fileio.glob` plus `**`:
//   *  any characters except "/"      ?  one character except "/"
//   [abc] [a-z] [!abc]  one character of (not of) a set      **  any number of directories
//   \x  the character x literally
// A wildcard at the start of a name does not match names starting with "." (hidden files), as in
// Python's glob. Only files match (directories are walked, never returned). Results are sorted.
import fs from 'node:fs/promises'
import path from 'node:path'
import { ExampleGenError } from './errors.js'

const MAGIC = /[*?[\\]/

/** Whether a glob pattern has wildcards (a pattern without them names one file). */
export function hasMagic(pattern: string): boolean {
  return MAGIC.test(pattern)
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * Translates one glob fragment (no "/" inside) to regex source. `original` is the whole pattern,
 * for error messages.
 */
export function globFragmentToRegex(fragment: string, original: string = fragment): string {
  let out = ''
  for (let i = 0; i < fragment.length; i++) {
    const c = fragment[i]!
    if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else if (c === '\\') {
      const next = fragment[i + 1]
      if (next === undefined) throw badGlob(original, 'ends with a lone "\\"')
      out += escapeRegex(next)
      i++
    } else if (c === '[') {
      let j = i + 1
      let negate = false
      if (fragment[j] === '!' || fragment[j] === '^') {
        negate = true
        j++
      }
      let body = ''
      if (fragment[j] === ']') {
        body += '\\]'
        j++
      }
      while (j < fragment.length && fragment[j] !== ']') {
        const d = fragment[j]!
        if (d === '/') throw badGlob(original, 'has a "/" inside a [...] set')
        body += d === '\\' || d === '^' ? `\\${d}` : d
        j++
      }
      if (j >= fragment.length) throw badGlob(original, `has a "[" at position ${i + 1} that is never closed`)
      if (body === '') throw badGlob(original, 'has an empty [] set')
      out += `[${negate ? '^' : ''}${body}]`
      i = j
    } else out += escapeRegex(c)
  }
  return out
}

function badGlob(pattern: string, what: string): ExampleGenError {
  return new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_GLOB', `The split pattern "${pattern}" ${what}.`, {
    fix: 'Patterns are globs relative to inputBase: * and ? (not crossing "/"), [abc], [!abc], ** for any directories, \\ to escape.',
  })
}

function segmentMatcher(segment: string, original: string): RegExp {
  const hiddenGuard = /^[*?[]/.test(segment) ? '(?!\\.)' : ''
  return new RegExp(`^${hiddenGuard}${globFragmentToRegex(segment, original)}$`, 's')
}

function unescapeLiteral(segment: string): string {
  return segment.replace(/\\(.)/g, '$1')
}

/** Escapes glob wildcards in a literal path (e.g. the input base). */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\\]/g, '\\$&')
}

/** Validates a glob pattern, throwing `SLUICE_EXAMPLEGEN_BAD_GLOB` when it is malformed. */
export function validateGlob(pattern: string): void {
  if (pattern.trim() === '') throw badGlob(pattern, 'is empty')
  for (const segment of pattern.split('/')) if (segment !== '**') globFragmentToRegex(segment, pattern)
}

/**
 * The files matching `pattern` (relative to `base`, or absolute), as sorted absolute paths.
 *
 * @example
 * await globFiles('/data', 'span-*\/*.csv') // ['/data/span-1/a.csv', '/data/span-2/a.csv']
 */
export async function globFiles(base: string, pattern: string): Promise<string[]> {
  validateGlob(pattern)
  const full = path.isAbsolute(pattern) ? pattern : path.posix.join(escapeGlob(base.split(path.sep).join('/')), pattern)
  const segments = full.split('/')
  // Start at the longest prefix without wildcards.
  let start = 0
  while (start < segments.length - 1 && !hasMagic(segments[start]!)) start++
  const root = segments.slice(0, start).map(unescapeLiteral).join('/') || '/'
  const found = new Set<string>()
  await walk(root, segments.slice(start), 0, found, pattern)
  return [...found].sort()
}

async function walk(dir: string, segments: string[], index: number, out: Set<string>, original: string): Promise<void> {
  const segment = segments[index]!
  const last = index === segments.length - 1
  if (segment === '**') {
    if (last) {
      await collectAll(dir, out)
      return
    }
    await walk(dir, segments, index + 1, out, original)
    for (const entry of await list(dir)) {
      if (entry.name.startsWith('.')) continue
      const child = path.join(dir, entry.name)
      if (await isDirectory(child, entry)) await walk(child, segments, index, out, original)
    }
    return
  }
  if (!hasMagic(segment)) {
    const child = path.join(dir, unescapeLiteral(segment))
    if (last) {
      if (await isFile(child)) out.add(child)
    } else if (await isDirectory(child)) await walk(child, segments, index + 1, out, original)
    return
  }
  const matcher = segmentMatcher(segment, original)
  for (const entry of await list(dir)) {
    if (!matcher.test(entry.name)) continue
    const child = path.join(dir, entry.name)
    if (last) {
      if (await isFile(child, entry)) out.add(child)
    } else if (await isDirectory(child, entry)) await walk(child, segments, index + 1, out, original)
  }
}

async function collectAll(dir: string, out: Set<string>): Promise<void> {
  for (const entry of await list(dir)) {
    if (entry.name.startsWith('.')) continue
    const child = path.join(dir, entry.name)
    if (await isFile(child, entry)) out.add(child)
    else if (await isDirectory(child, entry)) await collectAll(child, out)
  }
}

async function list(dir: string) {
  try {
    return await fs.readdir(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

async function isFile(file: string, entry?: { isFile(): boolean; isSymbolicLink(): boolean }): Promise<boolean> {
  if (entry && !entry.isSymbolicLink()) return entry.isFile()
  try {
    return (await fs.stat(file)).isFile()
  } catch {
    return false
  }
}

async function isDirectory(dir: string, entry?: { isDirectory(): boolean; isSymbolicLink(): boolean }): Promise<boolean> {
  if (entry && !entry.isSymbolicLink()) return entry.isDirectory()
  try {
    return (await fs.stat(dir)).isDirectory()
  } catch {
    return false
  }
}
