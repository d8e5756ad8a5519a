import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { LocalDagRunner } from '@sluice/runner'
import pipeline from '../src/readme/pipeline.js'

test('the README pipeline runs as written and is cached the second time', async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-readme-'))
  const first = await new LocalDagRunner().run(pipeline, { cwd })
  expect(first.status).toBe('COMPLETE')
  expect(first.nodes.Count!.outputs.rows![0]!.value).toBe(1000)
  expect(fs.existsSync(path.join(cwd, '.sluice', 'demo', 'metadata.sqlite'))).toBe(true)
  const second = await new LocalDagRunner().run(pipeline, { cwd })
  expect(Object.values(second.nodes).map((n) => n.status)).toEqual(['CACHED', 'CACHED'])
})
