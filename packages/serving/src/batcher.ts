// Dynamic micro-batching: concurrent predict requests for one model version run as one
// `bundle.predict(rows)` call. A small model's predict has a large fixed cost per call (the runtime
// visits every node of the graph; the taxi model took 0.10 ms for 1 row and 0.25 ms for 32), so
// merging is what lets the server keep up with its HTTP layer under concurrency.
//
// When a batch runs: Node reads every request that has arrived in one poll phase before it runs
// `setImmediate` callbacks, so a batch scheduled with setImmediate holds every request whose bytes
// were there — with no timer, a lone request is not delayed at all. While a batch runs, new requests
// queue and form the next batch. Under concurrent load a batch also waits a couple of loop turns for
// requests on their way. The timeout bounds every wait (and the wait for bodies still arriving, when
// large requests come in several reads).

// Node's global `performance` is a lazy accessor looked up on every use; the module binding is not.
import { performance } from 'node:perf_hooks'

/** Extra event-loop turns a batch waits for more requests when clients are concurrent. */
const GATHER_TURNS = 2

/** Predictions for a batch of rows: output name → row-major values (`rows × width`). */
export type Outputs = Record<string, Float32Array>

/** Runs one batch. */
export type RunBatch = (rows: readonly object[]) => Promise<Outputs>

/** What {@link Batcher} reports about each batch it runs. */
export interface BatchObserver {
  (rows: number, requests: number): void
}

/**
 * Called once per request with the outputs of the batch it ran in and where its rows start there
 * (`batchRows` rows in all), or with the error. The server formats its response straight from the
 * batch's outputs: no per-request promise, slice or copy.
 */
export type BatchDone = (error: unknown, outputs?: Outputs, start?: number, batchRows?: number) => void

interface Task {
  readonly rows: readonly object[]
  readonly enqueuedAt: number
  readonly done: BatchDone
}

/** Options of {@link Batcher}. */
export interface BatcherOptions {
  readonly maxBatchSize: number
  readonly batchTimeoutMicros: number
  /** How many requests for this model are still reading their bodies (they may join the batch). */
  readonly pendingBodies?: () => number
  readonly onBatch?: BatchObserver
}

/** Something that runs predict requests, batched or not. */
export interface PredictQueue {
  /** Runs `rows`; resolves with their outputs. */
  submit(rows: readonly object[]): Promise<Outputs>
  /** Runs `rows` and calls `done` with the outputs of the batch they ran in (the server's path). */
  enqueue(rows: readonly object[], done: BatchDone): void
  /** Resolves once every submitted request has been answered. */
  drain(): Promise<void>
}

/** The rows `[start, start + count)` of each output (views, no copy). */
export function sliceOutputs(outputs: Outputs, totalRows: number, start: number, count: number): Outputs {
  const out: Outputs = {}
  for (const name in outputs) {
    const values = outputs[name]!
    const width = totalRows === 0 ? 0 : values.length / totalRows
    out[name] = values.subarray(start * width, (start + count) * width)
  }
  return out
}

/** Queues concurrent requests and runs them together, up to `maxBatchSize` rows per call. */
export class Batcher implements PredictQueue {
  private readonly queue: Task[] = []
  private queuedRows = 0
  private running = false
  private scheduled = false
  private idleWaiters: (() => void)[] = []

  constructor(
    private readonly run: RunBatch,
    private readonly options: BatcherOptions,
  ) {}

  submit(rows: readonly object[]): Promise<Outputs> {
    return new Promise<Outputs>((resolve, reject) => this.enqueue(rows, settle(rows.length, resolve, reject)))
  }

  enqueue(rows: readonly object[], done: BatchDone): void {
    this.queue.push({ rows, enqueuedAt: performance.now(), done })
    this.queuedRows += rows.length
    this.kick()
  }

  drain(): Promise<void> {
    if (this.idle) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private get idle(): boolean {
    return !this.running && this.queue.length === 0
  }

  private kick(): void {
    if (this.running) return // the running batch schedules the next one when it ends
    if (this.queuedRows >= this.options.maxBatchSize) void this.runBatch()
    else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.tick)
    }
  }

  /** Requests in the last batch: more than one means concurrent clients. */
  private lastBatchRequests = 0
  /** Event-loop turns the queued batch has waited for company. */
  private turnsWaited = 0

  private readonly tick = (): void => {
    this.scheduled = false
    if (this.running || this.queue.length === 0) return
    const waitedMicros = (performance.now() - this.queue[0]!.enqueuedAt) * 1000
    // Under concurrent load (the last batch merged several requests) a batch waits a couple of
    // event-loop turns for requests whose bytes are arriving: the taxi bench measured batches of 20 →
    // 29 rows and ~8% more throughput at 32 clients. A lone client never waits (its batches are 1).
    const gathering = this.lastBatchRequests > 1 && this.turnsWaited < GATHER_TURNS
    if (waitedMicros < this.options.batchTimeoutMicros && (gathering || (this.options.pendingBodies?.() ?? 0) > 0)) {
      this.turnsWaited++
      this.scheduled = true
      setImmediate(this.tick)
      return
    }
    void this.runBatch()
  }

  private async runBatch(): Promise<void> {
    this.running = true
    const tasks: Task[] = []
    let rows = 0
    // At least one request, however large; then whole requests while they fit.
    while (this.queue.length > 0 && (tasks.length === 0 || rows + this.queue[0]!.rows.length <= this.options.maxBatchSize)) {
      const task = this.queue.shift()!
      tasks.push(task)
      rows += task.rows.length
    }
    this.queuedRows -= rows
    this.lastBatchRequests = tasks.length
    this.turnsWaited = 0
    try {
      await runTasks(this.run, tasks, rows, this.options.onBatch)
    } finally {
      this.running = false
      if (this.queue.length > 0) this.kick()
      else for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }
}

async function runTasks(run: RunBatch, tasks: readonly Task[], rows: number, onBatch: BatchObserver | undefined): Promise<void> {
  let outputs: Outputs
  try {
    const batch = tasks.length === 1 ? tasks[0]!.rows : tasks.flatMap((t) => t.rows)
    onBatch?.(rows, tasks.length)
    outputs = await run(batch)
  } catch (error) {
    if (tasks.length === 1) {
      tasks[0]!.done(error)
      return
    }
    // One bad request must not fail the others it was batched with, and its error must count rows
    // from the start of its own request: run each on its own.
    for (const task of tasks) await runTasks(run, [task], task.rows.length, onBatch)
    return
  }
  let start = 0
  for (const task of tasks) {
    task.done(undefined, outputs, start, rows)
    start += task.rows.length
  }
}

/** A BatchDone that settles a promise with the request's own rows of the outputs. */
function settle(count: number, resolve: (outputs: Outputs) => void, reject: (error: unknown) => void): BatchDone {
  return (error, outputs, start, batchRows) => {
    if (error !== undefined || !outputs) reject(error)
    else resolve(start === 0 && batchRows === count ? outputs : sliceOutputs(outputs, batchRows!, start!, count))
  }
}

/** Runs each request on its own as it comes (`batching: false`). */
export class Unbatched implements PredictQueue {
  private inFlight = 0
  private idleWaiters: (() => void)[] = []

  constructor(
    private readonly run: RunBatch,
    private readonly onBatch?: BatchObserver,
  ) {}

  async submit(rows: readonly object[]): Promise<Outputs> {
    this.inFlight++
    try {
      this.onBatch?.(rows.length, 1)
      return await this.run(rows)
    } finally {
      if (--this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }

  enqueue(rows: readonly object[], done: BatchDone): void {
    this.submit(rows).then(
      (outputs) => done(undefined, outputs, 0, rows.length),
      (error: unknown) => done(error),
    )
  }

  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }
}
