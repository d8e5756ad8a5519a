import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { Examples, IntegerArtifact, Pipeline, component, z } from '@sluice/core'
import { LocalDagRunner } from '../src/index.js'

test('smoke', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-smoke-'))
  const Gen = component({ name: 'Gen', outputs: { examples: Examples }, parameters: z.object({ n: z.number().default(3) }) }, async ({ outputs, parameters }) => {
    fs.writeFileSync(path.join(outputs.examples.uri, 'data.txt'), 'x'.repeat(parameters.n))
    outputs.examples.properties.splitNames = ['train', 'eval']
  })
  const Count = component({ name: 'Count', inputs: { examples: Examples }, outputs: { n: IntegerArtifact } }, async ({ inputs }) => {
    return { n: fs.readFileSync(path.join(inputs.examples.uri, 'data.txt'), 'utf8').length }
  })
  const Double = component({ name: 'Double', inputs: { n: IntegerArtifact }, outputs: { m: IntegerArtifact } }, ({ inputs }) => ({ m: inputs.n * 2 }))
  const gen = Gen({})
  const count = Count({ examples: gen.outputs.examples })
  const dbl = Double({ n: count.outputs.n })
  const pipeline = new Pipeline({ name: 'smoke', root: dir, components: [gen, count, dbl] })
  const events: string[] = []
  const r1 = await new LocalDagRunner().run(pipeline, { onEvent: (e) => events.push(e.type) })
  console.log(JSON.stringify(r1, null, 1).slice(0, 2000))
  expect(r1.status).toBe('COMPLETE')
  const r2 = await new LocalDagRunner().run(pipeline)
  expect(Object.values(r2.nodes).map((n) => n.status)).toEqual(['CACHED', 'CACHED', 'CACHED'])
  const r3 = await new LocalDagRunner().run(pipeline, { parallelism: 1, pipelineModule: undefined })
  expect(r3.status).toBe('COMPLETE')
})
