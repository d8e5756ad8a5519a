import { describe, expect, test } from 'vitest'
import {
  Channel,
  Examples,
  Importer,
  Model,
  ModelBlessing,
  Pipeline,
  PipelineError,
  Resolver,
  Schema,
  WiringError,
  latestArtifacts,
  latestBlessedModel,
} from '../src/index.js'
import type { ArtifactRecord, ResolverStrategy } from '../src/index.js'
import { ExampleGen, StatisticsGen, Trainer, callUntyped, thrown } from './helpers.js'

const untypedImporter = (args: unknown) => (Importer as (a: unknown) => unknown)(args)
const untypedResolver = (args: unknown) => (Resolver as (a: unknown) => unknown)(args)

describe('Importer', () => {
  test('makes a system node whose result channel has the imported type', () => {
    const node = Importer({ sourceUri: './schema', artifactType: Schema, properties: {}, customProperties: { source: 'curated' } })
    expect(node.id).toBe('Importer')
    expect(node.component.name).toBe('Importer')
    expect(node.inputs).toEqual({})
    expect(node.upstream).toEqual([])
    expect(Object.keys(node.outputs)).toEqual(['result'])
    expect(node.outputs.result.type).toBe(Schema)
    expect(node.outputs.result.producer).toBe(node)
    expect(node.outputs.result.outputKey).toBe('result')
    expect(node.parameters).toEqual({ sourceUri: './schema', artifactType: 'Schema', reimport: false, properties: {}, customProperties: { source: 'curated' } })
    expect(node.system).toEqual({
      kind: 'importer',
      sourceUri: './schema',
      artifactType: Schema,
      reimport: false,
      properties: {},
      customProperties: { source: 'curated' },
    })
  })

  test('takes an id and reimport', () => {
    const node = Importer({ sourceUri: '/data/schema', artifactType: Schema, reimport: true, id: 'curatedSchema' })
    expect(node.id).toBe('curatedSchema')
    expect(node.system).toMatchObject({ kind: 'importer', reimport: true })
  })

  test('its result wires into inputs of that type only', () => {
    const gen = ExampleGen({ inputBase: 'x' })
    const schema = Importer({ sourceUri: './schema', artifactType: Schema })
    const stats = StatisticsGen({ examples: gen.outputs.examples, schema: schema.outputs.result })
    expect(stats.upstream).toEqual([gen, schema])
    expect(() => callUntyped(StatisticsGen, { examples: schema.outputs.result })).toThrow(
      'input "examples" expects artifact type "Examples" but received "Schema" from "Importer".result.',
    )
  })

  test('checks its arguments', () => {
    for (const args of [undefined, {}, { sourceUri: '', artifactType: Schema }, { sourceUri: 42, artifactType: Schema }]) {
      const error = thrown(() => untypedImporter(args))
      expect(error).toBeInstanceOf(PipelineError)
      expect(error.message).toBe('Importer: "sourceUri" must be a non-empty path.')
    }
    expect(() => untypedImporter({ sourceUri: './s', artifactType: 'Schema', id: 'imp' })).toThrow(
      'Importer "imp": "artifactType" must be an artifact type such as Schema.',
    )
    expect(() => untypedImporter({ sourceUri: './s', artifactType: Schema, properties: { when: new Date(0) } })).toThrow(
      'Importer "Importer": properties.when is not plain JSON.',
    )
    expect(() => untypedImporter({ sourceUri: './s', artifactType: Schema, customProperties: { f: () => 1 } })).toThrow(
      'Importer "Importer": customProperties.f is not plain JSON.',
    )
    expect(() => Importer({ sourceUri: './s', artifactType: Schema, id: 'bad id' })).toThrow(PipelineError)
  })

  test('two Importers need ids to share a pipeline', () => {
    const a = Importer({ sourceUri: './a', artifactType: Schema })
    const b = Importer({ sourceUri: './b', artifactType: Examples })
    expect(() => new Pipeline({ name: 'p', components: [a, b] })).toThrow('two nodes have the id "Importer" (components "Importer" and "Importer")')
  })
})

describe('Resolver', () => {
  test('outputs mirror its channels, with their types', () => {
    const strategy = latestBlessedModel()
    const node = Resolver({ strategy, model: Channel(Model), blessing: Channel(ModelBlessing) })
    expect(node.id).toBe('Resolver')
    expect(node.component.name).toBe('Resolver')
    expect(Object.keys(node.outputs)).toEqual(['model', 'blessing'])
    expect(node.outputs.model.type).toBe(Model)
    expect(node.outputs.blessing.type).toBe(ModelBlessing)
    expect(node.outputs.model.producer).toBe(node)
    expect(node.inputs.model).toHaveLength(1)
    expect(node.inputs.model![0]!.type).toBe(Model)
    expect(node.parameters).toEqual({ strategy: 'latestBlessedModel', config: {} })
    expect(node.system).toEqual({ kind: 'resolver', strategy })
  })

  test('takes an id and channels of nodes of the pipeline', () => {
    const gen = ExampleGen({ inputBase: 'x' })
    const latest = Resolver({ strategy: latestArtifacts(2), examples: gen.outputs.examples, id: 'lastTwo' })
    expect(latest.id).toBe('lastTwo')
    expect(latest.upstream).toEqual([gen])
    expect(latest.parameters).toEqual({ strategy: 'latestArtifacts', config: { n: 2 } })
    const trainer = Trainer({ examples: latest.outputs.examples })
    expect(new Pipeline({ name: 'p', components: [trainer, latest, gen] }).nodes.map((n) => n.id)).toEqual(['ExampleGen', 'lastTwo', 'Trainer'])
  })

  test('its outputs are typed channels for downstream checks', () => {
    const baseline = Resolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing) })
    expect(() => callUntyped(StatisticsGen, { examples: baseline.outputs.model })).toThrow(
      'input "examples" expects artifact type "Examples" but received "Model" from "Resolver".model.',
    )
  })

  test('checks its arguments', () => {
    expect(() => untypedResolver({ model: Channel(Model) })).toThrow(
      'Resolver "Resolver": "strategy" must be a strategy such as latestArtifacts() or latestBlessedModel().',
    )
    expect(() => untypedResolver({ strategy: latestArtifacts(), id: 'r', model: Model })).toThrow(
      'Resolver "r": "model" must be a channel, e.g. Channel(Model) or node.outputs.model.',
    )
  })

  test('latestBlessedModel() needs one Model and one ModelBlessing channel', () => {
    const error = thrown(() => untypedResolver({ strategy: latestBlessedModel(), model: Channel(Model), examples: Channel(Examples) }))
    expect(error).toBeInstanceOf(PipelineError)
    expect(error.message).toBe(
      'latestBlessedModel() needs exactly two channels, one of type "Model" and one of type "ModelBlessing"; got model: Model, examples: Examples.',
    )
    expect(() => untypedResolver({ strategy: latestBlessedModel() })).toThrow('; got none.')
    expect(() =>
      untypedResolver({ strategy: latestBlessedModel(), model: Channel(Model), blessing: Channel(ModelBlessing), other: Channel(Model) }),
    ).toThrow('needs exactly two channels')
  })

  test('Channel() of a non-type is caught before the strategy sees it', () => {
    expect(() => Channel(undefined as unknown as typeof Model)).toThrow(WiringError)
  })
})

let nextTime = 1
function record(id: number, typeName: string, customProperties: ArtifactRecord['customProperties'] = {}): ArtifactRecord {
  return { id, typeName, uri: `/root/${typeName}/${id}`, state: 'LIVE', properties: {}, customProperties, createTime: nextTime++ }
}
const blessing = (id: number, modelId: number, blessed: number | string) => record(id, 'ModelBlessing', { blessed, current_model_id: modelId })
const ids = (result: Record<string, ArtifactRecord[]> | undefined) =>
  result && Object.fromEntries(Object.entries(result).map(([k, list]) => [k, list.map((a) => a.id)]))

describe('latestArtifacts', () => {
  test('rejects counts that are not whole numbers of at least 1', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => latestArtifacts(n)).toThrow(PipelineError)
    expect(() => latestArtifacts(0)).toThrow('latestArtifacts(0): the count must be a whole number of at least 1.')
  })

  test('defaults to one artifact and records its config', () => {
    expect(latestArtifacts().config).toEqual({ n: 1 })
    expect(latestArtifacts(3).name).toBe('latestArtifacts')
    expect(() => latestArtifacts().checkChannels({ a: 'Examples', b: 'Model' })).not.toThrow()
  })

  test('keeps the newest n of every channel, newest first, whatever the given order', () => {
    const candidates = {
      examples: [record(3, 'Examples'), record(9, 'Examples'), record(1, 'Examples'), record(7, 'Examples')],
      model: [record(2, 'Model'), record(5, 'Model')],
    }
    expect(ids(latestArtifacts().resolve(candidates))).toEqual({ examples: [9], model: [5] })
    expect(ids(latestArtifacts(2).resolve(candidates))).toEqual({ examples: [9, 7], model: [5, 2] })
  })

  test('resolves nothing when a channel has fewer than n artifacts', () => {
    expect(latestArtifacts(3).resolve({ examples: [record(1, 'Examples'), record(2, 'Examples'), record(3, 'Examples')], model: [record(4, 'Model')] })).toBeUndefined()
    expect(latestArtifacts().resolve({ examples: [] })).toBeUndefined()
  })

  test('does not reorder the caller’s lists', () => {
    const list = [record(1, 'Examples'), record(2, 'Examples')]
    latestArtifacts().resolve({ examples: list })
    expect(list.map((a) => a.id)).toEqual([1, 2])
  })
})

describe('latestBlessedModel', () => {
  const resolveWith = (strategy: ResolverStrategy, candidates: Record<string, ArtifactRecord[]>) => {
    strategy.checkChannels({ model: 'Model', blessing: 'ModelBlessing' })
    return ids(strategy.resolve(candidates))
  }

  test('picks the newest model that has a blessing with blessed == 1, and that blessing', () => {
    const candidates = {
      model: [record(1, 'Model'), record(5, 'Model'), record(3, 'Model'), record(7, 'Model')],
      blessing: [blessing(10, 1, 1), blessing(11, 3, 1), blessing(12, 5, 0), blessing(13, 99, 1)],
    }
    // Model 7 has no blessing, 5 is NOT_BLESSED, 99 is not a candidate: 3 is the newest blessed one.
    expect(resolveWith(latestBlessedModel(), candidates)).toEqual({ model: [3], blessing: [11] })
  })

  test('of several blessings of one model, the newest blessed one is kept', () => {
    const candidates = { model: [record(4, 'Model')], blessing: [blessing(20, 4, 1), blessing(22, 4, 1), blessing(24, 4, 0)] }
    expect(resolveWith(latestBlessedModel(), candidates)).toEqual({ model: [4], blessing: [22] })
  })

  test('reads blessed and current_model_id written as strings', () => {
    const candidates = { model: [record(4, 'Model')], blessing: [record(30, 'ModelBlessing', { blessed: '1', current_model_id: '4' })] }
    expect(resolveWith(latestBlessedModel(), candidates)).toEqual({ model: [4], blessing: [30] })
  })

  test('with no blessed model both lists are empty', () => {
    const strategy = latestBlessedModel()
    expect(resolveWith(strategy, { model: [record(1, 'Model')], blessing: [blessing(2, 1, 0)] })).toEqual({ model: [], blessing: [] })
    expect(resolveWith(strategy, { model: [record(1, 'Model')], blessing: [] })).toEqual({ model: [], blessing: [] })
    expect(resolveWith(strategy, { model: [], blessing: [blessing(2, 1, 1)] })).toEqual({ model: [], blessing: [] })
    expect(resolveWith(strategy, { model: [], blessing: [] })).toEqual({ model: [], blessing: [] })
  })

  test('one strategy value can serve two Resolvers with different keys', () => {
    const strategy = latestBlessedModel()
    Resolver({ strategy, model: Channel(Model), blessing: Channel(ModelBlessing) })
    Resolver({ strategy, id: 'other', m: Channel(Model), b: Channel(ModelBlessing) })
    const first = strategy.resolve({ model: [record(1, 'Model')], blessing: [blessing(2, 1, 1)] })
    expect(ids(first)).toEqual({ model: [1], blessing: [2] })
  })
})
