// Read access to one split's statistics, as TFDV's DatasetStatsView / FeatureStatsView give it:
// presence, valency, string value counts, numeric ranges and histograms. Tolerant of proto3 JSON
// written by other tools: omitted defaults read as 0 / [] / INT / STANDARD, and "NaN" / "Infinity"
// strings read as numbers. Unweighted statistics are used (weighted ones are not consulted).

import type {
  CommonStatistics,
  DatasetFeatureStatistics,
  DatasetFeatureStatisticsList,
  FeatureNameStatistics,
  Histogram,
} from '../statistics.js'
import { SchemaError } from './errors.js'
import type { SchemaFeatureType } from './types.js'

/** Statistics as the schema and anomalies functions accept them: a list (one dataset, or several with the default slice) or one dataset. */
export type StatisticsInput = DatasetFeatureStatisticsList | DatasetFeatureStatistics

/** TFDV's name for the slice of all examples. */
export const DEFAULT_SLICE_NAME = 'All Examples'

/** The marker TFDV's statistics use for values that are not valid UTF-8. */
const INVALID_UTF8 = '__BYTES_VALUE__'

/** A number from proto3 JSON: numbers as they are, "NaN"/"Infinity"/"-Infinity" and numeric strings parsed, anything else 0. */
export function num(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN
    if (value === 'Infinity') return Infinity
    if (value === '-Infinity') return -Infinity
    const parsed = Number(value)
    return Number.isNaN(parsed) ? 0 : parsed
  }
  return 0
}

/** Picks the dataset to use, as TFDV does: the only one, or the default slice among several. */
export function selectDataset(statistics: StatisticsInput, what: string): DatasetFeatureStatistics {
  if (!('datasets' in statistics)) return statistics
  const datasets = statistics.datasets ?? []
  if (datasets.length === 1) return datasets[0]!
  const all = datasets.find((d) => d.name === DEFAULT_SLICE_NAME)
  if (all) return all
  throw new SchemaError(
    'SLUICE_STATISTICS_INVALID',
    datasets.length === 0
      ? `${what} holds no dataset (DatasetFeatureStatisticsList.datasets is empty).`
      : `${what} holds ${datasets.length} datasets (${datasets.map((d) => JSON.stringify(d.name)).join(', ')}) and none is the default slice "${DEFAULT_SLICE_NAME}".`,
    { fix: 'Pass the statistics of one split: one DatasetFeatureStatistics, or a list with one dataset.' },
  )
}

/** The statistics of one dataset. */
export class DatasetView {
  readonly features: FeatureView[]
  private readonly byPath = new Map<string, FeatureView>()

  constructor(readonly data: DatasetFeatureStatistics) {
    this.features = []
    for (const feature of data.features ?? []) {
      if (!hasStats(feature)) continue
      const view = new FeatureView(feature, this)
      this.features.push(view)
      this.byPath.set(view.path, view)
    }
  }

  get numExamples(): number {
    return num(this.data.numExamples)
  }

  get(path: string): FeatureView | undefined {
    return this.byPath.get(path)
  }
}

// TFDV ignores features whose statistics are empty (no num/string/bytes/struct stats).
function hasStats(feature: FeatureNameStatistics): boolean {
  return Boolean(feature.numStats || feature.stringStats || feature.bytesStats || feature.structStats || feature.customStats?.length)
}

/** A feature path as a string: the steps joined with "." (TFDV's serialized path for plain names). */
export function serializePath(steps: readonly string[]): string {
  return steps.join('.')
}

/** The statistics of one feature. */
export class FeatureView {
  readonly path: string
  readonly steps: string[]

  constructor(
    readonly data: FeatureNameStatistics,
    readonly dataset: DatasetView,
  ) {
    this.steps = data.path?.step?.length ? [...data.path.step] : [data.name ?? '']
    this.path = serializePath(this.steps)
  }

  /** The statistics type: INT, FLOAT, STRING, BYTES or STRUCT (proto3's default INT when omitted). */
  get statsType(): 'INT' | 'FLOAT' | 'STRING' | 'BYTES' | 'STRUCT' {
    return this.data.type ?? 'INT'
  }

  /** The schema type the statistics type corresponds to (STRING and BYTES are both BYTES). */
  get featureType(): SchemaFeatureType {
    const type = this.statsType
    return type === 'STRING' || type === 'BYTES' ? 'BYTES' : type
  }

  private get common(): Partial<CommonStatistics> {
    const d = this.data
    return d.numStats?.commonStats ?? d.stringStats?.commonStats ?? d.bytesStats?.commonStats ?? d.structStats?.commonStats ?? {}
  }

  get numPresent(): number {
    return num(this.common.numNonMissing)
  }

  get numMissing(): number {
    return num(this.common.numMissing)
  }

  get numExamples(): number {
    return this.dataset.numExamples
  }

  /** Fraction of examples that have the feature; 1 when none miss it, undefined for an empty dataset. */
  get fractionPresent(): number | undefined {
    if (this.numMissing === 0) return 1
    if (this.numExamples > 0) return this.numPresent / this.numExamples
    return undefined
  }

  /** [min, max] number of values per example, one pair per nesting level (Sluice writes one level). */
  get minMaxNumValues(): [number, number][] {
    const levels = this.common.presenceAndValencyStats
    if (levels && levels.length > 1) return levels.map((l) => [num(l.minNumValues), num(l.maxNumValues)])
    return [[num(this.common.minNumValues), num(this.common.maxNumValues)]]
  }

  /** Missing counts per nesting level. */
  get numMissingNested(): number[] {
    const levels = this.common.presenceAndValencyStats
    if (levels && levels.length > 1) return levels.map((l) => num(l.numMissing))
    return [this.numMissing]
  }

  /** Total number of values over all examples. */
  get totalValueCount(): number {
    const tot = num(this.common.totNumValues)
    if (tot !== 0) return tot
    return this.numPresent * num(this.common.avgNumValues)
  }

  private counts: Map<string, number> | undefined

  /**
   * Each distinct string value and its count, sorted by value (bytewise, as TFDV's std::map): from
   * the rank histogram, or from the top values when there is no rank histogram.
   */
  get stringValueCounts(): Map<string, number> {
    if (this.counts) return this.counts
    const stats = this.data.stringStats
    const pairs: [string, number][] = stats?.rankHistogram?.buckets?.length
      ? stats.rankHistogram.buckets.map((b) => [b.label ?? '', num(b.sampleCount)])
      : (stats?.topValues ?? []).map((v) => [v.value ?? '', num(v.frequency)])
    const map = new Map<string, number>()
    for (const [value, count] of pairs.sort(([a], [b]) => compareBytes(a, b))) if (!map.has(value)) map.set(value, count)
    this.counts = map
    return map
  }

  get stringValues(): string[] {
    return [...this.stringValueCounts.keys()]
  }

  /** The number of distinct values, counting those the rank histogram may have cut off. */
  get distinctValueCount(): number {
    return Math.max(this.stringValues.length, this.numUnique ?? 0)
  }

  get hasInvalidUtf8(): boolean {
    return this.stringValueCounts.has(INVALID_UTF8) || num(this.data.stringStats?.invalidUtf8Count) > 0
  }

  get numUnique(): number | undefined {
    return this.data.stringStats ? num(this.data.stringStats.unique) : undefined
  }

  get min(): number {
    return num(this.data.numStats?.min)
  }

  get max(): number {
    return num(this.data.numStats?.max)
  }

  get histograms(): Partial<Histogram>[] {
    return this.data.numStats?.histograms ?? []
  }

  /** The STANDARD (equal width) or QUANTILES histogram, if the statistics have one. */
  histogram(type: 'STANDARD' | 'QUANTILES'): Partial<Histogram> | undefined {
    return this.histograms.find((h) => (h.type ?? 'STANDARD') === type)
  }

  get numNan(): number {
    return Math.max(0, ...this.histograms.map((h) => num(h.numNan)))
  }
}

/** Compares strings by their UTF-8 bytes, as C++'s std::string ordering does. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
