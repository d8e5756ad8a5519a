// Finds the plugins a project uses, without importing anything: the ones listed in
// sluice.config.json or in package.json's "sluice" key, and installed packages whose package.json
// carries the `sluice-plugin` keyword. Only package.json files are read.
import fs from 'node:fs/promises'
import path from 'node:path'
import { CliError } from '../errors.js'

/** The project config file, looked for next to the pipeline file, then in the current directory. */
export const CONFIG_FILE = 'sluice.config.json'

/** The package.json keyword that marks an installed package as a Sluice plugin. */
export const PLUGIN_KEYWORD = 'sluice-plugin'

/** What `sluice.config.json` holds. */
export interface SluiceConfig {
  /** Plugin package names, or module paths relative to the config file (`"./plugins/acme.ts"`). */
  plugins?: string[]
}

/** Where a plugin reference was found. */
export type PluginSource =
  | { readonly kind: 'config'; readonly file: string }
  | { readonly kind: 'package.json'; readonly file: string }
  | { readonly kind: 'spec'; readonly file: string }
  | { readonly kind: 'keyword'; readonly packageDir: string }

/** A plugin to load: a package name or a module path, with where it was found. */
export interface PluginReference {
  /** As written: a package name, or a module path (relative ones resolve against `baseDir`). */
  readonly specifier: string
  /** The folder the specifier resolves from. */
  readonly baseDir: string
  readonly source: PluginSource
}

/** What {@link discoverPlugins} found. */
export interface PluginDiscovery {
  /** The nearest folder at or above the current directory with a package.json (else the current directory). */
  readonly projectDir: string
  /** The sluice.config.json that was read, if any. */
  readonly configFile: string | undefined
  /** Listed plugins first (config, then package.json), then keyword-discovered ones by name; no duplicates. */
  readonly references: readonly PluginReference[]
  /** Problems that do not stop the command (an unknown key in sluice.config.json). */
  readonly warnings: readonly string[]
}

/** Where to look. */
export interface DiscoverPluginsOptions {
  /** The current directory: the project is the nearest folder at or above it with a package.json. */
  readonly cwd: string
  /** The pipeline file being run, whose folder is searched for sluice.config.json before `cwd`. */
  readonly pipelineFile?: string
}

/**
 * Finds the project's plugins: `plugins` of the sluice.config.json next to the pipeline file (or
 * else in `cwd`), `sluice.plugins` of the project's package.json, and packages in the project's
 * node_modules (and, inside an npm workspace, the workspace root's) whose package.json `keywords`
 * contain `sluice-plugin`. Reads package.json files only; nothing is imported.
 */
export async function discoverPlugins(options: DiscoverPluginsOptions): Promise<PluginDiscovery> {
  const cwd = path.resolve(options.cwd)
  const warnings: string[] = []
  const references: PluginReference[] = []

  const candidates = [...(options.pipelineFile ? [path.dirname(path.resolve(cwd, options.pipelineFile))] : []), cwd]
  let configFile: string | undefined
  for (const dir of candidates) {
    if (await isFile(path.join(dir, CONFIG_FILE))) {
      configFile = path.join(dir, CONFIG_FILE)
      break
    }
  }
  if (configFile) {
    const config = await readSluiceConfig(configFile, warnings)
    for (const specifier of config.plugins ?? []) references.push({ specifier, baseDir: path.dirname(configFile), source: { kind: 'config', file: configFile } })
  }

  const projectDir = (await findUp(cwd, 'package.json')) ?? cwd
  const manifestFile = path.join(projectDir, 'package.json')
  const manifest = await readJsonObject(manifestFile)
  if (manifest) {
    for (const specifier of listedInPackageJson(manifest, manifestFile)) {
      references.push({ specifier, baseDir: projectDir, source: { kind: 'package.json', file: manifestFile } })
    }
  }

  const scanned = [projectDir]
  const workspaceRoot = manifest ? await findWorkspaceRoot(projectDir) : undefined
  if (workspaceRoot && workspaceRoot !== projectDir) scanned.push(workspaceRoot)
  for (const dir of scanned) {
    for (const found of await scanInstalledPlugins(path.join(dir, 'node_modules'))) {
      references.push({ specifier: found.name, baseDir: dir, source: { kind: 'keyword', packageDir: found.dir } })
    }
  }
  return { projectDir, configFile, references: dedupe(references), warnings }
}

/**
 * Reads and checks a sluice.config.json: `{ "plugins": [...] }`. Invalid JSON or a `plugins` that is
 * not a list of strings is an error; unknown keys are reported in `warnings`.
 */
export async function readSluiceConfig(file: string, warnings: string[] = []): Promise<SluiceConfig> {
  let value: unknown
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'))
  } catch (error) {
    throw new CliError('SLUICE_CLI_CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError('SLUICE_CLI_CONFIG_INVALID', `${file} must hold a JSON object such as { "plugins": ["sluice-plugin-csv-export"] }.`)
  }
  const config = value as Record<string, unknown>
  for (const key of Object.keys(config)) {
    if (key !== 'plugins' && key !== '$schema') warnings.push(`${file}: unknown key "${key}" is ignored (known keys: "plugins").`)
  }
  if (config.plugins === undefined) return {}
  return { plugins: stringList(config.plugins, `${file}: "plugins"`) }
}

function listedInPackageJson(manifest: Record<string, unknown>, file: string): string[] {
  const sluice = manifest.sluice
  if (sluice === undefined) return []
  if (typeof sluice !== 'object' || sluice === null || Array.isArray(sluice)) {
    throw new CliError('SLUICE_CLI_CONFIG_INVALID', `${file}: "sluice" must be an object such as { "plugins": ["sluice-plugin-csv-export"] }.`)
  }
  const plugins = (sluice as Record<string, unknown>).plugins
  return plugins === undefined ? [] : stringList(plugins, `${file}: "sluice.plugins"`)
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw new CliError('SLUICE_CLI_CONFIG_INVALID', `${where} must be a list of package names or module paths.`, {
      fix: 'For example ["sluice-plugin-csv-export", "./plugins/my-plugin.ts"].',
    })
  }
  return value.map((p: string) => p.trim())
}

/** An installed package that declares the `sluice-plugin` keyword. */
export interface InstalledPlugin {
  readonly name: string
  /** The package folder (inside node_modules, not resolved through symlinks). */
  readonly dir: string
}

/**
 * Lists the packages directly in `nodeModules` (and in its `@scope` folders) whose package.json
 * `keywords` contain `sluice-plugin`, sorted by name. Reads each package.json and nothing else.
 */
export async function scanInstalledPlugins(nodeModules: string): Promise<InstalledPlugin[]> {
  const packageDirs: { name: string; dir: string }[] = []
  for (const entry of await readDir(nodeModules)) {
    if (entry.startsWith('.')) continue
    if (entry.startsWith('@')) {
      for (const scoped of await readDir(path.join(nodeModules, entry))) {
        if (!scoped.startsWith('.')) packageDirs.push({ name: `${entry}/${scoped}`, dir: path.join(nodeModules, entry, scoped) })
      }
    } else {
      packageDirs.push({ name: entry, dir: path.join(nodeModules, entry) })
    }
  }
  const found = await Promise.all(
    packageDirs.map(async (p) => {
      let text: string
      try {
        text = await fs.readFile(path.join(p.dir, 'package.json'), 'utf8')
      } catch {
        return undefined
      }
      // Most packages are not plugins: skip parsing those whose text cannot mention the keyword.
      if (!text.includes(PLUGIN_KEYWORD)) return undefined
      try {
        const keywords = (JSON.parse(text) as { keywords?: unknown }).keywords
        return Array.isArray(keywords) && keywords.includes(PLUGIN_KEYWORD) ? p : undefined
      } catch {
        return undefined
      }
    }),
  )
  return found.filter((p) => p !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** Whether a specifier is a module path rather than a package name. */
export function isModulePath(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('file:') || path.isAbsolute(specifier)
}

/**
 * The folder of an installed package as Node would find it from `fromDir`: the first
 * `node_modules/<name>` with a package.json on the way up.
 */
export async function findPackageDir(name: string, fromDir: string): Promise<string | undefined> {
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name)
    if (await isFile(path.join(candidate, 'package.json'))) return candidate
    if (path.dirname(dir) === dir) return undefined
  }
}

/** Reads a JSON file holding an object; undefined when it is missing or not an object. */
export async function readJsonObject(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await fs.readFile(file, 'utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function dedupe(references: PluginReference[]): PluginReference[] {
  const seen = new Set<string>()
  return references.filter((r) => {
    const key = isModulePath(r.specifier) ? path.resolve(r.baseDir, r.specifier) : r.specifier
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

async function findUp(from: string, file: string): Promise<string | undefined> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (await isFile(path.join(dir, file))) return dir
    if (path.dirname(dir) === dir) return undefined
  }
}

/** The nearest folder above `projectDir` whose package.json declares `workspaces`: npm hoists the members' dependencies there. */
async function findWorkspaceRoot(projectDir: string): Promise<string | undefined> {
  for (let dir = path.dirname(projectDir); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = await readJsonObject(path.join(dir, 'package.json'))
    if (manifest?.workspaces !== undefined) return dir
  }
  return undefined
}

async function isFile(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isFile() === true
}

async function readDir(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => [])
}
