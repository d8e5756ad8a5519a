// Transform in a pipeline on the local runner with its SQLite metadata store: the module file's
// contents are part of the cache key, so editing it re-runs Transform and what reads its output,
// and an unchanged pipeline is CACHED throughout.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Examples, Importer, Pipeline, Schema, StringArtifact, TransformGraph, component } from '@sluice/core'
import { LocalDagRunner } from '@sluice/runner'
import type { RunResult } from '@sluice/runner'
import { createTempDirectory } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { Transform, readTransformOutput } from '@sluice/component-transform'
import { writeExamples, writeSchemaDir } from './helpers.js'

let tmp: TempDirectory
let examplesUri: string
let schemaUri: string
let moduleFile: string

const ReadGraph = component({ name: 'ReadGraph', inputs: { graph: TransformGraph }, outputs: { outputs: StringArtifact } }, async ({ inputs }) => ({
  outputs: Object.keys((await readTransformOutput(inputs.graph.uri)).fitted.outputs).join(','),
}))

function pipeline(): Pipeline {
  const examples = Importer({ sourceUri: examplesUri, artifactType: Examples, properties: { splitNames: ['train', 'eval'] }, id: 'ImportExamples' })
  const schema = Importer({ sourceUri: schemaUri, artifactType: Schema, id: 'ImportSchema' })
  const transform = Transform({ examples: examples.outputs.result, schema: schema.outputs.result, moduleFile, customConfig: { scale: 2 } })
  const read = ReadGraph({ graph: transform.outputs.transformGraph })
  return new Pipeline({ name: 'transform-cache', root: path.join(tmp.path, 'root'), components: [examples, schema, transform, read] })
}

const statuses = (result: RunResult) => Object.fromEntries(Object.entries(result.nodes).map(([id, n]) => [id, n.status]))

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-transform-pipeline-')
  examplesUri = path.join(tmp.path, 'examples')
  const split = (n: number) => ({
    fare: { sqlType: 'DOUBLE' as const, featureType: 'FLOAT' as const, values: Array.from({ length: n }, (_, i) => i * 1.5) },
    payment: { sqlType: 'VARCHAR' as const, featureType: 'STRING' as const, values: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'Cash' : 'Card')) },
  })
  await writeExamples(examplesUri, { train: split(60), eval: split(30) })
  schemaUri = await writeSchemaDir(path.join(tmp.path, 'schema'), { fare: 'FLOAT', payment: 'BYTES' })
  moduleFile = path.join(tmp.path, 'preprocessing.ts')
  await writeFile(
    moduleFile,
    `import type { PreprocessingFn } from '@sluice/component-transform'\nexport const preprocessingFn: PreprocessingFn = (inputs, tft, config) => ({\n  fare_xf: tft.mul(tft.scaleToZScore(inputs.fare!), config.scale as number),\n})\n`,
  )
})

afterAll(async () => {
  await tmp?.remove()
})

describe('Transform in a pipeline', () => {
  it('re-runs Transform and its downstream when the module file changes, and is CACHED when nothing does', async () => {
    const cwd = tmp.path
    const first = await new LocalDagRunner().run(pipeline(), { cwd })
    expect(first.status, JSON.stringify(Object.values(first.nodes).map((n) => n.error?.message).filter(Boolean))).toBe('COMPLETE')
    expect(statuses(first)).toEqual({ ImportExamples: 'COMPLETE', ImportSchema: 'COMPLETE', Transform: 'COMPLETE', ReadGraph: 'COMPLETE' })
    expect(await readFile(first.nodes.ReadGraph!.outputs.outputs![0]!.uri, 'utf8')).toBe('fare_xf')

    const second = await new LocalDagRunner().run(pipeline(), { cwd })
    expect(statuses(second)).toEqual({ ImportExamples: 'CACHED', ImportSchema: 'CACHED', Transform: 'CACHED', ReadGraph: 'CACHED' })
    expect(second.nodes.Transform!.outputs.transformGraph![0]!.id).toBe(first.nodes.Transform!.outputs.transformGraph![0]!.id)

    await writeFile(moduleFile, (await readFile(moduleFile, 'utf8')).replace('fare_xf:', 'fare_xf: tft.scaleToZScore(inputs.fare!),\n  fare_scaled:'))
    const third = await new LocalDagRunner().run(pipeline(), { cwd })
    expect(statuses(third)).toEqual({ ImportExamples: 'CACHED', ImportSchema: 'CACHED', Transform: 'COMPLETE', ReadGraph: 'COMPLETE' })
    expect(await readFile(third.nodes.ReadGraph!.outputs.outputs![0]!.uri, 'utf8')).toBe('fare_xf,fare_scaled')

    const fourth = await new LocalDagRunner().run(pipeline(), { cwd })
    expect(Object.values(statuses(fourth)).every((s) => s === 'CACHED')).toBe(true)
  })
})
