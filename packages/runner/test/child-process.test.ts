import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import type { RunEvent } from '../src/index.js'
import { BEHAVING, behavingNodes, dataNodes, fixturePipeline } from './fixtures/pipeline.js'
import { openStore, outputId, readTree, run, runContext, statuses, tempDir } from './helpers.js'

const pipelineModule = fileURLToPath(new URL('./fixtures/pipeline.ts', import.meta.url))
// Every child process loads tsx and the TypeScript sources: allow for a slow, busy machine.
const CHILD_TEST_TIMEOUT = 60_000

describe("isolation: 'process'", () => {
  test(
    'produces the same outputs, properties and values as the in-process run, and forwards logs and progress',
    async () => {
      const inline = fixturePipeline(tempDir(), dataNodes())
      const child = fixturePipeline(tempDir(), dataNodes({ isolation: 'process' }))
      const inlineResult = await run(inline)
      const events: RunEvent[] = []
      const childResult = await run(child, { pipelineModule, onEvent: (e) => events.push(e) })
      expect(statuses(inlineResult)).toEqual({ Gen: 'COMPLETE', Count: 'COMPLETE', Describe: 'COMPLETE', Summarize: 'COMPLETE' })
      expect(statuses(childResult)).toEqual(statuses(inlineResult))

      for (const [nodeId, node] of Object.entries(inlineResult.nodes)) {
        for (const [key, [expected]] of Object.entries(node.outputs)) {
          const actual = childResult.nodes[nodeId]!.outputs[key]![0]!
          expect(readTree(actual.uri), `${nodeId}.${key}`).toEqual(readTree(expected!.uri))
          expect(actual.properties).toEqual(expected!.properties)
          expect(actual.customProperties).toEqual(expected!.customProperties)
          expect(actual.value).toEqual(expected!.value)
        }
      }
      expect(childResult.nodes.Describe!.outputs.text![0]!.value).toBe('4 rows in train+eval')
      expect(childResult.nodes.Summarize!.outputs.total![0]!.value).toBe(80)
      expect(childResult.nodes.Summarize!.outputs.statistics![0]!.properties).toEqual({ splitNames: ['train', 'eval'] })
      expect(childResult.nodes.Gen!.outputs.examples![0]!.properties).toEqual({ splitNames: ['train', 'eval'], span: 2 })

      // What the child set is recorded in the store.
      const [examples] = await openStore(child).getArtifactsById([outputId(childResult, 'Gen', 'examples')])
      expect(examples!.properties).toEqual({ split_names: '["train","eval"]', span: 2 })
      expect(examples!.customProperties).toMatchObject({ file_format: 'csv' })
      // Logs and progress travel over IPC.
      expect(events).toContainEqual({ type: 'node-log', nodeId: 'Gen', level: 'info', message: 'generating 4 rows' })
      expect(events).toContainEqual({ type: 'node-progress', nodeId: 'Gen', fraction: 0.5, message: 'half way' })
      // The executor input and output JSON stay in the execution's .system directory.
      const system = path.join(path.dirname(child.metadataPath), 'Count', '.system', 'executor_execution', String(childResult.nodes.Count!.executionId))
      expect(JSON.parse(fs.readFileSync(path.join(system, 'executor_output.json'), 'utf8'))).toMatchObject({ parameterValues: { rows: 4 } })
      expect(JSON.parse(fs.readFileSync(path.join(system, 'executor_input.json'), 'utf8')).sluice).toMatchObject({ pipelineModule, nodeId: 'Count' })
    },
    CHILD_TEST_TIMEOUT,
  )

  test(
    'a child that exits, crashes or is killed fails only its node, with the exit code and its last output lines',
    async () => {
      const { Exit, Crash, Killed, Throws, Sibling } = BEHAVING
      const pipeline = fixturePipeline(tempDir(), behavingNodes({ Exit, Crash, Killed, Throws, Sibling }, { isolation: 'process' }))
      const result = await run(pipeline, { pipelineModule })
      expect(result.status).toBe('FAILED')
      expect(statuses(result)).toEqual({ Exit: 'FAILED', Crash: 'FAILED', Killed: 'FAILED', Throws: 'FAILED', Sibling: 'COMPLETE' })

      const exit = result.nodes.Exit!.error!
      expect(exit.code).toBe('SLUICE_CHILD_PROCESS_FAILED')
      expect(exit.message).toContain('exited with code 3')
      expect(exit.message).toContain('preparing the exit')
      expect(exit.message).toContain('about to exit with 3')

      const crash = result.nodes.Crash!.error!
      expect(crash.code).toBe('SLUICE_CHILD_PROCESS_FAILED')
      expect(crash.message).toContain('exited with code 1')
      expect(crash.message).toContain('kaboom from a timer')

      expect(result.nodes.Killed!.error!.message).toContain('killed by SIGKILL')

      // A SluiceError thrown in the child keeps its code and message.
      expect(result.nodes.Throws!.error).toMatchObject({ code: 'MY_QUOTA_EXCEEDED', message: 'the quota is exceeded' })

      const store = openStore(pipeline)
      const [throws] = await store.getExecutionsById([result.nodes.Throws!.executionId!])
      expect(throws!.customProperties).toMatchObject({ error_code: 'MY_QUOTA_EXCEEDED', error_message: 'the quota is exceeded' })
      expect(await store.getExecutions({ state: 'RUNNING' })).toEqual([])
    },
    CHILD_TEST_TIMEOUT,
  )

  test(
    'cancelling the run stops the child process before the run returns, and records the execution CANCELED',
    async () => {
      const pipeline = fixturePipeline(tempDir(), behavingNodes({ Sleeper: BEHAVING.Sleeper }, { isolation: 'process' }))
      const controller = new AbortController()
      let pid: number | undefined
      const onEvent = (e: RunEvent) => {
        const match = e.type === 'node-log' ? /sleeping in pid (\d+)/.exec(e.message) : null
        if (match) {
          pid = Number(match[1])
          controller.abort()
        }
      }
      const result = await run(pipeline, { pipelineModule, signal: controller.signal, onEvent, runId: 'stopped' })
      expect(result.status).toBe('CANCELED')
      expect(result.nodes.Sleeper).toMatchObject({ status: 'CANCELED', error: { code: 'SLUICE_NODE_CANCELED' } })
      expect(pid).toBeTypeOf('number')
      const alive = () => {
        try {
          process.kill(pid!, 0)
          return true
        } catch {
          return false
        }
      }
      // The run waited for the child to end: nothing of the node outlives the run.
      expect(alive()).toBe(false)
      const store = openStore(pipeline)
      expect((await store.getExecutionsById([result.nodes.Sleeper!.executionId!]))[0]!.state).toBe('CANCELED')
      expect((await runContext(store, 'stopped')).customProperties?.status).toBe('CANCELED')
    },
    CHILD_TEST_TIMEOUT,
  )

  test('without a pipelineModule the node fails with a clear error', async () => {
    const pipeline = fixturePipeline(tempDir(), [...dataNodes(), ...behavingNodes({ Sibling: BEHAVING.Sibling }, { isolation: 'process' })])
    const result = await run(pipeline)
    expect(result.nodes.Sibling).toMatchObject({ status: 'FAILED', error: { code: 'SLUICE_PIPELINE_MODULE_REQUIRED' } })
    expect(result.nodes.Gen!.status).toBe('COMPLETE')
  })
})
