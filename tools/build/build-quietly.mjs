#!/usr/bin/env node
// Builds every package through Nx (cached), printing one line on success and Nx's full output on
// failure, so `npm run demo` and `npm test` show what matters to their reader.
import { spawnSync } from 'node:child_process'

const started = Date.now()
const result = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], {
  encoding: 'utf8',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
  maxBuffer: 64 * 1024 * 1024,
})
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? '')
  process.stderr.write(result.stderr ?? '')
  console.error('\nThe build failed; see the output above.')
  process.exit(result.status ?? 1)
}
const cached = /Nx read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(result.stdout ?? '')
console.log(`Built the packages in ${((Date.now() - started) / 1000).toFixed(1)} s${cached ? ` (${cached[1]} of ${cached[2]} from the Nx cache)` : ''}.`)
