import fs from 'node:fs/promises'
import path from 'node:path'
import type { JsonValue } from '@sluice/core'
import { InfraValidatorError } from './errors.js'
import { readInstances, readSignature } from './requests.js'
import { dockerLauncher } from './server/docker-server.js'
import { processLauncher } from './server/process-server.js'
import type { ServerLauncher } from './server/server.js'
import type { InfraValidatorArgs } from './spec.js'
import { validateOnce } from './validate.js'

/** The marker file of a model that loaded (and answered) in the server. */
export const INFRA_BLESSED_FILE = 'INFRA_BLESSED'
/** The marker file of a model that did not. */
export const INFRA_NOT_BLESSED_FILE = 'INFRA_NOT_BLESSED'
/** The server's output of every failed try, in the blessing's directory. */
export const SERVER_LOG_FILE = 'server.log'
/** The lines of server output a failed try copies into the node's log. */
const LOG_TAIL_LINES = 30

/**
 * The serving bundle of a Model: its `Format-Serving/` directory, or the uri itself when it has
 * none (a model imported from elsewhere), as TFX's `serving_model_path`.
 */
async function servingBundleDir(uri: string): Promise<string> {
  const candidate = path.join(uri, 'Format-Serving')
  if ((await fs.stat(candidate).catch(() => undefined))?.isDirectory()) return candidate
  if ((await fs.stat(uri).catch(() => undefined))?.isDirectory()) return uri
  throw new InfraValidatorError('SLUICE_INFRA_MODEL_MISSING', `InfraValidator: the model at ${uri} does not exist.`, {
    fix: 'Check that the Model artifact was not deleted (npx sluice artifacts).',
  })
}

/**
 * InfraValidator's executor: copies the model's serving bundle to `{tmpDir}/…/{modelName}/1/`, starts
 * the model server on it (child process or container), waits until the model is AVAILABLE and, in
 * LOAD_AND_QUERY, sends a predict request; up to `numTries` times. Writes `INFRA_BLESSED` or
 * `INFRA_NOT_BLESSED` and the `blessed` custom property (plus `failure_reason`), and `server.log`
 * when a try failed. Exported so that it can be extended (`InfraValidator.withExecutor(…)`).
 */
export default async function infraValidatorExecutor({ inputs, outputs, parameters, context }: InfraValidatorArgs): Promise<void> {
  const { servingSpec, validationSpec, requestSpec } = parameters
  const { logger, signal } = context
  const { modelName } = servingSpec
  const bundleDir = await servingBundleDir(inputs.model.uri)
  const blessing = outputs.blessing
  await fs.mkdir(blessing.uri, { recursive: true })

  let instances: Record<string, JsonValue>[] | undefined
  let launcher: ServerLauncher | undefined
  const failedTries: string[] = []
  const finish = async (reason: string | undefined): Promise<void> => {
    if (failedTries.length > 0) await fs.writeFile(path.join(blessing.uri, SERVER_LOG_FILE), failedTries.join('\n'))
    await fs.writeFile(path.join(blessing.uri, reason === undefined ? INFRA_BLESSED_FILE : INFRA_NOT_BLESSED_FILE), '')
    const custom: Record<string, JsonValue> = { blessed: reason === undefined ? 1 : 0 }
    if (reason !== undefined) custom.failure_reason = reason
    Object.assign(blessing.customProperties, custom)
    if (reason === undefined) logger.info(`${INFRA_BLESSED_FILE}: model "${modelName}" loaded${instances ? ' and answered' : ''} in ${launcher?.description ?? 'the server'}.`)
    else logger.warn(`${INFRA_NOT_BLESSED_FILE}: ${reason}${failedTries.length > 0 ? ` The server's output is in ${path.join(blessing.uri, SERVER_LOG_FILE)}.` : ''}`)
    context.progress(1, reason === undefined ? 'infra blessed' : 'not infra blessed')
  }

  // The request is built before any server starts: a split or feature the examples lack is a wiring
  // mistake to fail on at once, not a property of the model.
  if (requestSpec && inputs.examples) {
    const read = await readSignature(bundleDir)
    if ('problem' in read) return finish(read.problem)
    instances = await readInstances(inputs.examples, requestSpec.splitName, requestSpec.numExamples, read.signature)
    logger.info(`LOAD_AND_QUERY: ${instances.length} row(s) of split "${requestSpec.splitName}" will be sent to :predict.`)
  } else {
    if (requestSpec) logger.warn('requestSpec is set but no examples are wired, so the model is only loaded (LOAD_ONLY). Wire examples to query it.')
    else if (inputs.examples) logger.info('examples are wired but requestSpec is not set, so the model is only loaded (LOAD_ONLY). Set requestSpec: {} to query it.')
    else logger.info('LOAD_ONLY: the model is loaded, not queried.')
  }

  // The server loads a copy in a scratch directory laid out as a model base path (`{name}/{version}/`),
  // exactly as a pushed model is served; symlinks are followed so a container sees real files.
  const modelBasePath = path.join(context.tmpDir, 'infra-validator', 'models', modelName)
  await fs.rm(modelBasePath, { recursive: true, force: true })
  await fs.cp(bundleDir, path.join(modelBasePath, '1'), { recursive: true, dereference: true })
  context.progress(0.05, 'model copied')

  launcher = servingSpec.docker
    ? await dockerLauncher({
        ...servingSpec.docker,
        labels: {
          'sluice.node': context.nodeId,
          'sluice.pipeline': context.pipelineName,
          'sluice.run': context.runId,
          'sluice.execution': String(context.executionId),
        },
      })
    : processLauncher()

  const { numTries } = validationSpec
  let reason: string | undefined
  for (let attempt = 1; attempt <= numTries; attempt++) {
    signal.throwIfAborted()
    logger.info(`Try ${attempt} of ${numTries}: serving model "${modelName}" from ${bundleDir} in ${launcher.description}.`)
    const span = 0.9 / numTries
    const outcome = await validateOnce({
      launcher,
      modelName,
      modelBasePath,
      maxLoadingTimeMs: validationSpec.maxLoadingTimeSeconds * 1000,
      ...(instances ? { instances } : {}),
      signal,
      logger,
      progress: (fraction, message) => context.progress(0.05 + span * (attempt - 1 + fraction), `try ${attempt}/${numTries}: ${message}`),
    })
    if (outcome.ok) {
      reason = undefined
      break
    }
    const fix = launcher.explain?.(outcome.log)
    reason = fix === undefined ? outcome.reason : `${outcome.reason} ${fix}`
    const tail = outcome.log.slice(-LOG_TAIL_LINES)
    logger.warn(`Try ${attempt} of ${numTries} failed: ${reason}${tail.length > 0 ? `\nLast output of ${outcome.label}:\n${tail.join('\n')}` : ` ${outcome.label} printed nothing.`}`)
    failedTries.push(`# Try ${attempt} of ${numTries}, ${outcome.label}: ${reason}\n${outcome.log.join('\n')}\n`)
  }
  await finish(reason)
}
