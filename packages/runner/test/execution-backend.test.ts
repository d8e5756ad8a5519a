import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import type { ExecutionBackend, ExecutionBackendRequest } from '@sluice/core'
import { Examples, defineComponent } from '@sluice/core'
import fs from 'node:fs'
import path from 'node:path'
import { childProcessBackend } from '../src/index.js'
import { dataNodes, fixturePipeline } from './fixtures/pipeline.js'
import { run, statuses, tempDir } from './helpers.js'

const pipelineModule = fileURLToPath(new URL('./fixtures/pipeline.ts', import.meta.url))

/** A backend that delegates to the child-process one and records what the runner asked of it. */
function recordingBackend(environment: string): ExecutionBackend & { requests: ExecutionBackendRequest[] } {
  const requests: ExecutionBackendRequest[] = []
  return {
    name: 'recording',
    requests,
    fingerprint: async () => environment,
    run: (request) => {
      requests.push(request)
      return childProcessBackend.run(request)
    },
  }
}

describe('execution backends', () => {
  test(
    'a run-level backend executes every node, gets mounts, and its fingerprint is part of the cache key',
    async () => {
      const root = tempDir()
      const backend = recordingBackend('image@sha256:1')
      const first = await run(fixturePipeline(root, dataNodes()), { pipelineModule, isolation: backend })
      expect(statuses(first)).toEqual({ Gen: 'COMPLETE', Count: 'COMPLETE', Describe: 'COMPLETE', Summarize: 'COMPLETE' })
      // Describe and Summarize may run in either order: they run in parallel.
      expect(backend.requests.map((r) => r.nodeId).sort()).toEqual(['Count', 'Describe', 'Gen', 'Summarize'])
      const count = backend.requests.find((r) => r.nodeId === 'Count')!
      const examplesUri = first.nodes.Gen!.outputs.examples![0]!.uri
      expect(count.mounts).toContainEqual({ path: examplesUri, readOnly: true })
      expect(count.mounts).toContainEqual({ path: count.systemDir, readOnly: false })
      expect(count.mounts.some((m) => !m.readOnly && first.nodes.Count!.outputs.rows![0]!.uri.startsWith(m.path))).toBe(true)

      const same = await run(fixturePipeline(root, dataNodes()), { pipelineModule, isolation: recordingBackend('image@sha256:1') })
      expect(Object.values(statuses(same))).toEqual(['CACHED', 'CACHED', 'CACHED', 'CACHED'])

      // A new environment (e.g. a rebuilt image) invalidates every node that runs in it.
      const rebuilt = recordingBackend('image@sha256:2')
      const again = await run(fixturePipeline(root, dataNodes()), { pipelineModule, isolation: rebuilt })
      expect(Object.values(statuses(again))).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE'])
      expect(rebuilt.requests).toHaveLength(4)
    },
    120_000,
  )

  test(
    "a node's own isolation overrides the run default",
    async () => {
      const backend = recordingBackend('x')
      const nodes = dataNodes()
      nodes[0]!.withOptions({ isolation: 'inline' })
      const result = await run(fixturePipeline(tempDir(), nodes), { pipelineModule, isolation: backend })
      expect(result.status).toBe('COMPLETE')
      expect(backend.requests.map((r) => r.nodeId).sort()).toEqual(['Count', 'Describe', 'Summarize'])
    },
    120_000,
  )

  test(
    "a component declaring isolation 'inline' stays in the runner's process under a run-wide backend",
    async () => {
      const backend = recordingBackend('x')
      let ranInPid = 0
      const Local = defineComponent({
        name: 'Local',
        isolation: 'inline',
        outputs: { examples: Examples },
        executor: ({ outputs }) => {
          ranInPid = process.pid
          fs.writeFileSync(path.join(outputs.examples.uri, 'x'), '1')
        },
      })
      const result = await run(fixturePipeline(tempDir(), [Local({})]), { pipelineModule, isolation: backend })
      expect(result.status).toBe('COMPLETE')
      expect(ranInPid).toBe(process.pid)
      expect(backend.requests).toEqual([])
    },
    60_000,
  )
})

describe('fingerprint hooks', () => {
  test('a throwing component fingerprint fails the node with a recorded execution', async () => {
    const Broken = defineComponent({
      name: 'Broken',
      outputs: { examples: Examples },
      fingerprint: () => {
        throw new Error('cannot resolve the input')
      },
      executor: ({ outputs }) => fs.writeFileSync(path.join(outputs.examples.uri, 'x'), '1'),
    })
    const result = await run(fixturePipeline(tempDir(), [Broken({})]))
    expect(result.status).toBe('FAILED')
    expect(result.nodes.Broken!.error?.message).toContain('cannot resolve the input')
    expect(result.nodes.Broken!.executionId).toEqual(expect.any(Number))
  })
})
