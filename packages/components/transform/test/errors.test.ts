// A bad user module fails the node with an error naming the module and the problem.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempDirectory, runComponent } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import { openDuckDB, writeSplits } from '@sluice/data/examples'
import { Transform, TransformError, tft, traceTransform } from '@sluice/component-transform'
import { writeExamples, writeSchemaDir } from './helpers.js'

let tmp: TempDirectory
let examplesUri: string
let listExamplesUri: string
let schemaUri: string

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-transform-errors-')
  examplesUri = path.join(tmp.path, 'examples')
  await writeExamples(examplesUri, {
    train: {
      fare: { sqlType: 'DOUBLE', featureType: 'FLOAT', values: [1, 2, 3, null] },
      payment_type: { sqlType: 'VARCHAR', featureType: 'STRING', values: ['Cash', 'Cash', 'Credit Card', null] },
    },
  })
  listExamplesUri = path.join(tmp.path, 'list-examples')
  await using db = await openDuckDB({ threads: 1 })
  await writeSplits(db.connection, {
    query: `SELECT i::DOUBLE AS fare, [i, i + 1]::DOUBLE[] AS readings FROM range(0, 10) t(i)`,
    examplesUri: listExamplesUri,
    splits: ['train'],
    featureTypes: { fare: 'FLOAT', readings: 'FLOAT' },
  })
  schemaUri = await writeSchemaDir(path.join(tmp.path, 'schema'), { fare: 'FLOAT', payment_type: 'BYTES' })
})

afterAll(async () => {
  await tmp?.remove()
})

async function run(source: string, name: string, uri = examplesUri) {
  const moduleFile = path.join(tmp.path, name)
  await writeFile(moduleFile, source)
  return runComponent(Transform, {
    inputs: { examples: { uri, properties: { splitNames: ['train'] } }, schema: { uri: schemaUri } },
    parameters: { moduleFile, disableStatistics: true },
  })
}

describe('Transform fails the node with the module and the problem named', () => {
  it('when the module has no preprocessingFn export', async () => {
    await expect(run('export const preprocessing = () => ({})\n', 'no-export.mjs')).rejects.toMatchObject({
      message: expect.stringMatching(/no-export\.mjs must export a function "preprocessingFn", but it has no such export \(exports: preprocessing\)/),
      code: 'SLUICE_MODULE_FILE_MISSING_EXPORT',
    })
  })

  it('when preprocessingFn throws', async () => {
    const error = run('export function preprocessingFn(inputs, tft) {\n  throw new Error("no fare today")\n}\n', 'throws.mjs')
    await expect(error).rejects.toMatchObject({
      message: expect.stringMatching(/^Transform: preprocessingFn in .*throws\.mjs threw: no fare today/),
      code: 'SLUICE_TRANSFORM_PREPROCESSING_FN_FAILED',
    })
  })

  it('when an analyzer gets an input it cannot analyse (the mean of a string feature)', async () => {
    const error = run('export function preprocessingFn(inputs, tft) {\n  return { payment_xf: tft.scaleToZScore(inputs.payment_type) }\n}\n', 'mean-of-string.mjs')
    await expect(error).rejects.toMatchObject({
      message: expect.stringMatching(/Transform: output "payment_xf": tft\.(mean|var) needs numbers, but its input is feature "payment_type", which is STRING\. Cast it with tft\.cast/),
      code: 'SLUICE_TRANSFORM_ANALYZER_FAILED',
    })
  })

  it('when it returns something that is not an object of columns', async () => {
    await expect(run('export function preprocessingFn(inputs, tft) {\n  return tft.mean(inputs.fare)\n}\n', 'column.mjs')).rejects.toMatchObject({
      message: expect.stringMatching(/preprocessingFn in .*column\.mjs must return an object of output name to column.*but returned an object/),
      code: 'SLUICE_TRANSFORM_BAD_OUTPUT',
    })
    await expect(run('export async function preprocessingFn(inputs, tft) {\n  return { fare: inputs.fare }\n}\n', 'async.mjs')).rejects.toThrow(/async\.mjs returned a Promise; it must be synchronous/)
  })

  it('when an output is not a column, naming the key', async () => {
    await expect(run('export function preprocessingFn(inputs, tft) {\n  return { fare_xf: tft.scaleToZScore(inputs.fare), bonus: 3 }\n}\n', 'number.mjs')).rejects.toMatchObject({
      message: expect.stringMatching(/output "bonus" of preprocessingFn in .*number\.mjs is not a column: got number 3\. Return columns: inputs, results of tft functions, or tft\.constant\(value\)/),
      code: 'SLUICE_TRANSFORM_BAD_OUTPUT',
    })
    await expect(run('export function preprocessingFn(inputs, tft) {\n  return { vocab: tft.vocabulary(inputs.payment_type) }\n}\n', 'vocab.mjs')).rejects.toThrow(
      /output "vocab" .* is not a column: got a vocabulary \(the result of tft\.vocabulary\)\. Apply it: tft\.applyVocabulary/,
    )
  })

  it('when it reads a feature the examples do not have', async () => {
    await expect(run('export function preprocessingFn(inputs, tft) {\n  return { x: inputs.Fare }\n}\n', 'unknown.mjs')).rejects.toMatchObject({
      message: expect.stringMatching(/preprocessingFn in .*unknown\.mjs reads input "Fare", which the examples do not have \(they have fare, payment_type\)/),
      code: 'SLUICE_TRANSFORM_UNKNOWN_INPUT',
    })
  })

  it('when it reads a list (multivalent) feature', async () => {
    await expect(run('export function preprocessingFn(inputs, tft) {\n  return { r: tft.scaleToZScore(inputs.readings), f: inputs.fare }\n}\n', 'list.mjs', listExamplesUri)).rejects.toMatchObject({
      message: expect.stringMatching(/reads list \(multivalent\) feature "readings" \(DOUBLE\[\], read by output "r"\); Transform supports features with one value per example/),
      code: 'SLUICE_TRANSFORM_LIST_FEATURE',
    })
    // A transform that leaves the list feature alone runs.
    await expect(run('export function preprocessingFn(inputs, tft) {\n  return { f: tft.scaleToZScore(inputs.fare) }\n}\n', 'no-list.mjs', listExamplesUri)).resolves.toBeDefined()
  })

  it('library-level: TransformError is a SluiceError with a code and a fix', () => {
    let error: unknown
    try {
      traceTransform(() => ({ x: tft.constant(1), y: null as never }), { source: 'inline.ts' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TransformError)
    expect(error).toMatchObject({ code: 'SLUICE_TRANSFORM_BAD_OUTPUT', fix: expect.stringContaining('tft.constant'), name: 'TransformError' })
  })
})
