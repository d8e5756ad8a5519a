import type { Artifact, ArtifactQuery, MetadataStore } from '@sluice/metadata'
import type { CommandContext, OutputOptions } from '../command-context.js'
import { writeJson } from '../command-context.js'
import { ExitCode } from '../exit-codes.js'
import { displayPath } from '../format/paths.js'
import { renderTable } from '../format/table.js'
import { formatTimestamp, isoTimestamp } from '../format/timestamp.js'
import { findRun, stringProperty } from '../run-history.js'
import { locateStore, reportNoStore, withStoreForReading, type StoreLocationOptions } from '../store-location.js'

/** Options of `sluice artifacts`. */
export interface ArtifactsCommandOptions extends OutputOptions, StoreLocationOptions {
  /** Only artifacts of this type (Examples, Model, …). */
  readonly type?: string
  /** Only artifacts of this run (id or unique prefix): the ones it produced and the cached ones it reused. */
  readonly run?: string
  /** Most recent artifacts to show; 0 for all. */
  readonly limit?: number
}

/** One artifact in `sluice artifacts --json`. */
export interface ArtifactListEntry {
  readonly id: number
  readonly type: string
  readonly uri: string
  readonly state: string
  /** Node id of the producer, from the `producer_node` custom property. */
  readonly producerNode: string | null
  readonly pipelineName: string | null
  readonly createTime: string | null
  readonly properties: Readonly<Record<string, unknown>>
  readonly customProperties: Readonly<Record<string, unknown>>
}

/** `sluice artifacts`: artifacts in the store, newest first. */
export async function artifactsCommand(options: ArtifactsCommandOptions, ctx: CommandContext): Promise<number> {
  const { io, colors } = ctx
  const location = await locateStore(options, io.cwd)
  if (!location) {
    reportNoStore(io, options.json)
    return ExitCode.Ok
  }
  const { artifacts, knownTypes } = await withStoreForReading(location, async (store) => ({
    artifacts: await queryArtifacts(store, options),
    knownTypes: options.type === undefined ? [] : (await store.getArtifactTypes()).map((t) => t.name),
  }))
  const shown = options.limit ? artifacts.slice(0, options.limit) : artifacts
  if (options.json) {
    writeJson(io, shown.map(toEntry))
    return ExitCode.Ok
  }
  if (shown.length === 0) {
    const typeHint = options.type !== undefined && !knownTypes.includes(options.type) ? ` The store knows the types ${knownTypes.join(', ') || '(none)'}.` : ''
    io.stdout.write(`No artifacts${options.type ? ` of type ${options.type}` : ''}${options.run ? ` in run ${options.run}` : ''}.${typeHint}\n`)
    return ExitCode.Ok
  }
  const rows = shown.map((a) => [
    String(a.id),
    a.type,
    stringProperty(a, 'producer_node') ?? '-',
    a.state === 'LIVE' ? a.state : colors.yellow(a.state),
    formatTimestamp(a.createTime),
    displayPath(a.uri, io.cwd),
  ])
  io.stdout.write(
    renderTable([{ header: 'ID', align: 'right' }, { header: 'TYPE' }, { header: 'PRODUCER' }, { header: 'STATE' }, { header: 'CREATED' }, { header: 'URI' }], rows, {
      formatHeader: colors.dim,
    }),
  )
  if (artifacts.length > shown.length) {
    const hidden = artifacts.length - shown.length
    io.stdout.write(colors.dim(`${hidden} older artifact${hidden === 1 ? '' : 's'} not shown; pass --limit 0 to list all.\n`))
  }
  return ExitCode.Ok
}

async function queryArtifacts(store: MetadataStore, options: ArtifactsCommandOptions): Promise<Artifact[]> {
  const query: ArtifactQuery = { order: 'id-desc' }
  if (options.type !== undefined) query.type = options.type
  if (options.run !== undefined) query.contextId = (await findRun(store, options.run)).contextId
  return store.getArtifacts(query)
}

function toEntry(artifact: Artifact): ArtifactListEntry {
  return {
    id: artifact.id!,
    type: artifact.type,
    uri: artifact.uri,
    state: artifact.state,
    producerNode: stringProperty(artifact, 'producer_node') ?? null,
    pipelineName: stringProperty(artifact, 'pipeline_name') ?? null,
    createTime: isoTimestamp(artifact.createTime),
    properties: artifact.properties ?? {},
    customProperties: artifact.customProperties ?? {},
  }
}
