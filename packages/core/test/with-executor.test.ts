// withExecutor end to end: a re-bound component runs in a real pipeline on the local runner, and
// the executor it replaces can be wrapped (loaded and called) or subclassed.
//
// @sluice/runner is not a dependency of @sluice/core (it depends on core); npm workspaces make it
// resolvable here, and nothing in src/ imports it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { LocalDagRunner } from '@sluice/runner'
import type { RunResult } from '@sluice/runner'
import { afterEach, describe, expect, test } from 'vitest'
import { Examples, Importer, Pipeline, StringArtifact, component, loadExecutor } from '../src/index.js'
import type { AnyComponent, ExecutorResult } from '../src/index.js'
import { CountRows } from './fixtures/count-rows.js'
import type { CountRowsArgs } from './fixtures/count-rows.js'
import { CountRowsExecutor } from './fixtures/count-rows-executor.js'

let dirs: string[] = []
afterEach(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  dirs = []
})

/** A project folder with an Examples directory of two CSV splits (3 train rows, 2 eval rows). */
function project(): { dir: string; examples: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-with-executor-'))
  dirs.push(dir)
  const examples = path.join(dir, 'examples')
  for (const [split, rows] of [['train', 3], ['eval', 2]] as const) {
    fs.mkdirSync(path.join(examples, `Split-${split}`), { recursive: true })
    const lines = ['trip_miles,fare', ...Array.from({ length: rows }, (_, i) => `${i + 1},${(i + 1) * 4.5}`)]
    fs.writeFileSync(path.join(examples, `Split-${split}`, 'data.csv'), `${lines.join('\n')}\n`)
  }
  return { dir, examples }
}

/** Runs `[Importer → <component> as node "Count"]` in the project's pipeline root and store. */
async function runWith(count: AnyComponent, where: { dir: string; examples: string }, parameters: Record<string, unknown> = {}): Promise<RunResult> {
  const examples = Importer({ sourceUri: where.examples, artifactType: Examples, properties: { splitNames: ['train', 'eval'] }, id: 'examples' })
  const node = (count as unknown as (args: Record<string, unknown>) => ReturnType<AnyComponent>)({ examples: examples.outputs.result, id: 'Count', ...parameters })
  const pipeline = new Pipeline({ name: 'with-executor', root: path.join(where.dir, '.sluice'), components: [examples, node] })
  return new LocalDagRunner().run(pipeline, { cwd: where.dir })
}

function countNode(result: RunResult) {
  const node = result.nodes.Count
  if (!node) throw new Error('no node "Count" in the run')
  return { status: node.status, summary: node.outputs.summary?.[0], rows: node.outputs.rows?.[0]?.value }
}

// Wraps the original executor: loads it the way the runner does, calls it, then post-processes.
const AuditedCountRows = CountRows.withExecutor(async (args) => {
  const original = await loadExecutor(CountRows.executor, CountRows.name)
  const result = await original(args)
  fs.writeFileSync(path.join(args.outputs.summary.uri, 'audit.log'), `counted split ${args.parameters.split}\n`)
  args.outputs.summary.customProperties.audited = true
  return result
})

// Subclasses the original executor class and calls super.execute.
class EvalTooCountRowsExecutor extends CountRowsExecutor {
  override async execute(args: CountRowsArgs): Promise<ExecutorResult> {
    const result = await super.execute(args)
    const evalRows = fs.readFileSync(path.join(args.inputs.examples.uri, 'Split-eval', 'data.csv'), 'utf8').trim().split('\n').length - 1
    args.outputs.summary.customProperties.eval_rows = evalRows
    return { values: { ...result.values, rows: Number(result.values?.rows) + evalRows } }
  }
}
const TotalCountRows = CountRows.withExecutor(EvalTooCountRowsExecutor)

describe('withExecutor', { timeout: 30_000 }, () => {
  test('keeps the name, version, inputs, outputs, parameters and fingerprint; only executor and code change', () => {
    for (const rebound of [AuditedCountRows, TotalCountRows]) {
      expect(rebound).not.toBe(CountRows)
      expect(rebound.name).toBe('CountRows')
      expect(rebound.version).toBe('1.0.0')
      expect(rebound.inputs).toBe(CountRows.inputs)
      expect(rebound.outputs).toBe(CountRows.outputs)
      expect(rebound.parameters).toBe(CountRows.parameters)
      expect(rebound.fingerprint).toBe(CountRows.fingerprint)
      expect(rebound.code).not.toBe(CountRows.code)
    }
    expect(TotalCountRows.executor).toBe(EvalTooCountRowsExecutor)
    expect(TotalCountRows.code).toContain('class EvalTooCountRowsExecutor extends CountRowsExecutor')
    // `code` is the source text of what was passed (here as vitest transformed it).
    expect(AuditedCountRows.code).toContain('audit.log')
    // The original component is untouched.
    expect(CountRows.code).toContain('count-rows-executor')
  })

  test('a wrapping executor runs the original one and post-processes its outputs', async () => {
    const where = project()
    const original = countNode(await runWith(CountRows, where))
    expect(original).toMatchObject({ status: 'COMPLETE', rows: 3, summary: { properties: { rows: 3, split: 'train' } } })
    expect(original.summary?.customProperties).not.toHaveProperty('audited')

    const wrapped = countNode(await runWith(AuditedCountRows, where, { split: 'eval' }))
    expect(wrapped).toMatchObject({ status: 'COMPLETE', rows: 2, summary: { properties: { rows: 2, split: 'eval' }, customProperties: { audited: true } } })
    const uri = wrapped.summary!.uri
    expect(JSON.parse(fs.readFileSync(path.join(uri, 'summary.json'), 'utf8'))).toEqual({ rows: 2 })
    expect(fs.readFileSync(path.join(uri, 'audit.log'), 'utf8')).toBe('counted split eval\n')
  })

  test('a subclass of the executor class overrides execute and calls super.execute', async () => {
    const where = project()
    const total = countNode(await runWith(TotalCountRows, where))
    expect(total).toMatchObject({ status: 'COMPLETE', rows: 5, summary: { properties: { rows: 3, split: 'train' }, customProperties: { eval_rows: 2 } } })
    expect(JSON.parse(fs.readFileSync(path.join(total.summary!.uri, 'summary.json'), 'utf8'))).toEqual({ rows: 3 })
  })

  test('the re-bound component has its own cache key: cached results of the original are not reused', async () => {
    const where = project()
    expect(countNode(await runWith(CountRows, where)).status).toBe('COMPLETE')
    expect(countNode(await runWith(CountRows, where)).status).toBe('CACHED')
    // Same pipeline, node id, inputs and parameters: only the executor differs.
    const audited = countNode(await runWith(AuditedCountRows, where))
    expect(audited.status).toBe('COMPLETE')
    expect(audited.summary?.customProperties).toMatchObject({ audited: true })
    expect(countNode(await runWith(AuditedCountRows, where)).status).toBe('CACHED')
    expect(countNode(await runWith(TotalCountRows, where)).status).toBe('COMPLETE')
    expect(countNode(await runWith(TotalCountRows, where)).status).toBe('CACHED')
    // And the original still hits its own entry.
    expect(countNode(await runWith(CountRows, where)).status).toBe('CACHED')
  })

  test('a function component can be re-bound to a wrapper of its own executor', async () => {
    // The function component's executor converts value outputs; the wrapper sees the raw result.
    const SplitList = component({ name: 'SplitList', inputs: { examples: Examples }, outputs: { splits: StringArtifact } }, ({ inputs }) => ({
      splits: (inputs.examples.properties.splitNames ?? []).join(','),
    }))
    const Shouting = SplitList.withExecutor(async (args) => {
      const result = await (await loadExecutor(SplitList.executor, SplitList.name))(args)
      return { values: { splits: String(result?.values?.splits).toUpperCase() } }
    })
    const where = project()
    const run = async (c: AnyComponent) => {
      const examples = Importer({ sourceUri: where.examples, artifactType: Examples, properties: { splitNames: ['train', 'eval'] }, id: 'examples' })
      const node = (c as unknown as (args: Record<string, unknown>) => ReturnType<AnyComponent>)({ examples: examples.outputs.result, id: 'Splits' })
      const pipeline = new Pipeline({ name: 'splits', root: path.join(where.dir, '.sluice'), components: [examples, node] })
      const result = await new LocalDagRunner().run(pipeline, { cwd: where.dir })
      return { status: result.nodes.Splits?.status, value: result.nodes.Splits?.outputs.splits?.[0]?.value }
    }
    expect(await run(SplitList)).toEqual({ status: 'COMPLETE', value: 'train,eval' })
    expect(await run(Shouting)).toEqual({ status: 'COMPLETE', value: 'TRAIN,EVAL' })
  })
})
