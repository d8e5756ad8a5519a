// Reading and writing FeatureStats.json: a DatasetFeatureStatisticsList in proto3 JSON.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { StatisticsFormatError } from './errors.js'
import type {
  BytesStatistics,
  CommonStatistics,
  CustomStatistic,
  DatasetFeatureStatistics,
  DatasetFeatureStatisticsList,
  FeatureNameStatistics,
  StatisticsFeatureType,
  FreqAndValue,
  Histogram,
  HistogramBucket,
  NumericStatistics,
  RankHistogram,
  StringStatistics,
  WeightedCommonStatistics,
  WeightedNumericStatistics,
  WeightedStringStatistics,
} from './types.js'

/** The file name of a split's statistics inside an ExampleStatistics artifact. */
export const STATISTICS_FILE_NAME = 'FeatureStats.json'

/** `{artifactUri}/Split-{split}/FeatureStats.json`. */
export function statisticsFilePath(artifactUri: string, split: string): string {
  return path.join(artifactUri, `Split-${split}`, STATISTICS_FILE_NAME)
}

/**
 * Serialises statistics as proto3 JSON (two-space indented): int64 fields as JSON numbers,
 * non-finite doubles as "NaN", "Infinity", "-Infinity", undefined fields left out.
 */
export function serializeStatistics(list: DatasetFeatureStatisticsList): string {
  return `${JSON.stringify(list, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
    return value
  }, 2)}\n`
}

/** Writes statistics to `file` (creating its directory), atomically. */
export async function writeStatistics(file: string, list: DatasetFeatureStatisticsList): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, serializeStatistics(list))
  await rename(tmp, file)
}

/** Reads a FeatureStats.json file (see {@link parseStatistics}). */
export async function readStatistics(file: string): Promise<DatasetFeatureStatisticsList> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw new StatisticsFormatError(`Statistics file "${file}" cannot be read: ${(cause as Error).message}.`, {
      cause,
      file,
      fix: 'Check that StatisticsGen ran for this split (its output has one Split-{name}/FeatureStats.json per split).',
    })
  }
  return parseStatistics(text, file)
}

/** Reads the statistics of one split of an ExampleStatistics artifact: its one data set. */
export async function readSplitStatistics(artifactUri: string, split: string): Promise<DatasetFeatureStatistics> {
  const file = statisticsFilePath(artifactUri, split)
  const list = await readStatistics(file)
  const dataset = list.datasets[0]
  if (!dataset) throw new StatisticsFormatError(`Statistics file "${file}" holds no data set.`, { file })
  return dataset
}

/**
 * Parses a DatasetFeatureStatisticsList from proto3 JSON text or an already parsed value, written by
 * Sluice or by protobuf's json_format (TFDV): accepts int64 fields as numbers or strings, non-finite
 * doubles as strings, snake_case field names, the legacy `name` instead of `path`; fills the proto3
 * defaults of omitted fields (0, [], type INT, histogram type STANDARD).
 */
export function parseStatistics(input: string | unknown, file?: string): DatasetFeatureStatisticsList {
  let value: unknown = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (cause) {
      throw new StatisticsFormatError(`${file ? `Statistics file "${file}"` : 'Statistics'} is not valid JSON: ${(cause as Error).message}.`, { cause, ...(file ? { file } : {}) })
    }
  }
  const where = file ? `Statistics file "${file}"` : 'Statistics'
  if (!isObject(value)) throw new StatisticsFormatError(`${where} is not a DatasetFeatureStatisticsList (expected a JSON object with "datasets").`, file ? { file } : {})
  const datasets = arr(value, 'datasets')
  return { datasets: datasets.map((d, i) => parseDataset(d, `${where}: datasets[${i}]`, file)) }
}

type Obj = Record<string, unknown>

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function get(obj: Obj, key: string): unknown {
  return obj[key] ?? obj[snake(key)]
}

function num(obj: Obj, key: string): number {
  const value = get(obj, key)
  if (value === undefined || value === null) return 0
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN
    if (value === 'Infinity') return Number.POSITIVE_INFINITY
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY
    const parsed = Number(value)
    if (value.trim() !== '' && !Number.isNaN(parsed)) return parsed
  }
  throw new StatisticsFormatError(`field "${key}" is not a number: ${JSON.stringify(value)}.`)
}

function optNum(obj: Obj, key: string): number | undefined {
  const value = get(obj, key)
  return value === undefined || value === null ? undefined : num(obj, key)
}

function str(obj: Obj, key: string): string {
  const value = get(obj, key)
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)
}

function arr(obj: Obj, key: string): Obj[] {
  const value = get(obj, key)
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new StatisticsFormatError(`field "${key}" is not a list.`)
  return value.map((item) => (isObject(item) ? item : {}))
}

function sub(obj: Obj, key: string): Obj | undefined {
  const value = get(obj, key)
  return isObject(value) ? value : undefined
}

const FEATURE_TYPES: readonly StatisticsFeatureType[] = ['INT', 'FLOAT', 'STRING', 'BYTES', 'STRUCT']

function parseDataset(d: Obj, where: string, file: string | undefined): DatasetFeatureStatistics {
  try {
    const out: DatasetFeatureStatistics = {
      name: str(d, 'name'),
      numExamples: num(d, 'numExamples'),
      features: arr(d, 'features').map(parseFeature),
    }
    const weighted = optNum(d, 'weightedNumExamples')
    if (weighted !== undefined) out.weightedNumExamples = weighted
    const cross = get(d, 'crossFeatures')
    if (Array.isArray(cross) && cross.length > 0) out.crossFeatures = cross as DatasetFeatureStatistics['crossFeatures']
    return out
  } catch (cause) {
    if (cause instanceof StatisticsFormatError && !cause.file) {
      throw new StatisticsFormatError(`${where}: ${cause.message}`, { cause, ...(file ? { file } : {}) })
    }
    throw cause
  }
}

function parseFeature(f: Obj): FeatureNameStatistics {
  const rawType = get(f, 'type')
  const type: StatisticsFeatureType = typeof rawType === 'number' ? (FEATURE_TYPES[rawType] ?? 'INT') : FEATURE_TYPES.includes(rawType as StatisticsFeatureType) ? (rawType as StatisticsFeatureType) : 'INT'
  const pathObj = sub(f, 'path')
  const steps = pathObj ? get(pathObj, 'step') : undefined
  const name = get(f, 'name')
  const out: FeatureNameStatistics = {
    path: { step: Array.isArray(steps) ? steps.map(String) : typeof name === 'string' ? [name] : [] },
    type,
  }
  const numStats = sub(f, 'numStats')
  const stringStats = sub(f, 'stringStats')
  const bytesStats = sub(f, 'bytesStats')
  const structStats = sub(f, 'structStats')
  if (numStats) out.numStats = parseNumeric(numStats)
  if (stringStats) out.stringStats = parseString(stringStats)
  if (bytesStats) out.bytesStats = parseBytes(bytesStats)
  if (structStats) out.structStats = { commonStats: parseCommon(sub(structStats, 'commonStats') ?? {}) }
  const custom = arr(f, 'customStats')
  if (custom.length > 0) out.customStats = custom.map(parseCustom)
  return out
}

function parseCommon(c: Obj): CommonStatistics {
  const out: CommonStatistics = {
    numNonMissing: num(c, 'numNonMissing'),
    numMissing: num(c, 'numMissing'),
    minNumValues: num(c, 'minNumValues'),
    maxNumValues: num(c, 'maxNumValues'),
    avgNumValues: num(c, 'avgNumValues'),
    totNumValues: num(c, 'totNumValues'),
  }
  const hist = sub(c, 'numValuesHistogram')
  if (hist) out.numValuesHistogram = parseHistogram(hist)
  const weighted = sub(c, 'weightedCommonStats')
  if (weighted) out.weightedCommonStats = parseWeightedCommon(weighted)
  const lengths = sub(c, 'featureListLengthHistogram')
  if (lengths) out.featureListLengthHistogram = parseHistogram(lengths)
  const pv = arr(c, 'presenceAndValencyStats')
  if (pv.length > 0) {
    out.presenceAndValencyStats = pv.map((p) => ({
      numNonMissing: num(p, 'numNonMissing'),
      numMissing: num(p, 'numMissing'),
      minNumValues: num(p, 'minNumValues'),
      maxNumValues: num(p, 'maxNumValues'),
      totNumValues: num(p, 'totNumValues'),
    }))
  }
  const wpv = arr(c, 'weightedPresenceAndValencyStats')
  if (wpv.length > 0) out.weightedPresenceAndValencyStats = wpv.map(parseWeightedCommon)
  return out
}

function parseWeightedCommon(w: Obj): WeightedCommonStatistics {
  return { numNonMissing: num(w, 'numNonMissing'), numMissing: num(w, 'numMissing'), avgNumValues: num(w, 'avgNumValues'), totNumValues: num(w, 'totNumValues') }
}

function parseNumeric(n: Obj): NumericStatistics {
  const out: NumericStatistics = {
    commonStats: parseCommon(sub(n, 'commonStats') ?? {}),
    mean: num(n, 'mean'),
    stdDev: num(n, 'stdDev'),
    numZeros: num(n, 'numZeros'),
    min: num(n, 'min'),
    median: num(n, 'median'),
    max: num(n, 'max'),
    histograms: arr(n, 'histograms').map(parseHistogram),
  }
  const weighted = sub(n, 'weightedNumericStats')
  if (weighted) {
    const w: WeightedNumericStatistics = { mean: num(weighted, 'mean'), stdDev: num(weighted, 'stdDev'), median: num(weighted, 'median'), histograms: arr(weighted, 'histograms').map(parseHistogram) }
    out.weightedNumericStats = w
  }
  return out
}

function parseString(s: Obj): StringStatistics {
  const out: StringStatistics = {
    commonStats: parseCommon(sub(s, 'commonStats') ?? {}),
    unique: num(s, 'unique'),
    topValues: arr(s, 'topValues').map(parseFreq),
    avgLength: num(s, 'avgLength'),
  }
  const rank = sub(s, 'rankHistogram')
  if (rank) out.rankHistogram = parseRank(rank)
  const weighted = sub(s, 'weightedStringStats')
  if (weighted) {
    const w: WeightedStringStatistics = { topValues: arr(weighted, 'topValues').map(parseFreq) }
    const wr = sub(weighted, 'rankHistogram')
    if (wr) w.rankHistogram = parseRank(wr)
    out.weightedStringStats = w
  }
  const vocabularyFile = get(s, 'vocabularyFile')
  if (typeof vocabularyFile === 'string') out.vocabularyFile = vocabularyFile
  const invalid = optNum(s, 'invalidUtf8Count')
  if (invalid !== undefined) out.invalidUtf8Count = invalid
  return out
}

function parseBytes(b: Obj): BytesStatistics {
  const out: BytesStatistics = {
    commonStats: parseCommon(sub(b, 'commonStats') ?? {}),
    unique: num(b, 'unique'),
    avgNumBytes: num(b, 'avgNumBytes'),
    minNumBytes: num(b, 'minNumBytes'),
    maxNumBytes: num(b, 'maxNumBytes'),
  }
  const maxInt = optNum(b, 'maxNumBytesInt')
  if (maxInt !== undefined) out.maxNumBytesInt = maxInt
  return out
}

function parseFreq(f: Obj): FreqAndValue {
  const out: FreqAndValue = { value: str(f, 'value'), frequency: num(f, 'frequency') }
  const deprecated = optNum(f, 'deprecatedFreq')
  if (deprecated !== undefined) {
    out.deprecatedFreq = deprecated
    if (out.frequency === 0) out.frequency = deprecated
  }
  return out
}

function parseHistogram(h: Obj): Histogram {
  const type = get(h, 'type')
  const out: Histogram = {
    numNan: num(h, 'numNan'),
    numUndefined: num(h, 'numUndefined'),
    buckets: arr(h, 'buckets').map((b): HistogramBucket => {
      const bucket: HistogramBucket = { lowValue: num(b, 'lowValue'), highValue: num(b, 'highValue'), sampleCount: num(b, 'sampleCount') }
      const deprecated = optNum(b, 'deprecatedCount')
      if (deprecated !== undefined) bucket.deprecatedCount = deprecated
      return bucket
    }),
    type: type === 'QUANTILES' || type === 1 ? 'QUANTILES' : 'STANDARD',
  }
  const name = get(h, 'name')
  if (typeof name === 'string' && name !== '') out.name = name
  return out
}

function parseRank(r: Obj): RankHistogram {
  const out: RankHistogram = {
    buckets: arr(r, 'buckets').map((b) => ({ lowRank: num(b, 'lowRank'), highRank: num(b, 'highRank'), label: str(b, 'label'), sampleCount: num(b, 'sampleCount') })),
  }
  const name = get(r, 'name')
  if (typeof name === 'string' && name !== '') out.name = name
  return out
}

function parseCustom(c: Obj): CustomStatistic {
  const out: CustomStatistic = { name: str(c, 'name') }
  const n = optNum(c, 'num')
  if (n !== undefined) out.num = n
  const s = get(c, 'str')
  if (typeof s === 'string') out.str = s
  const h = sub(c, 'histogram')
  if (h) out.histogram = parseHistogram(h)
  const r = sub(c, 'rankHistogram')
  if (r) out.rankHistogram = parseRank(r)
  return out
}

/** A feature's path as one string: its steps joined with ".". */
export function featurePathString(feature: Pick<FeatureNameStatistics, 'path' | 'name'>): string {
  return feature.path?.step.length ? feature.path.step.join('.') : (feature.name ?? '')
}

/** The statistics of the feature called `name` (a top-level name or a dotted path), if any. */
export function findFeatureStatistics(dataset: DatasetFeatureStatistics, name: string): FeatureNameStatistics | undefined {
  return dataset.features.find((f) => featurePathString(f) === name)
}

/** The common statistics of a feature, whichever of num/string/bytes/struct stats holds them. */
export function commonStatisticsOf(feature: FeatureNameStatistics): CommonStatistics | undefined {
  return (feature.numStats ?? feature.stringStats ?? feature.bytesStats ?? feature.structStats)?.commonStats
}
