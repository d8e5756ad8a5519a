// Input resolution, after TFX's FileBasedDriver (tfx/components/example_gen/utils.py): split
// patterns with {SPAN}, {SPAN:n}, {VERSION}, {VERSION:n} and {YYYY}{MM}{DD} placeholders are resolved
// against the files under inputBase (latest span, then latest version in it, or a static span from
// the range config), rewritten with the concrete tokens, and fingerprinted. No DuckDB here: the
// component's cache-key fingerprint hook runs this in the runner's process.
import fs from 'node:fs/promises'
import path from 'node:path'
import { ExampleGenError } from './errors.js'
import { globFiles, globFragmentToRegex, validateGlob } from './glob.js'
import type { InputConfig, RangeConfig } from './parameters.js'

/** One input split after resolution. */
export interface ResolvedSplit {
  readonly name: string
  /** The pattern with its placeholders replaced by the tokens found (e.g. `span-07/*.csv`). */
  readonly pattern: string
  /** Matching files: absolute paths, sorted. */
  readonly files: readonly string[]
}

/** The input of one ExampleGen execution. */
export interface ResolvedInput {
  /** The span: matched by {SPAN} or the date spec, or 0 without them. */
  readonly span: number
  /** The version matched by {VERSION}, or undefined without it. */
  readonly version: number | undefined
  readonly splits: readonly ResolvedSplit[]
  /**
   * TFX's input fingerprint: per split
   * `split:{name},num_files:{n},total_bytes:{b},xor_checksum:{x},sum_checksum:{s}` (checksums of the
   * files' modification times in seconds), joined with newlines.
   */
  readonly fingerprint: string
}

/** The placeholders a split pattern uses (TFX's `verify_split_pattern_specs`). */
export interface PatternSpecs {
  /** {SPAN} or {SPAN:width}. */
  readonly span: { readonly width: number | undefined } | undefined
  /** {YYYY}, {MM} and {DD}, each exactly once. */
  readonly date: boolean
  /** {VERSION} or {VERSION:width}. */
  readonly version: { readonly width: number | undefined } | undefined
}

const SPAN_SPEC = /\{SPAN(?::([^}]*))?\}/g
const VERSION_SPEC = /\{VERSION(?::([^}]*))?\}/g
const DATE_SPECS = ['{YYYY}', '{MM}', '{DD}'] as const
const ANY_SPEC = /\{SPAN(?::[^}]*)?\}|\{VERSION(?::[^}]*)?\}|\{YYYY\}|\{MM\}|\{DD\}/g

function badSpec(pattern: string, what: string, fix?: string): ExampleGenError {
  return new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_GLOB', `The split pattern "${pattern}" ${what}.`, {
    fix: fix ?? 'See docs/concepts/spans.md for the {SPAN}, {VERSION} and {YYYY}{MM}{DD} rules.',
  })
}

function parseWidth(pattern: string, spec: string, width: string | undefined): number | undefined {
  if (width === undefined || width === '') return undefined
  if (!/^[0-9]+$/.test(width) || Number(width) <= 0) throw badSpec(pattern, `has a {${spec}:${width}} whose width is not a positive integer`)
  return Number(width)
}

/**
 * Checks the placeholders of a split pattern against TFX's rules and returns them.
 *
 * @throws ExampleGenError `SLUICE_EXAMPLEGEN_BAD_GLOB` when a rule is broken.
 */
export function analyzePattern(pattern: string): PatternSpecs {
  validateGlob(pattern.replace(ANY_SPEC, 'x'))
  const spans = [...pattern.matchAll(SPAN_SPEC)]
  const versions = [...pattern.matchAll(VERSION_SPEC)]
  const hasDate = DATE_SPECS.some((spec) => pattern.includes(spec))
  if (spans.length > 0 && hasDate) throw badSpec(pattern, 'uses both {SPAN} and the date spec; use one of them')
  if (spans.length > 1) throw badSpec(pattern, 'has more than one {SPAN}; only one is allowed')
  if (hasDate && !DATE_SPECS.every((spec) => pattern.split(spec).length === 2)) {
    throw badSpec(pattern, 'must use each of {YYYY}, {MM} and {DD} exactly once')
  }
  if (versions.length > 0 && spans.length === 0 && !hasDate) throw badSpec(pattern, 'has {VERSION} without {SPAN} or a date spec')
  if (versions.length > 1) throw badSpec(pattern, 'has more than one {VERSION}; only one is allowed')
  return {
    span: spans[0] ? { width: parseWidth(pattern, 'SPAN', spans[0][1]) } : undefined,
    date: hasDate,
    version: versions[0] ? { width: parseWidth(pattern, 'VERSION', versions[0][1]) } : undefined,
  }
}

/** Days since 1970-01-01 of a calendar date, or undefined when the date does not exist. */
export function dateToSpan(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month - 1, day)
  const date = new Date(ms)
  if (year < 1 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  return Math.round(ms / 86_400_000)
}

/** The calendar date of a span number (days since 1970-01-01), as zero-padded YYYY, MM, DD tokens. */
export function spanToDateTokens(span: number): [string, string, string] {
  const date = new Date(span * 86_400_000)
  return [String(date.getUTCFullYear()).padStart(4, '0'), String(date.getUTCMonth() + 1).padStart(2, '0'), String(date.getUTCDate()).padStart(2, '0')]
}

function zeroPad(pattern: string, spec: string, value: number, width: number | undefined): string {
  const text = String(value)
  if (width === undefined) return text
  if (width < text.length) {
    throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_SPAN', `The split pattern "${pattern}": {${spec}:${width}} is narrower than ${spec.toLowerCase()} ${value} (${text.length} digits).`, {
      fix: `Widen the placeholder, e.g. {${spec}:${text.length}}.`,
    })
  }
  return text.padStart(width, '0')
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** Regex source of a glob fragment that may contain "/" and "**" (the walker already filtered the candidates). */
function looseGlobToRegex(fragment: string, pattern: string): string {
  return fragment
    .split('**')
    .map((part) => part.split('/').map((p) => globFragmentToRegex(p, pattern)).join('/'))
    .join('.*')
}

interface Match {
  readonly spanTokens: readonly string[]
  readonly span: number
  readonly versionToken: string | undefined
  readonly version: number | undefined
}

/** Resolves the split's placeholders: latest span (or the static one), then latest version in it. */
async function resolveSpecSplit(
  inputBase: string,
  split: { name: string; pattern: string },
  specs: PatternSpecs,
  rangeConfig: RangeConfig | undefined,
): Promise<{ pattern: string; span: number; version: number | undefined }> {
  const { pattern } = split
  const staticSpan = rangeConfig?.staticRange?.startSpanNumber
  // Build the candidate glob and the capturing regex piece by piece.
  let glob = ''
  let regex = ''
  let last = 0
  for (const m of pattern.matchAll(ANY_SPEC)) {
    const literal = pattern.slice(last, m.index)
    glob += literal
    regex += looseGlobToRegex(literal, pattern)
    last = m.index + m[0].length
    const spec = m[0]
    if (spec.startsWith('{SPAN')) {
      const width = specs.span?.width
      if (staticSpan !== undefined) {
        const token = zeroPad(pattern, 'SPAN', staticSpan, width)
        glob += token
        regex += `(?<span>${token})`
      } else {
        glob += '*'
        regex += width === undefined ? '(?<span>[0-9]+)' : `(?<span>[0-9]{${width}})`
      }
    } else if (spec.startsWith('{VERSION')) {
      const width = specs.version?.width
      glob += '*'
      regex += width === undefined ? '(?<version>[0-9]+)' : `(?<version>[0-9]{${width}})`
    } else {
      const index = DATE_SPECS.indexOf(spec as (typeof DATE_SPECS)[number])
      const name = (['year', 'month', 'day'] as const)[index]!
      if (staticSpan !== undefined) {
        const token = spanToDateTokens(staticSpan)[index]!
        glob += token
        regex += `(?<${name}>${token})`
      } else {
        glob += '*'
        regex += `(?<${name}>[0-9]{${index === 0 ? 4 : 2}})`
      }
    }
  }
  glob += pattern.slice(last)
  regex += looseGlobToRegex(pattern.slice(last), pattern)
  const base = inputBase.split(path.sep).join('/')
  const fullRegex = new RegExp(`^${path.isAbsolute(pattern) ? '' : `${escapeRegex(base.endsWith('/') ? base : `${base}/`)}`}${regex}$`, 's')

  let latest: Match | undefined
  for (const file of await globFiles(inputBase, glob)) {
    const groups = fullRegex.exec(file.split(path.sep).join('/'))?.groups
    if (!groups) continue
    let spanTokens: string[]
    let span: number
    if (specs.span) {
      spanTokens = [groups.span!]
      span = Number(groups.span)
    } else {
      spanTokens = [groups.year!, groups.month!, groups.day!]
      const days = dateToSpan(Number(groups.year), Number(groups.month), Number(groups.day))
      if (days === undefined) {
        throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_SPAN', `Split "${split.name}": file ${file} has the date ${spanTokens.join('-')} (from pattern "${pattern}"), which does not exist.`, {
          split: split.name,
          file,
          fix: 'Rename or remove the file, or make the pattern more specific.',
        })
      }
      span = days
    }
    const version = groups.version === undefined ? undefined : Number(groups.version)
    if (latest === undefined || span > latest.span || (span === latest.span && version !== undefined && version >= (latest.version ?? -1))) {
      latest = { spanTokens, span, versionToken: groups.version, version }
    }
  }
  if (latest === undefined) {
    const which = staticSpan !== undefined ? ` for span ${staticSpan} (rangeConfig.staticRange)` : ''
    throw new ExampleGenError('SLUICE_EXAMPLEGEN_NO_FILES', `Split "${split.name}": no file under ${inputBase} matches "${pattern}"${which}.`, {
      split: split.name,
      fix: `Check inputBase and the pattern; the files searched were "${glob}" relative to inputBase.`,
    })
  }
  let resolved = ''
  last = 0
  for (const m of pattern.matchAll(ANY_SPEC)) {
    resolved += pattern.slice(last, m.index)
    last = m.index + m[0].length
    const spec = m[0]
    if (spec.startsWith('{SPAN')) resolved += latest.spanTokens[0]
    else if (spec.startsWith('{VERSION')) resolved += latest.versionToken
    else resolved += latest.spanTokens[DATE_SPECS.indexOf(spec as (typeof DATE_SPECS)[number])]
  }
  resolved += pattern.slice(last)
  return { pattern: resolved, span: latest.span, version: latest.version }
}

/** TFX's per-split fingerprint of a set of files. */
export async function splitFingerprint(name: string, files: readonly string[]): Promise<string> {
  let totalBytes = 0
  let xor = 0n
  let sum = 0n
  for (const file of files) {
    const stat = await fs.stat(file)
    totalBytes += stat.size
    const mtime = BigInt(Math.floor(stat.mtimeMs / 1000))
    xor ^= mtime
    sum += mtime
  }
  return `split:${name},num_files:${files.length},total_bytes:${totalBytes},xor_checksum:${xor},sum_checksum:${sum}`
}

/**
 * Resolves the input splits of an ExampleGen: placeholders, files and fingerprint.
 *
 * @throws ExampleGenError `SLUICE_EXAMPLEGEN_NO_FILES` when a split matches nothing,
 * `SLUICE_EXAMPLEGEN_BAD_SPAN` when splits resolve to different spans or versions,
 * `SLUICE_EXAMPLEGEN_BAD_GLOB` / `SLUICE_EXAMPLEGEN_BAD_CONFIG` for invalid patterns or range configs.
 */
export async function resolveInput(inputBase: string, inputConfig: InputConfig, rangeConfig?: RangeConfig): Promise<ResolvedInput> {
  const resolved: { name: string; pattern: string; files: string[]; span: number | undefined; version: number | undefined; specs: PatternSpecs }[] = []
  if (rangeConfig?.staticRange && rangeConfig.staticRange.startSpanNumber !== rangeConfig.staticRange.endSpanNumber) {
    throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_CONFIG', `rangeConfig.staticRange spans ${rangeConfig.staticRange.startSpanNumber}..${rangeConfig.staticRange.endSpanNumber}, but ExampleGen reads exactly one span.`, {
      fix: 'Set startSpanNumber equal to endSpanNumber (as TFX requires for ExampleGen).',
    })
  }
  try {
    await fs.access(inputBase)
  } catch (cause) {
    throw new ExampleGenError('SLUICE_EXAMPLEGEN_NO_FILES', `inputBase ${inputBase} does not exist.`, { cause, fix: 'Check the inputBase path (relative paths are resolved against the run directory).' })
  }
  for (const split of inputConfig.splits) {
    const specs = analyzePattern(split.pattern)
    if (!specs.span && !specs.date) {
      if (rangeConfig) {
        throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_CONFIG', `Split "${split.name}": rangeConfig is set but the pattern "${split.pattern}" has no {SPAN} or {YYYY}{MM}{DD} placeholder.`, {
          split: split.name,
          fix: 'Add a span placeholder to the pattern, or remove rangeConfig.',
        })
      }
      const files = await globFiles(inputBase, split.pattern)
      if (files.length === 0) {
        throw new ExampleGenError('SLUICE_EXAMPLEGEN_NO_FILES', `Split "${split.name}": no file under ${inputBase} matches "${split.pattern}".`, {
          split: split.name,
          fix: 'Check inputBase and the split pattern (a glob relative to inputBase; hidden files are not matched by wildcards).',
        })
      }
      resolved.push({ name: split.name, pattern: split.pattern, files, span: undefined, version: undefined, specs })
      continue
    }
    const found = await resolveSpecSplit(inputBase, split, specs, rangeConfig)
    const files = await globFiles(inputBase, found.pattern)
    resolved.push({ name: split.name, pattern: found.pattern, files, span: found.span, version: found.version, specs })
  }
  const first = resolved[0]!
  for (const other of resolved.slice(1)) {
    const usesSpan = (r: typeof first) => r.span !== undefined
    if (usesSpan(other) !== usesSpan(first) || other.specs.version === undefined !== (first.specs.version === undefined)) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_SPAN', `Splits "${first.name}" and "${other.name}" use different placeholders ("${inputConfig.splits[0]!.pattern}" vs "${inputConfig.splits.find((s) => s.name === other.name)!.pattern}").`, {
        fix: 'Use the same {SPAN}/date and {VERSION} placeholders in every split pattern.',
      })
    }
    if (other.span !== first.span) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_SPAN', `The latest span differs between splits: "${first.name}" has span ${first.span}, "${other.name}" has span ${other.span}.`, {
        split: other.name,
        fix: 'Every split must have files for the same span; add the missing files or pin the span with rangeConfig.staticRange.',
      })
    }
    if (other.version !== first.version) {
      throw new ExampleGenError('SLUICE_EXAMPLEGEN_BAD_SPAN', `The latest version of span ${first.span} differs between splits: "${first.name}" has version ${first.version}, "${other.name}" has version ${other.version}.`, {
        split: other.name,
        fix: 'Every split must have files for the same version.',
      })
    }
  }
  const fingerprints = await Promise.all(resolved.map((r) => splitFingerprint(r.name, r.files)))
  return {
    span: first.span ?? 0,
    version: first.version,
    splits: resolved.map(({ name, pattern, files }) => ({ name, pattern, files })),
    fingerprint: fingerprints.join('\n'),
  }
}
