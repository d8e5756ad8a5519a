// Prometheus metrics of one server, in a registry of its own (two servers in one process, as in
// tests, must not share counters). The per-request counter and histograms are plain arrays updated
// through pre-resolved series: prom-client's labelled metrics validate and hash their label object
// on every call, a visible cost when a request takes tens of microseconds. prom-client still renders
// them (they implement its metric interface) next to its gauges and the process metrics.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

/** The REST methods metrics are labelled with. */
export type RestMethod = 'predict' | 'classify' | 'regress' | 'status' | 'metadata' | 'metrics' | 'other'

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]

type Labels = Readonly<Record<string, string>>

interface MetricValue {
  readonly value: number
  readonly labels: Labels
  readonly metricName?: string
}

/** A counter whose series are resolved once and incremented without label handling. */
class FastCounter {
  readonly type = 'counter'
  readonly aggregator = 'sum'
  private readonly series = new Map<string, { labels: Labels; value: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** The series of `labels`, as an increment function. */
  child(labels: Labels): () => void {
    const key = JSON.stringify(labels)
    let s = this.series.get(key)
    if (!s) this.series.set(key, (s = { labels, value: 0 }))
    const series = s
    return () => void series.value++
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.series.values()].map((s) => ({ value: s.value, labels: s.labels })) }
  }

  reset(): void {
    for (const s of this.series.values()) s.value = 0
  }
}

/** A histogram whose series are resolved once and observed without label handling. */
class FastHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly series = new Map<string, { labels: Labels; buckets: Float64Array; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  /** The series of `labels`, as an observe function. */
  child(labels: Labels): (value: number) => void {
    const key = JSON.stringify(labels)
    let s = this.series.get(key)
    if (!s) this.series.set(key, (s = { labels, buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 }))
    const series = s
    const bounds = this.bounds
    return (value) => {
      let i = 0
      while (i < bounds.length && value > bounds[i]!) i++
      series.buckets[i]!++
      series.sum += value
      series.count++
    }
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = []
    for (const s of this.series.values()) {
      let cumulative = 0
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.buckets[i]!
        values.push({ value: cumulative, labels: { ...s.labels, le: i < this.bounds.length ? String(this.bounds[i]) : '+Inf' }, metricName: `${this.name}_bucket` })
      }
      values.push({ value: s.sum, labels: s.labels, metricName: `${this.name}_sum` })
      values.push({ value: s.count, labels: s.labels, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.buckets.fill(0)
      s.sum = 0
      s.count = 0
    }
  }
}

/** The server's metrics, and the text `/metrics` answers with. */
export class ServerMetrics {
  readonly registry = new Registry()
  private readonly requests = new FastCounter('sluice_serving_requests_total', 'REST requests answered, by model, method and HTTP status code.')
  private readonly latency = new FastHistogram('sluice_serving_request_duration_seconds', 'Time from the request to the end of the response, by model and method.', LATENCY_BUCKETS)
  private readonly batchRows = new FastHistogram('sluice_serving_batch_size', 'Rows per model predict call (one call serves every request batched into it).', SIZE_BUCKETS)
  private readonly batchRequests = new FastHistogram('sluice_serving_batch_requests', 'Requests merged into one model predict call.', SIZE_BUCKETS)
  private readonly loaded = new Gauge({
    name: 'sluice_serving_loaded_versions',
    help: 'Versions of a model loaded and serving (state AVAILABLE).',
    labelNames: ['model'] as const,
    registers: [this.registry],
  })
  private readonly loadFailures = new Counter({
    name: 'sluice_serving_model_load_failures_total',
    help: 'Attempts to load a model version that failed.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  })
  /** Per model, per method: the latency series and the counter series of each status code. */
  private readonly series = new Map<string, Map<RestMethod, { observe: (seconds: number) => void; codes: Map<number, () => void> }>>()

  constructor() {
    for (const metric of [this.requests, this.latency, this.batchRows, this.batchRequests]) this.registry.registerMetric(metric as never)
    collectDefaultMetrics({ register: this.registry })
  }

  /** Counts an answered request and its latency. `model` is '' for names the server does not serve. */
  request(model: string, method: RestMethod, code: number, seconds: number): void {
    let byMethod = this.series.get(model)
    if (!byMethod) this.series.set(model, (byMethod = new Map()))
    let s = byMethod.get(method)
    if (!s) byMethod.set(method, (s = { observe: this.latency.child({ model, method }), codes: new Map() }))
    let inc = s.codes.get(code)
    if (!inc) s.codes.set(code, (inc = this.requests.child({ model, method, code: String(code) })))
    inc()
    s.observe(seconds)
  }

  /** An observer of one model's batches. */
  batchObserver(model: string): (rows: number, requests: number) => void {
    const rows = this.batchRows.child({ model })
    const requests = this.batchRequests.child({ model })
    return (n, r) => {
      rows(n)
      requests(r)
    }
  }

  setLoadedVersions(model: string, count: number): void {
    this.loaded.labels(model).set(count)
  }

  loadFailed(model: string): void {
    this.loadFailures.labels(model).inc()
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() }
  }
}
