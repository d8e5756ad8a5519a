// `sluice serve` hands its flags to @sluice/serving's command line: the same parser, start line and
// shutdown as `sluice-model-server`. Run in-process with a TestIo; Ctrl-C is the TestIo's.
import http from 'node:http'
import { describe, expect, it } from 'vitest'
import { main } from '../src/index.js'
import { TestIo, tempDir } from './helpers.js'

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('sluice serve', { timeout: 60_000 }, () => {
  it('runs the model server with its flags and shuts down on Ctrl-C with exit 0', async () => {
    const cwd = tempDir()
    const io = new TestIo(cwd)
    const exit = main(['serve', '--model_name=taxi', '--model-base-path', 'serving/taxi', '--port', '0', '--file-system-poll-wait-seconds=0'], io)
    await until(() => /Serving models taxi at http:\/\/127\.0\.0\.1:\d+\n/.test(io.out) || io.err !== '')
    const url = /at (http:\S+)/.exec(io.out)![1]!
    // The real server: TF Serving's answer for a model with no versions yet.
    const status = await get(`${url}/v1/models/taxi`)
    expect(status.status).toBe(404)
    expect(JSON.parse(status.body).error).toMatch(/Could not find any versions of model "taxi" under .*serving\/taxi/)
    expect(io.err).toMatch(/sluice serve: warning: Model "taxi": no versions found under/)
    expect(io.listening).toBe(true)
    io.interrupt()
    expect(await exit).toBe(0)
    expect(io.err).toMatch(/SIGINT: shutting down/)
    expect(io.listening).toBe(false)
  })

  it('exits 2 on bad flags and shows the server help', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['serve', '--model-base-path', 'x', '--bogus'], io)).toBe(2)
    expect(io.err).toMatch(/sluice serve: error: Unknown flag --bogus\./)
    expect(io.err).toMatch(/Run "sluice serve --help" for the flags\./)
    const help = new TestIo(tempDir())
    expect(await main(['serve', '--help'], help)).toBe(0)
    expect(help.out).toMatch(/^Usage: sluice serve --model-base-path <dir>/)
    expect(help.out).toMatch(/--rest-api-socket <path>/)
  })

  it('says how to install @sluice/serving when it is missing', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['serve', '--model-base-path', 'x'], io, { loadServing: async () => undefined })).toBe(1)
    expect(io.err).toMatch(/error: `sluice serve` needs the model server, @sluice\/serving, which is not installed\. Install it: npm i @sluice\/serving \[SLUICE_CLI_PACKAGE_MISSING\]/)
  })

  it('is listed in sluice --help', async () => {
    const io = new TestIo(tempDir())
    expect(await main(['--help'], io)).toBe(0)
    expect(io.out).toMatch(/serve \[flags\.\.\.\]\s+serve models over TensorFlow Serving's REST API/)
  })
})
