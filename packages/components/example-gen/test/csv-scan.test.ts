import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { rejectionOf, runComponent } from '@sluice/testing'
import { CsvExampleGen } from '../src/index.js'
import { checkCsvRecords, mayHaveTrailingEmptyCells, readCsvHeader } from '../src/executors.js'
import { rootIn, tempDir, writeFiles } from './helpers.js'

const CHUNK = 1 << 20
let dir: string
beforeAll(async () => {
  dir = await tempDir('example-gen-scan-')
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

async function file(name: string, contents: string | Buffer): Promise<string> {
  await writeFiles(dir, { [name]: contents })
  return path.join(dir, name)
}

describe('the CSV scanner', () => {
  test('reads headers: quoted names, BOM, CRLF, a header without a line break', async () => {
    expect((await readCsvHeader(await file('h1.csv', '\uFEFF"a,1",b\r\n1,2\r\n'))).columns).toEqual(['a,1', 'b'])
    expect((await readCsvHeader(await file('h2.csv', 'x,"y ""q"""'))).columns).toEqual(['x', 'y "q"'])
    await expect(readCsvHeader(await file('h3.csv', '\n1,2\n'))).rejects.toMatchObject({ code: 'SLUICE_EXAMPLEGEN_EMPTY_FILE' })
    await expect(readCsvHeader(await file('h4.csv', '"a,b\n1,2\n'))).rejects.toMatchObject({ code: 'SLUICE_EXAMPLEGEN_BAD_CSV' })
  })

  test('counts records and lines across 1 MB chunk boundaries (quotes, escaped quotes, CRLF)', async () => {
    // Pad so that interesting bytes land on the chunk boundary.
    for (const [name, tail] of [
      ['quote', '"split\nacross",2\r\n'],
      ['escaped', '"a""b",2\r\n'],
      ['crlf', 'x,2\r\n'],
    ] as const) {
      for (let shift = -3; shift <= 3; shift++) {
        const head = 'a,b\r\n'
        const fillerLine = `${'z'.repeat(98)},1\r\n`
        const lines = Math.floor((CHUNK - head.length) / fillerLine.length)
        const used = head.length + lines * fillerLine.length
        const pad = 'p'.repeat(Math.max(0, CHUNK - used + shift - 4)) + ',1\r\n'
        const text = head + fillerLine.repeat(lines) + pad + tail + 'last,3\r\n'
        const f = await file(`boundary-${name}-${shift + 3}.csv`, text)
        const counted = await checkCsvRecords(f, 2)
        expect(counted.records, `${name} ${shift}`).toBe(lines + 3)
      }
    }
    // A ragged row after a quoted line break is reported at its physical line.
    const f = await file('lines.csv', 'a,b\r\n"x\r\ny\r\nz",1\r\n1,2,3\r\n')
    await expect(checkCsvRecords(f, 2)).rejects.toThrow(/line 5: the row has 3 cells/)
  })

  test('spots files that may hide extra empty cells, also across chunk boundaries', async () => {
    expect(await mayHaveTrailingEmptyCells(await file('t1.csv', 'a,b\n1,2\n'))).toBe(false)
    expect(await mayHaveTrailingEmptyCells(await file('t2.csv', 'a,b\n1,2,\n'))).toBe(true)
    expect(await mayHaveTrailingEmptyCells(await file('t3.csv', 'a,b\n1,2,""\n'))).toBe(true)
    expect(await mayHaveTrailingEmptyCells(await file('t4.csv', 'a,b\n1,2,'))).toBe(true)
    expect(await mayHaveTrailingEmptyCells(await file('t5.csv', 'a,b\r\n1,2,\r\n'))).toBe(true)
    const filler = 'x'.repeat(CHUNK - 5)
    expect(await mayHaveTrailingEmptyCells(await file('t6.csv', `a\n${filler},\nzz\n`))).toBe(true)
    expect(await mayHaveTrailingEmptyCells(await file('t7.csv', `a\n${filler}y\nzz\n`))).toBe(false)
  })

  test('every form of extra empty cells DuckDB would drop is a ragged row', async () => {
    for (const [name, row] of [
      ['comma', '1,2,'],
      ['two-commas', '1,2,,'],
      ['quoted-empty', '1,2,""'],
      ['quoted-empty-space', '1,2,"" '],
    ] as const) {
      const inputBase = path.join(dir, `extra-${name}`)
      await writeFiles(inputBase, { 'data.csv': `a,b\n0,0\n${row}\n3,4\n` })
      const error = await rejectionOf(runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase } }))
      expect(error.code, name).toBe('SLUICE_EXAMPLEGEN_RAGGED_ROW')
      expect(error.message, name).toContain('data.csv line 3')
    }
    // An empty last cell that the header has is fine.
    const inputBase = path.join(dir, 'empty-last')
    await writeFiles(inputBase, { 'data.csv': 'a,b,c\n1,2,\n3,4,""\n' })
    await expect(runComponent(CsvExampleGen, { root: rootIn(dir), parameters: { inputBase } })).resolves.toBeDefined()
  })
})
