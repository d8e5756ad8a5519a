import { stripVTControlCharacters } from 'node:util'
import { describe, expect, test } from 'vitest'
import { formatAnomaliesTable } from '../src/anomalies.js'
import type { Anomalies } from '../src/anomalies.js'

const clean: Anomalies = { anomalyNameFormat: 'SERIALIZED_PATH', anomalyInfo: {} }

const problems: Anomalies = {
  anomalyNameFormat: 'SERIALIZED_PATH',
  anomalyInfo: {
    payment_type: {
      path: { step: ['payment_type'] },
      severity: 'ERROR',
      shortDescription: 'Unexpected string values',
      description: 'Examples contain values missing from the schema: Bitcoin (~12%), Venmo (<1%). ',
      reason: [],
    },
    tips: {
      path: { step: ['tips'] },
      severity: 'ERROR',
      shortDescription: 'Column dropped',
      description: 'Column is completely missing',
      reason: [],
    },
  },
  datasetAnomalyInfo: {
    severity: 'ERROR',
    shortDescription: 'Low num examples in dataset.',
    description: 'The dataset has 3 examples, which is fewer than expected.',
    reason: [],
  },
}

describe('formatAnomaliesTable', () => {
  test('"No anomalies found." when there is nothing', () => {
    expect(formatAnomaliesTable({})).toBe('No anomalies found.\n')
    expect(formatAnomaliesTable({ train: clean })).toBe('Split train: No anomalies found.\n')
  })

  test('one row per anomalous feature, TFDV columns, dataset anomalies last', () => {
    expect(formatAnomaliesTable({ train: clean, eval: problems }, { width: 140 })).toBe(
      [
        'Split train: No anomalies found.',
        '',
        'Split eval: 3 anomalies',
        '  Feature name       Anomaly short description     Anomaly long description',
        "  'payment_type'     Unexpected string values      Examples contain values missing from the schema: Bitcoin (~12%), Venmo (<1%).",
        "  'tips'             Column dropped                Column is completely missing",
        '  [dataset anomaly]  Low num examples in dataset.  The dataset has 3 examples, which is fewer than expected.',
        '',
      ].join('\n'),
    )
  })

  test('long descriptions wrap to the width, without trailing spaces', () => {
    const text = formatAnomaliesTable(new Map([['eval', problems]]), { width: 80 })
    const lines = text.trimEnd().split('\n')
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80)
    expect(lines.some((l) => l.endsWith(' '))).toBe(false)
    expect(text).toBe(
      [
        'Split eval: 3 anomalies',
        '  Feature name       Anomaly short        Anomaly long description',
        '                     description',
        "  'payment_type'     Unexpected string    Examples contain values missing from",
        '                     values               the schema: Bitcoin (~12%), Venmo',
        '                                          (<1%).',
        "  'tips'             Column dropped       Column is completely missing",
        '  [dataset anomaly]  Low num examples in  The dataset has 3 examples, which is',
        '                     dataset.             fewer than expected.',
        '',
      ].join('\n'),
    )
  })

  test('color marks headings and error descriptions, and changes nothing else', () => {
    const colored = formatAnomaliesTable({ eval: problems }, { color: true, width: 120 })
    expect(colored).toContain('\x1b[1mSplit eval\x1b[22m')
    expect(colored).toContain('\x1b[31mColumn dropped\x1b[39m')
    expect(stripVTControlCharacters(colored)).toBe(formatAnomaliesTable({ eval: problems }, { width: 120 }))
  })

  test('data missing without a dataset anomaly still shows a row', () => {
    expect(formatAnomaliesTable({ eval: { ...clean, dataMissing: true } })).toContain('[dataset anomaly]  Data missing')
  })
})
