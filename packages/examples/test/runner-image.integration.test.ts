// Issue acceptance: the example pipeline's components, run inside the Sluice runner image through the
// Docker backend, write the same artifacts, byte for byte, as when they run in the runner's process.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, test } from 'vitest'
import { dockerBackend } from '@sluice/plugin-docker'
import { LocalDagRunner } from '@sluice/runner'
import pipeline, { SERVING_DIRECTORY } from './fixtures/runner-image-pipeline.js'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const pipelineModule = fileURLToPath(new URL('./fixtures/runner-image-pipeline.ts', import.meta.url))
const RUNNER_IMAGE = 'sluice-runner:local'

const dockerAvailable = await promisify(execFile)('docker', ['info'], { timeout: 20_000 }).then(
  () => true,
  () => false,
)
const inCi = process.env.CI === 'true'
if (!dockerAvailable && !inCi) console.warn('@sluice/examples: no Docker engine is reachable, so the runner-image test is skipped (it runs, and fails, under CI=true).')

/** Every file below `dir`, relative path to content. */
function readTree(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {}
  const walk = (rel: string) => {
    const abs = path.join(dir, rel)
    if (fs.statSync(abs).isFile()) files[rel || path.basename(dir)] = fs.readFileSync(abs)
    else for (const name of fs.readdirSync(abs).sort()) walk(rel ? `${rel}/${name}` : name)
  }
  walk('')
  return files
}

function withoutTimings(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'), (key, value: unknown) => (/(TimeMs|PerSecond|durationMs)$/.test(key) ? undefined : value))
}

describe.skipIf(!dockerAvailable && !inCi)('the taxi pipeline in the runner image', () => {
  beforeAll(async () => {
    await promisify(execFile)('bash', [path.join(repoRoot, 'containers/runner/build-local-image.sh')], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 })
  }, 600_000)

  test('writes byte-identical artifacts to the in-process run', async () => {
    const inline = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-taxi-inline-')))
    const contained = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-taxi-docker-')))
    const local = await new LocalDagRunner().run(pipeline, { cwd: inline })
    fs.rmSync(SERVING_DIRECTORY, { recursive: true, force: true })
    fs.mkdirSync(SERVING_DIRECTORY, { recursive: true })
    const backend = dockerBackend({ image: RUNNER_IMAGE, pull: 'never', extraMounts: [{ source: SERVING_DIRECTORY, readOnly: false }] })
    const docker = await new LocalDagRunner().run(pipeline, { cwd: contained, pipelineModule, isolation: backend })
    expect(local.status).toBe('COMPLETE')
    expect(docker.status, JSON.stringify(Object.values(docker.nodes).map((n) => n.error?.message).filter(Boolean))).toBe('COMPLETE')
    let compared = 0
    for (const [nodeId, node] of Object.entries(local.nodes)) {
      for (const [key, [expected]] of Object.entries(node.outputs)) {
        if (expected === undefined) {
          // A Resolver that found nothing (no blessed model yet) passes on no artifact, in both runs.
          expect(docker.nodes[nodeId]!.outputs[key] ?? [], `${nodeId}.${key}`).toEqual([])
          continue
        }
        const actual = docker.nodes[nodeId]!.outputs[key]![0]!
        if (expected!.type === 'ModelRun') {
          // A training run's record holds wall times; everything else in it (losses per epoch, backend,
          // example counts) must match.
          expect(withoutTimings(path.join(actual.uri, 'metrics.json')), `${nodeId}.${key}`).toEqual(withoutTimings(path.join(expected!.uri, 'metrics.json')))
          compared++
          continue
        }
        // An evaluation's eval_config.json records where the models were, which differs between the runs.
        const tree = (uri: string) => {
          const files = readTree(uri)
          if (expected!.type === 'ModelEvaluation') delete files['eval_config.json']
          return files
        }
        expect(tree(actual.uri), `${nodeId}.${key}`).toEqual(tree(expected!.uri))
        expect(actual.properties, `${nodeId}.${key} properties`).toEqual(expected!.properties)
        compared++
      }
    }
    expect(compared).toBeGreaterThanOrEqual(5)
  }, 600_000)
})
