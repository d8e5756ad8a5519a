import fs from 'node:fs/promises'
import path from 'node:path'
import type { AnyComponent, Artifact, ExecutionContext, JsonValue } from '@sluice/core'
import { ExecutorError, encodeValue, loadExecutor } from '@sluice/core'
import { hasContent } from './fingerprint.js'

/** The arguments of one executor call, before the executor runs. */
export interface Invocation {
  readonly component: AnyComponent
  readonly nodeId: string
  readonly inputs: Readonly<Record<string, Artifact | Artifact[] | undefined>>
  readonly outputs: Readonly<Record<string, Artifact>>
  readonly parameters: Readonly<Record<string, JsonValue>>
  readonly context: ExecutionContext
}

/** What an executor call produced: output artifacts (with the properties it set) and value payloads. */
export interface InvocationResult {
  readonly outputs: Readonly<Record<string, Artifact>>
  readonly values: Readonly<Record<string, JsonValue>>
}

/**
 * Runs a component's executor once and enforces the executor contract: value outputs get the value
 * the executor returned written to their file, and every other declared output must hold something.
 * In-process runs and `sluice-exec` both come through here, so they behave the same.
 */
export async function invokeExecutor(invocation: Invocation): Promise<InvocationResult> {
  const { component, nodeId } = invocation
  const executor = await loadExecutor(component.executor, component.name)
  const parameters = component.parameters.parse(invocation.parameters) as Record<string, JsonValue>
  const result = await executor({ inputs: invocation.inputs, outputs: invocation.outputs, parameters, context: invocation.context } as never)
  const returned = (result && typeof result === 'object' ? (result as { values?: Record<string, JsonValue> }).values : undefined) ?? {}
  const values: Record<string, JsonValue> = {}
  for (const [key, artifact] of Object.entries(invocation.outputs)) {
    if (artifact.type.valueKind !== undefined) {
      if (!(key in returned) || returned[key] === undefined) {
        throw new ExecutorError(`Node "${nodeId}" (${component.name}) did not return a value for its ${artifact.type.name} output "${key}".`, {
          code: 'SLUICE_OUTPUT_MISSING',
          fix: `Return { ${key}: … } from the executor.`,
        })
      }
      await fs.mkdir(path.dirname(artifact.uri), { recursive: true })
      await fs.writeFile(artifact.uri, encodeValue(artifact.type, returned[key]))
      values[key] = returned[key]!
    } else if (!(await hasContent(artifact.uri))) {
      throw new ExecutorError(`Node "${nodeId}" (${component.name}) wrote nothing to its declared output "${key}" at ${artifact.uri}.`, {
        code: 'SLUICE_OUTPUT_MISSING',
        fix: `Write the ${artifact.type.name} files into outputs.${key}.uri.`,
      })
    }
  }
  return { outputs: invocation.outputs, values }
}
