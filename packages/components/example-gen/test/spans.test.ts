import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { rejectionOf, runComponent } from '@sluice/testing'
import { CsvExampleGen, analyzePattern, dateToSpan, resolveInput, spanToDateTokens } from '../src/index.js'
import type { InputConfig } from '../src/index.js'
import { rootIn, tempDir, writeFiles } from './helpers.js'

let dir: string
beforeAll(async () => {
  dir = await tempDir('example-gen-spans-')
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const one = (pattern: string): InputConfig => ({ splits: [{ name: 'single_split', pattern }] })
async function layout(name: string, files: string[]): Promise<string> {
  const base = path.join(dir, name)
  await writeFiles(base, Object.fromEntries(files.map((f) => [f, 'x\n1\n'])))
  return base
}
const relative = (base: string, files: readonly string[]) => files.map((f) => path.relative(base, f))

describe('span and version resolution', () => {
  test('{SPAN} picks the latest span numerically, and rewrites the pattern', async () => {
    const base = await layout('latest', ['span-1/a.csv', 'span-2/a.csv', 'span-10/a.csv', 'span-10/b.csv', 'other/c.csv'])
    const input = await resolveInput(base, one('span-{SPAN}/*.csv'))
    expect(input.span).toBe(10)
    expect(input.version).toBeUndefined()
    expect(input.splits[0]!.pattern).toBe('span-10/*.csv')
    expect(relative(base, input.splits[0]!.files)).toEqual(['span-10/a.csv', 'span-10/b.csv'])
  })

  test('{VERSION} picks the latest version of the latest span', async () => {
    const base = await layout('versions', ['span-2/ver-9/a.csv', 'span-3/ver-1/a.csv', 'span-3/ver-2/a.csv', 'span-3/ver-2/b.csv'])
    const input = await resolveInput(base, one('span-{SPAN}/ver-{VERSION}/*.csv'))
    expect([input.span, input.version]).toEqual([3, 2])
    expect(input.splits[0]!.pattern).toBe('span-3/ver-2/*.csv')
    expect(input.splits[0]!.files).toHaveLength(2)
  })

  test('a static range reads the span it names (start must equal end)', async () => {
    const base = await layout('static', ['span-1/a.csv', 'span-2/a.csv', 'span-3/a.csv'])
    const input = await resolveInput(base, one('span-{SPAN}/*.csv'), { staticRange: { startSpanNumber: 2, endSpanNumber: 2 } })
    expect(input.span).toBe(2)
    expect(relative(base, input.splits[0]!.files)).toEqual(['span-2/a.csv'])
    const wide = await rejectionOf(resolveInput(base, one('span-{SPAN}/*.csv'), { staticRange: { startSpanNumber: 1, endSpanNumber: 3 } }))
    expect(wide).toMatchObject({ code: 'SLUICE_EXAMPLEGEN_BAD_CONFIG' })
    expect(() => CsvExampleGen({ inputBase: base, inputConfig: one('span-{SPAN}/*.csv'), rangeConfig: { staticRange: { startSpanNumber: 1, endSpanNumber: 3 } } })).toThrow(
      /startSpanNumber \(1\) must equal endSpanNumber \(3\)/,
    )
    const absent = await rejectionOf(resolveInput(base, one('span-{SPAN}/*.csv'), { staticRange: { startSpanNumber: 7, endSpanNumber: 7 } }))
    expect(absent).toMatchObject({ code: 'SLUICE_EXAMPLEGEN_NO_FILES' })
    expect(absent.message).toContain('for span 7 (rangeConfig.staticRange)')
  })

  test('{YYYY}{MM}{DD}: span is days since 1970-01-01; a static range names a date by its span', async () => {
    expect(dateToSpan(2017, 1, 1)).toBe(17167)
    expect(spanToDateTokens(17167)).toEqual(['2017', '01', '01'])
    expect(dateToSpan(2023, 2, 29)).toBeUndefined()
    const base = await layout('dates', ['day-20230101/a.csv', 'day-20230115/a.csv', 'day-20221231/a.csv'])
    const latest = await resolveInput(base, one('day-{YYYY}{MM}{DD}/*.csv'))
    expect(latest.span).toBe(dateToSpan(2023, 1, 15))
    expect(latest.splits[0]!.pattern).toBe('day-20230115/*.csv')
    const pinned = await resolveInput(base, one('day-{YYYY}{MM}{DD}/*.csv'), { staticRange: { startSpanNumber: 19358, endSpanNumber: 19358 } })
    expect(pinned.splits[0]!.pattern).toBe('day-20230101/*.csv')
    const bad = await layout('bad-date', ['day-20231340/a.csv'])
    const error = await rejectionOf(resolveInput(bad, one('day-{YYYY}{MM}{DD}/*.csv')))
    expect(error).toMatchObject({ code: 'SLUICE_EXAMPLEGEN_BAD_SPAN' })
    expect(error.message).toContain('2023-13-40')
  })

  test('{SPAN:n} matches exactly n digits and zero-pads static spans', async () => {
    const base = await layout('padded', ['span-001/a.csv', 'span-002/a.csv', 'span-0003/a.csv', 'span-7/a.csv'])
    const latest = await resolveInput(base, one('span-{SPAN:3}/*.csv'))
    expect(latest.span).toBe(2)
    expect(latest.splits[0]!.pattern).toBe('span-002/*.csv')
    const pinned = await resolveInput(base, one('span-{SPAN:3}/*.csv'), { staticRange: { startSpanNumber: 1, endSpanNumber: 1 } })
    expect(relative(base, pinned.splits[0]!.files)).toEqual(['span-001/a.csv'])
    const narrow = await rejectionOf(resolveInput(base, one('span-{SPAN:3}/*.csv'), { staticRange: { startSpanNumber: 1000, endSpanNumber: 1000 } }))
    expect(narrow).toMatchObject({ code: 'SLUICE_EXAMPLEGEN_BAD_SPAN' })
    expect(narrow.message).toContain('{SPAN:3} is narrower than span 1000')
  })

  test('splits must resolve to the same span and version', async () => {
    const base = await layout('mismatch', ['train/span-1/a.csv', 'train/span-2/a.csv', 'eval/span-1/a.csv'])
    const config: InputConfig = { splits: [{ name: 'train', pattern: 'train/span-{SPAN}/*' }, { name: 'eval', pattern: 'eval/span-{SPAN}/*' }] }
    const error = await rejectionOf(resolveInput(base, config))
    expect(error).toMatchObject({ code: 'SLUICE_EXAMPLEGEN_BAD_SPAN' })
    expect(error.message).toContain('"train" has span 2, "eval" has span 1')
    // Pinning the span both splits have works.
    const pinned = await resolveInput(base, config, { staticRange: { startSpanNumber: 1, endSpanNumber: 1 } })
    expect(pinned.span).toBe(1)
    const mixed = await rejectionOf(resolveInput(base, { splits: [{ name: 'train', pattern: 'train/span-{SPAN}/*' }, { name: 'eval', pattern: 'eval/span-1/*' }] }))
    expect(mixed.message).toContain('use different placeholders')
  })

  test('placeholder rules (TFX verify_split_pattern_specs) and range config without a placeholder', async () => {
    expect(analyzePattern('a/{SPAN}/v{VERSION:2}/*')).toEqual({ span: { width: undefined }, date: false, version: { width: 2 } })
    for (const [pattern, message] of [
      ['{SPAN}/{SPAN}/*', 'more than one {SPAN}'],
      ['{SPAN}/{YYYY}{MM}{DD}', 'both {SPAN} and the date spec'],
      ['{YYYY}{MM}/*', 'each of {YYYY}, {MM} and {DD} exactly once'],
      ['v{VERSION}/*', '{VERSION} without {SPAN}'],
      ['{SPAN}/{VERSION}/{VERSION}', 'more than one {VERSION}'],
      ['{SPAN:x}/*', 'width is not a positive integer'],
      ['{SPAN:0}/*', 'width is not a positive integer'],
    ] as const) {
      expect(() => analyzePattern(pattern), pattern).toThrow(message)
    }
    const base = await layout('no-spec', ['a.csv'])
    const error = await rejectionOf(resolveInput(base, one('*.csv'), { staticRange: { startSpanNumber: 1, endSpanNumber: 1 } }))
    expect(error).toMatchObject({ code: 'SLUICE_EXAMPLEGEN_BAD_CONFIG' })
  })

  test('the input fingerprint is TFX’s: file count, total bytes, XOR and sum of mtimes in seconds', async () => {
    const base = await layout('fingerprint', ['a.csv', 'b.csv'])
    await fs.utimes(path.join(base, 'a.csv'), 1_700_000_000, 1_700_000_000.9)
    await fs.utimes(path.join(base, 'b.csv'), 1_700_000_123, 1_700_000_123)
    const input = await resolveInput(base, one('*.csv'))
    expect(input.fingerprint).toBe(`split:single_split,num_files:2,total_bytes:8,xor_checksum:${1_700_000_000 ^ 1_700_000_123},sum_checksum:3400000123`)
  })

  test('CsvExampleGen records the resolved span and version on its output', async () => {
    const base = path.join(dir, 'e2e')
    await writeFiles(base, { 'span-4/v-1/data.csv': 'a\n1\n2\n', 'span-4/v-2/data.csv': 'a\n3\n4\n5\n', 'span-3/v-7/data.csv': 'a\n9\n' })
    const { outputs } = await runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase: base, inputConfig: one('span-{SPAN}/v-{VERSION}/*.csv') } })
    expect(outputs.examples.properties).toEqual({ splitNames: ['train', 'eval'], span: 4, version: 2 })
    expect(outputs.examples.customProperties).toMatchObject({ span: 4, version: 2 })
    expect(outputs.examples.customProperties.input_fingerprint).toMatch(/^split:single_split,num_files:1,total_bytes:8,/)
  })
})
