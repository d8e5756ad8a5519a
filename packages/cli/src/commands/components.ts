import { registry as processRegistry, standardComponentPackages } from '@sluice/core'
import type { Plugin, Registry } from '@sluice/core'
import type { Colors } from '../cli-io.js'
import type { CommandContext, OutputOptions } from '../command-context.js'
import { writeJson } from '../command-context.js'
import { describeComponent } from '../component-info.js'
import type { ComponentInfo } from '../component-info.js'
import { formatWarningLine } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import { renderTable } from '../format/table.js'
import { CONFIG_FILE } from '../plugins/discovery.js'
import type { PluginSource } from '../plugins/discovery.js'
import { describeSource } from '../plugins/loading.js'
import { loadProjectPlugins } from '../plugins/project.js'

/** Options of `sluice components`. */
export type ComponentsCommandOptions = OutputOptions

/** A loaded plugin in `sluice components --json`. */
export interface PluginListEntry {
  /** The plugin's name (its definePlugin `name`). */
  readonly name: string
  /** The npm package it was imported from; null for a module path. */
  readonly package: string | null
  readonly version: string | null
  /** The `@sluice/core` range it was built for, and the version it runs against. */
  readonly coreRange: string | null
  readonly coreVersion: string | null
  /** How it was found: listed in sluice.config.json, package.json or a spec, or by its keyword. */
  readonly source: PluginSource['kind']
  /** The file that lists it, or the package folder a keyword plugin was found in. */
  readonly from: string
}

/** Standard components whose package is not installed. */
export interface NotInstalledEntry {
  readonly package: string
  readonly components: readonly string[]
  readonly install: string
}

/** What `sluice components --json` prints. */
export interface ComponentsListing {
  readonly plugins: readonly PluginListEntry[]
  readonly components: readonly ComponentInfo[]
  readonly notInstalled: readonly NotInstalledEntry[]
}

/**
 * `sluice components`: loads the project's plugins, then lists every registered component with its
 * package, inputs, outputs and parameters, and the standard components that are not installed
 * with the `npm i` line for each.
 */
export async function componentsCommand(options: ComponentsCommandOptions, ctx: CommandContext, registry: Registry = processRegistry): Promise<number> {
  const { io, colors } = ctx
  const project = await loadProjectPlugins({ cwd: io.cwd, registry })
  for (const warning of project.warnings) io.stderr.write(`${formatWarningLine(warning, ctx.errorColors)}\n`)

  const byPlugin = new Map(project.loaded.map((l) => [l.plugin.name, l]))
  const components = registry
    .components()
    .map(({ component, packageName }) => {
      const loaded = packageName === undefined ? undefined : byPlugin.get(packageName)
      const plugin = loaded?.plugin ?? (packageName === undefined ? undefined : pluginNamed(registry, packageName))
      return describeComponent(component, { name: loaded?.packageName ?? packageName, version: loaded?.packageVersion ?? plugin?.version })
    })
    .sort((a, b) => compare(a.name, b.name))
  const registered = new Set(components.map((c) => c.name))
  const missing = new Map<string, string[]>()
  for (const [name, pkg] of Object.entries(standardComponentPackages)) {
    if (!registered.has(name)) missing.set(pkg, [...(missing.get(pkg) ?? []), name])
  }
  const listing: ComponentsListing = {
    plugins: project.loaded.map((l) => ({
      name: l.plugin.name,
      package: l.packageName ?? null,
      version: l.packageVersion ?? l.plugin.version ?? null,
      coreRange: l.coreRange ?? null,
      coreVersion: l.coreVersion ?? null,
      source: l.reference.source.kind,
      from: l.reference.source.kind === 'keyword' ? l.reference.source.packageDir : l.reference.source.file,
    })),
    components,
    notInstalled: [...missing].map(([pkg, names]) => ({ package: pkg, components: names, install: `npm i ${pkg}` })),
  }
  if (options.json) {
    writeJson(io, listing)
    return ExitCode.Ok
  }
  io.stdout.write(renderComponentsListing(listing, project.loaded.map((l) => describeSource(l.reference.source, io.cwd)), colors))
  return ExitCode.Ok
}

/** The listing as text: plugins, one block per component, then the standard components not installed. */
export function renderComponentsListing(listing: ComponentsListing, pluginSources: readonly string[], colors: Colors): string {
  const out: string[] = []
  if (listing.plugins.length > 0) {
    out.push(colors.bold('Plugins'))
    const rows = listing.plugins.map((p, i) => [p.package ?? p.name, p.version ?? '-', colors.dim(pluginSources[i] ?? '')])
    out.push(renderTable([{ header: '' }, { header: '' }, { header: '' }], rows, { indent: '  ' }).split('\n').slice(1).join('\n').trimEnd(), '')
  }
  if (listing.components.length === 0) {
    out.push(
      `No components are registered. Install a plugin (its package.json keywords include "sluice-plugin"), or list one in ${CONFIG_FILE}: { "plugins": ["./my-plugin.ts"] }.`,
      '',
    )
  } else {
    out.push(colors.bold('Components'))
    for (const c of listing.components) out.push(renderComponent(c, colors), '')
  }
  if (listing.notInstalled.length > 0) {
    out.push(colors.bold('Standard components not installed'))
    const rows = listing.notInstalled.map((m) => [m.components.join(', '), colors.dim(m.install)])
    out.push(renderTable([{ header: '' }, { header: '' }], rows, { indent: '  ' }).split('\n').slice(1).join('\n').trimEnd())
  }
  return `${out.join('\n').trimEnd()}\n`
}

function renderComponent(c: ComponentInfo, colors: Colors): string {
  const from = c.package === null ? 'local code' : c.packageVersion ? `${c.package} ${c.packageVersion}` : c.package
  const head = `  ${colors.bold(c.name)}  ${colors.dim(from)}`
  const lines = [head]
  if (c.description) lines.push(`    ${c.description}`)
  const rows: string[][] = []
  const section = (label: string, entries: string[][]) => {
    if (entries.length === 0) rows.push([label, colors.dim('(none)')])
    entries.forEach((cells, i) => rows.push([i === 0 ? label : '', ...cells]))
  }
  section(
    'inputs',
    c.inputs.map((i) => [i.key, i.type, i.optional ? 'optional' : i.list ? 'list' : '']),
  )
  section(
    'outputs',
    c.outputs.map((o) => [o.key, o.type]),
  )
  section(
    'parameters',
    c.parameters.map((p) => [
      p.name,
      p.type,
      [p.default !== undefined ? `= ${truncate(JSON.stringify(p.default), 40)}` : p.required ? 'required' : 'optional', ...(p.file ? ['file'] : [])].join(', '),
      p.description === null ? '' : colors.dim(p.description),
    ]),
  )
  const columns = [{ header: '' }, { header: '' }, { header: '' }, { header: '' }, { header: '' }]
  lines.push(...renderTable(columns, rows, { indent: '    ' }).split('\n').slice(1).filter((l) => l !== ''))
  return lines.join('\n')
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** The registered plugin of that name; components registered by local code have none. */
function pluginNamed(registry: Registry, name: string): Plugin | undefined {
  return registry.plugins().find((p) => p.name === name)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
