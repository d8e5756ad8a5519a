import type { AnyArtifactType } from './artifact-type.js'
import { ExecutorError } from './errors.js'
import type { JsonValue } from './json.js'
import { findNonJson } from './json.js'

// TFX's encodings of value artifacts (tfx/types/value_artifact.py and standard_artifacts.py), so a
// value written by either tool reads back in the other.

/** Encodes the payload of a value artifact for the file at its uri. */
export function encodeValue(type: AnyArtifactType, value: unknown): string {
  switch (type.valueKind) {
    case 'string':
      if (typeof value !== 'string') break
      return value
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) break
      // BigInt spells every integer in decimal digits; String(1e21) would give "1e+21", which no int parser reads.
      return BigInt(value).toString()
    case 'float':
      if (typeof value !== 'number') break
      return Number.isNaN(value) ? 'NaN' : String(value)
    case 'boolean':
      if (typeof value !== 'boolean') break
      return value ? '1' : '0'
    case 'json':
      // JSON.stringify would turn NaN into null and a function into undefined.
      if (findNonJson(value ?? null) !== undefined) break
      return JSON.stringify(value ?? null)
    case undefined:
      throw new ExecutorError(`Artifact type "${type.name}" is not a value artifact type; it has no value to encode.`)
  }
  throw new ExecutorError(`A ${type.name} value artifact cannot hold ${JSON.stringify(value)} (${typeof value}).`, {
    code: 'SLUICE_VALUE_INVALID',
    fix: `Return ${{ string: 'a string', int: 'a whole number', float: 'a number', boolean: 'a boolean', json: 'plain JSON' }[type.valueKind]} for it.`,
  })
}

/** Decodes the text of a value artifact's file. */
export function decodeValue(type: AnyArtifactType, text: string): JsonValue {
  switch (type.valueKind) {
    case 'string':
      return text
    case 'int':
    case 'float': {
      const t = text.trim()
      // Number('') is 0 and Number('1.5') is not an integer: read like TFX's int() / float().
      const n = type.valueKind === 'int' ? (/^[+-]?\d+$/.test(t) ? Number(t) : NaN) : t === '' ? NaN : Number(t)
      if (Number.isNaN(n) && !(type.valueKind === 'float' && t === 'NaN')) {
        throw new ExecutorError(
          `A ${type.name} value artifact holds ${JSON.stringify(text.slice(0, 40))}, which is not ${type.valueKind === 'int' ? 'a whole number' : 'a number'}.`,
          { code: 'SLUICE_VALUE_INVALID' },
        )
      }
      return n
    }
    case 'boolean': {
      // TFX writes 1 / 0 and reads int(text) != 0.
      const t = text.trim()
      if (/^[+-]?\d+$/.test(t)) return Number(t) !== 0
      if (t === 'true' || t === 'false') return t === 'true'
      throw new ExecutorError(`A ${type.name} value artifact holds ${JSON.stringify(text.slice(0, 40))}, which is not 1 or 0.`, { code: 'SLUICE_VALUE_INVALID' })
    }
    case 'json':
      try {
        return JSON.parse(text) as JsonValue
      } catch (error) {
        throw new ExecutorError(`A ${type.name} value artifact holds ${JSON.stringify(text.slice(0, 40))}, which is not JSON.`, { code: 'SLUICE_VALUE_INVALID', cause: error })
      }
    case undefined:
      throw new ExecutorError(`Artifact type "${type.name}" is not a value artifact type; it has no value to decode.`)
  }
}
