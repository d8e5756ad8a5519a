import { describe, expect, test } from 'vitest'
import { CliError, colorsFor, drawTree, formatDuration, formatError, renderTable } from '../src/index.js'
import { displayPath } from '../src/format/paths.js'
import { BufferStream } from './helpers.js'

const plain = colorsFor(new BufferStream(false), {})

describe('formatters', () => {
  test('durations read like people say them', () => {
    expect([0, 340, 4250, 42_560, 125_000, 3_725_000].map(formatDuration)).toEqual(['0ms', '340ms', '4.2s', '42.5s', '2m 05s', '1h 02m'])
  })

  test('tables align on visible width, ignoring colors', () => {
    const colored = colorsFor(new BufferStream(true), { FORCE_COLOR: '1' })
    const text = renderTable([{ header: 'A' }, { header: 'N', align: 'right' }, { header: 'LAST' }], [[colored.red('xx'), '5', 'end'], ['y', '100', '']])
    expect(text.replace(/\x1b\[\d+m/g, '')).toBe('A     N  LAST\nxx    5  end\ny   100\n')
  })

  test('paths under the working directory are shown relative', () => {
    expect(displayPath('/p/.sluice/x/1/', '/p')).toBe('./.sluice/x/1/')
    expect(displayPath('/other/x', '/p')).toBe('/other/x')
    expect(displayPath('gs://bucket/x', '/p')).toBe('gs://bucket/x')
  })

  test('trees use box-drawing branches', () => {
    const leaf = (label: string) => ({ label, children: [] })
    expect(drawTree({ label: 'root', children: [{ label: 'a', children: [leaf('a1')] }, leaf('b')] })).toBe('root\n├─ a\n│  └─ a1\n└─ b\n')
  })
})

describe('formatError', () => {
  test('one line with the code, the stack and causes only when verbose', () => {
    const error = new CliError('SLUICE_CLI_RUN_NOT_FOUND', 'No run "x".', { fix: 'List them.', cause: new Error('inner\ndetail') })
    expect(formatError(error, { verbose: false, colors: plain })).toBe('error: No run "x". List them. [SLUICE_CLI_RUN_NOT_FOUND]\n')
    const verbose = formatError(error, { verbose: true, colors: plain }).split('\n')
    expect(verbose[0]).toBe('error: No run "x". List them. [SLUICE_CLI_RUN_NOT_FOUND]')
    expect(verbose[1]).toMatch(/^\s+at /)
    expect(verbose).toContain('caused by: inner detail')
  })

  test('errors without a code and non-errors still make one line', () => {
    expect(formatError(new TypeError('bad'), { verbose: false, colors: plain })).toBe('error: bad\n')
    expect(formatError('text', { verbose: false, colors: plain })).toBe('error: text\n')
  })
})
