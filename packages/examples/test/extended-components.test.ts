import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { Pipeline } from '@sluice/core'
import { CsvExampleGen } from '@sluice/component-example-gen'
import { readSchema } from '@sluice/data/schema'
import { LocalDagRunner } from '@sluice/runner'
import { LoggedStatisticsGen, SchemaGenWithDrift, StrictExampleValidator } from '../src/extended-components.js'

test('the rebound StatisticsGen, SchemaGen and ExampleValidator of the component docs run as written', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-extended-'))
  fs.mkdirSync(path.join(work, 'data'))
  const rows = Array.from({ length: 300 }, (_, i) => `${i % 3 === 0 ? 'Cash' : 'Credit Card'},${(i % 17) + 0.5}`)
  fs.writeFileSync(path.join(work, 'data', 'trips.csv'), `payment_type,fare\n${rows.join('\n')}\n`)
  const gen = CsvExampleGen({ inputBase: path.join(work, 'data') })
  const stats = LoggedStatisticsGen({ examples: gen.outputs.examples })
  const schema = SchemaGenWithDrift({ statistics: stats.outputs.statistics })
  const validator = StrictExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema })
  const logs: string[] = []
  const result = await new LocalDagRunner().run(new Pipeline({ name: 'extended', components: [gen, stats, schema, validator] }), {
    cwd: work,
    onEvent: (e) => void (e.type === 'node-log' && logs.push(e.message)),
  })
  expect(result.status, JSON.stringify(Object.values(result.nodes).map((n) => n.error?.message).filter(Boolean))).toBe('COMPLETE')
  expect(logs.some((l) => l.startsWith('statistics of train, eval written to'))).toBe(true)
  const written = await readSchema(result.nodes.SchemaGen!.outputs.schema![0]!.uri)
  expect(written.feature!.find((f) => f.name === 'payment_type')!.driftComparator).toEqual({ infinityNorm: { threshold: 0.01 } })
})
