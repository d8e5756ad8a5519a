import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  Channel,
  Examples,
  Importer,
  IntegerArtifact,
  Model,
  ModelBlessing,
  Pipeline,
  Resolver,
  Schema,
  StringArtifact,
  component,
  latestArtifacts,
  latestBlessedModel,
  optional,
  z,
} from '@sluice/core'
import { eventsOf, execution, openStore, outputId, run, statuses, tempDir } from './helpers.js'

const ReadSchema = component({ name: 'ReadSchema', inputs: { schema: Schema }, outputs: { text: StringArtifact } }, ({ inputs }) => {
  const stat = fs.statSync(inputs.schema.uri)
  return { text: stat.isFile() ? fs.readFileSync(inputs.schema.uri, 'utf8') : fs.readdirSync(inputs.schema.uri).join(',') }
})

describe('Importer', () => {
  test('registers an external file as an artifact, reuses it while unchanged, and registers a new one when it changes', async () => {
    const dir = tempDir()
    const source = path.join(dir, 'schema.pbtxt')
    fs.writeFileSync(source, 'feature { name: "a" }')
    const build = () => {
      const importer = Importer({ sourceUri: source, artifactType: Schema, id: 'curated', customProperties: { origin: 'hand-written' } })
      return new Pipeline({ name: 'imp', root: path.join(dir, 'root'), components: [importer, ReadSchema({ schema: importer.outputs.result })] })
    }
    const pipeline = build()
    const first = await run(pipeline)
    expect(statuses(first)).toEqual({ curated: 'COMPLETE', ReadSchema: 'COMPLETE' })
    const store = openStore(pipeline)
    const importedId = outputId(first, 'curated', 'result')
    const [imported] = await store.getArtifactsById([importedId])
    expect(imported).toMatchObject({ type: 'Schema', uri: source, state: 'LIVE' })
    expect(imported!.customProperties).toMatchObject({ is_external: 1, origin: 'hand-written', source_fingerprint: expect.stringMatching(/^file:/) })
    const importExec = await execution(store, first.nodes.curated!.executionId)
    expect(importExec).toMatchObject({ type: 'Importer', state: 'COMPLETE', customProperties: expect.objectContaining({ source_uri: source }) })
    expect((await eventsOf(store, importExec.id!, 'OUTPUT'))[0]).toMatchObject({ artifactId: importedId, path: [{ key: 'result' }, { index: 0 }] })
    // The file was registered, not copied.
    expect(fs.existsSync(path.join(dir, 'root', 'curated'))).toBe(false)

    const second = await run(build())
    expect(statuses(second)).toEqual({ curated: 'CACHED', ReadSchema: 'CACHED' })
    expect(outputId(second, 'curated', 'result')).toBe(importedId)
    expect((await execution(store, second.nodes.curated!.executionId)).state).toBe('CACHED')

    fs.writeFileSync(source, 'feature { name: "b" }')
    const third = await run(build())
    expect(statuses(third)).toEqual({ curated: 'COMPLETE', ReadSchema: 'COMPLETE' })
    expect(outputId(third, 'curated', 'result')).not.toBe(importedId)
    expect(fs.readFileSync(third.nodes.ReadSchema!.outputs.text![0]!.uri, 'utf8')).toBe('feature { name: "b" }')
  })

  test('imports a directory with declared properties given in TypeScript names', async () => {
    const dir = tempDir()
    const data = path.join(dir, 'examples')
    fs.mkdirSync(path.join(data, 'Split-train'), { recursive: true })
    fs.writeFileSync(path.join(data, 'Split-train', 'rows.csv'), 'a\n')
    let seen: unknown
    const Look = component({ name: 'Look', inputs: { examples: Examples }, outputs: { n: IntegerArtifact } }, ({ inputs }) => {
      seen = { ...inputs.examples.properties }
      return { n: 1 }
    })
    const build = () => {
      const importer = Importer({ sourceUri: data, artifactType: Examples, properties: { splitNames: ['train'], span: 3 } })
      return new Pipeline({ name: 'impdir', root: path.join(dir, 'root'), components: [importer, Look({ examples: importer.outputs.result })] })
    }
    const pipeline = build()
    const first = await run(pipeline)
    expect(statuses(first)).toEqual({ Importer: 'COMPLETE', Look: 'COMPLETE' })
    expect(seen).toEqual({ splitNames: ['train'], span: 3 })
    const [stored] = await openStore(pipeline).getArtifactsById([outputId(first, 'Importer', 'result')])
    expect(stored!.properties).toEqual({ split_names: '["train"]', span: 3 })
    expect(stored!.customProperties?.source_fingerprint).toMatch(/^dir:/)
    const second = await run(build())
    expect(statuses(second)).toEqual({ Importer: 'CACHED', Look: 'CACHED' })
  })

  test('fails clearly when the source does not exist; its downstream is skipped', async () => {
    const dir = tempDir()
    const importer = Importer({ sourceUri: path.join(dir, 'nowhere.pbtxt'), artifactType: Schema })
    const pipeline = new Pipeline({ name: 'missing', root: path.join(dir, 'root'), components: [importer, ReadSchema({ schema: importer.outputs.result })] })
    const result = await run(pipeline)
    expect(result.status).toBe('FAILED')
    expect(statuses(result)).toEqual({ Importer: 'FAILED', ReadSchema: 'SKIPPED' })
    expect(result.nodes.Importer!.error).toMatchObject({ code: 'SLUICE_IMPORT_SOURCE_MISSING' })
    expect(result.nodes.Importer!.error!.message).toContain('nowhere.pbtxt')
    const exec = await execution(openStore(pipeline), result.nodes.Importer!.executionId)
    expect(exec.state).toBe('FAILED')
    expect(exec.customProperties?.error_code).toBe('SLUICE_IMPORT_SOURCE_MISSING')
  })
})

describe('Resolver', () => {
  const Train = component({ name: 'Train', outputs: { model: Model }, parameters: z.object({ tag: z.string() }) }, ({ outputs, parameters }) => {
    fs.writeFileSync(path.join(outputs.model.uri, 'model.txt'), parameters.tag)
  })

  test('latestArtifacts(1) over a standalone Channel picks the newest artifact of the type from earlier runs of this pipeline', async () => {
    const dir = tempDir()
    const root = path.join(dir, 'root')
    const metadataPath = path.join(dir, 'metadata.sqlite')
    const trainOnly = (name: string, tag: string) => new Pipeline({ name, root, metadataPath, components: [Train({ tag })] })
    let picked: string | undefined
    const Use = component({ name: 'Use', inputs: { model: Model }, outputs: { tag: StringArtifact } }, ({ inputs }) => {
      picked = fs.readFileSync(path.join(inputs.model.uri, 'model.txt'), 'utf8')
      return { tag: picked }
    })
    const consumer = () => {
      const latest = Resolver({ strategy: latestArtifacts(1), model: Channel(Model), id: 'latest' })
      return new Pipeline({ name: 'res', root, metadataPath, components: [latest, Use({ model: latest.outputs.model })] })
    }

    // Nothing recorded yet: the Resolver finds nothing and its dependants are skipped.
    const empty = await run(consumer())
    expect(statuses(empty)).toEqual({ latest: 'SKIPPED', Use: 'SKIPPED' })
    expect(empty.status).toBe('COMPLETE')

    await run(trainOnly('res', 'first'))
    const second = await run(trainOnly('res', 'second'))
    await run(trainOnly('another-pipeline', 'foreign'))
    const result = await run(consumer())
    expect(statuses(result)).toEqual({ latest: 'COMPLETE', Use: 'COMPLETE' })
    expect(picked).toBe('second')
    expect(outputId(result, 'latest', 'model')).toBe(outputId(second, 'Train', 'model'))
    const store = openStore(consumer())
    const exec = await execution(store, result.nodes.latest!.executionId)
    expect(exec).toMatchObject({ type: 'Resolver', state: 'COMPLETE', customProperties: expect.objectContaining({ strategy: 'latestArtifacts', strategy_config: { n: 1 } }) })
    expect((await eventsOf(store, exec.id!, 'INPUT')).map((e) => e.artifactId)).toEqual([outputId(second, 'Train', 'model')])
  })

  test('latestBlessedModel() picks the newest Model with a ModelBlessing blessed = 1 for it; without one the optional baseline is empty', async () => {
    const dir = tempDir()
    const Bless = component(
      { name: 'Bless', inputs: { model: Model }, outputs: { blessing: ModelBlessing }, parameters: z.object({ bless: z.boolean() }) },
      ({ inputs, outputs, parameters }) => {
        fs.writeFileSync(path.join(outputs.blessing.uri, parameters.bless ? 'BLESSED' : 'NOT_BLESSED'), '')
        outputs.blessing.customProperties.blessed = parameters.bless ? 1 : 0
        outputs.blessing.customProperties.current_model_id = inputs.model.id!
      },
    )
    const baselines: (number | undefined)[] = []
    const Evaluate = component(
      { name: 'Evaluate', inputs: { model: Model, baseline: optional(Model) }, outputs: { report: StringArtifact } },
      ({ inputs }) => {
        baselines.push(inputs.baseline?.id)
        return { report: `${inputs.model.id} vs ${inputs.baseline?.id ?? 'none'}` }
      },
    )
    const build = (tag: string, bless: boolean) => {
      const baseline = Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing), id: 'baseline' })
      const train = Train({ tag })
      const blessing = Bless({ model: train.outputs.model, bless })
      const evaluate = Evaluate({ model: train.outputs.model, baseline: baseline.outputs.model })
      return new Pipeline({ name: 'blessed', root: path.join(dir, 'root'), components: [baseline, train, blessing, evaluate] })
    }
    // parallelism 1: the Resolver (listed first) reads the history before this run's Train publishes.
    const r1 = await run(build('a', true), { parallelism: 1 })
    expect(statuses(r1)).toEqual({ baseline: 'COMPLETE', Train: 'COMPLETE', Bless: 'COMPLETE', Evaluate: 'COMPLETE' })
    expect(r1.nodes.baseline!.outputs).toEqual({ model: [], blessing: [] })
    const r2 = await run(build('b', false), { parallelism: 1 })
    const r3 = await run(build('c', true), { parallelism: 1 })
    const r4 = await run(build('d', false), { parallelism: 1 })
    const [m1, , m3] = [r1, r2, r3].map((r) => outputId(r, 'Train', 'model'))
    expect(baselines).toEqual([undefined, m1, m1, m3])
    expect(outputId(r4, 'baseline', 'blessing')).toBe(outputId(r3, 'Bless', 'blessing'))
    const [blessing] = await openStore(build('x', true)).getArtifactsById([outputId(r3, 'Bless', 'blessing')])
    expect(blessing!.customProperties).toMatchObject({ blessed: 1, current_model_id: m3 })
  })
})
