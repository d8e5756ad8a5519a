import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { ExecutorError, Model, Pipeline, StringArtifact, component, z } from '@sluice/core'
import type { RunEvent } from '../src/index.js'
import { execution, executionsOf, openStore, run, runContext, sleep, statuses, tempDir } from './helpers.js'

interface Span {
  start: number
  end: number
}

/** A node that sleeps `ms` and records when its executor ran. */
function slowComponent(name: string, spans: Record<string, Span>) {
  return component({ name, outputs: { note: StringArtifact }, parameters: z.object({ ms: z.number() }) }, async ({ parameters, context }) => {
    const start = performance.now()
    await sleep(parameters.ms, context.signal)
    spans[context.nodeId] = { start, end: performance.now() }
    return { note: context.nodeId }
  })
}

describe('parallelism', () => {
  const overlap = (a: Span, b: Span) => a.start < b.end && b.start < a.end

  test('independent nodes overlap with parallelism 2 and run one after the other with parallelism 1; dependants wait', async () => {
    const spans: Record<string, Span> = {}
    const Slow = slowComponent('Slow', spans)
    const After = component({ name: 'After', inputs: { note: StringArtifact }, outputs: { note: StringArtifact } }, ({ inputs, context }) => {
      const now = performance.now()
      spans[context.nodeId] = { start: now, end: now }
      return { note: `${inputs.note}!` }
    })
    const build = (root: string) => {
      const a = Slow({ ms: 250, id: 'A' })
      const b = Slow({ ms: 250, id: 'B' })
      const after = After({ note: a.outputs.note })
      return new Pipeline({ name: 'par', root, components: [a, b, after] })
    }

    const two = await run(build(tempDir()), { parallelism: 2 })
    expect(two.status).toBe('COMPLETE')
    expect(overlap(spans.A!, spans.B!)).toBe(true)
    expect(spans.After!.start).toBeGreaterThanOrEqual(spans.A!.end)

    const one = await run(build(tempDir()), { parallelism: 1 })
    expect(one.status).toBe('COMPLETE')
    expect(overlap(spans.A!, spans.B!)).toBe(false)
    expect(spans.After!.start).toBeGreaterThanOrEqual(spans.A!.end)
  })
})

describe('retries', () => {
  test('a retryable error is retried with backoff until it succeeds; one execution records attempts = 3', async () => {
    const dir = tempDir()
    let calls = 0
    const Net = component({ name: 'Net', outputs: { model: Model } }, ({ outputs }) => {
      calls++
      fs.writeFileSync(path.join(outputs.model.uri, `attempt-${calls}.bin`), 'x')
      if (calls <= 2) throw new ExecutorError(`connection reset (${calls})`, { retryable: true })
    })
    const pipeline = new Pipeline({ name: 'retry', root: dir, components: [Net({}).withOptions({ retries: 2, retryBackoffMs: 10 })] })
    const events: RunEvent[] = []
    const result = await run(pipeline, { onEvent: (e) => events.push(e) })
    expect(result.status).toBe('COMPLETE')
    expect(result.nodes.Net).toMatchObject({ status: 'COMPLETE', attempts: 3 })
    expect(calls).toBe(3)
    const retries = events.flatMap((e) => (e.type === 'node-retry' ? [e] : []))
    expect(retries.map((e) => [e.attempt, e.delayMs, e.error.message])).toEqual([
      [1, 10, 'connection reset (1)'],
      [2, 20, 'connection reset (2)'],
    ])
    expect(events.filter((e) => e.type === 'node-start').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3])
    const store = openStore(pipeline)
    const executions = await executionsOf(store, pipeline, 'Net')
    expect(executions.map((e) => [e.state, e.customProperties?.attempts])).toEqual([['COMPLETE', 3]])
    // Each attempt starts from an empty output directory: nothing of the failed attempts is published.
    expect(fs.readdirSync(result.nodes.Net!.outputs.model![0]!.uri)).toEqual(['attempt-3.bin'])
  })

  test('a non-retryable error is not retried, and a retryable one stops after the last retry', async () => {
    const dir = tempDir()
    const calls: Record<string, number> = {}
    const Fail = component({ name: 'Fail', outputs: { note: StringArtifact }, parameters: z.object({ retryable: z.boolean() }) }, ({ parameters, context }) => {
      calls[context.nodeId] = (calls[context.nodeId] ?? 0) + 1
      throw new ExecutorError('nope', { retryable: parameters.retryable })
    })
    const plain = component({ name: 'Plain', outputs: { note: StringArtifact } }, () => {
      calls.Plain = (calls.Plain ?? 0) + 1
      throw new Error('plain errors are not retryable')
    })
    const pipeline = new Pipeline({
      name: 'noretry',
      root: dir,
      components: [
        Fail({ retryable: false, id: 'Once' }).withOptions({ retries: 3, retryBackoffMs: 1 }),
        Fail({ retryable: true, id: 'Twice' }).withOptions({ retries: 1, retryBackoffMs: 1 }),
        plain({}).withOptions({ retries: 3, retryBackoffMs: 1 }),
      ],
    })
    const result = await run(pipeline)
    expect(calls).toEqual({ Once: 1, Twice: 2, Plain: 1 })
    expect(result.nodes.Once).toMatchObject({ status: 'FAILED', attempts: 1 })
    expect(result.nodes.Twice).toMatchObject({ status: 'FAILED', attempts: 2, error: { retryable: true } })
    expect(result.nodes.Plain).toMatchObject({ status: 'FAILED', attempts: 1 })
  })
})

describe('timeouts', () => {
  test('timeoutMs fails a slow node with SLUICE_NODE_TIMEOUT', async () => {
    const dir = tempDir()
    const spans: Record<string, Span> = {}
    const Slow = slowComponent('Slow', spans)
    const pipeline = new Pipeline({ name: 'timeout', root: dir, components: [Slow({ ms: 5_000 }).withOptions({ timeoutMs: 50 })] })
    const started = performance.now()
    const result = await run(pipeline)
    expect(performance.now() - started).toBeLessThan(3_000)
    expect(result.status).toBe('FAILED')
    expect(result.nodes.Slow).toMatchObject({ status: 'FAILED', error: { code: 'SLUICE_NODE_TIMEOUT' } })
    expect(result.nodes.Slow!.error!.message).toContain('50 ms')
    const exec = await execution(openStore(pipeline), result.nodes.Slow!.executionId)
    expect(exec.state).toBe('FAILED')
    expect(exec.customProperties?.error_code).toBe('SLUICE_NODE_TIMEOUT')
  })
})

describe('cancel', () => {
  function cancelSetup() {
    const dir = tempDir()
    const controller = { current: new AbortController() }
    const calls: Record<string, number> = {}
    const Slow = component({ name: 'Slow', outputs: { model: Model }, parameters: z.object({ cancel: z.boolean() }) }, async ({ outputs, parameters, context }) => {
      calls.Slow = (calls.Slow ?? 0) + 1
      fs.writeFileSync(path.join(outputs.model.uri, 'partial.bin'), 'half')
      if (parameters.cancel) setTimeout(() => controller.current.abort(), 30)
      await sleep(parameters.cancel ? 5_000 : 1, context.signal)
      fs.writeFileSync(path.join(outputs.model.uri, 'model.bin'), 'full')
    })
    const Next = component({ name: 'Next', inputs: { model: Model }, outputs: { note: StringArtifact } }, () => {
      calls.Next = (calls.Next ?? 0) + 1
      return { note: 'next' }
    })
    const Later = component({ name: 'Later', outputs: { note: StringArtifact } }, () => {
      calls.Later = (calls.Later ?? 0) + 1
      return { note: 'later' }
    })
    const build = (cancel: boolean) => {
      const slow = Slow({ cancel })
      return new Pipeline({ name: 'cancel', root: dir, components: [slow, Next({ model: slow.outputs.model }), Later({})] })
    }
    return { dir, controller, calls, build }
  }

  test('aborting the signal cancels the running node and every node not started; resume finishes the run', async () => {
    const { controller, calls, build } = cancelSetup()
    const pipeline = build(true)
    const result = await run(pipeline, { runId: 'stopped', signal: controller.current.signal, parallelism: 1 })
    expect(result.status).toBe('CANCELED')
    expect(statuses(result)).toEqual({ Slow: 'CANCELED', Next: 'CANCELED', Later: 'CANCELED' })
    expect(result.nodes.Slow!.error?.code).toBe('SLUICE_NODE_CANCELED')
    expect(calls).toEqual({ Slow: 1 })

    const store = openStore(pipeline)
    const slow = await execution(store, result.nodes.Slow!.executionId)
    expect(slow.state).toBe('CANCELED')
    expect(await store.getArtifacts({ property: { name: 'producer_node', value: 'Slow', custom: true } })).toEqual([])
    expect((await store.getArtifacts({ state: 'LIVE' })).filter((a) => a.uri.includes(`${path.sep}Slow${path.sep}`))).toEqual([])
    expect((await runContext(store, 'stopped')).customProperties?.status).toBe('CANCELED')
    expect(await store.getExecutions({ state: 'RUNNING' })).toEqual([])

    const resumed = await run(build(false), { resume: 'stopped' })
    expect(resumed.status).toBe('COMPLETE')
    expect(statuses(resumed)).toEqual({ Slow: 'COMPLETE', Next: 'COMPLETE', Later: 'COMPLETE' })
    expect((await runContext(store, 'stopped')).customProperties?.status).toBe('COMPLETE')
  })

  test('cancelling during a retry backoff does not start another attempt', async () => {
    const dir = tempDir()
    const controller = new AbortController()
    let calls = 0
    const Net = component({ name: 'Net', outputs: { note: StringArtifact } }, () => {
      calls++
      setTimeout(() => controller.abort(), 20)
      throw new ExecutorError('connection reset', { retryable: true })
    })
    const pipeline = new Pipeline({ name: 'backoff', root: dir, components: [Net({}).withOptions({ retries: 3, retryBackoffMs: 2_000 })] })
    const started = performance.now()
    const result = await run(pipeline, { signal: controller.signal })
    expect(performance.now() - started).toBeLessThan(1_500)
    expect(result.status).toBe('CANCELED')
    expect(result.nodes.Net).toMatchObject({ status: 'CANCELED', attempts: 1 })
    expect(calls).toBe(1)
  })

  test('a run whose signal is aborted before it starts cancels every node', async () => {
    const dir = tempDir()
    const spans: Record<string, Span> = {}
    const pipeline = new Pipeline({ name: 'pre', root: dir, components: [slowComponent('Slow', spans)({ ms: 1 })] })
    const result = await run(pipeline, { signal: AbortSignal.abort() })
    expect(result.status).toBe('CANCELED')
    expect(statuses(result)).toEqual({ Slow: 'CANCELED' })
    expect(spans).toEqual({})
  })
})
