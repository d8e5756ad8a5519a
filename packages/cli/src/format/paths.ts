import path from 'node:path'

/**
 * An artifact uri or file path as shown to people: relative (`./.sluice/taxi/…`) when it lies under
 * `cwd`, otherwise as is. `--json` output keeps the absolute form.
 */
export function displayPath(uri: string, cwd: string): string {
  if (!path.isAbsolute(uri)) return uri
  const relative = path.relative(cwd, uri)
  if (relative === '') return '.'
  if (relative.startsWith('..') || path.isAbsolute(relative)) return uri
  const shown = `.${path.sep}${relative}`
  return uri.endsWith(path.sep) && !shown.endsWith(path.sep) ? shown + path.sep : shown
}
