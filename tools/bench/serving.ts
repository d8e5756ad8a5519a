// Model server benchmark (B-SERVE in the perf reference), in one run:
//   1. `sluice-model-server` serving the taxi model (the taxi example's Transform + Trainer on
//      synthetic taxi rows), driven over loopback by autocannon with keep-alive at concurrency 1 and
//      32, each request a single row of raw taxi features (`instances`),
//   2. a bare node:http server answering the same request with a fixed reply (the HTTP limit; goal:
//      the model server >= 0.7x its throughput at concurrency 32, which batching has to earn),
//   3. the same model's in-process `bundle.predict` at batch 1 and 32 (no HTTP, no JSON), loaded
//      as the server loads it (ONNX when the bundle has model.onnx, one onnxruntime thread).
//
//   npm run bench serving            # BENCH_ROUNDS=5 BENCH_SECONDS=5 BENCH_ROWS=15000
//   BENCH_REBUILD=1 npm run bench serving   # retrain the cached bundle
//
// Both servers run in child processes (the server from the workspace sources through tsx), the
// client in this one: on a 2-core machine that is one core each. Rounds are interleaved and medians
// printed: this machine is noisy, so only ratios inside one run mean anything.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { loadServingBundle } from '@sluice/component-trainer/bundle'
import type { ServingBundle } from '@sluice/component-trainer/bundle'
import { listSplitFiles, openDuckDB, sqlStringList } from '@sluice/data/examples'
import { trainTaxiModel } from './taxi-model.ts'
import { prepareTaxiExamples } from './transform-throughput.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROWS = Number(process.env.BENCH_ROWS ?? 15_000)
const CONCURRENCY = [1, 32] as const
const work = path.join(os.tmpdir(), 'sluice-bench-serving')
const here = path.dirname(new URL(import.meta.url).pathname)
const repo = path.resolve(here, '../..')
const basePath = path.join(work, 'serving', 'taxi')
const versionDir = path.join(basePath, '1')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const spread = (xs: number[], digits = 0) => `[${Math.min(...xs).toFixed(digits)}..${Math.max(...xs).toFixed(digits)}]`

/** The taxi model (trained once, cached under the work dir) laid out as version 1 of a base path. */
async function taxiBundle(): Promise<void> {
  if (fs.existsSync(path.join(versionDir, 'signature.json')) && !process.env.BENCH_REBUILD) return
  // Two epochs: the bench measures serving, not accuracy.
  const modelUri = await trainTaxiModel({ rows: ROWS, workDir: work, epochs: 2, rebuild: Boolean(process.env.BENCH_REBUILD) })
  fs.rmSync(basePath, { recursive: true, force: true })
  fs.mkdirSync(basePath, { recursive: true })
  fs.cpSync(path.join(modelUri, 'Format-Serving'), versionDir, { recursive: true })
}

/** Real raw taxi rows (the signature's inputs only) from the eval split. */
async function rawRows(bundle: ServingBundle, n: number): Promise<Record<string, unknown>[]> {
  const { examples } = await prepareTaxiExamples(ROWS, work)
  await using db = await openDuckDB({ threads: 1 })
  const rows = (await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlStringList(await listSplitFiles(examples.uri, 'eval'))}) LIMIT ${n}`)).getRowObjectsJS()
  return rows.map((row) => Object.fromEntries(bundle.signature.inputs.map(({ name }) => [name, typeof row[name] === 'bigint' ? Number(row[name]) : (row[name] ?? null)])))
}

/** Spawns a server and resolves its URL from the first stdout line that has one. */
function spawnServer(args: string[], label: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    let stdout = ''
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString()
      const match = /(http:\/\/[\d.]+:\d+)/.exec(stdout)
      if (match) resolve({ child, url: match[1]! })
    })
    child.on('exit', (code) => reject(new Error(`${label} exited with ${code} before listening:\n${stderr}`)))
  })
}

// The HTTP limit: read the body (as any server must), answer a fixed prediction.
const BARE_SERVER = `
import http from 'node:http'
const reply = '{"predictions":[0.5]}'
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': reply.length })
    res.end(reply)
  })
})
server.listen(0, '127.0.0.1', () => console.log('bare node:http at http://127.0.0.1:' + server.address().port))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
`

interface Cell {
  rps: number
  p50: number
  p99: number
}

async function drive(url: string, body: string, connections: number): Promise<Cell> {
  const instance = autocannon({
    url: `${url}/v1/models/taxi:predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    pipelining: 1,
    duration: SECONDS,
  })
  // autocannon's own percentiles are whole milliseconds; keep the exact response times instead.
  const times: number[] = []
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms))
  const result = await instance
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
  times.sort((a, b) => a - b)
  return { rps: result.requests.average, p50: times[Math.floor(times.length * 0.5)] ?? NaN, p99: times[Math.floor(times.length * 0.99)] ?? NaN }
}

/** In-process predictions/s of `bundle.predict` at `batch` rows per call, for about `seconds`. */
async function inProcess(bundle: ServingBundle, rows: Record<string, unknown>[], batch: number, seconds: number): Promise<Cell> {
  const input = Array.from({ length: batch }, (_, i) => rows[i % rows.length]!)
  for (let i = 0; i < 20; i++) await bundle.predict(input)
  const times: number[] = []
  const started = performance.now()
  while (performance.now() - started < seconds * 1000) {
    const t = performance.now()
    await bundle.predict(input)
    times.push(performance.now() - t)
  }
  const elapsed = (performance.now() - started) / 1000
  times.sort((a, b) => a - b)
  return { rps: (times.length * batch) / elapsed, p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]! }
}

await taxiBundle()
// As the server loads it: one onnxruntime thread (sluice-model-server's default --onnx-threads).
const bundle = await loadServingBundle(versionDir, { onnxThreads: 1 })
const rows = await rawRows(bundle, 64)
const request = JSON.stringify({ instances: [rows[0]] })
const runtime = (bundle as { runtime?: string }).runtime ?? 'tfjs'

const tsx = import.meta.resolve('tsx/esm')
const server = await spawnServer(
  ['--conditions=@sluice/source', '--import', tsx, path.join(repo, 'packages/serving/src/bin.ts'), '--model-name', 'taxi', '--model-base-path', basePath, '--port', '0', '--file-system-poll-wait-seconds=0'],
  'sluice-model-server',
)
const bare = await spawnServer(['--input-type=module', '-e', BARE_SERVER], 'bare node:http')

// Equivalence: the server's answer is the in-process prediction (perf.md: within 1e-4).
const served = (await (await fetch(`${server.url}/v1/models/taxi:predict`, { method: 'POST', body: request })).json()) as { predictions: number[] }
const local = (await bundle.predict([rows[0]!]))[bundle.signature.outputs[0]!.name]![0]!
if (Math.abs(served.predictions[0]! - local) > 1e-4) throw new Error(`The server predicted ${served.predictions[0]}, in-process ${local}.`)

const results: Record<string, Cell[]> = {}
const record = (key: string, cell: Cell) => (results[key] ??= []).push(cell)
/** The server's batch-size histogram so far: rows and predict calls. */
const batchTotals = async () => {
  const metrics = await (await fetch(`${server.url}/metrics`)).text()
  const sample = (name: string) => Number(new RegExp(`^${name}\\{model="taxi"\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN)
  return { rows: sample('sluice_serving_batch_size_sum'), calls: sample('sluice_serving_batch_size_count') }
}
const batches: Record<number, { rows: number; calls: number }> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const c of CONCURRENCY) {
    record(`bare c=${c}`, await drive(bare.url, request, c))
    const before = await batchTotals()
    record(`server c=${c}`, await drive(server.url, request, c))
    const after = await batchTotals()
    batches[c] ??= { rows: 0, calls: 0 }
    batches[c].rows += after.rows - before.rows
    batches[c].calls += after.calls - before.calls
  }
  for (const b of CONCURRENCY) record(`in-process batch ${b}`, await inProcess(bundle, rows, b, Math.min(SECONDS, 3)))
  console.log(`round ${round + 1}/${ROUNDS} done`)
}
server.child.kill('SIGTERM')
bare.child.kill('SIGTERM')
bundle.dispose()

const med = (key: string, field: keyof Cell) => median(results[key]!.map((r) => r[field]))
const line = (label: string, key: string, unit = 'predictions/s') =>
  console.log(`${label.padEnd(44)} ${med(key, 'rps').toFixed(0).padStart(8)} ${unit.padEnd(14)} p50 ${med(key, 'p50').toFixed(3).padStart(7)} ms  p99 ${med(key, 'p99').toFixed(3).padStart(7)} ms  ${spread(results[key]!.map((r) => r.rps))}`)
console.log(`\ntaxi model (${runtime}), single-row "instances" requests of ${bundle.signature.inputs.length} raw features, keep-alive, ${SECONDS} s per cell, ${ROUNDS} rounds (median [min..max] of throughput)`)
for (const c of CONCURRENCY) {
  line(`sluice-model-server, concurrency ${c}`, `server c=${c}`)
  line(`bare node:http fixed reply, concurrency ${c}`, `bare c=${c}`, 'requests/s')
}
line('in-process bundle.predict, batch 1', 'in-process batch 1')
line('in-process bundle.predict, batch 32', 'in-process batch 32')
const ratios = (c: number) => results[`server c=${c}`]!.map((r, i) => r.rps / results[`bare c=${c}`]![i]!.rps)
console.log(`${'server / bare node:http, concurrency 32 (goal >= 0.7)'.padEnd(44)} ${median(ratios(32)).toFixed(2).padStart(8)}x  ${spread(ratios(32), 2)}`)
console.log(`${'server / bare node:http, concurrency 1'.padEnd(44)} ${median(ratios(1)).toFixed(2).padStart(8)}x  ${spread(ratios(1), 2)}`)
for (const c of CONCURRENCY) console.log(`${`server: rows per predict call, concurrency ${c}`.padEnd(44)} ${(batches[c]!.rows / batches[c]!.calls).toFixed(1).padStart(8)}`)
