import type { AnyArtifactType, AnyComponent, AnyNode, Artifact, ComponentDefinition, InputSpec, JsonValue, OutputSpec, ParametersSchema } from '@sluice/core'
import { Importer, Pipeline, describeInput, z } from '@sluice/core'
import type { MetadataStore } from '@sluice/metadata'
import { openMemoryStore } from '@sluice/metadata'
import type { NodeResult, RunEvent } from '@sluice/runner'
import { LocalDagRunner } from '@sluice/runner'
import { createTempDirectory } from './temp-directory.js'

/** An existing file or directory to feed to an input, as an artifact. */
export interface InputArtifactSource {
  uri: string
  properties?: Record<string, JsonValue>
  customProperties?: Record<string, JsonValue>
}

/** What {@link runComponent} takes. */
export interface RunComponentOptions<I extends InputSpec, P extends ParametersSchema> {
  /** Per input key, one source or (for list inputs) several. */
  inputs?: { [K in keyof I]?: InputArtifactSource | InputArtifactSource[] }
  parameters?: z.input<P>
  /** Where outputs go; a fresh temp directory when unset (kept: the outputs live there). */
  root?: string
  store?: MetadataStore
  onEvent?: (event: RunEvent) => void
}

/** What {@link runComponent} returns. */
export interface RunComponentResult<O extends OutputSpec> {
  readonly result: NodeResult
  /** Output artifacts by key, with ids, uris and the properties the executor set. */
  readonly outputs: { [K in keyof O]: Artifact<O[K]> }
  /** Payloads of value outputs. */
  readonly values: Record<string, JsonValue>
  readonly root: string
}

/**
 * Runs one component outside a pipeline, on files you already have: TFX's `test_call` analogue.
 * Inputs are imported as artifacts, the component runs through the real runner (so caching rules,
 * the executor contract and output checks all apply), and a failure throws.
 *
 * @example
 * const { outputs } = await runComponent(StatisticsGen, { inputs: { examples: { uri: fixture, properties: { splitNames: ['train'] } } } })
 */
export async function runComponent<I extends InputSpec, O extends OutputSpec, P extends ParametersSchema>(
  component: ComponentDefinition<I, O, P>,
  options: RunComponentOptions<I, P> = {},
): Promise<RunComponentResult<O>> {
  const root = options.root ?? (await createTempDirectory('sluice-run-component-')).path
  const importers: AnyNode[] = []
  const args: Record<string, unknown> = { ...(options.parameters ?? {}) }
  for (const [key, entry] of Object.entries((component as unknown as AnyComponent).inputs)) {
    const spec = describeInput(entry)!
    const given = (options.inputs as Record<string, InputArtifactSource | InputArtifactSource[] | undefined> | undefined)?.[key]
    if (given === undefined) continue
    const sources = Array.isArray(given) ? given : [given]
    const channels = sources.map((source, i) => {
      const importer = Importer({
        sourceUri: source.uri,
        artifactType: spec.type as AnyArtifactType,
        reimport: true,
        ...(source.properties ? { properties: source.properties } : {}),
        ...(source.customProperties ? { customProperties: source.customProperties } : {}),
        id: `import_${key}_${i}`,
      })
      importers.push(importer)
      return importer.outputs.result
    })
    args[key] = spec.list ? channels : channels[0]
  }
  const node = (component as unknown as (a: Record<string, unknown>) => ReturnType<AnyComponent>)({ ...args, id: 'component' })
  const pipeline = new Pipeline({ name: 'run-component', root, components: [...importers, node], enableCache: false })
  const store = options.store ?? openMemoryStore()
  try {
    const run = await new LocalDagRunner().run(pipeline, { store, cwd: root, ...(options.onEvent ? { onEvent: options.onEvent } : {}) })
    const result = run.nodes.component!
    if (result.status !== 'COMPLETE') {
      const failed = Object.values(run.nodes).find((n) => n.status === 'FAILED')
      const error = new Error(failed?.error?.message ?? `${component.name} ended ${result.status}${result.reason ? `: ${result.reason}` : ''}`)
      Object.assign(error, { code: failed?.error?.code })
      throw error
    }
    const outputs: Record<string, Artifact> = {}
    const values: Record<string, JsonValue> = {}
    for (const [key, list] of Object.entries(result.outputs)) {
      const published = list[0]!
      const type = (component as unknown as AnyComponent).outputs[key]!
      outputs[key] = { id: published.id, type, uri: published.uri, properties: { ...published.properties }, customProperties: { ...published.customProperties } } as Artifact
      if (published.value !== undefined) values[key] = published.value
    }
    return { result, outputs: outputs as RunComponentResult<O>['outputs'], values, root }
  } finally {
    if (!options.store) await store.close()
  }
}
