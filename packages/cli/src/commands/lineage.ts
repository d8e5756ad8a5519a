import type { Artifact, Execution, LineageResult } from '@sluice/metadata'
import type { CommandContext, OutputOptions } from '../command-context.js'
import { writeJson } from '../command-context.js'
import { CliError } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import { renderLineageTree } from '../format/lineage-tree.js'
import { displayPath } from '../format/paths.js'
import { numberProperty, stringProperty } from '../run-history.js'
import { locateStore, noRunsMessage, withStoreForReading, type StoreLocationOptions } from '../store-location.js'

/** Which way `sluice lineage` walks. */
export type LineageDirection = 'upstream' | 'downstream' | 'both'

/** Options of `sluice lineage <artifactId>`. */
export interface LineageCommandOptions extends OutputOptions, StoreLocationOptions {
  readonly direction?: LineageDirection
  /** Executions to walk through from the artifact. */
  readonly depth?: number
}

/** Default `--depth`: deep enough for any pipeline of TFX's standard components. */
export const DEFAULT_LINEAGE_DEPTH = 10

/** `sluice lineage <artifactId> --json`: the subgraph walked, flat. */
export interface LineageJson {
  readonly artifactId: number
  readonly direction: LineageDirection
  readonly depth: number
  readonly artifacts: readonly { id: number; type: string; uri: string; state: string; producerNode: string | null }[]
  readonly executions: readonly { id: number; component: string; nodeId: string | null; runId: string | null; state: string; durationMs: number | null }[]
  readonly events: readonly { artifactId: number; executionId: number; type: string; key: string | null; index: number | null }[]
}

/** `sluice lineage <artifactId>`: where an artifact came from and what was made from it, as a tree. */
export async function lineageCommand(artifactIdText: string, options: LineageCommandOptions, ctx: CommandContext): Promise<number> {
  const { io, colors } = ctx
  const artifactId = Number(artifactIdText)
  if (!Number.isSafeInteger(artifactId) || artifactId <= 0) {
    throw new CliError('SLUICE_CLI_ARTIFACT_NOT_FOUND', `"${artifactIdText}" is not an artifact id.`, { fix: 'Pass the number `sluice artifacts` shows in its ID column.' })
  }
  const direction = options.direction ?? 'both'
  const depth = options.depth ?? DEFAULT_LINEAGE_DEPTH
  const location = await locateStore(options, io.cwd)
  if (!location) throw new CliError('SLUICE_CLI_STORE_NOT_FOUND', noRunsMessage(io.cwd).split('\n')[0]!, { fix: 'Pass --metadata <path> or --pipeline <file>.' })

  const walks = await withStoreForReading(location, async (store) => {
    const [artifact] = await store.getArtifactsById([artifactId])
    if (!artifact) throw new CliError('SLUICE_CLI_ARTIFACT_NOT_FOUND', `No artifact #${artifactId} in the metadata store ${location.path}.`, { fix: '`sluice artifacts` lists them.' })
    // One hop past the depth shows whether the tree was cut there.
    const walk = (d: 'upstream' | 'downstream') => store.getLineage({ artifactIds: [artifactId], direction: d, maxHops: depth * 2 + 1 })
    return {
      artifact,
      upstream: direction === 'downstream' ? undefined : await walk('upstream'),
      downstream: direction === 'upstream' ? undefined : await walk('downstream'),
    }
  })

  if (options.json) {
    writeJson(io, toJson(artifactId, direction, depth, [walks.upstream, walks.downstream]))
    return ExitCode.Ok
  }
  const treeOptions = { colors, cwd: io.cwd, depth }
  const sections: string[] = []
  if (walks.upstream) sections.push(`${colors.bold('Upstream')} ${colors.dim('(what it was made from)')}\n${renderLineageTree(walks.upstream, artifactId, 'upstream', treeOptions)}`)
  if (walks.downstream) sections.push(`${colors.bold('Downstream')} ${colors.dim('(what was made from it)')}\n${renderLineageTree(walks.downstream, artifactId, 'downstream', treeOptions)}`)
  const a = walks.artifact
  io.stdout.write(`Lineage of ${colors.bold(a.type)} #${a.id} ${colors.dim(displayPath(a.uri, io.cwd))}\n\n${sections.join('\n')}`)
  return ExitCode.Ok
}

function toJson(artifactId: number, direction: LineageDirection, depth: number, walks: (LineageResult | undefined)[]): LineageJson {
  const artifacts = new Map<number, Artifact>()
  const executions = new Map<number, Execution>()
  const events = new Map<string, LineageResult['events'][number]>()
  for (const walk of walks) {
    if (!walk) continue
    for (const a of walk.artifacts) artifacts.set(a.id!, a)
    for (const e of walk.executions) executions.set(e.id!, e)
    for (const e of walk.events) events.set(`${e.artifactId}:${e.executionId}:${e.type}`, e)
  }
  return {
    artifactId,
    direction,
    depth,
    artifacts: [...artifacts.values()]
      .sort((x, y) => x.id! - y.id!)
      .map((a) => ({ id: a.id!, type: a.type, uri: a.uri, state: a.state, producerNode: stringProperty(a, 'producer_node') ?? null })),
    executions: [...executions.values()]
      .sort((x, y) => x.id! - y.id!)
      .map((e) => ({
        id: e.id!,
        component: e.type,
        nodeId: stringProperty(e, 'node_id') ?? null,
        runId: stringProperty(e, 'run_id') ?? null,
        state: e.state,
        durationMs: numberProperty(e, 'duration_ms') ?? null,
      })),
    events: [...events.values()].map((e) => {
      const key = e.path?.find((s): s is { key: string } => 'key' in s)?.key
      const index = e.path?.find((s): s is { index: number } => 'index' in s)?.index
      return { artifactId: e.artifactId, executionId: e.executionId, type: e.type, key: key ?? null, index: index ?? null }
    }),
  }
}
