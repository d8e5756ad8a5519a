// Issue acceptance: one pipeline mixing a function component, a container component and a
// defineComponent component whose executor was rebound with withExecutor — it runs, caches, and
// records lineage through all three.
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { Examples, IntegerArtifact, Pipeline, component, defineComponent, loadExecutor, z } from '@sluice/core'
import { openSqliteStore } from '@sluice/metadata'
import { containerComponent } from '../src/index.js'
import { BUSYBOX, buildImage, describeDocker, outputUri, runPipeline, statuses, tempDir } from './helpers.js'

/** A function component: writes lines of text. */
const WriteLines = component(
  { name: 'WriteLines', outputs: { text: Examples }, parameters: z.object({ lines: z.array(z.string()) }) },
  ({ outputs, parameters }) => {
    fs.writeFileSync(path.join(outputs.text.uri, 'data'), `${parameters.lines.join('\n')}\n`)
  },
)

/** A container component: greps the lines in busybox. */
const Grep = containerComponent({
  name: 'Grep',
  image: BUSYBOX,
  inputs: { text: Examples },
  outputs: { matches: Examples },
  parameters: z.object({ pattern: z.string() }),
  command: ({ inputs, outputs, parameters }) => ['sh', '-c', 'grep "$1" "$2/data" > "$3/data"', 'sh', parameters.pattern, inputs.text.uri, outputs.matches.uri],
})

/** A standard-style component whose executor is rebound below. */
const CountLines = defineComponent({
  name: 'CountLines',
  inputs: { text: Examples },
  outputs: { count: IntegerArtifact },
  executor: ({ inputs }) => ({ values: { count: fs.readFileSync(path.join(inputs.text.uri, 'data'), 'utf8').trim().split('\n').length } }),
})
let reboundCalls = 0
const CountLinesTimesTen = CountLines.withExecutor(async (args) => {
  reboundCalls++
  const original = await loadExecutor(CountLines.executor, CountLines.name)
  const result = (await original(args)) as { values: { count: number } }
  return { values: { count: result.values.count * 10 } }
})

function mixedPipeline(root: string): Pipeline {
  const lines = WriteLines({ lines: ['apple pie', 'banana split', 'apple tart'] })
  const grep = Grep({ text: lines.outputs.text, pattern: 'apple' })
  const count = CountLinesTimesTen({ text: grep.outputs.matches })
  return new Pipeline({ name: 'mixed', root, components: [lines, grep, count] })
}

describeDocker('a pipeline of a function, a container and a rebound component', () => {
  beforeAll(async () => {
    await buildImage('test-busybox/build.sh')
  }, 120_000)

  test('runs, caches, and records lineage through all three', async () => {
    const root = tempDir()
    const first = await runPipeline(mixedPipeline(root))
    expect(statuses(first)).toEqual({ WriteLines: 'COMPLETE', Grep: 'COMPLETE', CountLines: 'COMPLETE' })
    expect(fs.readFileSync(path.join(outputUri(first, 'Grep', 'matches'), 'data'), 'utf8')).toBe('apple pie\napple tart\n')
    const count = first.nodes.CountLines!.outputs.count![0]!
    expect(count.value).toBe(20)
    expect(reboundCalls).toBe(1)

    const second = await runPipeline(mixedPipeline(root))
    expect(statuses(second)).toEqual({ WriteLines: 'CACHED', Grep: 'CACHED', CountLines: 'CACHED' })
    expect(reboundCalls).toBe(1)

    const store = openSqliteStore(path.join(root, 'metadata.sqlite'), { readonly: true })
    try {
      const lineage = await store.getLineage({ artifactIds: [count.id], direction: 'upstream' })
      const producers = lineage.executions.filter((e) => e.state === 'COMPLETE').map((e) => e.type).sort()
      expect(producers).toEqual(['CountLines', 'Grep', 'WriteLines'])
      const text = first.nodes.WriteLines!.outputs.text![0]!
      const downstream = await store.getLineage({ artifactIds: [text.id], direction: 'downstream' })
      expect(downstream.artifacts.map((a) => a.id)).toContain(count.id)
    } finally {
      await store.close()
    }
  }, 120_000)
})
