import { describe, expect, test } from 'vitest'
import {
  BooleanArtifact,
  Channel,
  ComponentDefinitionError,
  Examples,
  FloatArtifact,
  IntegerArtifact,
  JsonValueArtifact,
  Model,
  ModelEvaluation,
  StringArtifact,
  component,
  list,
  loadExecutor,
  optional,
  z,
} from '../src/index.js'
import type { Artifact, ExecutorArgs, ExecutorFunction, ExecutorResult, ExecutorSource } from '../src/index.js'
import { Trainer, artifact, fakeContext, rejected } from './helpers.js'

function args(partial: Partial<ExecutorArgs> = {}): ExecutorArgs {
  return { inputs: {}, outputs: {}, parameters: {}, context: fakeContext(), ...partial } as ExecutorArgs
}

class BaseTrainerExecutor {
  protected steps = 10
  async execute(a: ExecutorArgs): Promise<ExecutorResult> {
    return { values: { trained: true, steps: this.steps, node: a.context.nodeId } }
  }
}

class LongerTrainerExecutor extends BaseTrainerExecutor {
  protected override steps = 50
  override async execute(a: ExecutorArgs): Promise<ExecutorResult> {
    const base = await super.execute(a)
    return { values: { ...base.values, tuned: true } }
  }
}

describe('loadExecutor', () => {
  test('returns a function executor as it is', async () => {
    const fn: ExecutorFunction = (a) => ({ values: { seen: a.parameters as never } })
    const loaded = await loadExecutor(fn, 'C')
    expect(loaded).toBe(fn)
    expect(await loaded(args({ parameters: { x: 1 } }))).toEqual({ values: { seen: { x: 1 } } })
  })

  test('turns a class with execute() into a function', async () => {
    const loaded = await loadExecutor(BaseTrainerExecutor as ExecutorSource, 'Trainer')
    expect(await loaded(args())).toEqual({ values: { trained: true, steps: 10, node: 'node' } })
  })

  test('a subclass overriding execute and calling super extends the base executor', async () => {
    const loaded = await loadExecutor(LongerTrainerExecutor as ExecutorSource, 'Trainer')
    expect(await loaded(args())).toEqual({ values: { trained: true, steps: 50, node: 'node', tuned: true } })
  })

  test('a class without execute() is an error naming the component and class', async () => {
    class NotAnExecutor {
      run() {}
    }
    const loaded = await loadExecutor(NotAnExecutor as unknown as ExecutorSource, 'Trainer')
    expect(() => loaded(args())).toThrow(ComponentDefinitionError)
    expect(() => loaded(args())).toThrow('Component "Trainer": executor class "NotAnExecutor" has no execute(args) method.')
  })

  test('a lazy loader of a module whose default export is a function', async () => {
    const loaded = await loadExecutor(() => import('./fixtures/function-executor.js'), 'Echo')
    expect(await loaded(args({ parameters: { a: 'b' } }))).toEqual({ values: { parameters: { a: 'b' }, from: 'function-executor' } })
  })

  test('a lazy loader of a module whose default export is a class', async () => {
    const loaded = await loadExecutor(() => import('./fixtures/class-executor.js'), 'Count')
    expect(await loaded(args({ inputs: { a: [], b: [] } as never }))).toEqual({ values: { count: 2, from: 'class-executor' } })
  })

  test('a lazy loader may return the executor itself', async () => {
    const loaded = await loadExecutor((async () => LongerTrainerExecutor) as unknown as ExecutorSource, 'Trainer')
    expect((await loaded(args()))?.values).toMatchObject({ tuned: true })
  })

  test('a loader of a module without an executor is an error', async () => {
    const error = await rejected(loadExecutor(() => import('./fixtures/no-executor.js') as never, 'Broken'))
    expect(error).toBeInstanceOf(ComponentDefinitionError)
    expect(error.message).toBe(
      'Component "Broken": its executor module exports no executor. Export a function `(args) => …` or a class with `execute(args)` as the default export.',
    )
  })

  test('a function declaring no parameter is taken for a loader', async () => {
    // It is called once, at load time, and what it returns must be an executor.
    const executorLike = (async () => ({ values: { n: 1 } })) as unknown as ExecutorSource
    await expect(loadExecutor(executorLike, 'Oops')).rejects.toThrow('Component "Oops": its executor module exports no executor.')
  })

  test('a source that is not a function is an error', async () => {
    await expect(loadExecutor('./executor.js' as unknown as ExecutorSource, 'C')).rejects.toThrow(
      'Component "C": executor must be a function, a class or a loader, got string.',
    )
  })
})

describe('component() function components', () => {
  let received: Record<string, unknown> = {}
  const Summarise = component(
    {
      name: 'Summarise',
      inputs: {
        data: Examples,
        factor: FloatArtifact,
        enabled: BooleanArtifact,
        tags: list(StringArtifact),
        note: optional(StringArtifact),
        config: optional(JsonValueArtifact),
      },
      outputs: { rows: IntegerArtifact, label: StringArtifact, report: ModelEvaluation },
      parameters: z.object({ precision: z.number().default(2) }),
      executionType: 'Process',
    },
    async ({ inputs, outputs, parameters, context }) => {
      received = { inputs, outputs, parameters, nodeId: context.nodeId }
      return { rows: 3, label: `x${inputs.factor}` }
    },
  )

  test('is a component whose code is the user function', () => {
    expect(Summarise.name).toBe('Summarise')
    expect(Summarise.executionType).toBe('Process')
    expect(Summarise.code).toContain('received = {')
    expect(Summarise.code).not.toBe(Summarise.executor.toString())
  })

  test('value inputs arrive as values, artifact inputs as artifacts, and value outputs are left out of outputs', async () => {
    const data = artifact(Examples, '/root/gen/examples/1', { id: 1 })
    const report = artifact(ModelEvaluation, '/root/s/report/2')
    const executor = await loadExecutor(Summarise.executor, Summarise.name)
    const result = await executor(
      args({
        inputs: {
          data,
          factor: artifact(FloatArtifact, '/v/f', { value: 2.5 }),
          enabled: artifact(BooleanArtifact, '/v/b', { value: false }),
          tags: [artifact(StringArtifact, '/v/t1', { value: 'a' }), artifact(StringArtifact, '/v/t2', { value: 'b' })],
          note: undefined,
          config: artifact(JsonValueArtifact, '/v/j', { value: { k: [1] } }),
        } as never,
        outputs: { rows: artifact(IntegerArtifact, '/o/rows'), label: artifact(StringArtifact, '/o/label'), report } as never,
        parameters: { precision: 2 },
      }),
    )
    expect(received.inputs).toEqual({ data, factor: 2.5, enabled: false, tags: ['a', 'b'], note: undefined, config: { k: [1] } })
    expect((received.inputs as { data: Artifact }).data).toBe(data)
    expect(received.outputs).toEqual({ report })
    expect((received.outputs as { report: Artifact }).report).toBe(report)
    expect(received.parameters).toEqual({ precision: 2 })
    expect(received.nodeId).toBe('node')
    expect(result).toEqual({ values: { rows: 3, label: 'x2.5' } })
  })

  test('a value output the function does not return gives empty values, for the runner to report', async () => {
    const Forgetful = component({ name: 'Forgetful', outputs: { n: IntegerArtifact } }, (() => undefined) as never)
    const executor = await loadExecutor(Forgetful.executor, 'Forgetful')
    expect(await executor(args({ outputs: { n: artifact(IntegerArtifact, '/o/n') } as never }))).toEqual({ values: {} })
  })

  test('without value outputs the executor returns nothing, whatever the function returns', async () => {
    const WriteModel = component({ name: 'WriteModel', outputs: { model: Model } }, (async ({ outputs }: { outputs: { model: Artifact } }) => {
      outputs.model.customProperties.written = true
      return { ignored: 1 }
    }) as never)
    const model = artifact(Model, '/o/model')
    const executor = await loadExecutor(WriteModel.executor, 'WriteModel')
    expect(await executor(args({ outputs: { model } as never }))).toBeUndefined()
    expect(model.customProperties).toEqual({ written: true })
  })

  test('calling it makes a node with typed value-output channels', () => {
    const Scale = component({ name: 'Scale', outputs: { factor: FloatArtifact } }, () => ({ factor: 2 }))
    const scale = Scale({})
    expect(scale.outputs.factor.type).toBe(FloatArtifact)
    expect(scale.id).toBe('Scale')
  })

  test('is validated like defineComponent', () => {
    expect(() => component({ name: 'bad name' }, () => {})).toThrow(ComponentDefinitionError)
  })
})

describe('withExecutor', () => {
  test('keeps inputs, outputs and parameters and swaps the executor and code', async () => {
    const Custom = Trainer.withExecutor(LongerTrainerExecutor as never)
    expect(Custom).not.toBe(Trainer)
    expect(Custom.name).toBe('Trainer')
    expect(Custom.inputs).toBe(Trainer.inputs)
    expect(Custom.outputs).toBe(Trainer.outputs)
    expect(Custom.parameters).toBe(Trainer.parameters)
    expect(Custom.executor).toBe(LongerTrainerExecutor)
    expect(Custom.code).toBe(LongerTrainerExecutor.toString())
    expect(Custom.code).not.toBe(Trainer.code)
    const executor = await loadExecutor(Custom.executor, Custom.name)
    expect((await executor(args()))?.values).toMatchObject({ steps: 50, tuned: true })
  })

  test('leaves the original component alone and still checks calls', () => {
    const before = Trainer.executor
    const Custom = Trainer.withExecutor(() => import('./fixtures/function-executor.js') as never)
    expect(Trainer.executor).toBe(before)
    const node = Custom({ examples: Channel(Examples) })
    expect(node.component).toBe(Custom)
    expect(node.parameters).toEqual({ steps: 100 })
    expect(() => (Custom as unknown as (a: unknown) => unknown)({})).toThrow('Component "Trainer": input "examples" (Examples) is missing.')
  })

  test('a function component keeps its value-input handling when re-bound to another function component executor', async () => {
    const A = component({ name: 'A', inputs: { n: IntegerArtifact }, outputs: { doubled: IntegerArtifact } }, ({ inputs }) => ({ doubled: inputs.n * 2 }))
    const B = component({ name: 'A', inputs: { n: IntegerArtifact }, outputs: { doubled: IntegerArtifact } }, ({ inputs }) => ({ doubled: inputs.n * 3 }))
    const Rebound = A.withExecutor(B.executor)
    const executor = await loadExecutor(Rebound.executor, 'A')
    expect(await executor(args({ inputs: { n: artifact(IntegerArtifact, '/v/n', { value: 5 }) } as never, outputs: {} }))).toEqual({ values: { doubled: 15 } })
    expect(Rebound.code).toBe(B.executor.toString())
  })
})
