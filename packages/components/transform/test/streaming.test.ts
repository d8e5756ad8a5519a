// Materialisation streams a split through the transform chunk by chunk: a split of many chunks (and
// several input files) comes out complete, in order, with the values applyTransform gives.
import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { openDuckDB, openSplitView } from '@sluice/data/examples'
import { Transform, applyTransform, fitOnSplits, outputTypes, readTransformOutput, tft } from '@sluice/component-transform'
import { compileColumns } from '../src/evaluate.js'
import type { Col } from '../src/evaluate.js'
import { registerTransformFunction } from '../src/materialize.js'
import { firstDifference, materialisedForm, readSplit, writeExamples, writeSchemaDir } from './helpers.js'
import type { RawColumn } from './helpers.js'

const TRAIN_ROWS = 12_345
const EVAL_ROWS = 5_003

function rows(n: number, offset: number): Record<string, RawColumn> {
  return {
    id: { sqlType: 'BIGINT', featureType: 'INT', values: Array.from({ length: n }, (_, i) => offset + i) },
    x: { sqlType: 'DOUBLE', featureType: 'FLOAT', values: Array.from({ length: n }, (_, i) => (i % 97 === 0 ? null : Math.sin(offset + i) * 100)) },
    city: { sqlType: 'VARCHAR', featureType: 'STRING', values: Array.from({ length: n }, (_, i) => (i % 31 === 0 ? null : `city-${(i * 7919) % 250}`)) },
  }
}

const MODULE = `export function preprocessingFn(inputs, tft) {
  return {
    id: inputs.id,
    x_z: tft.scaleToZScore(inputs.x),
    x_bucket: tft.bucketize(inputs.x, 5),
    city_xf: tft.computeAndApplyVocabulary(inputs.city, { topK: 100, numOovBuckets: 4 }),
    city_z: tft.scaleToZScorePerKey(inputs.x, inputs.city),
  }
}
`

let tmp: TempDirectory
let examplesUri: string
let schemaUri: string

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-transform-streaming-')
  examplesUri = path.join(tmp.path, 'examples')
  // Several input files per split: order must hold across them too.
  await writeExamples(examplesUri, { train: rows(TRAIN_ROWS, 0), eval: rows(EVAL_ROWS, 1_000_000) }, { rowsPerFile: 4_000 })
  schemaUri = await writeSchemaDir(path.join(tmp.path, 'schema'), { id: 'INT', x: 'FLOAT', city: 'BYTES' })
})

afterAll(async () => {
  await tmp?.remove()
})

describe('streaming materialisation', () => {
  it('writes a split of many chunks and several files completely, in order, with applyTransform values', async () => {
    expect((await readdir(path.join(examplesUri, 'Split-train'))).length).toBe(4)
    const moduleFile = path.join(tmp.path, 'preprocessing.mjs')
    await writeFile(moduleFile, MODULE)
    const { outputs } = await runComponent(Transform, {
      inputs: { examples: { uri: examplesUri, properties: { splitNames: ['train', 'eval'] } }, schema: { uri: schemaUri } },
      parameters: { moduleFile, disableStatistics: true },
    })
    const output = await readTransformOutput(outputs.transformGraph.uri)
    await using db = await openDuckDB({ threads: 2 })
    for (const [split, count, offset] of [['train', TRAIN_ROWS, 0], ['eval', EVAL_ROWS, 1_000_000]] as const) {
      const written = await readSplit(db.connection, outputs.transformedExamples.uri, split)
      expect(written).toHaveLength(count)
      expect(written.map((r) => Number(r.id))).toEqual(Array.from({ length: count }, (_, i) => offset + i))
      const raw = await readSplit(db.connection, examplesUri, split)
      const expected = applyTransform(output.fitted, raw).map((r) => materialisedForm(r, output.transformedFeatureTypes))
      expect(firstDifference(written, expected)).toBeUndefined()
    }
    expect(outputs.transformGraph.customProperties.transformed_rows).toBe(TRAIN_ROWS + EVAL_ROWS)
  })

  it('calls the compiled transform once per DuckDB chunk, never with the whole split', async () => {
    await using db = await openDuckDB({ threads: 2 })
    const fitted = await fitOnSplits(db.connection, examplesUri, 'train', (inputs) => ({ id: inputs.id!, z: tft.scaleToZScore(inputs.x!) }))
    const view = await openSplitView(db.connection, examplesUri, 'train', { view: 'columns' })
    const types = outputTypes(fitted, view.featureTypes)
    const compiled = compileColumns(fitted)
    let largest = 0
    const counting = { ...compiled, run: (columns: readonly Col[], n: number) => ((largest = Math.max(largest, n)), compiled.run(columns, n)) }
    const fn = registerTransformFunction(db.connection, counting, types, new Map(view.columns.map((c) => [c.name, c])))
    const count = await fn.materialize(examplesUri, 'train', path.join(tmp.path, 'direct'))
    expect(count).toBe(TRAIN_ROWS)
    expect(fn.chunks).toBeGreaterThanOrEqual(Math.ceil(TRAIN_ROWS / 2048))
    expect(largest).toBeLessThanOrEqual(2048)
  })
})
