/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }

/**
 * Serialises with object keys sorted at every depth, so equal values always give equal text. Cache
 * keys are hashes of this text: insertion order of keys must not change them.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

/** Returns the path of the first part of `value` that is not plain JSON (a function, a class instance, NaN…), or undefined. */
export function findNonJson(value: unknown, path = ''): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path || '(root)'
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonJson(value[i], `${path}[${i}]`)
      if (bad !== undefined) return bad
    }
    return undefined
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return path || '(root)'
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue
      const bad = findNonJson(v, path ? `${path}.${k}` : k)
      if (bad !== undefined) return bad
    }
    return undefined
  }
  return path || '(root)'
}
