import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Pipeline } from '@sluice/core'
import { openMemoryStore } from '@sluice/metadata'
import type { MetadataStore } from '@sluice/metadata'
import { LocalDagRunner, computeCacheKey } from '@sluice/runner'
import { CsvExampleGen, exampleGenFingerprint } from '../src/index.js'
import { tempDir, writeFiles } from './helpers.js'

let dir: string
let store: MetadataStore
beforeAll(async () => {
  dir = await tempDir('example-gen-cache-')
  store = openMemoryStore()
})
afterAll(async () => {
  await store.close()
  await fs.rm(dir, { recursive: true, force: true })
})

describe('caching on the input fingerprint', () => {
  test('a second run is CACHED; changing, touching or adding an input file re-executes', async () => {
    const inputBase = path.join(dir, 'data')
    await writeFiles(inputBase, { 'span-1/data.csv': 'a,b\n1,x\n2,y\n' })
    const file = path.join(inputBase, 'span-1', 'data.csv')
    await fs.utimes(file, 1_700_000_000, 1_700_000_000)
    const pipeline = new Pipeline({
      name: 'cache',
      root: path.join(dir, 'root'),
      components: [CsvExampleGen({ inputBase, inputConfig: { splits: [{ name: 'single_split', pattern: 'span-{SPAN}/*.csv' }] } })],
    })
    const runner = new LocalDagRunner()
    const run = async () => (await runner.run(pipeline, { store, cwd: dir })).nodes.CsvExampleGen!

    const first = await run()
    expect(first.status).toBe('COMPLETE')
    expect(first.outputs.examples?.[0]?.customProperties).toMatchObject({ span: 1 })
    const second = await run()
    expect(second.status).toBe('CACHED')
    expect(second.outputs.examples?.[0]?.uri).toBe(first.outputs.examples?.[0]?.uri)

    // Same size, new modification time (a touch): TFX's fingerprint changes, the node runs again.
    await fs.utimes(file, 1_700_000_100, 1_700_000_100)
    const touched = await run()
    expect(touched.status).toBe('COMPLETE')
    expect((await run()).status).toBe('CACHED')

    // New contents.
    await fs.appendFile(file, '3,z\n')
    await fs.utimes(file, 1_700_000_200, 1_700_000_200)
    const modified = await run()
    expect(modified.status).toBe('COMPLETE')
    expect(modified.outputs.examples?.[0]?.customProperties.input_fingerprint).toContain('total_bytes:16')

    // A new span appears: the latest span changes, so does the key.
    await writeFiles(inputBase, { 'span-2/data.csv': 'a,b\n9,q\n' })
    const newSpan = await run()
    expect(newSpan.status).toBe('COMPLETE')
    expect(newSpan.outputs.examples?.[0]?.properties).toMatchObject({ span: 2 })
  })

  test('the cache key carries the resolved span and TFX’s input fingerprint', async () => {
    const inputBase = path.join(dir, 'keyed')
    await writeFiles(inputBase, { 'a.csv': 'x\n1\n' })
    const node = CsvExampleGen({ inputBase })
    const { parts } = await computeCacheKey('p', node, {}, dir)
    const fingerprint = JSON.parse(parts.componentFingerprint!) as Record<string, unknown>
    expect(fingerprint).toMatchObject({ span: 0, version: null, splits: [{ name: 'single_split', pattern: '*' }] })
    expect(fingerprint.input_fingerprint).toMatch(/^split:single_split,num_files:1,total_bytes:4,xor_checksum:\d+,sum_checksum:\d+$/)
    // inputBase itself is not statted file by file: the hook's fingerprint covers what the patterns match.
    expect(parts.files).toEqual({})
  })

  test('files the patterns do not match do not change the cache key', async () => {
    const inputBase = path.join(dir, 'unrelated')
    await writeFiles(inputBase, { 'a.csv': 'x\n1\n' })
    const node = CsvExampleGen({ inputBase, inputConfig: { splits: [{ name: 'all', pattern: '*.csv' }] } })
    const before = await computeCacheKey('p', node, {}, dir)
    await writeFiles(inputBase, { 'README.txt': 'notes about the data' })
    expect((await computeCacheKey('p', node, {}, dir)).key).toBe(before.key)
    await writeFiles(inputBase, { 'b.csv': 'x\n2\n' })
    expect((await computeCacheKey('p', node, {}, dir)).key).not.toBe(before.key)
  })

  test('an input that cannot be resolved fingerprints as its error, and the run fails with it', async () => {
    expect(await exampleGenFingerprint({ inputBase: path.join(dir, 'missing'), inputConfig: { splits: [{ name: 's', pattern: '*' }] } })).toMatch(/^unresolved: SLUICE_EXAMPLEGEN_NO_FILES: /)
    const pipeline = new Pipeline({ name: 'missing', root: path.join(dir, 'root-missing'), components: [CsvExampleGen({ inputBase: path.join(dir, 'missing') })] })
    const result = await new LocalDagRunner().run(pipeline, { store, cwd: dir })
    expect(result.status).toBe('FAILED')
    expect(result.nodes.CsvExampleGen!.error?.code).toBe('SLUICE_EXAMPLEGEN_NO_FILES')
    // No LIVE artifact was published.
    const artifacts = await store.getArtifacts({ type: 'Examples' })
    expect(artifacts.filter((a) => a.uri.includes('root-missing'))).toEqual([])
  })
})
