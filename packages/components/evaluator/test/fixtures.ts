// Test data for the Evaluator component: examples with pre-computed predictions, and raw examples
// with a real Transform and tiny tfjs serving bundles of known quality.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Transform, readTransformOutput } from '@sluice/component-transform'
import { saveServingBundle, selectBackend } from '@sluice/component-trainer/bundle'
import { openDuckDB, sqlString, writeSplits } from '@sluice/data/examples'
import type { FeatureTypes } from '@sluice/data/examples'
import { runComponent } from '@sluice/testing'

/** Writes `query` (with a split index column `s`) as the splits of an Examples directory. */
export async function writeExamples(uri: string, query: string, featureTypes: FeatureTypes, splits = ['train', 'eval']): Promise<void> {
  await using db = await openDuckDB({ threads: 1 })
  await writeSplits(db.connection, { query, examplesUri: uri, splits, splitColumn: 's', featureTypes })
}

/**
 * 3,000 examples (a third in `eval`) with a label, a payment type, a good score rounded to two decimals
 * (many ties) and a worse baseline score, the score again as two class columns `probs_0`, `probs_1`
 * (the BulkInferrer's layout for an output with two values). Deterministic.
 */
export const PREDICTIONS_QUERY = `WITH base AS (
  SELECT i,
    CASE i % 4 WHEN 0 THEN 'Cash' WHEN 1 THEN 'Credit Card' WHEN 2 THEN 'Mobile' ELSE 'Dispute' END AS payment_type,
    (hash(i * 7 + 1) % 100 < 40)::INT AS label,
    (hash(i * 13 + 5) % 1000) / 1000.0 - 0.5 AS noise,
    (hash(i * 17 + 3) % 1000) / 1000.0 - 0.5 AS noise2
  FROM range(0, 3000) t(i))
SELECT payment_type, label,
  round(least(1, greatest(0, 0.5 + (label - 0.5) * 0.5 + noise * 0.7)), 2) AS score,
  round(least(1, greatest(0, 0.5 + (label - 0.5) * 0.2 + noise2 * 0.9)), 3) AS baseline_score,
  (i % 5 + 1)::DOUBLE AS weight,
  1 - score AS probs_0, score AS probs_1,
  (i % 3 = 0)::INT AS s
FROM base`

export const PREDICTIONS_TYPES: FeatureTypes = { payment_type: 'STRING', label: 'INT', score: 'FLOAT', baseline_score: 'FLOAT', weight: 'FLOAT', probs_0: 'FLOAT', probs_1: 'FLOAT' }

/** Raw rows: x1, x2 in [0, 1), colour, label y = x1 > x2; 2 rows in 7 in eval. */
const RAW_QUERY = `SELECT
  ((i * 7919) % 1000) / 1000.0 AS x1,
  ((i * 104729 + 13) % 997) / 997.0 AS x2,
  CASE i % 3 WHEN 0 THEN 'red' WHEN 1 THEN 'green' ELSE 'blue' END AS color,
  (((i * 7919) % 1000) / 1000.0 > ((i * 104729 + 13) % 997) / 997.0)::BIGINT AS y,
  (i % 7 >= 5)::INT AS s
FROM range(0, 600) t(i)`

const PREPROCESSING = `export function preprocessingFn(inputs, tft) {
  return {
    x1_xf: tft.scaleToZScore(inputs.x1),
    x2_xf: tft.scaleToZScore(inputs.x2),
    color_xf: tft.computeAndApplyVocabulary(inputs.color, { numOovBuckets: 1 }),
    y_xf: tft.cast(inputs.y, 'int'),
  }
}
`

/** Raw examples, their Transform, and a way to save logistic models `sigmoid(w1·x1_xf + w2·x2_xf + b)`. */
export interface ModelFixture {
  readonly rawExamplesUri: string
  /** Saves a model with these weights as a Model artifact directory and returns it. */
  saveModel(name: string, weights: readonly [number, number, number]): Promise<string>
}

export async function createModelFixture(dir: string): Promise<ModelFixture> {
  const rawExamplesUri = path.join(dir, 'raw')
  await writeExamples(rawExamplesUri, RAW_QUERY, { x1: 'FLOAT', x2: 'FLOAT', color: 'STRING', y: 'INT' })
  const schemaUri = path.join(dir, 'schema')
  await mkdir(schemaUri, { recursive: true })
  await writeFile(
    path.join(schemaUri, 'schema.json'),
    JSON.stringify({
      feature: [
        { name: 'x1', type: 'FLOAT' },
        { name: 'x2', type: 'FLOAT' },
        { name: 'color', type: 'BYTES' },
        { name: 'y', type: 'INT' },
      ],
    }),
  )
  const moduleFile = path.join(dir, 'preprocessing.mjs')
  await writeFile(moduleFile, PREPROCESSING)
  const { outputs } = await runComponent(Transform, {
    inputs: { examples: { uri: rawExamplesUri, properties: { splitNames: ['train', 'eval'] } }, schema: { uri: schemaUri } },
    parameters: { moduleFile, disableStatistics: true },
    root: path.join(dir, 'transform-root'),
  })
  const transformOutput = await readTransformOutput(outputs.transformGraph.uri)
  const { tf } = await selectBackend('wasm')
  return {
    rawExamplesUri,
    async saveModel(name, [w1, w2, b]) {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] })
      model.layers[0]!.setWeights([tf.tensor2d([[w1], [w2]]), tf.tensor1d([b])])
      const uri = path.join(dir, 'models', name)
      await saveServingBundle(model, path.join(uri, 'Format-Serving'), { inputs: ['x1_xf', 'x2_xf'], labelKey: 'y_xf', rawLabelKeys: ['y'], transformOutput, backend: 'wasm' })
      model.dispose()
      return uri
    },
  }
}

/** Reads rows of a split with DuckDB. */
export async function querySplit<T = Record<string, unknown>>(examplesUri: string, split: string, select: string): Promise<T[]> {
  await using db = await openDuckDB({ threads: 1 })
  await db.connection.run(`CREATE VIEW examples AS SELECT * FROM read_parquet(${sqlString(path.join(examplesUri, `Split-${split}`, '*.parquet'))})`)
  return (await db.connection.runAndReadAll(select)).getRowObjectsJS() as T[]
}
