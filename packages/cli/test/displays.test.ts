import { describe, expect, test } from 'vitest'
import type { NodeResult, RunEvent, RunResult } from '@sluice/runner'
import { colorsFor, LiveDisplay, nothingExecutedRemark, PlainDisplay, renderRunSummary, runFailureMessage } from '../src/index.js'
import { BufferStream } from './helpers.js'

const plainColors = colorsFor(new BufferStream(false), {})

function node(nodeId: string, status: NodeResult['status'], extra: Partial<NodeResult> = {}): NodeResult {
  return { nodeId, status, executionId: 1, durationMs: 0, attempts: status === 'COMPLETE' || status === 'FAILED' ? 1 : 0, outputs: {}, ...extra }
}

function result(status: RunResult['status'], nodes: NodeResult[], durationMs = 2500): RunResult {
  return { runId: 'r1', pipelineName: 'taxi', status, durationMs, nodes: Object.fromEntries(nodes.map((n) => [n.nodeId, n])) }
}

const gen = node('CsvExampleGen', 'COMPLETE', {
  durationMs: 1234,
  outputs: { examples: [{ id: 7, type: 'Examples', uri: '/work/p/.sluice/taxi/CsvExampleGen/examples/1/', properties: {}, customProperties: {} }] },
})
const trainer = node('Trainer', 'FAILED', { durationMs: 300, error: { code: 'SLUICE_EXECUTOR_FAILED', message: 'loss is NaN\nat step 3', retryable: false, stack: 'Error: loss is NaN\n    at train (model.ts:3:9)' } })
const pusher = node('Pusher', 'SKIPPED', { executionId: undefined, reason: 'upstream node "Trainer" FAILED' })

/** A run of three nodes where the middle one fails, with a clock ticking 100 ms per event. */
function failingRunEvents(): RunEvent[] {
  return [
    { type: 'run-start', runId: 'r1', pipelineName: 'taxi', nodeIds: ['CsvExampleGen', 'Trainer', 'Pusher'], resumed: false },
    { type: 'node-start', nodeId: 'CsvExampleGen', executionId: 1, attempt: 1 },
    { type: 'node-progress', nodeId: 'CsvExampleGen', fraction: 0.5, message: 'reading data.csv' },
    { type: 'node-progress', nodeId: 'CsvExampleGen', fraction: 0.6, message: 'reading data.csv' },
    { type: 'node-log', nodeId: 'CsvExampleGen', level: 'info', message: 'wrote 2 splits' },
    { type: 'node-end', result: gen },
    { type: 'node-start', nodeId: 'Trainer', executionId: 2, attempt: 1 },
    { type: 'node-retry', nodeId: 'Trainer', attempt: 1, delayMs: 1000, error: { code: 'SLUICE_BUSY', message: 'busy', retryable: true } },
    { type: 'node-start', nodeId: 'Trainer', executionId: 2, attempt: 2 },
    { type: 'node-end', result: trainer },
    { type: 'node-end', result: pusher },
    { type: 'run-end', result: result('FAILED', [gen, trainer, pusher]) },
  ]
}

describe('PlainDisplay', () => {
  test('prints one aligned line per node event, without ANSI codes', () => {
    const out = new BufferStream(false)
    let clock = 0
    const display = new PlainDisplay(out, { colors: plainColors, now: () => (clock += 100), verbose: false })
    for (const event of failingRunEvents()) display.handle(event)
    expect(out.text).toBe(
      [
        'Running pipeline taxi (run r1, 3 nodes)',
        '  CsvExampleGen  running',
        '  CsvExampleGen  100ms  50% reading data.csv',
        '  CsvExampleGen  done in 1.2s',
        '  Trainer        running',
        '  Trainer        attempt 1 failed: busy [SLUICE_BUSY]; retrying in 1.0s',
        '  Trainer        running (attempt 2)',
        '  Trainer        failed after 300ms: loss is NaN at step 3 [SLUICE_EXECUTOR_FAILED]',
        '  Pusher         skipped: upstream node "Trainer" FAILED',
        '',
      ].join('\n'),
    )
  })

  test('a repeated progress message is printed again only after 5 s; --verbose adds node logs', () => {
    const out = new BufferStream(false)
    let clock = 0
    const display = new PlainDisplay(out, { colors: plainColors, now: () => clock, verbose: true })
    display.handle({ type: 'run-start', runId: 'r', pipelineName: 'p', nodeIds: ['A'], resumed: true })
    display.handle({ type: 'node-start', nodeId: 'A', executionId: 1, attempt: 1 })
    for (const t of [1000, 2000, 7000]) {
      clock = t
      display.handle({ type: 'node-progress', nodeId: 'A', fraction: t / 10_000, message: 'training' })
    }
    display.handle({ type: 'node-progress', nodeId: 'A', fraction: 0.8, message: 'evaluating' })
    display.handle({ type: 'node-log', nodeId: 'A', level: 'warn', message: 'slow disk' })
    expect(out.text.split('\n')).toEqual([
      'Resuming run r of pipeline p (1 node)',
      '  A  running',
      '  A  1.0s  10% training',
      '  A  7.0s  70% training',
      '  A  7.0s  80% evaluating',
      '  A  warn: slow disk',
      '',
    ])
  })
})

describe('LiveDisplay', () => {
  test('renders one line per node with spinner, elapsed time and latest message', () => {
    const out = new BufferStream(true, 120, 40)
    let clock = 10_000
    const display = new LiveDisplay(out, { colors: plainColors, now: () => clock, verbose: false, refreshMs: 60_000 })
    const events = failingRunEvents()
    for (const event of events.slice(0, 4)) display.handle(event)
    clock = 12_500
    expect(display.render(clock)).toEqual([
      'Running taxi run r1  2.5s',
      expect.stringMatching(/^ {2}\S CsvExampleGen {2}running {2}2\.5s {5}60% reading data\.csv$/),
      '  · Trainer        pending',
      '  · Pusher         pending',
    ])
    for (const event of events.slice(4, 11)) display.handle(event)
    expect(display.render(clock)).toEqual([
      'Running taxi run r1  2.5s',
      '  ✔ CsvExampleGen  done     1.2s',
      '  ✖ Trainer        failed   300ms  loss is NaN at step 3',
      '  - Pusher         skipped: upstream node "Trainer" FAILED',
    ])
    display.stop()
  })

  test('redraws in place and erases the block when the run ends', () => {
    const out = new BufferStream(true, 80, 40)
    const display = new LiveDisplay(out, { colors: plainColors, now: () => 0, verbose: false, refreshMs: 60_000 })
    const events = failingRunEvents()
    display.handle(events[0]!)
    expect(out.text).toBe('\r\x1b[0JRunning taxi run r1  0ms\n  · CsvExampleGen  pending\n  · Trainer        pending\n  · Pusher         pending\n')
    out.text = ''
    display.handle(events[1]!)
    expect(out.text.startsWith('\x1b[4A\r\x1b[0J')).toBe(true)
    out.text = ''
    display.notice('Cancelling')
    expect(out.text).toMatch(/^\x1b\[4A\r\x1b\[0JCancelling\nRunning taxi/)
    out.text = ''
    display.handle(events[events.length - 1]!)
    expect(out.text).toBe('\x1b[4A\r\x1b[0J')
  })

  test('cuts lines to the terminal width and folds finished nodes when the terminal is short', () => {
    const out = new BufferStream(true, 30, 5)
    const display = new LiveDisplay(out, { colors: plainColors, now: () => 0, verbose: false, refreshMs: 60_000 })
    const ids = ['a', 'b', 'c', 'd', 'e', 'f']
    display.handle({ type: 'run-start', runId: 'a-very-long-run-identifier', pipelineName: 'p', nodeIds: ids, resumed: false })
    for (const id of ['a', 'b']) display.handle({ type: 'node-end', result: node(id, 'CACHED') })
    display.handle({ type: 'node-start', nodeId: 'c', executionId: 1, attempt: 1 })
    const lines = out.text.slice(out.text.lastIndexOf('\x1b[0J') + 4).trimEnd().split('\n')
    expect(lines.every((l) => l.length <= 29)).toBe(true)
    expect(lines[0]).toMatch(/…$/)
    expect(lines).toHaveLength(4)
    expect(lines[3]).toContain('2 cached')
    display.stop()
  })
})

describe('run summary', () => {
  test('shows a table of nodes, where every artifact went, and no stack without --verbose', () => {
    const text = renderRunSummary(result('FAILED', [gen, trainer, pusher]), { colors: plainColors, cwd: '/work/p', verbose: false })
    expect(text).toBe(
      [
        '',
        'Run r1 of pipeline taxi failed in 2.5s (1 done, 1 failed, 1 skipped)',
        '',
        '  NODE           STATUS   DURATION  NOTE',
        '  CsvExampleGen  done         1.2s',
        '  Trainer        failed      300ms  loss is NaN at step 3 [SLUICE_EXECUTOR_FAILED]',
        '  Pusher         skipped         -  upstream node "Trainer" FAILED',
        '',
        'Artifacts',
        '  OUTPUT                  TYPE         URI',
        '  CsvExampleGen.examples  Examples #7  ./.sluice/taxi/CsvExampleGen/examples/1/',
        '',
      ].join('\n'),
    )
    const verbose = renderRunSummary(result('FAILED', [gen, trainer, pusher]), { colors: plainColors, cwd: '/elsewhere', verbose: true })
    expect(verbose).toContain('at train (model.ts:3:9)')
    expect(verbose).toContain('/work/p/.sluice/taxi/CsvExampleGen/examples/1/')
  })

  test('says so when every node was cached', () => {
    const nodes = ['A', 'B', 'C', 'D', 'E'].map((id) => node(id, 'CACHED'))
    expect(renderRunSummary(result('COMPLETE', nodes), { colors: plainColors, cwd: '/', verbose: false })).toContain('All 5 nodes were cached: nothing executed.\n')
    expect(nothingExecutedRemark([node('A', 'CACHED'), node('B', 'REUSED')])).toBe('Nothing executed: 1 node was cached and 1 reused from the earlier attempt.')
    expect(nothingExecutedRemark([node('A', 'CACHED'), node('B', 'COMPLETE')])).toBeUndefined()
  })

  test('the failure message names the first failed node and its code', () => {
    expect(runFailureMessage(result('FAILED', [gen, trainer, pusher]))).toEqual({
      message: 'Run r1 failed: node "Trainer" failed: loss is NaN at step 3',
      code: 'SLUICE_EXECUTOR_FAILED',
    })
  })
})
