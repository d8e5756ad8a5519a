// `sluice-model-server` in its own process, as InfraValidator and users run it (from the sources,
// through tsx): the start line, the REST API behind it, SIGTERM, and bad flags.
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServingFixture, ROW } from './fixtures.js'
import type { ServingFixture } from './fixtures.js'
import { eventually, request } from './helpers.js'

const bin = path.join(import.meta.dirname, '..', 'src', 'bin.ts')
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

function start(args: string[], cwd: string) {
  const child = spawn(process.execPath, ['--conditions=@sluice/source', '--import', tsxLoader, bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()))
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, out, exit }
}

let fixture: ServingFixture

beforeAll(async () => {
  fixture = await createServingFixture()
}, 60_000)

afterAll(async () => {
  await fixture?.tmp.remove()
})

describe.concurrent('sluice-model-server', { timeout: 60_000 }, () => {
  it('prints the start line, serves, and exits 0 on SIGTERM', async () => {
    const base = await fixture.dir('bin-tcp')
    await fixture.pushVersion(base, 3)
    const { child, out, exit } = start(['--model_name=taxi', '--model-base-path', 'bin-tcp', '--port', '0'], fixture.tmp.path)
    const [, url] = await eventually(() => /^Serving models taxi at (http:\/\/127\.0\.0\.1:\d+)\n$/m.exec(out.stdout) ?? false, 30_000)
    expect((await request({ base: url! }, 'GET', '/v1/models/taxi')).json.model_version_status[0]).toMatchObject({ version: '3', state: 'AVAILABLE' })
    expect((await request({ base: url! }, 'POST', '/v1/models/taxi:predict', { instances: [ROW] })).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    expect(out.stdout).toBe(out.stdout.split('\n')[0] + '\n')
    expect(out.stderr).toMatch(/Model "taxi" version 3 is AVAILABLE/)
    expect(out.stderr).toMatch(/SIGTERM: shutting down/)
  })

  it('serves a config file on a unix socket; a model that fails to load is logged with its error', async () => {
    const good = await fixture.dir('bin-good')
    const broken = await fixture.dir('bin-broken')
    await fixture.pushVersion(good, 1)
    await writeFile(path.join(await fixture.dir('bin-broken/1'), 'signature.json'), '{}')
    const config = path.join(fixture.tmp.path, 'models.config')
    await writeFile(config, `model_config_list {\n config { name: "good" base_path: "${good}" }\n config { name: "broken" base_path: "${broken}" }\n}\n`)
    const socket = path.join(fixture.tmp.path, 'bin.sock')
    const { child, out, exit } = start(['--model-config-file', config, '--rest-api-socket', socket, '--file-system-poll-wait-seconds=0'], fixture.tmp.path)
    await eventually(() => out.stdout.includes(`Serving models good, broken at unix:${socket}\n`), 30_000)
    expect((await request({ socketPath: socket }, 'GET', '/v1/models/good')).json.model_version_status[0].state).toBe('AVAILABLE')
    expect((await request({ socketPath: socket }, 'GET', '/v1/models/broken')).json.model_version_status[0]).toMatchObject({ state: 'END', status: { error_code: 'UNKNOWN' } })
    expect(out.stderr).toMatch(/error: Model "broken" version 1 failed to load .*format is undefined/)
    child.kill('SIGINT')
    expect(await exit).toBe(0)
  })

  it('exits 2 with a hint on bad flags, and prints help', async () => {
    const bad = start(['--model-name', 'x', '--bogus'], fixture.tmp.path)
    expect(await bad.exit).toBe(2)
    expect(bad.out.stderr).toMatch(/sluice-model-server: error: Unknown flag --bogus\. .*\nRun "sluice-model-server --help" for the flags\./)
    const help = start(['--help'], fixture.tmp.path)
    expect(await help.exit).toBe(0)
    expect(help.out.stdout).toMatch(/Usage: sluice-model-server --model-base-path <dir>/)
    expect(help.out.stdout).toMatch(/--port, --rest-api-port <n>/)
  })
})
