#!/usr/bin/env node
// `npm run bench <name>` runs tools/bench/<name>.ts from the workspace sources (no build needed).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const names = fs.readdirSync(here).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3))
const [name, ...args] = process.argv.slice(2)
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench <name>\nbenchmarks: ${names.join(', ')}`)
  process.exit(2)
}
const tsx = import.meta.resolve('tsx/esm')
const result = spawnSync(process.execPath, ['--conditions=@sluice/source', '--import', tsx, path.join(here, `${name}.ts`), ...args], { stdio: 'inherit' })
process.exit(result.status ?? 1)
