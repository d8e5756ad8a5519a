import { describe, expect, it } from 'vitest'
import { caught, openStoreWithTypes, openTempStore } from './support.js'

describe('transaction()', () => {
  it('commits everything done inside it at once', async () => {
    const store = await openStoreWithTypes()
    const result = await store.transaction(async () => {
      const [a] = await store.putArtifacts([{ type: 'Examples', uri: '/a', state: 'LIVE' }])
      const [b] = await store.putArtifacts([{ type: 'Examples', uri: '/b', state: 'LIVE' }])
      return [a, b]
    })
    expect(await store.getArtifactsById(result as number[])).toHaveLength(2)
  })

  it('rolls back everything, types included, when fn throws', async () => {
    const store = openTempStore()
    const error = await caught(() =>
      store.transaction(async () => {
        await store.putArtifactType({ name: 'Examples' })
        await store.putArtifacts([{ type: 'Examples', uri: '/a', state: 'LIVE' }])
        throw new Error('boom')
      }),
    )
    expect(error.message).toBe('boom')
    expect(await store.getArtifactTypes()).toEqual([])
    // The type cache forgot the rolled-back type too.
    expect((await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/a', state: 'LIVE' }]))).code).toBe('SLUICE_METADATA_NOT_FOUND')
  })

  it('makes calls from outside wait until it ends', async () => {
    const store = await openStoreWithTypes()
    const order: string[] = []
    let proceed!: () => void
    const gate = new Promise<void>((resolve) => (proceed = resolve))
    const tx = store.transaction(async () => {
      await store.putArtifacts([{ type: 'Examples', uri: '/inside', state: 'LIVE' }])
      order.push('tx wrote')
      await gate
      order.push('tx done')
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    const outside = store.getArtifacts().then((artifacts) => {
      order.push(`outside read ${artifacts.length}`)
    })
    const outsideWrite = store.putArtifacts([{ type: 'Examples', uri: '/outside', state: 'LIVE' }]).then(() => order.push('outside wrote'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(order).toEqual(['tx wrote'])
    proceed()
    await Promise.all([tx, outside, outsideWrite])
    expect(order).toEqual(['tx wrote', 'tx done', 'outside read 1', 'outside wrote'])
  })

  it('runs two transactions of one process one after the other', async () => {
    const store = await openStoreWithTypes()
    const log: string[] = []
    const run = (name: string) =>
      store.transaction(async () => {
        log.push(`${name} start`)
        await store.putArtifacts([{ type: 'Examples', uri: `/${name}`, state: 'LIVE' }])
        await new Promise((resolve) => setTimeout(resolve, 5))
        log.push(`${name} end`)
      })
    await Promise.all([run('a'), run('b'), run('c')])
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end'])
    expect(await store.getArtifacts()).toHaveLength(3)
  })

  it('rolls back only a failed call or nested transaction inside it', async () => {
    const store = await openStoreWithTypes()
    await store.transaction(async () => {
      await store.putArtifacts([{ type: 'Examples', uri: '/kept', state: 'LIVE' }])
      await caught(() => store.putArtifacts([{ type: 'Examples', uri: '/lost', state: 'LIVE' }, { type: 'Nope', uri: '/x', state: 'LIVE' }]))
      await caught(() =>
        store.transaction(async () => {
          await store.putArtifacts([{ type: 'Examples', uri: '/nested', state: 'LIVE' }])
          throw new Error('inner')
        }),
      )
      await store.transaction(() => store.putArtifacts([{ type: 'Examples', uri: '/nested-ok', state: 'LIVE' }]))
    })
    expect((await store.getArtifacts()).map((a) => a.uri)).toEqual(['/kept', '/nested-ok'])
  })

  it('accepts a synchronous fn', async () => {
    const store = await openStoreWithTypes()
    expect(await store.transaction(() => 42)).toBe(42)
  })
})
