import http from 'node:http'

/** A response as the tests look at it. */
export interface Reply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly text: string
  readonly json: any
}

/** One HTTP request over TCP (`base` = http://host:port) or a unix socket (`socketPath`). */
export function request(target: { base?: string; socketPath?: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const url = target.base ? new URL(path, target.base) : undefined
    const req = http.request(
      {
        method,
        ...(url ? { host: url.hostname, port: url.port, path: url.pathname } : { socketPath: target.socketPath, path }),
        headers: { ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
        agent: false,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** Waits until `check` passes (it throws or returns false until then), up to `ms`. */
export async function eventually<T>(check: () => Promise<T | false> | T | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== false) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The value of a Prometheus sample, e.g. `sluice_serving_batch_size_count{model="m"}`; 0 when absent. */
export function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  return line ? Number(line.slice(sample.length + 1)) : 0
}
