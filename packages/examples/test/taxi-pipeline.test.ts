import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { LocalDagRunner } from '@sluice/runner'
import { openSqliteStore } from '@sluice/metadata'
import pipeline from '../src/taxi/pipeline.js'

describe('taxi example pipeline', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-taxi-'))

  test('runs end to end, blesses the model, and re-runs fully from cache', async () => {
    const first = await new LocalDagRunner().run(pipeline, { cwd })
    expect(first.status).toBe('COMPLETE')
    expect(Object.values(first.nodes).map((n) => n.status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE'])

    const accuracy = first.nodes.EvaluateModel!.outputs.accuracy![0]!
    const value = Number(fs.readFileSync(accuracy.uri, 'utf8'))
    // Always predicting "no big tip" scores about 0.77 on this data; the model must beat it clearly.
    expect(value).toBeGreaterThan(0.85)
    const blessing = first.nodes.EvaluateModel!.outputs.blessing![0]!
    expect(fs.existsSync(path.join(blessing.uri, 'BLESSED'))).toBe(true)
    expect(blessing.customProperties.current_model_id).toBe(first.nodes.TrainLogistic!.outputs.model![0]!.id)

    const examples = first.nodes.SplitCsv!.outputs.examples![0]!
    expect(examples.properties.splitNames).toEqual(['train', 'eval'])
    const train = fs.readFileSync(path.join(examples.uri, 'Split-train', 'data.csv'), 'utf8').trim().split('\n').length - 1
    const evalRows = fs.readFileSync(path.join(examples.uri, 'Split-eval', 'data.csv'), 'utf8').trim().split('\n').length - 1
    expect(train + evalRows).toBe(15002)

    const second = await new LocalDagRunner().run(pipeline, { cwd })
    expect(Object.values(second.nodes).every((n) => n.status === 'CACHED')).toBe(true)
    expect(second.nodes.EvaluateModel!.outputs.accuracy![0]!.id).toBe(accuracy.id)

    const store = openSqliteStore(path.join(cwd, '.sluice', 'taxi', 'metadata.sqlite'), { readonly: true })
    try {
      const lineage = await store.getLineage({ artifactIds: [accuracy.id], direction: 'upstream' })
      const producers = new Set(lineage.executions.map((e) => e.type))
      expect(producers).toEqual(new Set(['EvaluateModel', 'TrainLogistic', 'LabelRate', 'SplitCsv']))
    } finally {
      await store.close()
    }
  })
})
