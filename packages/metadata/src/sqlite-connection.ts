import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { MetadataError } from './errors.js'
import { migrate } from './migrations.js'
import { fromSqliteError } from './sqlite-errors.js'
import { TransactionGate } from './transaction-gate.js'

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Open without write access; the file must exist and be migrated already. */
  readonly?: boolean
  /** How long a write waits for another process's write transaction before failing with SLUICE_METADATA_BUSY. Default 10000. */
  busyTimeoutMs?: number
  /** Receives every SQL statement run, with its parameters inlined; for debugging and query-plan checks. */
  trace?: (sql: string) => void
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000

type RunFn = (fn: () => unknown) => unknown

/**
 * One better-sqlite3 connection and the transaction discipline every store call goes through.
 *
 * Writes are BEGIN IMMEDIATE transactions: taking the write lock up front means concurrent writers queue for it
 * instead of failing with SQLITE_BUSY halfway through. Multi-statement reads run in a deferred transaction so they
 * see one snapshot. All calls pass the {@link TransactionGate} so an open async `transaction()` is not joined by
 * unrelated callers.
 */
export class SqliteConnection {
  readonly location: string
  readonly db: Database.Database
  readonly readonly: boolean
  /** Called whenever a transaction or savepoint rolls back, so caches can drop what the rollback undid. */
  onRollback: () => void = () => {}
  private readonly busyTimeoutMs: number
  private readonly tx: Database.Transaction<RunFn>
  private readonly busyWait: { off: Database.Statement; on: Database.Statement }
  private readonly gate = new TransactionGate()
  private savepoints = 0
  private closed = false

  constructor(path: string, options: SqliteStoreOptions) {
    const memory = path === ':memory:'
    this.location = memory ? path : resolve(path)
    this.readonly = options.readonly ?? false
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
    if (!Number.isSafeInteger(this.busyTimeoutMs) || this.busyTimeoutMs < 0) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `busyTimeoutMs ${String(options.busyTimeoutMs)} for ${this.location} is not a non-negative integer of milliseconds.`,
      )
    }
    this.db = this.open(memory, options.trace)
    this.tx = this.db.transaction<RunFn>((fn) => fn())
    this.busyWait = {
      off: this.db.prepare('PRAGMA busy_timeout = 0'),
      on: this.db.prepare(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`),
    }
  }

  private open(memory: boolean, trace: ((sql: string) => void) | undefined): Database.Database {
    let db: Database.Database
    try {
      if (!memory && !this.readonly) mkdirSync(dirname(this.location), { recursive: true })
      db = new Database(this.location, {
        readonly: this.readonly,
        fileMustExist: this.readonly,
        timeout: this.busyTimeoutMs,
        ...(trace === undefined ? {} : { verbose: (sql: unknown) => trace(String(sql)) }),
      })
    } catch (cause) {
      throw new MetadataError(
        'SLUICE_METADATA_OPEN_FAILED',
        `Cannot open metadata store ${this.location}: ${(cause as Error).message}. ` +
          (this.readonly ? 'A read-only store must exist already; check the path.' : 'Check that the directory is writable.'),
        { cause },
      )
    }
    try {
      // WAL is a property of the file; switching takes a lock, so skip it when another process already did.
      if (!memory && !this.readonly && db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      migrate(db, this.location, { readonly: this.readonly })
      return db
    } catch (error) {
      db.close()
      throw fromSqliteError(error, this.location, this.busyTimeoutMs)
    }
  }

  /**
   * Runs `fn` in its own BEGIN IMMEDIATE transaction, or in a savepoint inside an open `transaction()`.
   *
   * Waiting for another process's write lock is done here rather than by SQLite's busy handler: that handler
   * sleeps in growing steps (up to 100 ms) while blocking the event loop, and a few busy writers end up in a
   * convoy; polling with short async sleeps keeps the process responsive and hands the lock over sooner.
   */
  async write<T>(fn: (now: number) => T): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs
    for (let attempt = 0; ; attempt++) {
      while (this.gate.blocked) await this.gate.released
      this.assertWritable()
      let started = false
      try {
        if (this.db.inTransaction) return this.tx.immediate(() => fn(Date.now())) as T
        this.busyWait.off.get()
        try {
          return this.tx.immediate(() => {
            started = true
            this.busyWait.on.get()
            return fn(Date.now())
          }) as T
        } finally {
          if (!started) this.busyWait.on.get()
        }
      } catch (error) {
        if (started || !isBusy(error) || Date.now() >= deadline) {
          this.onRollback()
          throw fromSqliteError(error, this.location, this.busyTimeoutMs)
        }
      }
      await backoff(attempt)
    }
  }

  /** Runs `fn` in a read transaction, so its several statements see one snapshot. */
  async read<T>(fn: () => T): Promise<T> {
    while (this.gate.blocked) await this.gate.released
    this.assertOpen()
    try {
      return this.tx.deferred(fn) as T
    } catch (error) {
      throw fromSqliteError(error, this.location, this.busyTimeoutMs)
    }
  }

  /** Runs a read made of one statement, which SQLite runs on one snapshot anyway, without transaction overhead. */
  async readOneStatement<T>(fn: () => T): Promise<T> {
    while (this.gate.blocked) await this.gate.released
    this.assertOpen()
    try {
      return fn()
    } catch (error) {
      throw fromSqliteError(error, this.location, this.busyTimeoutMs)
    }
  }

  /** See {@link MetadataStore.transaction}; nested calls become savepoints. */
  async transaction<T>(fn: () => Promise<T> | T): Promise<T> {
    this.assertOpen()
    if (this.gate.insideOwn) return this.nested(fn)
    return this.gate.run(
      async () => {
        const deadline = Date.now() + this.busyTimeoutMs
        for (let attempt = 0; ; attempt++) {
          this.assertOpen()
          try {
            this.begin(this.readonly ? 'BEGIN' : 'BEGIN IMMEDIATE')
            return
          } catch (error) {
            if (!isBusy(error) || Date.now() >= deadline) throw fromSqliteError(error, this.location, this.busyTimeoutMs)
          }
          await backoff(attempt)
        }
      },
      fn,
      (failed) => {
        if (!failed) {
          try {
            this.db.exec('COMMIT')
            return
          } catch (error) {
            this.rollback('ROLLBACK')
            throw fromSqliteError(error, this.location, this.busyTimeoutMs)
          }
        }
        this.rollback('ROLLBACK')
      },
    )
  }

  /** Closes the connection once any open transaction has ended; idempotent. */
  async close(): Promise<void> {
    while (this.gate.blocked) await this.gate.released
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  private async nested<T>(fn: () => Promise<T> | T): Promise<T> {
    const name = `sluice_${++this.savepoints}`
    this.db.exec(`SAVEPOINT ${name}`)
    let result: T
    try {
      result = await fn()
    } catch (error) {
      this.rollback(`ROLLBACK TO ${name}; RELEASE ${name}`)
      throw error
    }
    this.db.exec(`RELEASE ${name}`)
    return result
  }

  /** Runs BEGIN without SQLite's blocking busy handler, so a held lock fails fast and the caller can back off. */
  private begin(sql: string): void {
    this.busyWait.off.get()
    try {
      this.db.exec(sql)
    } finally {
      this.busyWait.on.get()
    }
  }

  private rollback(sql: string): void {
    this.onRollback()
    if (this.db.open && this.db.inTransaction) this.db.exec(sql)
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new MetadataError('SLUICE_METADATA_CLOSED', `Metadata store ${this.location} is closed; open it again to use it.`)
    }
  }

  private assertWritable(): void {
    this.assertOpen()
    if (this.readonly) {
      throw new MetadataError(
        'SLUICE_METADATA_READONLY',
        `Metadata store ${this.location} was opened with { readonly: true }; open it without that option to write.`,
      )
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

/** Yields once, then sleeps a random 0–8 ms so that waiting processes do not retry in lockstep. */
function backoff(attempt: number): Promise<void> {
  if (attempt === 0) return new Promise((resolve) => setImmediate(resolve))
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 8)))
}
