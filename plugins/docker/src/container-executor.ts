import fs from 'node:fs/promises'
import path from 'node:path'
import type { Artifact, ExecutorArgs, ExecutorResult, JsonValue } from '@sluice/core'
import { ExecutorError, decodeValue } from '@sluice/core'
import type { ContainerDefinition } from './container-component.js'
import type { Mount } from './engine.js'
import { runContainer, tailText } from './engine.js'
import { DockerError } from './errors.js'
import { containerRunSettings, containerUser } from './options.js'
import type { ResolutionContext } from './placeholders.js'
import { resolveCommand } from './placeholders.js'

/** The executor of every container component: resolves the placeholders, runs the container, reads value outputs. */
export async function executeContainer(definition: ContainerDefinition, args: ExecutorArgs): Promise<ExecutorResult | void> {
  const { spec, options, name } = definition
  const { context } = args
  const subject = `Node "${context.nodeId}" (container component "${name}")`
  const inputs: Record<string, Artifact[]> = {}
  for (const key of Object.keys(definition.inputs)) {
    const given = (args.inputs as Record<string, Artifact | Artifact[] | undefined>)[key]
    inputs[key] = given === undefined ? [] : Array.isArray(given) ? given : [given]
  }
  const outputs = args.outputs as Record<string, Artifact>
  const resolution: ResolutionContext = { component: name, inputs, outputs, parameters: args.parameters as Record<string, unknown> }
  const command = resolveCommand(spec.command, resolution)
  const cmd = resolveCommand(spec.args, resolution)
  const env: Record<string, string> = {}
  for (const [key, part] of Object.entries(spec.env)) env[key] = resolveCommand([part], resolution).join('')

  const mounts = await artifactMounts(subject, inputs, outputs)
  for (const extra of options.extraMounts ?? []) mounts.push({ source: extra.source, target: extra.target ?? extra.source, readOnly: extra.readOnly ?? true })

  context.logger.info(`running ${spec.image}: ${JSON.stringify([...command, ...cmd])}`)
  const user = containerUser(options.user)
  const exit = await runContainer({
    subject,
    image: spec.image,
    pull: options.pull ?? 'if-missing',
    entrypoint: command,
    cmd,
    env,
    mounts,
    ...(user === undefined ? {} : { user }),
    ...(options.workingDir === undefined ? {} : { workingDir: options.workingDir }),
    labels: {
      'sluice.node': context.nodeId,
      'sluice.component': name,
      'sluice.pipeline': context.pipelineName,
      'sluice.run': context.runId,
      'sluice.execution': String(context.executionId),
    },
    name: `sluice-${context.nodeId}-${context.executionId}`,
    ...containerRunSettings(options),
    signal: context.signal,
    onLine: (stream, line) => (stream === 'stdout' ? context.logger.info(line) : context.logger.warn(line)),
  })
  if (exit.exitCode !== 0) {
    const oom = exit.oomKilled ? ` It was killed for exceeding its memory limit (${String(options.memory)}).` : ''
    throw new DockerError('SLUICE_CONTAINER_EXIT', `${subject}: image ${spec.image} exited with code ${exit.exitCode}.${oom}${tailText(exit.tail)}`, {
      ...(exit.oomKilled ? { fix: 'Raise its memory option.' } : {}),
    })
  }

  // Value outputs are files the container wrote; the runner re-encodes what we return into them.
  const values: Record<string, JsonValue> = {}
  for (const [key, artifact] of Object.entries(outputs)) {
    if (artifact.type.valueKind === undefined) continue
    let text: string
    try {
      text = await fs.readFile(artifact.uri, 'utf8')
    } catch {
      throw new ExecutorError(`${subject} wrote no value to its ${artifact.type.name} output "${key}" at ${artifact.uri}.`, {
        code: 'SLUICE_OUTPUT_MISSING',
        fix: `Write the value into the file outputs.${key}.uri.`,
      })
    }
    values[key] = decodeValue(artifact.type, text)
  }
  return Object.keys(values).length > 0 ? { values } : undefined
}

/**
 * Inputs read-only and outputs read-write, at the same absolute paths. A value artifact is a file:
 * an input is mounted as that file, an output through its parent directory, so the container can
 * create the file.
 */
async function artifactMounts(subject: string, inputs: Record<string, Artifact[]>, outputs: Record<string, Artifact>): Promise<Mount[]> {
  const mounts = new Map<string, Mount>()
  for (const [key, list] of Object.entries(inputs)) {
    for (const artifact of list) {
      const source = path.resolve(artifact.uri)
      try {
        await fs.stat(source)
      } catch {
        throw new DockerError('SLUICE_CONTAINER_MOUNT', `${subject}: input "${key}" (${artifact.type.name}) is at ${source}, which does not exist, so it cannot be mounted.`)
      }
      if (!mounts.has(source)) mounts.set(source, { source, target: source, readOnly: true })
    }
  }
  for (const artifact of Object.values(outputs)) {
    const source = path.resolve(artifact.type.valueKind === undefined ? artifact.uri : path.dirname(artifact.uri))
    await fs.mkdir(source, { recursive: true })
    mounts.set(source, { source, target: source, readOnly: false })
  }
  return [...mounts.values()]
}
