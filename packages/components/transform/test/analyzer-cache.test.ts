// The analyzer cache (TFX's analyzer_cache / updated_analyzer_cache): a run over the same data
// reuses the analyzer values an earlier run computed and computes only the new ones.
import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { Transform, readTransformOutput } from '@sluice/component-transform'
import { writeExamples, writeSchemaDir } from './helpers.js'

let tmp: TempDirectory
let examplesUri: string
let schemaUri: string

const BASE = `  fare_z: tft.scaleToZScore(inputs.fare),
  payment_xf: tft.computeAndApplyVocabulary(inputs.payment, { numOovBuckets: 1 }),
  fare_key: tft.scaleTo01PerKey(inputs.fare, inputs.payment),`

async function transform(name: string, body: string, options: { cache?: string; analyze?: string[]; disable?: boolean } = {}) {
  const moduleFile = path.join(tmp.path, name)
  await writeFile(moduleFile, `export function preprocessingFn(inputs, tft) {\n  return {\n${body}\n  }\n}\n`)
  return runComponent(Transform, {
    inputs: {
      examples: { uri: examplesUri, properties: { splitNames: ['train', 'eval'] } },
      schema: { uri: schemaUri },
      ...(options.cache ? { analyzerCache: { uri: options.cache } } : {}),
    },
    parameters: {
      moduleFile,
      disableStatistics: true,
      ...(options.analyze ? { splitsConfig: { analyze: options.analyze } } : {}),
      ...(options.disable ? { disableAnalyzerCache: true } : {}),
    },
  })
}

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-transform-cache-')
  examplesUri = path.join(tmp.path, 'examples')
  const split = (n: number, offset: number) => ({
    fare: { sqlType: 'DOUBLE' as const, featureType: 'FLOAT' as const, values: Array.from({ length: n }, (_, i) => ((i + offset) * 7) % 31) },
    payment: { sqlType: 'VARCHAR' as const, featureType: 'STRING' as const, values: Array.from({ length: n }, (_, i) => ['Cash', 'Card', 'Cash', 'Other'][(i + offset) % 4]!) },
  })
  await writeExamples(examplesUri, { train: split(80, 0), eval: split(40, 3) })
  schemaUri = await writeSchemaDir(path.join(tmp.path, 'schema'), { fare: 'FLOAT', payment: 'BYTES' })
})

afterAll(async () => {
  await tmp?.remove()
})

describe('analyzer cache', () => {
  it('reuses the values of unchanged analyzers over the same data and computes only the new ones', async () => {
    const first = await transform('first.mjs', BASE)
    const cache = first.outputs.updatedAnalyzerCache
    expect(cache.customProperties).toMatchObject({ analyzers_reused: 0, analyzers_computed: 4 })
    const [dataset] = await readdir(cache.uri)
    const entries = JSON.parse(await readFile(path.join(cache.uri, dataset!, 'analyzers.json'), 'utf8')) as { entries: Record<string, { identity: string }> }
    expect(Object.keys(entries.entries)).toHaveLength(4)

    // An edit of the module adds an analyzer: the four others come from the cache.
    const second = await transform('second.mjs', `${BASE}\n  fare_bucket: tft.bucketize(inputs.fare, 4),`, { cache: cache.uri })
    expect(second.outputs.updatedAnalyzerCache.customProperties).toMatchObject({ analyzers_reused: 4, analyzers_computed: 1 })
    const before = (await readTransformOutput(first.outputs.transformGraph.uri)).fitted
    const after = (await readTransformOutput(second.outputs.transformGraph.uri)).fitted
    for (const [id, value] of Object.entries(before.analyzers)) expect(after.analyzers[id]).toEqual(value)
    expect(Object.keys(after.analyzers)).toHaveLength(5)
    // The updated cache carries every entry forward.
    const [again] = await readdir(second.outputs.updatedAnalyzerCache.uri)
    expect(again).toBe(dataset)
    const carried = JSON.parse(await readFile(path.join(second.outputs.updatedAnalyzerCache.uri, again!, 'analyzers.json'), 'utf8')) as { entries: object }
    expect(Object.keys(carried.entries)).toHaveLength(5)
  })

  it('reads the values from the cache (a changed cached value shows in the fitted transform)', async () => {
    const first = await transform('plain.mjs', '  fare_mean: tft.mean(inputs.fare),')
    const uri = first.outputs.updatedAnalyzerCache.uri
    const [dataset] = await readdir(uri)
    const file = path.join(uri, dataset!, 'analyzers.json')
    const cached = JSON.parse(await readFile(file, 'utf8')) as { entries: Record<string, { value: { value: number } }> }
    for (const entry of Object.values(cached.entries)) entry.value.value = 1234.5
    await writeFile(file, JSON.stringify(cached))
    const second = await transform('plain-again.mjs', '  fare_mean: tft.mean(inputs.fare),', { cache: uri })
    expect((await readTransformOutput(second.outputs.transformGraph.uri)).transformRows([{ fare: 1 }])).toEqual([{ fare_mean: 1234.5 }])
  })

  it('does not reuse values computed over other data, and can be disabled', async () => {
    const first = await transform('train-only.mjs', BASE)
    const both = await transform('train-and-eval.mjs', BASE, { cache: first.outputs.updatedAnalyzerCache.uri, analyze: ['train', 'eval'] })
    expect(both.outputs.updatedAnalyzerCache.customProperties).toMatchObject({ analyzers_reused: 0, analyzers_computed: 4 })
    const disabled = await transform('disabled.mjs', BASE, { cache: first.outputs.updatedAnalyzerCache.uri, disable: true })
    expect(await readdir(disabled.outputs.updatedAnalyzerCache.uri)).toEqual(['ANALYZER_CACHE_DISABLED'])
  })
})
