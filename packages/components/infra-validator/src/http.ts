// A minimal JSON-over-HTTP client for the model server, over loopback TCP or a unix socket. No
// keep-alive: nothing stays connected to a server once it is stopped.
import http from 'node:http'
import type { Endpoint } from './server/server.js'

/** An answer of the server. */
export interface HttpAnswer {
  readonly status: number
  /** The parsed JSON body, or undefined when it is not JSON. */
  readonly json: unknown
  readonly text: string
}

const MAX_BODY_BYTES = 64 * 1024 * 1024

/**
 * Sends one request and reads the whole answer. Rejects on a connection error, after `timeoutMs`,
 * and when `signal` aborts.
 */
export function requestJson(endpoint: Endpoint, method: 'GET' | 'POST', urlPath: string, options: { body?: unknown; timeoutMs: number; signal: AbortSignal }): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body))
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = http.request(
      {
        ...(endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port }),
        method,
        path: urlPath,
        agent: false,
        timeout: options.timeoutMs,
        signal: options.signal,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_BODY_BYTES) request.destroy(new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`))
          else chunks.push(chunk)
        })
        response.on('error', reject)
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: response.statusCode ?? 0, json, text })
        })
      },
    )
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)))
    request.on('error', reject)
    request.end(payload)
  })
}

/** `http://127.0.0.1:8501` or `unix:/path`, for messages. */
export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'unix' ? `unix:${endpoint.socketPath}` : `http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
}
