import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { isPipeline, isSluiceError, pipelineFromSpec, type Pipeline, type PipelineSpecJson, type Registry } from '@sluice/core'
import { tsImport } from 'tsx/esm/api'
import { CliError } from './errors.js'
import { loadPlugins } from './plugins/loading.js'

/** A pipeline loaded from a file. */
export interface LoadedPipeline {
  readonly pipeline: Pipeline
  /** Absolute path of the file. */
  readonly file: string
  /**
   * Absolute path of the module whose default export is the pipeline, for the runner to re-load it in
   * child processes and on resume; undefined for JSON specs, which are not modules.
   */
  readonly pipelineModule: string | undefined
  /** Warnings about the plugins a JSON spec lists (a `@sluice/core` version mismatch). */
  readonly warnings: readonly string[]
}

/** Options of {@link loadPipeline}. */
export interface LoadPipelineOptions {
  /** Where a JSON spec's plugins are registered and its components looked up. @default the process-wide registry */
  readonly registry?: Registry
}

/** A JSON pipeline spec as the CLI reads it: core's spec plus the plugin packages its components come from. */
export interface PipelineSpecFile extends PipelineSpecJson {
  /**
   * Plugin packages to import and register before the components are looked up, e.g.
   * `["@sluice/component-example-gen"]`; resolved from the spec's folder, so a path relative to the
   * spec (`"./my-plugin.ts"`) works too.
   */
  plugins?: string[]
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx'])
const JAVASCRIPT = new Set(['.js', '.mjs', '.cjs'])

/**
 * Loads the pipeline a file defines: TypeScript directly through tsx (no build step), JavaScript
 * with `import()`, both by their default export; a JSON spec through `pipelineFromSpec` after its
 * plugins are loaded.
 */
export async function loadPipeline(file: string, cwd: string, options: LoadPipelineOptions = {}): Promise<LoadedPipeline> {
  const abs = path.resolve(cwd, file)
  const info = await stat(abs).catch(() => undefined)
  if (!info?.isFile()) {
    throw new CliError('SLUICE_CLI_FILE_NOT_FOUND', `Pipeline file "${file}" does not exist${path.isAbsolute(file) ? '' : ` (looked for ${abs})`}.`, {
      fix: 'Pass the path of a .ts, .js or .json file that defines the pipeline.',
    })
  }
  const ext = path.extname(abs).toLowerCase()
  if (ext === '.json') return { ...(await loadSpec(file, abs, cwd, options.registry)), file: abs, pipelineModule: undefined }
  if (!TYPESCRIPT.has(ext) && !JAVASCRIPT.has(ext)) {
    throw new CliError('SLUICE_CLI_UNSUPPORTED_FILE', `Pipeline file "${file}" is neither TypeScript, JavaScript nor JSON.`, {
      fix: 'Use a .ts, .mts, .js, .mjs or .json file.',
    })
  }
  const url = pathToFileURL(abs).href
  const mod = (await guardLoad(file, () => (TYPESCRIPT.has(ext) ? tsImport(url, import.meta.url) : import(url)))) as { default?: unknown }
  // A CommonJS file's exports arrive under `default`; its own default export one level further down.
  const exported = isPipeline(mod.default) ? mod.default : (mod.default as { default?: unknown } | undefined)?.default
  if (!isPipeline(exported)) {
    throw new CliError('SLUICE_CLI_NOT_A_PIPELINE', `Pipeline file "${file}" has no pipeline as its default export.`, {
      fix: 'End it with `export default new Pipeline({ name, components: [...] })`.',
    })
  }
  return { pipeline: exported, file: abs, pipelineModule: abs, warnings: [] }
}

async function loadSpec(file: string, abs: string, cwd: string, registry: Registry | undefined): Promise<{ pipeline: Pipeline; warnings: readonly string[] }> {
  let spec: PipelineSpecFile
  try {
    spec = JSON.parse(await readFile(abs, 'utf8')) as PipelineSpecFile
  } catch (error) {
    throw new CliError('SLUICE_CLI_PIPELINE_LOAD_FAILED', `Pipeline spec "${file}" is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new CliError('SLUICE_CLI_NOT_A_PIPELINE', `Pipeline spec "${file}" must be a JSON object with "name" and "components".`)
  }
  const plugins = spec.plugins ?? []
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string')) {
    throw new CliError('SLUICE_CLI_NOT_A_PIPELINE', `Pipeline spec "${file}": "plugins" must be a list of package names.`)
  }
  // Plugins are the user's dependencies: resolved from the spec's folder (a globally installed
  // `sluice` falls back to its own), TypeScript ones through tsx; a failure names the plugin.
  const { warnings } = await loadPlugins(
    plugins.map((specifier) => ({ specifier, baseDir: path.dirname(abs), source: { kind: 'spec' as const, file: abs } })),
    { cwd, ...(registry ? { registry } : {}) },
  )
  const pipeline = await guardLoad(file, () => (registry ? pipelineFromSpec(spec, registry) : pipelineFromSpec(spec)))
  return { pipeline, warnings }
}

/** Runs a load step; SluiceErrors pass through, anything else (syntax errors, missing imports) is wrapped to name the file. */
async function guardLoad<T>(file: string, load: () => Promise<T> | T): Promise<T> {
  try {
    return await load()
  } catch (error) {
    if (isSluiceError(error)) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new CliError('SLUICE_CLI_PIPELINE_LOAD_FAILED', `Loading pipeline file "${file}" failed: ${message}`, { cause: error })
  }
}
