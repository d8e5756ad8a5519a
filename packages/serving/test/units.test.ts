// The server's parts without a model: config files, flags, routes, the batcher, number formatting.
import { describe, expect, it } from 'vitest'
import { Batcher, chooseVersions, formatFloat32, modelServerOptionsFromArgs, parseModelConfig, parseModelServerArgs, parseRoute, parseTextProto } from '../src/index.js'
import type { Outputs } from '../src/index.js'

describe('model config file', () => {
  const expected = [
    { name: 'taxi', basePath: '/serving/taxi', versionPolicy: { latest: { numVersions: 2 } }, versionLabels: { stable: 1700000000, canary: 1700000100 } },
    { name: 'other', basePath: '/work/models/other', versionPolicy: { specific: { versions: [3, 4] } } },
    { name: 'all', basePath: '/m/all', versionPolicy: { all: {} } },
  ]

  it("reads TF Serving's text format", () => {
    const text = `# two models
model_config_list {
  config {
    name: 'taxi'
    base_path: "/serving/taxi"
    model_platform: "tensorflow"
    model_version_policy { latest { num_versions: 2 } }
    version_labels { key: 'stable' value: 1700000000 }
    version_labels { key: 'canary' value: 1700000100 }
  }
  config: < name: "other" base_path: "models/other" model_version_policy { specific { versions: 3 versions: 4 } } >
  config { name: "all", base_path: "/m/all", model_version_policy { all {} } }
}
`
    expect(parseModelConfig(text, 'models.config', '/work')).toEqual(expected)
  })

  it('reads its JSON form, snake_case or camelCase', () => {
    const json = JSON.stringify({
      model_config_list: {
        config: [
          { name: 'taxi', base_path: '/serving/taxi', model_version_policy: { latest: { num_versions: 2 } }, version_labels: { stable: '1700000000', canary: 1700000100 } },
          { name: 'other', basePath: 'models/other', modelVersionPolicy: { specific: { versions: ['3', 4] } } },
          { name: 'all', base_path: '/m/all', model_version_policy: { all: {} } },
        ],
      },
    })
    expect(parseModelConfig(json, 'models.json', '/work')).toEqual(expected)
  })

  it('says what is wrong, with the file and line', () => {
    expect(() => parseModelConfig('model_config_list { config { name: "a" }', 'm.config')).toThrow(/Model config file m.config: line 1: expected "}" before the end of the file/)
    expect(() => parseModelConfig('model_config_list { config { name: "a" } }', 'm.config')).toThrow(/model "a" has no base_path/)
    expect(() => parseModelConfig('model_config_list { config { name: "a" base_path: "/a" } config { name: "a" base_path: "/b" } }', 'm.config')).toThrow(/"a" is configured twice/)
    expect(() => parseModelConfig('{"model_config_list": {"config": [{"name": "a", "base_path": "/a", "model_version_policy": {"latest": {"num_versions": 0}}}]}}', 'm.json')).toThrow(/num_versions must be a whole number of at least 1/)
    expect(() => parseModelConfig('{"model_config_list": ', 'm.json')).toThrow(/not valid JSON/)
    expect(() => parseModelConfig('custom_model_config {}', 'm.config')).toThrow(/custom_model_config is not supported/)
    expect(() => parseModelConfig('model_config_list {\n config {\n name = "a" } }', 'm.config')).toThrow(/line 3: unexpected character "="/)
  })

  it('parses text format scalars: strings with escapes, numbers, enums, lists', () => {
    expect(parseTextProto(`a: "x\\"y" 'z' b: -1.5e3 c: [1, 2] d: ENUM e: true f { g: 0x10 }`)).toEqual({ a: ['x"yz'], b: [-1500], c: [1, 2], d: ['ENUM'], e: [true], f: [{ g: [16] }] })
  })
})

describe('flags', () => {
  it("takes TF Serving's flags in kebab-case or snake_case, with = or a separate value", () => {
    expect(parseModelServerArgs(['--model_name=taxi', '--model-base-path', './serving/taxi', '--rest_api_port=8501', '--enable-batching=false', '--max_batch_size', '64', '--batch-timeout-micros=500', '--file-system-poll-wait-seconds=0.5'])).toEqual({
      modelName: 'taxi',
      modelBasePath: './serving/taxi',
      port: 8501,
      enableBatching: false,
      maxBatchSize: 64,
      batchTimeoutMicros: 500,
      fileSystemPollWaitSeconds: 0.5,
    })
    expect(parseModelServerArgs(['--port', '0', '--host', '0.0.0.0', '--rest-api-socket', '/tmp/s.sock', '--enable-batching', '-h'])).toEqual({ port: 0, host: '0.0.0.0', socketPath: '/tmp/s.sock', enableBatching: true, help: true })
  })

  it('rejects unknown flags, bad values and positional arguments', () => {
    expect(() => parseModelServerArgs(['--model-nam', 'x'])).toThrow(/Unknown flag --model-nam\. Did you mean --model-name\?/)
    expect(() => parseModelServerArgs(['--port', 'abc'])).toThrow(/--port takes a port number \(0-65535\), got "abc"/)
    expect(() => parseModelServerArgs(['--max-batch-size=0'])).toThrow(/at least 1/)
    expect(() => parseModelServerArgs(['--model-name'])).toThrow(/--model-name needs a value/)
    expect(() => parseModelServerArgs(['serve'])).toThrow(/Unexpected argument "serve"/)
  })

  it('turns flags into server options', async () => {
    const options = await modelServerOptionsFromArgs(parseModelServerArgs(['--model-base-path', 'serving/taxi', '--rest-api-socket', 'run/s.sock', '--max-batch-size', '8']), { cwd: '/work' })
    expect(options).toEqual({ models: [{ name: 'default', basePath: '/work/serving/taxi' }], socketPath: '/work/run/s.sock', batching: { maxBatchSize: 8 } })
    await expect(modelServerOptionsFromArgs({})).rejects.toThrow(/Nothing to serve/)
    await expect(modelServerOptionsFromArgs({ modelConfigFile: 'a', modelBasePath: 'b' })).rejects.toThrow(/either --model-config-file or --model-name/)
  })
})

describe('routes', () => {
  it("parses TF Serving's REST paths", () => {
    expect(parseRoute('/v1/models/taxi')).toEqual({ model: 'taxi', selector: { kind: 'latest' }, verb: 'status' })
    expect(parseRoute('/v1/models/taxi/versions/17/metadata')).toEqual({ model: 'taxi', selector: { kind: 'version', version: 17 }, verb: 'metadata' })
    expect(parseRoute('/v1/models/taxi/labels/stable:classify')).toEqual({ model: 'taxi', selector: { kind: 'label', label: 'stable' }, verb: 'classify' })
    expect(parseRoute('/v1/models/taxi:regress')).toEqual({ model: 'taxi', selector: { kind: 'latest' }, verb: 'regress' })
    for (const bad of ['/v1/models/', '/v1/models/taxi/versions/x', '/v1/models/taxi/versions/1/2', '/v1/models/taxi:explain', '/v1/models/taxi/other/1', '/v2/models/taxi']) expect(parseRoute(bad), bad).toBeUndefined()
  })
})

describe('version policy', () => {
  it('chooses the newest N, all, or the listed versions', () => {
    expect(chooseVersions({ latest: { numVersions: 2 } }, [1, 30, 4, 2])).toEqual([30, 4])
    expect(chooseVersions({ all: {} }, [1, 3, 2])).toEqual([3, 2, 1])
    expect(chooseVersions({ specific: { versions: [2, 9] } }, [1, 2, 3])).toEqual([2])
  })
})

describe('formatFloat32', () => {
  it('writes 6 significant digits when they read back as the same float32, 9 otherwise (as TF Serving)', () => {
    for (const x of [0.3, 0.7534102, 1e-7, 123456.78, -2.5, 1 / 3, 0.21084177]) {
      const f = Math.fround(x)
      const text = formatFloat32(f)
      expect(Math.fround(Number(text))).toBe(f)
      expect([String(Number(f.toPrecision(6))), String(Number(f.toPrecision(9)))]).toContain(text)
    }
    expect(formatFloat32(Math.fround(0.3))).toBe('0.3')
    expect(formatFloat32(Math.fround(0.21084177))).toBe('0.210841775')
    expect(formatFloat32(2)).toBe('2')
    expect(formatFloat32(NaN)).toBe('null')
  })
})

describe('Batcher', () => {
  function fakeModel() {
    const calls: number[] = []
    const run = async (rows: readonly object[]): Promise<Outputs> => {
      calls.push(rows.length)
      if (rows.some((r) => (r as { bad?: boolean }).bad)) throw new Error(`Row ${rows.findIndex((r) => (r as { bad?: boolean }).bad)} is bad.`)
      return { y: Float32Array.from(rows, (r) => (r as { x: number }).x * 2) }
    }
    return { calls, run }
  }

  it('runs requests that arrive together as one call and splits the results back', async () => {
    const { calls, run } = fakeModel()
    const batches: [number, number][] = []
    const batcher = new Batcher(run, { maxBatchSize: 100, batchTimeoutMicros: 1000, onBatch: (rows, requests) => batches.push([rows, requests]) })
    const results = await Promise.all([batcher.submit([{ x: 1 }]), batcher.submit([{ x: 2 }, { x: 3 }]), batcher.submit([{ x: 4 }])])
    expect(calls).toEqual([4])
    expect(batches).toEqual([[4, 3]])
    expect(results.map((r) => Array.from(r.y!))).toEqual([[2], [4, 6], [8]])
  })

  it('caps a batch at maxBatchSize rows (a larger request runs whole) and queues the rest for the next one', async () => {
    const { calls, run } = fakeModel()
    const batcher = new Batcher(run, { maxBatchSize: 3, batchTimeoutMicros: 1000 })
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ x: i }))
    await Promise.all([batcher.submit(rows(2)), batcher.submit(rows(1)), batcher.submit(rows(5)), batcher.submit(rows(1)), batcher.submit(rows(1))])
    expect(calls).toEqual([3, 5, 2])
    await batcher.drain()
  })

  it("fails only the bad request of a batch, with the row counted in that request's own rows", async () => {
    const { calls, run } = fakeModel()
    const batcher = new Batcher(run, { maxBatchSize: 100, batchTimeoutMicros: 1000 })
    const [good, bad, other] = await Promise.allSettled([batcher.submit([{ x: 1 }]), batcher.submit([{ x: 2 }, { bad: true }]), batcher.submit([{ x: 3 }])])
    expect(good).toMatchObject({ status: 'fulfilled' })
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'Row 1 is bad.' } })
    expect(other).toMatchObject({ status: 'fulfilled' })
    expect(calls).toEqual([4, 1, 2, 1])
  })
})
