import fs from 'node:fs/promises'
import type { CommandContext, OutputOptions } from '../command-context.js'
import { writeJson } from '../command-context.js'
import { CliError } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import { renderArtifactReport } from '../format/artifact-reports.js'
import { displayPath } from '../format/paths.js'
import { stringProperty } from '../run-history.js'
import { locateStore, noRunsMessage, withStoreForReading, type StoreLocationOptions } from '../store-location.js'

/** Options of `sluice show`. */
export interface ShowCommandOptions extends OutputOptions, StoreLocationOptions {}

/**
 * `sluice show <artifactId>`: one artifact — its type, uri and properties, and for data artifacts
 * their report (the statistics summary, TFDV's anomalies table), or the value of a value artifact.
 */
export async function showCommand(artifactId: string, options: ShowCommandOptions, ctx: CommandContext): Promise<number> {
  const { io, colors } = ctx
  const id = Number(artifactId)
  if (!Number.isInteger(id) || id <= 0) throw new CliError('SLUICE_CLI_ARTIFACT_NOT_FOUND', `"${artifactId}" is not an artifact id.`, { fix: 'Pass the number `sluice artifacts` shows in its ID column.' })
  const location = await locateStore(options, io.cwd)
  if (!location) {
    io.stdout.write(`${noRunsMessage(io.cwd)}\n`)
    return ExitCode.Ok
  }
  const artifact = await withStoreForReading(location, async (store) => (await store.getArtifactsById([id]))[0])
  if (!artifact) throw new CliError('SLUICE_CLI_ARTIFACT_NOT_FOUND', `No artifact ${id} in the metadata store ${location.path}.`, { fix: 'List them with `sluice artifacts`.' })
  if (options.json) {
    writeJson(io, artifact)
    return ExitCode.Ok
  }
  const lines = [
    `${colors.bold(`${artifact.type} #${artifact.id}`)}  ${artifact.state}${stringProperty(artifact, 'producer_node') ? `  from ${stringProperty(artifact, 'producer_node')}` : ''}`,
    `  uri  ${displayPath(artifact.uri, io.cwd)}`,
  ]
  for (const [name, value] of Object.entries({ ...artifact.properties, ...artifact.customProperties })) {
    if (name === 'producer_node') continue
    lines.push(`  ${name}  ${typeof value === 'string' ? value : JSON.stringify(value)}`)
  }
  io.stdout.write(`${lines.join('\n')}\n`)
  const report = await renderArtifactReport(
    { id, type: artifact.type, uri: artifact.uri, properties: artifact.properties ?? {} },
    { color: colors.isColorSupported, width: io.stdout.columns ?? 120 },
  ).catch((error: unknown) => `(could not read the report: ${(error as Error).message})\n`)
  if (report) io.stdout.write(`\n${report}`)
  else if (artifact.customProperties?.value === undefined && (await isFile(artifact.uri))) {
    const text = await fs.readFile(artifact.uri, 'utf8')
    io.stdout.write(`\n${text.length > 4096 ? `${text.slice(0, 4096)}…\n` : text}\n`)
  }
  return ExitCode.Ok
}

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false
}
