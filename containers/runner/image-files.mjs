#!/usr/bin/env node
// Lists what the runner image holds from the workspace, one path per line, relative to the workspace
// root: every published workspace package (package.json, dist/, bin/) and the production
// dependencies they need from node_modules (dependencies, optionalDependencies and peerDependencies,
// resolved the way Node resolves them, transitively). Dev tools (nx, vitest, typescript, tsup…) are
// not reached from any package's dependencies, so they stay out.
//
//   node containers/runner/image-files.mjs [workspace root]
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', '..'))
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))

/** Workspace package directories, from the root package.json's `workspaces` globs (`dir/*` only). */
function workspaceDirs() {
  const dirs = []
  for (const pattern of rootPkg.workspaces ?? []) {
    if (!pattern.endsWith('/*')) {
      if (fs.existsSync(path.join(root, pattern, 'package.json'))) dirs.push(pattern)
      continue
    }
    const parent = pattern.slice(0, -2)
    if (!fs.existsSync(path.join(root, parent))) continue
    for (const name of fs.readdirSync(path.join(root, parent)).sort()) {
      if (fs.existsSync(path.join(root, parent, name, 'package.json'))) dirs.push(`${parent}/${name}`)
    }
  }
  return dirs
}

const readPkg = (dir) => JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'))
const out = new Set()
const visited = new Set()
const queue = []

const workspaces = workspaceDirs()
  .map((dir) => ({ dir, pkg: readPkg(dir) }))
  .filter(({ pkg }) => pkg.private !== true)
  .filter(({ dir, pkg }) => {
    // A package with sources but no build cannot be imported: leave it out rather than ship it broken.
    const unbuilt = fs.existsSync(path.join(root, dir, 'src')) && !fs.existsSync(path.join(root, dir, 'dist'))
    if (unbuilt) console.error(`image-files: ${pkg.name} has no dist/ (not built), so it is not in the image`)
    return !unbuilt
  })
const workspaceNames = new Set(workspaces.map(({ pkg }) => pkg.name))

for (const { dir, pkg } of workspaces) {
  out.add(`${dir}/package.json`)
  for (const sub of ['dist', 'bin']) if (fs.existsSync(path.join(root, dir, sub))) out.add(`${dir}/${sub}`)
  // The node_modules/@scope/name symlink, so packages import each other by name.
  const link = `node_modules/${pkg.name}`
  if (fs.existsSync(path.join(root, link))) out.add(link)
  queue.push({ from: dir, pkg })
}

/** Where `name` resolves from `fromDir` (relative to root), walking up node_modules directories. */
function resolve(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir === '.' ? '' : dir, 'node_modules', name)
    if (fs.existsSync(path.join(root, candidate, 'package.json'))) return candidate
    if (dir === '.' || dir === '' || dir === path.dirname(dir)) return undefined
  }
}

while (queue.length > 0) {
  const { from, pkg } = queue.shift()
  const deps = { ...pkg.peerDependencies, ...pkg.optionalDependencies, ...pkg.dependencies }
  for (const name of Object.keys(deps)) {
    if (workspaceNames.has(name)) continue
    const found = resolve(name, from)
    if (found === undefined) {
      if (!(name in (pkg.optionalDependencies ?? {})) && !(name in (pkg.peerDependencies ?? {}))) {
        console.error(`image-files: ${pkg.name} depends on ${name}, which is not installed; run npm ci`)
        process.exitCode = 1
      }
      continue
    }
    if (visited.has(found)) continue
    visited.add(found)
    out.add(found)
    queue.push({ from: found, pkg: JSON.parse(fs.readFileSync(path.join(root, found, 'package.json'), 'utf8')) })
  }
}

// A directory already listed covers everything under it.
const sorted = [...out].sort()
const kept = sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(`${q}/`)))
process.stdout.write(`${kept.join('\n')}\n`)
