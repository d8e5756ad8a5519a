// Readable reports of artifacts: the statistics summary and TFDV's anomalies table (from
// @sluice/data), and the Evaluator's slice table (from @sluice/component-evaluator/report). Both
// packages are optional peers: loaded only when such an artifact is shown, and skipped (with a hint)
// when not installed.

/** An artifact as the reports need it. */
export interface ReportableArtifact {
  readonly id: number
  readonly type: string
  readonly uri: string
  readonly properties: Readonly<Record<string, unknown>>
}

/** Artifact types that have a report. */
export const REPORTED_TYPES: ReadonlySet<string> = new Set(['ExampleStatistics', 'ExampleAnomalies', 'ModelEvaluation'])

function splitsOf(artifact: ReportableArtifact): string[] | undefined {
  const splits = artifact.properties.splitNames ?? artifact.properties.split_names
  if (Array.isArray(splits)) return splits.map(String)
  if (typeof splits === 'string') {
    try {
      const parsed: unknown = JSON.parse(splits)
      if (Array.isArray(parsed)) return parsed.map(String)
    } catch {
      // Not a JSON list: no split names recorded.
    }
  }
  return undefined
}

async function importData<T>(subpath: 'statistics' | 'anomalies'): Promise<T | undefined> {
  try {
    // Literal specifiers, so bundlers and vite can see both imports.
    return (await (subpath === 'statistics' ? import('@sluice/data/statistics') : import('@sluice/data/anomalies'))) as T
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined
    throw error
  }
}

async function importEvaluatorReport(): Promise<typeof import('@sluice/component-evaluator/report') | undefined> {
  try {
    return await import('@sluice/component-evaluator/report')
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined
    throw error
  }
}

/** The report of one artifact, or undefined when its type has none. */
export async function renderArtifactReport(artifact: ReportableArtifact, options: { color: boolean; width: number }): Promise<string | undefined> {
  if (!REPORTED_TYPES.has(artifact.type)) return undefined
  if (artifact.type === 'ModelEvaluation') {
    const report = await importEvaluatorReport()
    if (!report) return `(install @sluice/component-evaluator to see evaluation #${artifact.id})\n`
    return report.formatSliceTable(artifact.uri, options)
  }
  if (artifact.type === 'ExampleStatistics') {
    const data = await importData<typeof import('@sluice/data/statistics')>('statistics')
    if (!data) return `(install @sluice/data to see statistics #${artifact.id})\n`
    const parts: string[] = []
    for (const split of splitsOf(artifact) ?? []) {
      parts.push(data.formatStatisticsSummary(await data.readStatistics(data.statisticsFilePath(artifact.uri, split)), options))
    }
    return parts.join('\n')
  }
  const data = await importData<typeof import('@sluice/data/anomalies')>('anomalies')
  if (!data) return `(install @sluice/data to see anomalies #${artifact.id})\n`
  return data.formatAnomaliesTable(await data.readAnomalies(artifact.uri, splitsOf(artifact)), options)
}
