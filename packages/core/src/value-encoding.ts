import type { AnyArtifactType } from './artifact-type.js'
import { ExecutorError } from './errors.js'
import type { JsonValue } from './json.js'

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
      return String(value)
    case 'float':
      if (typeof value !== 'number') break
      return Number.isNaN(value) ? 'NaN' : String(value)
    case 'boolean':
      if (typeof value !== 'boolean') break
      return value ? '1' : '0'
    case 'json':
      return JSON.stringify(value ?? null)
    case undefined:
      throw new ExecutorError(`Artifact type "${type.name}" is not a value artifact type; it has no value to encode.`)
  }
  throw new ExecutorError(`A ${type.name} value artifact cannot hold ${JSON.stringify(value)} (${typeof value}).`, {
    code: 'SLUICE_VALUE_INVALID',
    fix: `Return a ${type.valueKind === 'int' ? 'whole number' : type.valueKind} for it.`,
  })
}

/** Decodes the text of a value artifact's file. */
export function decodeValue(type: AnyArtifactType, text: string): JsonValue {
  switch (type.valueKind) {
    case 'string':
      return text
    case 'int':
    case 'float': {
      const n = Number(text.trim())
      if (Number.isNaN(n) && text.trim() !== 'NaN') {
        throw new ExecutorError(`A ${type.name} value artifact holds ${JSON.stringify(text.slice(0, 40))}, which is not a number.`, { code: 'SLUICE_VALUE_INVALID' })
      }
      return n
    }
    case 'boolean':
      return text.trim() === '1' || text.trim() === 'true'
    case 'json':
      return JSON.parse(text) as JsonValue
    case undefined:
      throw new ExecutorError(`Artifact type "${type.name}" is not a value artifact type; it has no value to decode.`)
  }
}
