// Issue acceptance: bad inputs give one clear error and leave no LIVE artifact in the store.
import fs from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { Pipeline } from '@sluice/core'
import type { AnyNode } from '@sluice/core'
import { openMemoryStore } from '@sluice/metadata'
import { LocalDagRunner } from '@sluice/runner'
import { CsvExampleGen, ImportExampleGen } from '../src/index.js'
import { tempDir, writeFiles } from './helpers.js'

async function runAndCheck(dir: string, node: AnyNode, code: string, mention: string): Promise<void> {
  const store = openMemoryStore()
  try {
    const result = await new LocalDagRunner().run(new Pipeline({ name: 'bad', root: path.join(dir, 'root'), components: [node] }), { store, cwd: dir })
    expect(result.status).toBe('FAILED')
    const error = Object.values(result.nodes)[0]!.error!
    expect(error.code).toBe(code)
    expect(error.message).toContain(mention)
    expect(error.message.split('\n')).toHaveLength(1)
    expect(await store.getArtifacts({ type: 'Examples', state: 'LIVE' })).toEqual([])
    const [execution] = await store.getExecutions({ type: node.component.name })
    expect(execution!.state).toBe('FAILED')
  } finally {
    await store.close()
  }
}

describe('bad inputs', () => {
  test('a missing file, an empty file, ragged rows, an unreadable Parquet file', async () => {
    const dir = await tempDir()
    await writeFiles(dir, {
      'empty/a.csv': '',
      'ragged/a.csv': 'x,y\n1,2\n3,4,5\n',
      'parquet/data.parquet': 'PAR1 this is not parquet',
    })
    await runAndCheck(dir, CsvExampleGen({ inputBase: path.join(dir, 'nowhere') }), 'SLUICE_EXAMPLEGEN_NO_FILES', 'nowhere')
    await runAndCheck(dir, CsvExampleGen({ inputBase: path.join(dir, 'empty') }), 'SLUICE_EXAMPLEGEN_EMPTY_FILE', path.join(dir, 'empty', 'a.csv'))
    await runAndCheck(dir, CsvExampleGen({ inputBase: path.join(dir, 'ragged') }), 'SLUICE_EXAMPLEGEN_RAGGED_ROW', 'line 3')
    await runAndCheck(dir, ImportExampleGen({ inputBase: path.join(dir, 'parquet') }), 'SLUICE_EXAMPLEGEN_BAD_PARQUET', 'data.parquet')
    await fs.rm(dir, { recursive: true, force: true })
  })

  test('a bad glob is rejected when the component is called, naming the pattern', () => {
    expect(() => CsvExampleGen({ inputBase: '.', inputConfig: { splits: [{ name: 'x', pattern: 'data[.csv' }] } })).toThrow(/data\[\.csv/)
  })
})
