import type { AnyComponent, Artifact, ExecutorInput, ExecutorOutput, JsonValue } from '@sluice/core'
import { ExecutorError, describeInput, fromRuntimeArtifact, toRuntimeArtifact } from '@sluice/core'
import type { Invocation, InvocationResult } from './executor-invocation.js'

/** Where the serialised call lives and which run it belongs to. */
export type ExecutorInputLocation = ExecutorInput['sluice'] & { outputFile: string }

/** Serialises an executor call into the executor input JSON (KFP v2 ExecutorInput shape). */
export function encodeExecutorInput(invocation: Omit<Invocation, 'context'>, location: ExecutorInputLocation): ExecutorInput {
  const artifacts: ExecutorInput['inputs']['artifacts'] = {}
  for (const [key, given] of Object.entries(invocation.inputs)) {
    const list = given === undefined ? [] : Array.isArray(given) ? given : [given]
    artifacts[key] = { artifacts: list.map((a) => toRuntimeArtifact(a, key)) }
  }
  const outputs: ExecutorInput['outputs']['artifacts'] = {}
  const parameters: ExecutorInput['outputs']['parameters'] = {}
  for (const [key, artifact] of Object.entries(invocation.outputs)) {
    outputs[key] = { artifacts: [toRuntimeArtifact(artifact, key)] }
    if (artifact.type.valueKind !== undefined) parameters[key] = { outputFile: artifact.uri }
  }
  const { outputFile, ...sluice } = location
  return {
    inputs: { parameterValues: { ...invocation.parameters }, artifacts },
    outputs: { parameters, artifacts: outputs, outputFile },
    sluice,
  }
}

/** Rebuilds the call's inputs, outputs and parameters from executor input JSON, checked against the component. */
export function decodeExecutorInput(input: ExecutorInput, component: AnyComponent): Omit<Invocation, 'context' | 'component' | 'nodeId'> {
  const inputs: Record<string, Artifact | Artifact[] | undefined> = {}
  for (const [key, entry] of Object.entries(component.inputs)) {
    const spec = describeInput(entry)!
    const given = input.inputs?.artifacts?.[key]?.artifacts ?? []
    const decoded = given.map((a, i) => fromRuntimeArtifact(a, spec.type, `input "${key}"[${i}]`))
    if (spec.list) inputs[key] = decoded
    else if (decoded.length === 0 && !spec.optional) {
      throw new ExecutorError(`Executor input for "${component.name}": required input "${key}" has no artifact.`, { code: 'SLUICE_EXECUTOR_INPUT_INVALID' })
    } else inputs[key] = decoded[0]
  }
  const outputs: Record<string, Artifact> = {}
  for (const [key, type] of Object.entries(component.outputs)) {
    const given = input.outputs?.artifacts?.[key]?.artifacts?.[0]
    if (!given) throw new ExecutorError(`Executor input for "${component.name}": output "${key}" has no artifact with a uri.`, { code: 'SLUICE_EXECUTOR_INPUT_INVALID' })
    outputs[key] = fromRuntimeArtifact(given, type, `output "${key}"`)
  }
  return { inputs, outputs, parameters: (input.inputs?.parameterValues ?? {}) as Record<string, JsonValue> }
}

/** The executor output JSON of a finished call. */
export function encodeExecutorOutput(result: InvocationResult): ExecutorOutput {
  const artifacts: NonNullable<ExecutorOutput['artifacts']> = {}
  for (const [key, artifact] of Object.entries(result.outputs)) {
    const { name, uri, metadata } = toRuntimeArtifact(artifact, key)
    artifacts[key] = { artifacts: [{ name, uri, metadata }] }
  }
  return { parameterValues: { ...result.values }, artifacts }
}

/** Applies an executor output JSON to the output artifacts the parent allocated. */
export function applyExecutorOutput(output: ExecutorOutput, outputs: Readonly<Record<string, Artifact>>, nodeId: string): InvocationResult {
  const updated: Record<string, Artifact> = {}
  for (const [key, artifact] of Object.entries(outputs)) {
    const reported = output.artifacts?.[key]?.artifacts?.[0]
    if (!reported) {
      updated[key] = artifact
      continue
    }
    if (reported.uri !== artifact.uri) {
      throw new ExecutorError(`Node "${nodeId}": the executor output moved output "${key}" to ${reported.uri}; outputs must stay at ${artifact.uri}.`, {
        code: 'SLUICE_EXECUTOR_OUTPUT_INVALID',
      })
    }
    const decoded = fromRuntimeArtifact({ ...reported, type: { schemaTitle: `sluice.${artifact.type.name}` } }, artifact.type, `output "${key}"`)
    updated[key] = { ...artifact, properties: decoded.properties, customProperties: decoded.customProperties }
  }
  return { outputs: updated, values: { ...(output.parameterValues ?? {}) } }
}
