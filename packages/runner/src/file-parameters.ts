import path from 'node:path'
import type { AnyNode } from '@sluice/core'
import { isFileParameter } from '@sluice/core'

/** The node's file parameters (see `fileParameter()`) as absolute paths, resolved against `cwd`. */
export function resolveFileParameters(node: AnyNode, cwd: string): Record<string, string> {
  const shape = node.component.parameters.shape as Record<string, unknown>
  const files: Record<string, string> = {}
  for (const [name, value] of Object.entries(node.parameters)) {
    if (typeof value === 'string' && isFileParameter(shape[name])) files[name] = path.resolve(cwd, value)
  }
  return files
}
