import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import type { Pipeline } from '@sluice/core'
import type { Artifact, Context, Event, Execution, MetadataStore } from '@sluice/metadata'
import { openSqliteStore } from '@sluice/metadata'
import { ContextTypes, LocalDagRunner, resolvePipelineLocations } from '../src/index.js'
import type { RunOptions, RunResult } from '../src/index.js'

const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A fresh directory under the OS temp dir, removed after the test. */
export function tempDir(prefix = 'sluice-runner-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Runs the pipeline with a fresh runner (its own SQLite file under the pipeline root). */
export function run(pipeline: Pipeline, options: RunOptions = {}): Promise<RunResult> {
  return new LocalDagRunner().run(pipeline, options)
}

/** Opens the pipeline's SQLite store for reading back what a run wrote; closed after the test. */
export function openStore(pipeline: Pipeline): MetadataStore {
  const store = openSqliteStore(resolvePipelineLocations(pipeline).metadataPath)
  cleanups.unshift(() => store.close())
  return store
}

/** Node statuses by node id. */
export function statuses(result: RunResult): Record<string, string> {
  return Object.fromEntries(Object.entries(result.nodes).map(([id, n]) => [id, n.status]))
}

/** The id of the single artifact of `key` a node published in a run. */
export function outputId(result: RunResult, nodeId: string, key: string): number {
  const list = result.nodes[nodeId]!.outputs[key]
  if (!list || list.length !== 1) throw new Error(`node ${nodeId} has no single output ${key}`)
  return list[0]!.id
}

export function outputUri(result: RunResult, nodeId: string, key: string): string {
  return result.nodes[nodeId]!.outputs[key]![0]!.uri
}

export async function execution(store: MetadataStore, id: number | undefined): Promise<Execution> {
  if (id === undefined) throw new Error('no execution id')
  const [found] = await store.getExecutionsById([id])
  if (!found) throw new Error(`no execution ${id}`)
  return found
}

export async function runContext(store: MetadataStore, runId: string): Promise<Context> {
  const context = await store.getContextByTypeAndName(ContextTypes.run, runId)
  if (!context) throw new Error(`no run context ${runId}`)
  return context
}

/** Every execution recorded for a node, oldest first. */
export async function executionsOf(store: MetadataStore, pipeline: Pipeline, nodeId: string): Promise<Execution[]> {
  const context = await store.getContextByTypeAndName(ContextTypes.node, `${pipeline.name}.${nodeId}`)
  if (!context) return []
  return store.getExecutions({ contextId: context.id!, order: 'id-asc' })
}

/** Events of one execution, by type. */
export async function eventsOf(store: MetadataStore, executionId: number, type: Event['type']): Promise<Event[]> {
  return (await store.getEventsByExecutionIds([executionId])).filter((e) => e.type === type)
}

/** Artifacts that an execution recorded as OUTPUT. */
export async function outputArtifactsOf(store: MetadataStore, executionId: number): Promise<Artifact[]> {
  const events = await eventsOf(store, executionId, 'OUTPUT')
  return store.getArtifactsById(events.map((e) => e.artifactId))
}

/** Resolves after `ms`, or rejects with the signal's reason when it is aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

/** Every file under a directory, relative path to content, for byte-for-byte comparison. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string) => {
    const abs = path.join(dir, rel)
    if (fs.statSync(abs).isFile()) {
      out[rel] = fs.readFileSync(abs).toString('base64')
      return
    }
    for (const name of fs.readdirSync(abs).sort()) walk(rel ? `${rel}/${name}` : name)
  }
  walk('')
  return out
}
