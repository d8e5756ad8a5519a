// A tiny real serving bundle (a tfjs model over two raw features, as the Trainer writes it) and raw
// examples to query it with, plus broken copies of the bundle.
import { cp, rm, stat, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { saveServingBundle, selectBackend } from '@sluice/component-trainer/bundle'
import type { TfModule } from '@sluice/component-trainer/bundle'
import { openDuckDB, writeSplits } from '@sluice/data/examples'
import { InfraBlessing, Model } from '@sluice/core'
import type { ExecutionContext } from '@sluice/core'
import { createTempDirectory } from '@sluice/testing'
import type { TempDirectory } from '@sluice/testing'
import type { InfraValidatorArgs, InfraValidatorParameters } from '../src/index.js'
import { infraValidatorParameters } from '../src/spec.js'

/** A Model artifact directory and an Examples artifact directory. */
export interface InfraFixture {
  readonly tmp: TempDirectory
  /** A Model artifact's uri: `Format-Serving/` holds the bundle. */
  readonly modelUri: string
  /** Raw examples (x1, x2, color, y) with splits train and eval. */
  readonly examplesUri: string
  /** A copy of the model broken by `breakIt(Format-Serving dir)`. */
  brokenModel(name: string, breakIt: (bundleDir: string) => Promise<void>): Promise<string>
}

/** Builds the model (x1, x2 → sigmoid) and 30 rows of raw examples. */
export async function createInfraFixture(): Promise<InfraFixture> {
  const tmp = await createTempDirectory('sluice-infra-validator-test-')
  const modelUri = path.join(tmp.path, 'model')
  const { tf } = await selectBackend('cpu')
  const input = tf.input({ shape: [2], name: 'features' })
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(input) as InstanceType<TfModule['SymbolicTensor']>
  const model = tf.model({ inputs: input, outputs: output })
  await saveServingBundle(model, path.join(modelUri, 'Format-Serving'), { inputs: ['x1', 'x2'], rawFeatureTypes: { x1: 'FLOAT', x2: 'FLOAT' }, labelKey: 'y', backend: 'cpu' })
  model.dispose()

  const examplesUri = path.join(tmp.path, 'examples')
  {
    await using db = await openDuckDB({ threads: 1 })
    await writeSplits(db.connection, {
      query: `SELECT (i % 10) / 10.0 AS x1, ((i * 7) % 10) / 10.0 AS x2, CASE i % 2 WHEN 0 THEN 'red' ELSE 'blue' END AS color, (i % 3 = 0)::BIGINT AS y, (i % 3 = 2)::INT AS s FROM range(0, 30) t(i)`,
      examplesUri,
      splits: ['train', 'eval'],
      splitColumn: 's',
      featureTypes: { x1: 'FLOAT', x2: 'FLOAT', color: 'STRING', y: 'INT' },
    })
  }
  const brokenModel = async (name: string, breakIt: (bundleDir: string) => Promise<void>) => {
    const uri = path.join(tmp.path, name)
    await cp(modelUri, uri, { recursive: true })
    await breakIt(path.join(uri, 'Format-Serving'))
    return uri
  }
  return { tmp, modelUri, examplesUri, brokenModel }
}

/**
 * Cuts the weights in half: `weights.bin` (tfjs) and `model.onnx` (its initializers), so the model
 * cannot load whichever runtime the server picks.
 */
export async function truncateWeights(bundleDir: string): Promise<void> {
  for (const name of ['weights.bin', 'model.onnx']) {
    const file = path.join(bundleDir, name)
    const size = (await stat(file).catch(() => undefined))?.size
    if (size !== undefined) await truncate(file, Math.floor(size / 2))
  }
}

/** A tfjs-only bundle (no `model.onnx`, as for models the Trainer cannot export) whose model.json is not JSON. */
export async function garbageModelJson(bundleDir: string): Promise<void> {
  await rm(path.join(bundleDir, 'model.onnx'), { force: true })
  await writeFile(path.join(bundleDir, 'model.json'), 'this is not a model {')
}

/** Whether a process with this pid still exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The argument of InfraValidator's executor, called directly (not through the runner) so that a test
 * holds the abort signal. `onLog` sees every `[level] message` line.
 */
export function executorArgs(dir: string, modelUri: string, parameters: InfraValidatorParameters, signal: AbortSignal, onLog: (line: string) => void): InfraValidatorArgs {
  const log = (level: string) => (message: string) => onLog(`[${level}] ${message}`)
  const context: ExecutionContext = {
    pipelineName: 'test',
    pipelineRoot: dir,
    runId: 'run',
    nodeId: 'infra',
    executionId: 1,
    tmpDir: path.join(dir, 'tmp'),
    signal,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    progress: () => {},
  }
  return {
    inputs: { model: { id: 1, type: Model, uri: modelUri, properties: {}, customProperties: {} }, examples: undefined },
    outputs: { blessing: { id: undefined, type: InfraBlessing, uri: path.join(dir, 'blessing'), properties: {}, customProperties: {} } },
    parameters: infraValidatorParameters.parse(parameters),
    context,
  } as unknown as InfraValidatorArgs
}
