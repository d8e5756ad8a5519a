import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AnyComponent, ExecutorInput } from '@sluice/core'
import { ExecutorError, isComponent, isPipeline, registry } from '@sluice/core'

/**
 * Imports a module by path or package name. TypeScript files load through tsx, so pipeline files
 * run without a build step in child processes and containers alike.
 */
export async function importModule(specifier: string): Promise<Record<string, unknown>> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier) || specifier.startsWith('file:')
  if (!isPath) return (await import(specifier)) as Record<string, unknown>
  const url = specifier.startsWith('file:') ? specifier : pathToFileURL(path.resolve(specifier)).href
  if (/\.[cm]?tsx?$/.test(url)) {
    const { tsImport } = await import('tsx/esm/api')
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>
  }
  return (await import(url)) as Record<string, unknown>
}

/** Finds the component an executor input names: in its pipeline module, its component module, or the registry. */
export async function locateComponent(sluice: ExecutorInput['sluice']): Promise<AnyComponent> {
  if (sluice.pipelineModule) {
    const mod = await importModule(sluice.pipelineModule)
    const pipeline = mod.default
    if (!isPipeline(pipeline)) {
      throw new ExecutorError(`Module ${sluice.pipelineModule} has no pipeline as its default export.`, {
        code: 'SLUICE_COMPONENT_NOT_FOUND',
        fix: 'Export the pipeline: `export default new Pipeline({ … })`.',
      })
    }
    return pipeline.node(sluice.nodeId).component
  }
  if (sluice.componentModule) {
    const mod = await importModule(sluice.componentModule)
    const found = Object.values(mod).find((v) => isComponent(v) && v.name === sluice.component)
    if (found) return found as AnyComponent
    throw new ExecutorError(`Module ${sluice.componentModule} exports no component named "${sluice.component}".`, { code: 'SLUICE_COMPONENT_NOT_FOUND' })
  }
  return registry.component(sluice.component)
}
