// LOAD_AND_QUERY's request: the first rows of a split of the raw examples, reduced to the raw features
// the model's serving signature lists, as TF Serving's row format (`{ "instances": [{…}, …] }`).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Artifact, Examples, JsonValue } from '@sluice/core'
import { isSluiceError } from '@sluice/core'
import { SIGNATURE_FILE, parseServingSignature } from '@sluice/component-trainer/bundle'
import type { ServingSignature } from '@sluice/component-trainer/bundle'
import { examplesSplitNames, openDuckDB, openSplitView, sqlIdentifier } from '@sluice/data/examples'
import { InfraValidatorError } from './errors.js'

/**
 * The serving signature of the bundle in `bundleDir`. A missing or unreadable signature is a defect
 * of the model, so the error is returned as a reason, not thrown.
 */
export async function readSignature(bundleDir: string): Promise<{ signature: ServingSignature } | { problem: string }> {
  const file = path.join(bundleDir, SIGNATURE_FILE)
  try {
    return { signature: parseServingSignature(JSON.parse(await readFile(file, 'utf8')), file) }
  } catch (error) {
    return { problem: `the model's serving signature cannot be read: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/**
 * Up to `numExamples` rows of split `splitName` of the examples, in file order, with exactly the raw
 * features of the signature's inputs (so the label and anything else the model does not read stay out).
 */
export async function readInstances(examples: Artifact<typeof Examples>, splitName: string, numExamples: number, signature: ServingSignature): Promise<Record<string, JsonValue>[]> {
  await using db = await openDuckDB({ threads: 1 })
  let view
  try {
    view = await openSplitView(db.connection, examples.uri, splitName, { view: 'infra_validation_requests' })
  } catch (cause) {
    if (!isSluiceError(cause)) throw cause
    const splits = await examplesSplitNames(examples)
    throw new InfraValidatorError('SLUICE_INFRA_EXAMPLES_INVALID', `InfraValidator: requestSpec.splitName is "${splitName}", but ${cause.message}`, {
      cause,
      fix: splits.length > 0 ? `Set requestSpec.splitName to one of the examples' splits: ${splits.join(', ')}.` : 'Wire the examples an ExampleGen wrote.',
    })
  }
  const columns = new Set(view.columns.map((c) => c.name))
  const missing = signature.inputs.filter((input) => !columns.has(input.name)).map((input) => input.name)
  if (missing.length > 0) {
    throw new InfraValidatorError(
      'SLUICE_INFRA_EXAMPLES_INVALID',
      `InfraValidator: the model's serving signature asks for raw feature(s) ${missing.map((m) => `"${m}"`).join(', ')}, which split "${splitName}" of the examples at ${examples.uri} does not have.`,
      { fix: "Wire the raw examples the model serves (ExampleGen's output), not transformed ones." },
    )
  }
  if (view.numRows === 0) {
    throw new InfraValidatorError('SLUICE_INFRA_EXAMPLES_INVALID', `InfraValidator: split "${splitName}" of the examples at ${examples.uri} has no rows to build requests from.`, {
      fix: 'Pick a split with rows (requestSpec.splitName).',
    })
  }
  const select = signature.inputs.map((input) => sqlIdentifier(input.name)).join(', ')
  const reader = await db.connection.runAndReadAll(`SELECT ${select} FROM ${sqlIdentifier(view.view)} LIMIT ${numExamples}`)
  return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, toJson(value)])))
}

/** A DuckDB value as JSON: integers beyond 2^53 lose precision as they would in any JSON client. */
function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8')
  if (Array.isArray(value)) return value.map(toJson)
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]))
  return String(value)
}
