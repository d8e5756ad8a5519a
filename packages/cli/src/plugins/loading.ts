// Imports discovered plugins, registers them, and checks each against the installed @sluice/core.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { RegistryError, isSluiceError, loadPlugin, registry as processRegistry } from '@sluice/core'
import type { Plugin, Registry } from '@sluice/core'
import { register } from 'tsx/esm/api'
import type { NamespacedUnregister } from 'tsx/esm/api'
import { CliError, oneLine } from '../errors.js'
import { displayPath } from '../format/paths.js'
import { findPackageDir, isModulePath, PLUGIN_KEYWORD, readJsonObject } from './discovery.js'
import type { PluginReference, PluginSource } from './discovery.js'
import { satisfiesRange } from './version-range.js'

/** A plugin that was imported and registered. */
export interface LoadedPlugin {
  readonly plugin: Plugin
  readonly reference: PluginReference
  /** The npm package it came from; undefined for a plugin loaded from a module path. */
  readonly packageName: string | undefined
  /** That package's version, from its package.json. */
  readonly packageVersion: string | undefined
  /** The `@sluice/core` range it declares: its `coreVersion`, else its package.json peer dependency. */
  readonly coreRange: string | undefined
  /** The `@sluice/core` version it runs against. */
  readonly coreVersion: string | undefined
}

/** What {@link loadPlugins} did. */
export interface PluginLoadResult {
  readonly loaded: readonly LoadedPlugin[]
  /** One line each: version mismatches, and keyword-discovered plugins that failed to load and were skipped. */
  readonly warnings: readonly string[]
}

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** Where to register them. @default the process-wide registry of @sluice/core */
  readonly registry?: Registry
  /** Paths in messages are shown relative to it. */
  readonly cwd?: string
}

/**
 * Imports each plugin (TypeScript too, through tsx), registers its default export and checks its
 * `@sluice/core` range. A listed plugin that is missing or fails to import is an error naming the
 * package, where it is listed, and the fix; a plugin found by its keyword is skipped with a warning
 * instead, so one broken install does not stop every run.
 */
export async function loadPlugins(references: readonly PluginReference[], options: LoadPluginsOptions = {}): Promise<PluginLoadResult> {
  const loaded: LoadedPlugin[] = []
  const warnings: string[] = []
  const seen = new Set<string>()
  for (const reference of references) {
    let result: LoadedPlugin | undefined
    try {
      result = await loadOne(reference, options, seen)
    } catch (error) {
      // Messages of keyword-discovered plugins already say that they were skipped.
      if (reference.source.kind !== 'keyword') throw error
      warnings.push(oneLine(error instanceof Error ? error.message : String(error)))
      continue
    }
    if (!result) continue
    loaded.push(result)
    const warning = versionWarning(result)
    if (warning) warnings.push(warning)
  }
  return { loaded, warnings }
}

/** The vitest-style warning for a plugin built for another core, or undefined when it fits or cannot be checked. */
export function versionWarning(loaded: Pick<LoadedPlugin, 'plugin' | 'coreRange' | 'coreVersion'>): string | undefined {
  const { plugin, coreRange, coreVersion } = loaded
  if (coreRange === undefined || coreVersion === undefined) return undefined
  if (satisfiesRange(coreVersion, coreRange) !== false) return undefined
  return `Plugin "${plugin.name}" was built for @sluice/core ${coreRange} but ${coreVersion} is installed; it may not work.`
}

async function loadOne(reference: PluginReference, options: LoadPluginsOptions, seen: Set<string>): Promise<LoadedPlugin | undefined> {
  const { specifier, baseDir } = reference
  const cwd = options.cwd ?? process.cwd()
  const target = options.registry ?? processRegistry
  let packageDir: string | undefined
  let url: string
  let parentUrl: string
  if (isModulePath(specifier)) {
    const file = specifier.startsWith('file:') ? fileURLToPath(specifier) : path.resolve(baseDir, specifier)
    if (!(await fs.stat(file).catch(() => undefined))?.isFile()) {
      throw new CliError('SLUICE_CLI_PLUGIN_LOAD_FAILED', `Plugin "${specifier}" (${describeSource(reference.source, cwd)}) does not exist: no file ${displayPath(file, cwd)}.`, {
        fix: `Fix the path, or ${removal(reference.source, cwd)}.`,
      })
    }
    const real = await fs.realpath(file)
    if (seen.has(real)) return undefined
    seen.add(real)
    url = pathToFileURL(file).href
    parentUrl = url
  } else {
    // Resolve from where it is listed; a globally installed `sluice` also finds globally installed plugins.
    packageDir = (await findPackageDir(specifier, baseDir)) ?? (await findPackageDir(specifier, path.dirname(fileURLToPath(import.meta.url))))
    if (!packageDir) {
      throw new RegistryError(`Plugin "${specifier}" (${describeSource(reference.source, cwd)}) is not installed.`, {
        packageName: specifier,
        fix: `Run \`npm i ${specifier}\`, or ${removal(reference.source, cwd)}.`,
      })
    }
    const real = await fs.realpath(packageDir)
    if (seen.has(real)) return undefined
    seen.add(real)
    url = specifier
    // Import it by name from the folder whose node_modules holds it, so Node resolves its exports.
    parentUrl = pathToFileURL(path.join(path.resolve(packageDir, ...specifier.split('/').map(() => '..'), '..'), path.sep)).href
  }

  let plugin: Plugin
  try {
    plugin = await loadPlugin(specifier, { importer: () => pluginImporter().import(url, parentUrl), registry: target })
  } catch (error) {
    const fix = isModulePath(specifier) ? `Fix the module, or ${removal(reference.source, cwd)}.` : `Reinstall it with \`npm i ${specifier}\`, or ${removal(reference.source, cwd)}.`
    const failed = reference.source.kind === 'keyword' ? 'failed to load and was skipped' : 'failed to load'
    throw new CliError('SLUICE_CLI_PLUGIN_LOAD_FAILED', `Plugin "${specifier}" (${describeSource(reference.source, cwd)}) ${failed}: ${loadFailure(error)}.`, {
      cause: error,
      fix,
    })
  }

  const manifest = packageDir ? await readJsonObject(path.join(packageDir, 'package.json')) : undefined
  const peer = (manifest?.peerDependencies as Record<string, unknown> | undefined)?.['@sluice/core']
  const fromDir = packageDir ? await fs.realpath(packageDir) : path.dirname(fileURLToPath(url))
  return {
    plugin,
    reference,
    packageName: packageDir ? specifier : undefined,
    packageVersion: typeof manifest?.version === 'string' ? manifest.version : undefined,
    coreRange: plugin.coreVersion ?? (typeof peer === 'string' ? peer : undefined),
    coreVersion: await installedCoreVersion(fromDir),
  }
}

let scoped: NamespacedUnregister | undefined
/**
 * One tsx namespace for every plugin this module loads: plugins may be TypeScript, and the modules
 * they share (@sluice/core, zod) load once instead of once per plugin (about 200 ms each).
 */
function pluginImporter(): NamespacedUnregister {
  scoped ??= register({ namespace: `sluice-plugins-${randomUUID()}` })
  return scoped
}

/** The version of the @sluice/core a module in `fromDir` imports: found from there, else the CLI's own. */
async function installedCoreVersion(fromDir: string): Promise<string | undefined> {
  const dir = (await findPackageDir('@sluice/core', fromDir)) ?? (await findPackageDir('@sluice/core', path.dirname(fileURLToPath(import.meta.url))))
  const version = dir ? (await readJsonObject(path.join(dir, 'package.json')))?.version : undefined
  return typeof version === 'string' ? version : undefined
}

/** Where a reference was found, for messages. */
export function describeSource(source: PluginSource, cwd: string): string {
  switch (source.kind) {
    case 'config':
      return `listed in ${displayPath(source.file, cwd)}`
    case 'package.json':
      return `listed in "sluice.plugins" of ${displayPath(source.file, cwd)}`
    case 'spec':
      return `listed in "plugins" of ${displayPath(source.file, cwd)}`
    case 'keyword':
      return `installed with the "${PLUGIN_KEYWORD}" keyword`
  }
}

function removal(source: PluginSource, cwd: string): string {
  switch (source.kind) {
    case 'config':
      return `remove it from "plugins" in ${displayPath(source.file, cwd)}`
    case 'package.json':
      return `remove it from "sluice.plugins" in ${displayPath(source.file, cwd)}`
    case 'spec':
      return `remove it from "plugins" in ${displayPath(source.file, cwd)}`
    case 'keyword':
      return 'uninstall it'
  }
}

/** The cause of a failed import on one line, without the fix a SluiceError appends (ours follows). */
function loadFailure(error: unknown): string {
  if (isSluiceError(error)) {
    const text = error.fix && error.message.endsWith(error.fix) ? error.message.slice(0, -error.fix.length).trimEnd() : error.message
    return oneLine(text).replace(/\.$/, '')
  }
  return oneLine(error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)).replace(/\.$/, '')
}
