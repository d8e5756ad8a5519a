// Issue acceptance (data plane): spans of the taxi data through ExampleGen, StatisticsGen and
// ExampleValidator against a curated schema. A span with injected problems reports each with TFDV's
// anomaly type; a clean span reports none.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { ExampleStatistics, Importer, Pipeline } from '@sluice/core'
import type { AnyNode } from '@sluice/core'
import { CsvExampleGen } from '@sluice/component-example-gen'
import { ExampleValidator } from '@sluice/component-example-validator'
import { ImportSchemaGen, SchemaGen } from '@sluice/component-schema-gen'
import { StatisticsGen } from '@sluice/component-statistics-gen'
import { readAnomalies } from '@sluice/data/anomalies'
import { formatSchemaText, readSchema } from '@sluice/data/schema'
import { LocalDagRunner } from '@sluice/runner'
import type { RunResult } from '@sluice/runner'

const taxiCsv = path.join(import.meta.dirname, '..', 'data', 'taxi', 'data.csv')

function parseLine(line: string): string[] {
  // The taxi sample has no quoted commas in the columns this test edits; quoted cells are kept whole.
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (const ch of line) {
    if (ch === '"') quoted = !quoted
    if (ch === ',' && !quoted) (cells.push(cell), (cell = ''))
    else cell += ch
  }
  cells.push(cell)
  return cells
}

function writeSpan(dir: string, span: number, header: string[], rows: string[][]): void {
  fs.mkdirSync(path.join(dir, `span-${span}`), { recursive: true })
  fs.writeFileSync(path.join(dir, `span-${span}`, 'data.csv'), `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`)
}

function statisticsPipeline(root: string, dataDir: string, schema: AnyNode | 'infer', previousStatistics?: string): Pipeline {
  const gen = CsvExampleGen({ inputBase: dataDir, inputConfig: { splits: [{ name: 'single_split', pattern: 'span-{SPAN}/*' }] } })
  const stats = StatisticsGen({ examples: gen.outputs.examples })
  const schemaNode = schema === 'infer' ? SchemaGen({ statistics: stats.outputs.statistics }) : (schema as ReturnType<typeof ImportSchemaGen>)
  const previous = previousStatistics
    ? Importer({ sourceUri: previousStatistics, artifactType: ExampleStatistics, properties: { splitNames: ['train', 'eval'] }, id: 'previousStatistics' })
    : undefined
  const validator = ExampleValidator({
    statistics: stats.outputs.statistics,
    schema: schemaNode.outputs.schema,
    ...(previous ? { previousStatistics: previous.outputs.result } : {}),
  })
  return new Pipeline({ name: 'spans', root, components: [gen, stats, schemaNode, ...(previous ? [previous] : []), validator] })
}

async function anomalyTypes(result: RunResult, split: string): Promise<Record<string, string[]>> {
  const anomalies = await readAnomalies(result.nodes.ExampleValidator!.outputs.anomalies![0]!.uri)
  const types: Record<string, string[]> = {}
  for (const [feature, info] of Object.entries(anomalies[split]?.anomalyInfo ?? {})) types[feature] = (info.reason ?? []).map((r) => r.type!).sort()
  return types
}

describe('validating spans of the taxi data', () => {
  test('a span with injected problems reports each with its type; a clean span reports none', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-spans-'))
    const dataDir = path.join(work, 'data')
    const [headerLine, ...lines] = fs.readFileSync(taxiCsv, 'utf8').trim().split('\n')
    const header = parseLine(headerLine!)
    const col = (name: string) => header.indexOf(name)
    const span1 = lines.slice(0, 4000).map(parseLine)
    writeSpan(dataDir, 1, header, span1)

    // Span 1: infer the schema, then curate it as a TFX user would: a range for fare, drift checks on payment_type.
    const first = await new LocalDagRunner().run(statisticsPipeline(path.join(work, 'root'), dataDir, 'infer'), { cwd: work })
    expect(first.status, JSON.stringify(Object.values(first.nodes).map((n) => n.error?.message).filter(Boolean))).toBe('COMPLETE')
    expect(await anomalyTypes(first, 'train')).toEqual({})
    const schema = await readSchema(first.nodes.SchemaGen!.outputs.schema![0]!.uri)
    const feature = (name: string) => schema.feature!.find((f) => f.name === name)!
    feature('fare').floatDomain = { min: 0, max: 1000 }
    feature('payment_type').driftComparator = { infinityNorm: { threshold: 0.1 } }
    const curated = path.join(work, 'schema.pbtxt')
    fs.writeFileSync(curated, formatSchemaText(schema))
    const previous = first.nodes.StatisticsGen!.outputs.statistics![0]!.uri

    // Span 2: a new category, a missing column, a numeric column turned to strings, out-of-range values, drift.
    const span2 = span1.map((row, i) => {
      const r = [...row]
      r[col('payment_type')] = i % 10 === 0 ? 'Bitcoin' : 'Credit Card'
      if (i % 20 === 1) r[col('trip_miles')] = 'n/a'
      if (i % 25 === 2) r[col('fare')] = '5000.5'
      return r.filter((_, c) => c !== col('company'))
    })
    writeSpan(dataDir, 2, header.filter((h) => h !== 'company'), span2)
    const broken = await new LocalDagRunner().run(statisticsPipeline(path.join(work, 'root'), dataDir, ImportSchemaGen({ schemaFile: curated }), previous), { cwd: work })
    expect(broken.status).toBe('COMPLETE')
    expect(broken.nodes.CsvExampleGen!.outputs.examples![0]!.properties.span).toBe(2)
    const found = await anomalyTypes(broken, 'train')
    expect(found.payment_type).toEqual(['COMPARATOR_L_INFTY_HIGH', 'ENUM_TYPE_UNEXPECTED_STRING_VALUES'])
    expect(found.company).toEqual(['SCHEMA_MISSING_COLUMN'])
    expect(found.trip_miles).toEqual(['UNEXPECTED_DATA_TYPE'])
    expect(found.fare).toEqual(['FLOAT_TYPE_BIG_FLOAT'])
    const anomalies = broken.nodes.ExampleValidator!.outputs.anomalies![0]!
    expect(anomalies.customProperties.blessed).toEqual({ train: 0, eval: 0 })
    const unexpected = (await readAnomalies(anomalies.uri)).train!.anomalyInfo!.payment_type!.reason!.find((r) => r.type === 'ENUM_TYPE_UNEXPECTED_STRING_VALUES')!
    expect(unexpected.description, unexpected.description).toMatch(/Examples contain values missing from the schema: Bitcoin \(~\d+%\)/)

    // Span 3: the rows of span 1 again, shuffled: nothing to report, drift included.
    const span3 = [...span1].sort((a, b) => (a.join() < b.join() ? -1 : 1))
    writeSpan(dataDir, 3, header, span3)
    const clean = await new LocalDagRunner().run(statisticsPipeline(path.join(work, 'root'), dataDir, ImportSchemaGen({ schemaFile: curated }), previous), { cwd: work })
    expect(clean.nodes.CsvExampleGen!.outputs.examples![0]!.properties.span).toBe(3)
    expect(await anomalyTypes(clean, 'train')).toEqual({})
    expect(await anomalyTypes(clean, 'eval')).toEqual({})
    expect(clean.nodes.ExampleValidator!.outputs.anomalies![0]!.customProperties.blessed).toEqual({ train: 1, eval: 1 })
  }, 180_000)
})
