import type { Registry } from '@sluice/core'
import { discoverPlugins } from './discovery.js'
import type { PluginDiscovery } from './discovery.js'
import { loadPlugins } from './loading.js'
import type { LoadedPlugin } from './loading.js'

/** A project's plugins, loaded. */
export interface ProjectPlugins {
  readonly discovery: PluginDiscovery
  readonly loaded: readonly LoadedPlugin[]
  /** Config problems, version mismatches and skipped keyword plugins, one line each. */
  readonly warnings: readonly string[]
}

/** Options of {@link loadProjectPlugins}. */
export interface LoadProjectPluginsOptions {
  readonly cwd: string
  /** The pipeline being run: a sluice.config.json next to it wins over one in `cwd`. */
  readonly pipelineFile?: string
  /** @default the process-wide registry of @sluice/core */
  readonly registry?: Registry
}

/**
 * Discovers the project's plugins (sluice.config.json, package.json `sluice.plugins`, installed
 * packages with the `sluice-plugin` keyword) and registers them: what `sluice run` does before it
 * loads the pipeline, and `sluice components` before it lists the registry.
 */
export async function loadProjectPlugins(options: LoadProjectPluginsOptions): Promise<ProjectPlugins> {
  const discovery = await discoverPlugins({ cwd: options.cwd, ...(options.pipelineFile ? { pipelineFile: options.pipelineFile } : {}) })
  const { loaded, warnings } = await loadPlugins(discovery.references, { cwd: options.cwd, ...(options.registry ? { registry: options.registry } : {}) })
  return { discovery, loaded, warnings: [...discovery.warnings, ...warnings] }
}
