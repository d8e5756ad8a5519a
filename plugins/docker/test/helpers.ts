import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import Docker from 'dockerode'
import { afterEach, describe } from 'vitest'
import type { Pipeline } from '@sluice/core'
import { LocalDagRunner } from '@sluice/runner'
import type { RunOptions, RunResult } from '@sluice/runner'

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
export const BUSYBOX = 'sluice-test-busybox:local'
export const RUNNER_IMAGE = 'sluice-runner:local'
const run = promisify(execFile)

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A fresh directory under the OS temp dir, removed after the test. */
export function tempDir(prefix = 'sluice-docker-'): string {
  // realpath: on some systems the temp dir is a symlink, and Docker mounts resolved paths.
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Whether a Docker engine answers at the default address (DOCKER_HOST or /var/run/docker.sock). */
export const dockerAvailable: boolean = await new Docker()
  .ping()
  .then(() => true)
  .catch(() => false)

const inCi = process.env.CI === 'true'
if (!dockerAvailable && !inCi) {
  console.warn('@sluice/plugin-docker: no Docker engine is reachable, so the integration tests are skipped. Start Docker (`docker info` must work) to run them; in CI (CI=true) they run and fail instead.')
}

/** A describe block that needs Docker: it runs when an engine answers, and always in CI (where a missing engine fails it). */
export function describeDocker(name: string, body: () => void): void {
  describe.skipIf(!dockerAvailable && !inCi)(name, body)
}

export const docker = new Docker()

const built = new Map<string, Promise<void>>()

/** Runs an image build script once per test run; the scripts themselves skip an up-to-date image. */
export function buildImage(script: 'test-busybox/build.sh' | 'runner/build-local-image.sh'): Promise<void> {
  let done = built.get(script)
  if (!done) {
    done = run('bash', [path.join(repoRoot, 'containers', script)], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }).then(() => undefined)
    built.set(script, done)
  }
  return done
}

/** Containers (running or not) that carry the label. */
export async function containersWithLabel(label: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [label] } })
}

/** Runs a pipeline with a fresh runner. */
export function runPipeline(pipeline: Pipeline, options: RunOptions = {}): Promise<RunResult> {
  return new LocalDagRunner().run(pipeline, options)
}

export function statuses(result: RunResult): Record<string, string> {
  return Object.fromEntries(Object.entries(result.nodes).map(([id, n]) => [id, n.status]))
}

export function outputUri(result: RunResult, nodeId: string, key: string): string {
  return result.nodes[nodeId]!.outputs[key]![0]!.uri
}

/** Polls until `check` returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

