// The model server over real HTTP on loopback, with bundles made by the real Transform and
// saveServingBundle: every endpoint and format, errors, versions appearing and breaking while it
// serves, micro-batching, graceful shutdown and the unix socket.
import { spawnSync } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import { lstat, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import type { Logger } from '@sluice/core'
import { startModelServer } from '../src/index.js'
import type { ModelServer, ModelServerOptions } from '../src/index.js'
import { createServingFixture, ROW } from './fixtures.js'
import type { ServingFixture } from './fixtures.js'
import { eventually, metric, request } from './helpers.js'

let fixture: ServingFixture
const servers: ModelServer[] = []
const logs: string[] = []
const logger: Logger = { debug: () => {}, info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) }

async function serve(options: Partial<ModelServerOptions> & Pick<ModelServerOptions, 'models'>): Promise<ModelServer & { base: string }> {
  const server = await startModelServer({ port: 0, fileSystemPollWaitSeconds: 0, logger, ...options })
  servers.push(server)
  return Object.assign(server, { base: server.url })
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

beforeAll(async () => {
  fixture = await createServingFixture()
}, 60_000)

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  await fixture?.tmp.remove()
})

describe('REST API', () => {
  let server: ModelServer & { base: string }
  let expected: Float32Array

  beforeAll(async () => {
    const base = await fixture.dir('api')
    await fixture.pushVersion(base, 7)
    server = await serve({ models: [{ name: 'm', basePath: base, versionLabels: { stable: 7 } }] })
    const bundle = await loadServingBundle(fixture.bundleDir)
    expected = (await bundle.predict([ROW, { ...ROW, x1: 0.9, color: 'blue' }])).probability!
    bundle.dispose()
  })

  it('reports version status, for the model, a version and a label', async () => {
    const status = { model_version_status: [{ version: '7', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] }
    for (const p of ['/v1/models/m', '/v1/models/m/versions/7', '/v1/models/m/labels/stable']) {
      const reply = await request(server, 'GET', p)
      expect(reply.status).toBe(200)
      expect(reply.headers['content-type']).toBe('application/json')
      expect(reply.json).toEqual(status)
    }
  })

  it('describes the signature as a TF Serving SignatureDef', async () => {
    const reply = await request(server, 'GET', '/v1/models/m/metadata')
    expect(reply.status).toBe(200)
    expect(reply.json.model_spec).toEqual({ name: 'm', signature_name: '', version: '7' })
    const def = reply.json.metadata.signature_def.signature_def.serving_default
    expect(def.method_name).toBe('tensorflow/serving/predict')
    expect(Object.keys(def.inputs)).toEqual(['x1', 'x2', 'color'])
    expect(def.inputs.x1.dtype).toBe('DT_FLOAT')
    expect(def.inputs.color.dtype).toBe('DT_STRING')
    expect(def.inputs.x1.tensor_shape.dim).toEqual([{ size: '-1', name: '' }])
    expect(def.outputs.probability).toEqual({ dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1', name: '' }, { size: '1', name: '' }], unknown_rank: false }, name: 'probability' })
    expect((await request(server, 'GET', '/v1/models/m/versions/7/metadata')).json.model_spec.version).toBe('7')
  })

  it('predicts raw rows (instances) as the bundle does in-process, through the fitted transform', async () => {
    for (const p of ['/v1/models/m:predict', '/v1/models/m/versions/7:predict', '/v1/models/m/labels/stable:predict']) {
      const reply = await request(server, 'POST', p, { instances: [ROW, { ...ROW, x1: 0.9, color: 'blue' }] })
      expect(reply.status).toBe(200)
      expect(reply.json.predictions).toHaveLength(2)
      reply.json.predictions.forEach((p: number, i: number) => expect(p).toBeCloseTo(expected[i]!, 6))
    }
  })

  it('predicts columns (inputs → outputs), one-element lists, { b64 } strings and an empty request', async () => {
    const columnar = await request(server, 'POST', '/v1/models/m:predict', { inputs: { x1: [0.5, 0.9], x2: [0.25, 0.25], color: ['red', 'blue'] } })
    expect(columnar.status).toBe(200)
    expect(Object.keys(columnar.json)).toEqual(['outputs'])
    columnar.json.outputs.forEach((p: number, i: number) => expect(p).toBeCloseTo(expected[i]!, 6))
    const lists = await request(server, 'POST', '/v1/models/m:predict', { signature_name: 'serving_default', instances: [{ x1: [0.5], x2: [0.25], color: { b64: Buffer.from('red').toString('base64') } }] })
    expect(lists.json.predictions[0]).toBeCloseTo(expected[0]!, 6)
    expect((await request(server, 'POST', '/v1/models/m:predict', { instances: [] })).json).toEqual({ predictions: [] })
  })

  it('classifies (binary classes "0" and "1") and regresses, with a shared context', async () => {
    const classify = await request(server, 'POST', '/v1/models/m:classify', { examples: [ROW] })
    expect(classify.status).toBe(200)
    const [[l0, s0], [l1, s1]] = classify.json.results[0]
    expect([l0, l1]).toEqual(['0', '1'])
    expect(s1).toBeCloseTo(expected[0]!, 6)
    expect(s0 + s1).toBeCloseTo(1, 6)
    const regress = await request(server, 'POST', '/v1/models/m:regress', { context: { x2: 0.25 }, examples: [{ x1: 0.5, color: 'red' }, { x1: 0.9, color: 'blue' }] })
    expect(regress.status).toBe(200)
    regress.json.results.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[i]!, 6))
  })

  it('answers bad requests with 400 and { error } naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      ['{"instances": [', /not valid JSON/],
      ['[1, 2]', /must be a JSON object/],
      [{}, /needs "instances" .* or "inputs"/],
      [{ instances: [ROW], inputs: {} }, /both "instances" and "inputs"/],
      [{ instances: [ROW, { ...ROW, x1: 'high' }] }, /Row 1: feature "x1" must be FLOAT, got the string "high"/],
      [{ instances: [{ x1: 0.5, color: 'red' }] }, /Row 0 has no feature "x2"/],
      [{ instances: [{ ...ROW, x2: [1, 2] }] }, /instances\[0\]: feature "x2" has 2 values/],
      [{ instances: [3] }, /instances\[0\] is a number; each instance is an object/],
      [{ inputs: { x1: [1, 2], x2: [1], color: ['a', 'b'] } }, /feature "x2" has 1 value\(s\), others have 2/],
      [{ signature_name: 'other', instances: [ROW] }, /signature name: "other" not found/],
    ]
    for (const [body, message] of cases) {
      const reply = await request(server, 'POST', '/v1/models/m:predict', body)
      expect(reply.status, JSON.stringify(body)).toBe(400)
      expect(reply.json.error).toMatch(message)
    }
    const context = await request(server, 'POST', '/v1/models/m:classify', { context: { x2: 1 }, examples: [ROW] })
    expect(context.status).toBe(400)
    expect(context.json.error).toMatch(/examples\[0\] has feature "x2", which is also in "context"/)
  })

  it('answers 404 for unknown models, versions, labels and paths; 405 for the wrong method', async () => {
    const notFound = [
      ['GET', '/v1/models/nope', /Model "nope" is not served here \(models: m\)/],
      ['POST', '/v1/models/nope:predict', /Model "nope" is not served/],
      ['GET', '/v1/models/m/versions/8', /no version 8/],
      ['POST', '/v1/models/m/versions/8:predict', /no version 8/],
      ['GET', '/v1/models/m/labels/canary', /no version label "canary" \(labels: stable\)/],
      ['GET', '/v2/other', /No endpoint at \/v2\/other/],
      ['POST', '/v1/models/m:explain', /No endpoint/],
    ] as const
    for (const [method, p, message] of notFound) {
      const reply = await request(server, method, p, method === 'POST' ? { instances: [ROW] } : undefined)
      expect(reply.status, p).toBe(404)
      expect(reply.json.error).toMatch(message)
    }
    const get = await request(server, 'GET', '/v1/models/m:predict')
    expect(get.status).toBe(405)
    expect(get.headers.allow).toBe('POST')
    const post = await request(server, 'POST', '/v1/models/m', {})
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
    expect((await request(server, 'DELETE', '/metrics')).status).toBe(405)
  })

  it('answers 413 for a body over maxRequestBytes and keeps serving', async () => {
    const base = await fixture.dir('small-limit')
    await fixture.pushVersion(base, 1)
    const small = await serve({ models: [{ name: 'm', basePath: base }], maxRequestBytes: 200 })
    const big = { instances: Array.from({ length: 20 }, () => ROW) }
    const reply = await request(small, 'POST', '/v1/models/m:predict', big)
    expect(reply.status).toBe(413)
    expect(reply.json.error).toMatch(/larger than 200 bytes/)
    // Without Content-Length (chunked) the limit holds too.
    const chunked = await new Promise<number>((resolve, reject) => {
      const url = new URL(small.url)
      const req = http.request({ method: 'POST', host: url.hostname, port: url.port, path: '/v1/models/m:predict', agent: false }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.write(JSON.stringify(big).slice(0, 150))
      setTimeout(() => req.end(JSON.stringify(big).slice(150)), 20)
    })
    expect(chunked).toBe(413)
    expect((await request(small, 'POST', '/v1/models/m:predict', { instances: [ROW] })).status).toBe(200)
  })

  it('settles a request whose client goes away mid-body (499), keeps serving and still closes', async () => {
    const base = await fixture.dir('gone')
    await fixture.pushVersion(base, 1)
    const gone = await serve({ models: [{ name: 'm', basePath: base }] })
    const url = new URL(gone.url)
    const body = JSON.stringify({ instances: [ROW] })
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(`POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`)
        setTimeout(() => {
          socket.destroy()
          resolve()
        }, 50)
      })
      socket.on('error', reject)
    })
    await eventually(async () => expect(metric(await gone.metricsText(), 'sluice_serving_requests_total{model="m",method="predict",code="499"}')).toBe(1))
    expect((await request(gone, 'POST', '/v1/models/m:predict', { instances: [ROW] })).status).toBe(200)
    await gone.close()
  })

  it('exposes Prometheus metrics: requests by model/method/code, latency, batch sizes, loaded versions', async () => {
    const reply = await request(server, 'GET', '/metrics')
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(metric(reply.text, 'sluice_serving_requests_total{model="m",method="predict",code="200"}')).toBeGreaterThanOrEqual(3)
    expect(metric(reply.text, 'sluice_serving_requests_total{model="m",method="predict",code="400"}')).toBeGreaterThanOrEqual(9)
    expect(metric(reply.text, 'sluice_serving_request_duration_seconds_count{model="m",method="predict"}')).toBeGreaterThanOrEqual(3)
    expect(metric(reply.text, 'sluice_serving_loaded_versions{model="m"}')).toBe(1)
    expect(metric(reply.text, 'sluice_serving_batch_size_count{model="m"}')).toBeGreaterThanOrEqual(3)
    expect(reply.text).toContain('process_cpu_user_seconds_total')
    expect((await request(server, 'GET', '/monitoring/prometheus/metrics')).status).toBe(200)
  })
})

describe('versions', () => {
  it('picks up a new version while serving, unloads the old one (latest 1), and keeps serving through it', async () => {
    const base = await fixture.dir('hot')
    await fixture.pushVersion(base, 1)
    const server = await serve({ models: [{ name: 'm', basePath: base }], fileSystemPollWaitSeconds: 0.1 })
    const v2 = path.join(fixture.tmp.path, 'const-2')
    await fixture.writeConstantBundle(v2, 2)
    // Requests keep flowing while the version changes; none may fail.
    let stop = false
    const failures: number[] = []
    const traffic = (async () => {
      while (!stop) {
        const r = await request(server, 'POST', '/v1/models/m:predict', { instances: [ROW] })
        if (r.status !== 200) failures.push(r.status)
      }
    })()
    await fixture.pushVersion(base, 2, v2)
    await eventually(async () => (await request(server, 'GET', '/v1/models/m')).json.model_version_status[0].version === '2' && server.versions('m').find((v) => v.version === 1)?.state === 'END')
    stop = true
    await traffic
    expect(failures).toEqual([])
    const status = await request(server, 'GET', '/v1/models/m')
    expect(status.json.model_version_status).toEqual([
      { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      { version: '1', state: 'END', status: { error_code: 'OK', error_message: '' } },
    ])
    const reply = await request(server, 'POST', '/v1/models/m:predict', { instances: [ROW] })
    expect(reply.json.predictions[0]).toBeCloseTo(sigmoid(2), 6)
    expect((await request(server, 'POST', '/v1/models/m/versions/1:predict', { instances: [ROW] })).status).toBe(404)
    expect(logs.some((l) => /Model "m" version 1 unloaded: the version policy no longer wants it/.test(l))).toBe(true)
  })

  it('keeps the current version serving when a new one is broken, reports it END with the error, and retries once its files change', async () => {
    const base = await fixture.dir('broken')
    await fixture.pushVersion(base, 1)
    const server = await serve({ models: [{ name: 'm', basePath: base }] })
    // Half written: a signature and nothing else.
    await mkdir(path.join(base, '2'))
    await writeFile(path.join(base, '2', 'signature.json'), '{"format": "sluice.serving_signature", "vers')
    await server.reload()
    const status = await request(server, 'GET', '/v1/models/m')
    expect(status.json.model_version_status[0]).toMatchObject({ version: '2', state: 'END', status: { error_code: 'UNKNOWN' } })
    expect(status.json.model_version_status[0].status.error_message).toMatch(/signature\.json cannot be read/)
    expect(status.json.model_version_status[1]).toMatchObject({ version: '1', state: 'AVAILABLE' })
    expect((await request(server, 'POST', '/v1/models/m:predict', { instances: [ROW] })).status).toBe(200)
    expect(logs.some((l) => /error: Model "m" version 2 failed to load .* Version 1 keeps serving/.test(l))).toBe(true)
    // The same files again: not retried. Completed: loaded, and version 1 goes.
    await server.reload()
    expect(server.versions('m').map((v) => [v.version, v.state])).toEqual([[2, 'END'], [1, 'AVAILABLE']])
    await rm(path.join(base, '2'), { recursive: true })
    await fixture.writeConstantBundle(path.join(base, '2'), -1)
    await server.reload()
    expect(server.versions('m').map((v) => [v.version, v.state])).toEqual([[2, 'AVAILABLE'], [1, 'END']])
    expect((await request(server, 'POST', '/v1/models/m:predict', { instances: [ROW] })).json.predictions[0]).toBeCloseTo(sigmoid(-1), 6)
    expect(metric(await server.metricsText(), 'sluice_serving_model_load_failures_total{model="m"}')).toBe(1)
  })

  it('serves what the policy says (all, specific), ignores non-integer directories, and reads copied Model artifacts (Format-Serving/)', async () => {
    const base = await fixture.dir('policies')
    await fixture.pushVersion(base, 1)
    await fixture.writeConstantBundle(path.join(base, '2', 'Format-Serving'), 3)
    await mkdir(path.join(base, '.tmp-3'))
    await mkdir(path.join(base, 'notes'))
    const server = await serve({ models: [{ name: 'm', basePath: base, versionPolicy: { all: {} }, versionLabels: { stable: 1, canary: 2 } }] })
    expect(server.versions('m').map((v) => [v.version, v.state])).toEqual([[2, 'AVAILABLE'], [1, 'AVAILABLE']])
    expect(server.versions('m')[0]!.dir).toBe(path.join(base, '2', 'Format-Serving'))
    expect((await request(server, 'POST', '/v1/models/m/labels/canary:predict', { instances: [ROW] })).json.predictions[0]).toBeCloseTo(sigmoid(3), 6)
    expect((await request(server, 'POST', '/v1/models/m:predict', { instances: [ROW] })).json.predictions[0]).toBeCloseTo(sigmoid(3), 6)
    expect((await request(server, 'POST', '/v1/models/m/labels/stable:predict', { instances: [ROW] })).status).toBe(200)
    await server.reload([{ name: 'm', basePath: base, versionPolicy: { specific: { versions: [1] } } }])
    expect(server.versions('m').map((v) => [v.version, v.state])).toEqual([[2, 'END'], [1, 'AVAILABLE']])
    expect(metric(await server.metricsText(), 'sluice_serving_loaded_versions{model="m"}')).toBe(1)
  })

  it('answers 503 while no version is loaded, 404 status with no versions, then serves the first one pushed', async () => {
    const base = path.join(fixture.tmp.path, 'empty-base')
    const server = await serve({ models: [{ name: 'm', basePath: base }], fileSystemPollWaitSeconds: 0.1 })
    expect(logs.some((l) => /warn: Model "m": no versions found under .*empty-base/.test(l))).toBe(true)
    const predict = await request(server, 'POST', '/v1/models/m:predict', { instances: [ROW] })
    expect(predict.status).toBe(503)
    expect(predict.json.error).toMatch(/Model "m" has no version to serve/)
    expect((await request(server, 'GET', '/v1/models/m')).status).toBe(404)
    await fixture.pushVersion(base, 1700000000)
    const status = await eventually(async () => {
      const r = await request(server, 'GET', '/v1/models/m')
      return r.status === 200 && r.json.model_version_status[0].state === 'AVAILABLE' && r.json
    })
    expect(status.model_version_status[0].version).toBe('1700000000')
    expect((await request(server, 'POST', '/v1/models/m:predict', { instances: [ROW] })).status).toBe(200)
  })

  it('serves several models', async () => {
    const a = await fixture.dir('multi-a')
    const b = await fixture.dir('multi-b')
    await fixture.pushVersion(a, 1)
    await fixture.writeConstantBundle(path.join(b, '5'), 1)
    const server = await serve({ models: [{ name: 'a', basePath: a }, { name: 'b', basePath: b }] })
    expect(server.models).toEqual(['a', 'b'])
    expect((await request(server, 'POST', '/v1/models/b:predict', { instances: [ROW] })).json.predictions[0]).toBeCloseTo(sigmoid(1), 6)
    expect((await request(server, 'GET', '/v1/models/a')).json.model_version_status[0].version).toBe('1')
  })
})

describe('micro-batching', () => {
  async function concurrentRequests(server: ModelServer, n: number): Promise<number[]> {
    // Separate connections, all sent before any answer: what concurrent clients do.
    return Promise.all(Array.from({ length: n }, (_, i) => request(server, 'POST', '/v1/models/m:predict', { instances: [{ ...ROW, x1: i / n }] }).then((r) => r.json.predictions[0] as number)))
  }

  it('merges concurrent requests into fewer predict calls and gives each its own rows back', async () => {
    const base = await fixture.dir('batching')
    await fixture.pushVersion(base, 1)
    const server = await serve({ models: [{ name: 'm', basePath: base }] })
    const bundle = await loadServingBundle(fixture.bundleDir)
    const n = 64
    const expected = (await bundle.predict(Array.from({ length: n }, (_, i) => ({ ...ROW, x1: i / n })))).probability!
    bundle.dispose()
    const got = await concurrentRequests(server, n)
    got.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 6))
    const text = await server.metricsText()
    const calls = metric(text, 'sluice_serving_batch_size_count{model="m"}')
    expect(metric(text, 'sluice_serving_batch_size_sum{model="m"}')).toBe(n)
    expect(calls).toBeLessThan(n)
    expect(metric(text, 'sluice_serving_batch_requests_sum{model="m"}')).toBe(n)
  })

  it('runs every request on its own with batching: false', async () => {
    const base = await fixture.dir('no-batching')
    await fixture.pushVersion(base, 1)
    const server = await serve({ models: [{ name: 'm', basePath: base }], batching: false })
    await concurrentRequests(server, 16)
    expect(metric(await server.metricsText(), 'sluice_serving_batch_size_count{model="m"}')).toBe(16)
  })
})

describe('shutdown and transports', () => {
  it('close() finishes a request in flight, refuses new connections, and resolves', async () => {
    const base = await fixture.dir('graceful')
    await fixture.pushVersion(base, 1)
    const server = await startModelServer({ models: [{ name: 'm', basePath: base }], port: 0, fileSystemPollWaitSeconds: 0, logger })
    const url = new URL(server.url)
    const body = JSON.stringify({ instances: [ROW] })
    // A request whose body is still arriving when close() is called.
    const inFlight = new Promise<{ status: number; text: string; connection?: string }>((resolve, reject) => {
      const req = http.request({ method: 'POST', host: url.hostname, port: url.port, path: '/v1/models/m:predict', headers: { 'content-length': Buffer.byteLength(body) }, agent: false }, (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ...(res.headers.connection ? { connection: res.headers.connection } : {}) }))
      })
      req.on('error', reject)
      req.write(body.slice(0, 10))
      setTimeout(() => req.end(body.slice(10)), 300)
    })
    await new Promise((r) => setTimeout(r, 100))
    let closed = false
    const closing = server.close().then(() => (closed = true))
    await new Promise((r) => setTimeout(r, 50))
    expect(closed).toBe(false)
    await expect(request({ base: server.url }, 'GET', '/v1/models/m')).rejects.toThrow(/ECONNREFUSED/)
    const reply = await inFlight
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.text).predictions).toHaveLength(1)
    expect(reply.connection).toBe('close')
    await closing
    expect(closed).toBe(true)
    expect(server.versions('m')[0]!.state).toBe('END')
  })

  it('listens on a unix socket and removes it on close', async () => {
    const base = await fixture.dir('socket')
    await fixture.pushVersion(base, 1)
    const socketPath = path.join(fixture.tmp.path, 'serving.sock')
    // A socket left by a killed server must not stop it; a regular file in the way must.
    await writeFile(socketPath, 'not a socket')
    await expect(startModelServer({ models: [{ name: 'm', basePath: base }], socketPath, logger })).rejects.toThrow(/a file that is not a socket is in the way/)
    await rm(socketPath)
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`], { stdio: 'ignore' })
    expect((await lstat(socketPath)).isSocket()).toBe(true)
    const server = await startModelServer({ models: [{ name: 'm', basePath: base }], socketPath, logger })
    expect(server.url).toBe(`unix:${socketPath}`)
    expect(server.port).toBeUndefined()
    expect((await request({ socketPath }, 'GET', '/v1/models/m')).json.model_version_status[0].state).toBe('AVAILABLE')
    expect((await request({ socketPath }, 'POST', '/v1/models/m:predict', { instances: [ROW] })).status).toBe(200)
    await server.close()
    await expect(stat(socketPath)).rejects.toThrow(/ENOENT/)
  })

  it('fails to start with a clear error when the port is taken', async () => {
    const base = await fixture.dir('port-taken')
    const first = await serve({ models: [{ name: 'm', basePath: base }] })
    await expect(startModelServer({ models: [{ name: 'm', basePath: base }], port: first.port!, logger })).rejects.toMatchObject({
      code: 'SLUICE_SERVING_LISTEN_FAILED',
      message: expect.stringMatching(/Cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.*pick another --port/),
    })
  })
})
