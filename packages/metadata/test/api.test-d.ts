import { expectTypeOf, test } from 'vitest'
import {
  MetadataError,
  openMemoryStore,
  openSqliteStore,
  type Artifact,
  type MetadataStore,
  type PutExecutionResult,
} from '@sluice/metadata'

test('public API shape', () => {
  expectTypeOf(openSqliteStore).parameters.toEqualTypeOf<
    [path: string, options?: { readonly?: boolean; busyTimeoutMs?: number; trace?: (sql: string) => void }]
  >()
  expectTypeOf(openSqliteStore).returns.toEqualTypeOf<MetadataStore>()
  expectTypeOf(openMemoryStore).returns.toEqualTypeOf<MetadataStore>()
  expectTypeOf<MetadataStore['putExecution']>().returns.toEqualTypeOf<Promise<PutExecutionResult>>()
  expectTypeOf<MetadataStore['getArtifactsById']>().returns.toEqualTypeOf<Promise<Artifact[]>>()
  expectTypeOf<MetadataError['code']>().toExtend<string>()
  expectTypeOf<MetadataError['retryable']>().toEqualTypeOf<boolean>()
  // An artifact needs its type, uri and state; a context needs a name.
  // @ts-expect-error uri and state are required
  const artifact: Artifact = { type: 'Examples' }
  void artifact
  // @ts-expect-error a state that does not exist
  const state: Artifact['state'] = 'ALIVE'
  void state
})
