// Shared fixtures of the core tests (not a test file itself).
import {
  Examples,
  ExampleStatistics,
  Model,
  Schema,
  defineComponent,
  list,
  optional,
  z,
} from '../src/index.js'
import type { AnyArtifactType, AnyNode, Artifact, ExecutionContext, ExecutorArgs } from '../src/index.js'

/** Runs `fn` and returns what it threw; fails the test when it throws nothing. */
export function thrown(fn: () => unknown): Error & { code?: string; fix?: string; packageName?: string } {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the call to throw, but it returned normally')
}

/** Awaits `promise` and returns what it rejected with; fails the test when it resolves. */
export async function rejected(promise: Promise<unknown>): Promise<Error & { code?: string; packageName?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the promise to reject, but it resolved')
}

/** Calls a component the way untyped JavaScript would. */
export function callUntyped(component: unknown, args: unknown): AnyNode {
  return (component as (a: unknown) => AnyNode)(args)
}

export const noopExecutor = async (_args: ExecutorArgs): Promise<void> => {}

export const ExampleGen = defineComponent({
  name: 'ExampleGen',
  outputs: { examples: Examples },
  parameters: z.object({
    inputBase: z.string(),
    splits: z.number().int().min(1).default(2),
    options: z.object({ header: z.boolean().default(true) }).default({ header: true }),
  }),
  executor: noopExecutor,
})

export const StatisticsGen = defineComponent({
  name: 'StatisticsGen',
  inputs: { examples: Examples, schema: optional(Schema) },
  outputs: { statistics: ExampleStatistics },
  executor: noopExecutor,
})

export const SchemaGen = defineComponent({
  name: 'SchemaGen',
  inputs: { statistics: ExampleStatistics },
  outputs: { schema: Schema },
  executor: noopExecutor,
})

export const Merge = defineComponent({
  name: 'Merge',
  inputs: { parts: list(Examples) },
  outputs: { merged: Examples },
  executor: noopExecutor,
})

export const Trainer = defineComponent({
  name: 'Trainer',
  inputs: { examples: Examples, schema: optional(Schema) },
  outputs: { model: Model },
  parameters: z.object({ steps: z.number().int().default(100) }),
  executor: noopExecutor,
})

/** An execution context that records log lines and progress. */
export function fakeContext(): ExecutionContext & { lines: string[] } {
  const lines: string[] = []
  const log = (level: string) => (message: string) => void lines.push(`${level}: ${message}`)
  return {
    pipelineName: 'p',
    pipelineRoot: '/tmp/p',
    runId: 'run-1',
    nodeId: 'node',
    executionId: 1,
    tmpDir: '/tmp/p/tmp',
    signal: new AbortController().signal,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    progress: (fraction) => void lines.push(`progress: ${fraction}`),
    lines,
  }
}

/** A hand-made artifact as the runner would pass it. */
export function artifact<T extends AnyArtifactType>(type: T, uri: string, extra: Partial<Artifact<T>> = {}): Artifact<T> {
  return { id: undefined, type, uri, properties: {}, customProperties: {}, ...extra } as Artifact<T>
}
