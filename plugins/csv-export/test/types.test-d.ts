import { Channel, Examples, Model } from '@sluice/core'
import type { Artifact, InferParameters } from '@sluice/core'
import { describe, expectTypeOf, test } from 'vitest'
import { CsvExport, ExportSplitToCsv } from '../src/index.js'
import type { ExportSplitToCsvArgs } from '../src/index.js'

describe('ExportSplitToCsv types', () => {
  test('takes an Examples channel and typed parameters', () => {
    const node = ExportSplitToCsv({ examples: Channel(Examples), split: 'train', delimiter: ';' })
    expectTypeOf(node.outputs.csv).toEqualTypeOf<Channel<typeof CsvExport>>()
    expectTypeOf<InferParameters<typeof ExportSplitToCsv>>().toEqualTypeOf<{ split: string; header: boolean; delimiter: string }>()
    expectTypeOf<ExportSplitToCsvArgs['outputs']['csv']>().toEqualTypeOf<Artifact<typeof CsvExport>>()
    // @ts-expect-error a Model is not Examples
    ExportSplitToCsv({ examples: Channel(Model) })
    // @ts-expect-error header is a boolean
    ExportSplitToCsv({ examples: Channel(Examples), header: 'yes' })
  })
})
