import fs from 'node:fs/promises'
import path from 'node:path'
import type { Artifact, OutputSpec } from '@sluice/core'

/** The `.system` directory of one execution: executor input/output JSON, logs and the temp dir. */
export function executionSystemDir(root: string, nodeId: string, executionId: number): string {
  return path.join(root, nodeId, '.system', 'executor_execution', String(executionId))
}

/**
 * Allocates empty output artifacts at `{root}/{nodeId}/{outputKey}/{executionId}/` (value artifacts:
 * the file `…/value`, as TFX). Anything left there by an earlier attempt is removed first, so a
 * retry never publishes a half-written mix.
 */
export async function allocateOutputs(root: string, nodeId: string, executionId: number, outputs: OutputSpec): Promise<Record<string, Artifact>> {
  const allocated: Record<string, Artifact> = {}
  for (const [key, type] of Object.entries(outputs)) {
    const dir = path.join(root, nodeId, key, String(executionId))
    await fs.rm(dir, { recursive: true, force: true })
    await fs.mkdir(dir, { recursive: true })
    allocated[key] = { id: undefined, type, uri: type.valueKind === undefined ? dir : path.join(dir, 'value'), properties: {}, customProperties: {} }
  }
  return allocated
}
