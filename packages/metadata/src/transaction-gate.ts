import { AsyncLocalStorage } from 'node:async_hooks'

const scope = new AsyncLocalStorage<object>()

/**
 * Serialises a connection between an open async transaction and the rest of the process.
 *
 * While `transaction(fn)` awaits, the single SQLite connection is inside BEGIN … COMMIT. Calls made by `fn`
 * (recognised through AsyncLocalStorage) must join that transaction; calls made elsewhere must wait, or they would
 * silently become part of it. When no transaction is open the gate costs one property read.
 *
 * Callers must re-check {@link blocked} and start their work in the same synchronous run: a caller woken by
 * {@link released} can find that another waiter took the connection first.
 */
export class TransactionGate {
  private owner: object | undefined
  private releasedPromise: Promise<void> = Promise.resolve()

  /** Whether the caller must wait: a transaction is open and the caller is not running inside it. */
  get blocked(): boolean {
    return this.owner !== undefined && scope.getStore() !== this.owner
  }

  /** Whether the caller runs inside the open transaction. */
  get insideOwn(): boolean {
    return this.owner !== undefined && scope.getStore() === this.owner
  }

  /** Resolves when the open transaction ends. */
  get released(): Promise<void> {
    return this.releasedPromise
  }

  /** Runs `fn` as the owner of the connection, with `begin`/`end` around it; waits for any other owner first. */
  async run<T>(begin: () => Promise<void>, fn: () => Promise<T> | T, end: (failed: boolean) => void): Promise<T> {
    while (this.blocked) await this.releasedPromise
    const owner = {}
    let release!: () => void
    this.owner = owner
    this.releasedPromise = new Promise((resolve) => (release = resolve))
    try {
      await begin()
      let result: T
      try {
        result = await scope.run(owner, fn)
      } catch (error) {
        end(true)
        throw error
      }
      end(false)
      return result
    } finally {
      this.owner = undefined
      release()
    }
  }
}
