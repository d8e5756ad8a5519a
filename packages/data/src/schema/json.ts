// Schema <-> proto3 JSON (`schema.json`): lowerCamelCase names, enums by name, int64 as numbers,
// non-finite floats as "NaN" / "Infinity" / "-Infinity".

import type { JsonValue } from '@sluice/core'
import * as descriptors from './descriptors.js'
import type { FieldDescriptor, MessageDescriptor } from './descriptors.js'
import { SchemaError } from './errors.js'
import { checkKeys } from './text-format.js'
import type { Schema } from './types.js'

/**
 * The proto3 JSON form of a schema, as written to `schema.json`: fields in field-number order,
 * `feature`, `stringDomain` and `defaultEnvironment` always present (possibly empty).
 */
export function schemaToJson(schema: Schema): { [key: string]: JsonValue } {
  const json = messageToJson(descriptors.Schema, schema as unknown as Record<string, unknown>, 'schema')
  return { feature: [], stringDomain: [], defaultEnvironment: [], ...json }
}

function messageToJson(descriptor: MessageDescriptor, message: Record<string, unknown>, where: string): { [key: string]: JsonValue } {
  checkKeys(descriptor, message, where)
  const out: { [key: string]: JsonValue } = {}
  for (const field of descriptor.fields) {
    const value = message[field.json]
    if (value === undefined) continue
    if (field.repeated) {
      if (!Array.isArray(value)) throw invalid(`${where}.${field.json} must be an array`)
      out[field.json] = value.map((item, i) => valueToJson(field, item, `${where}.${field.json}[${i}]`))
    } else {
      out[field.json] = valueToJson(field, value, `${where}.${field.json}`)
    }
  }
  return out
}

function valueToJson(field: FieldDescriptor, value: unknown, where: string): JsonValue {
  if (field.kind === 'message') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where} must be an object`)
    return messageToJson(field.message!(), value as Record<string, unknown>, where)
  }
  if ((field.kind === 'double' || field.kind === 'float') && typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
  }
  return value as JsonValue
}

/**
 * Reads a schema from its proto3 JSON form, strictly: unknown fields and values of the wrong type
 * are a {@link SchemaError} naming the file and the field. Proto field names (`min_fraction`) are
 * accepted as well as JSON names, as protobuf's own JSON parser does.
 */
export function schemaFromJson(value: unknown, fileName = 'schema.json'): Schema {
  const schema = messageFromJson(descriptors.Schema, value, 'schema', fileName) as unknown as Schema
  schema.feature ??= []
  for (const [i, feature] of schema.feature.entries()) {
    if (typeof feature.name !== 'string') throw new SchemaError('SLUICE_SCHEMA_INVALID', `${fileName}: schema.feature[${i}] has no name.`, { fix: 'Add "name": "<feature>".' })
  }
  const { feature, ...rest } = schema
  for (const key of ['stringDomain', 'defaultEnvironment'] as const) if (rest[key]?.length === 0) delete rest[key]
  return { feature, ...rest }
}

function messageFromJson(descriptor: MessageDescriptor, value: unknown, where: string, fileName: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidFile(fileName, `${where} must be an object`)
  const out: Record<string, unknown> = {}
  const oneofs = new Map<string, string>()
  for (const [key, item] of Object.entries(value)) {
    const field = descriptor.byJson.get(key) ?? descriptor.byName.get(key)
    if (!field) throw invalidFile(fileName, `${where} has the unknown field "${key}"`)
    if (item === null) continue
    if (field.oneof) {
      const other = oneofs.get(field.oneof)
      if (other) throw invalidFile(fileName, `${where} sets both "${other}" and "${field.json}", members of the oneof "${field.oneof}"`)
      oneofs.set(field.oneof, field.json)
    }
    if (field.repeated) {
      if (!Array.isArray(item)) throw invalidFile(fileName, `${where}.${field.json} must be an array`)
      out[field.json] = item.map((element, i) => valueFromJson(field, element, `${where}.${field.json}[${i}]`, fileName))
    } else {
      out[field.json] = valueFromJson(field, item, `${where}.${field.json}`, fileName)
    }
  }
  return out
}

function valueFromJson(field: FieldDescriptor, value: unknown, where: string, fileName: string): unknown {
  switch (field.kind) {
    case 'message':
      return messageFromJson(field.message!(), value, where, fileName)
    case 'string':
      if (typeof value !== 'string') throw invalidFile(fileName, `${where} must be a string`)
      return value
    case 'bool':
      if (typeof value !== 'boolean') throw invalidFile(fileName, `${where} must be true or false`)
      return value
    case 'int64': {
      const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value
      if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalidFile(fileName, `${where} must be an integer`)
      return number
    }
    case 'double':
    case 'float': {
      if (value === 'NaN') return NaN
      if (value === 'Infinity') return Infinity
      if (value === '-Infinity') return -Infinity
      if (typeof value !== 'number') throw invalidFile(fileName, `${where} must be a number`)
      return value
    }
    case 'enum': {
      const values = field.values!
      if (typeof value === 'string' && Object.hasOwn(values, value)) return value
      if (typeof value === 'number') {
        const name = Object.keys(values).find((k) => values[k] === value)
        if (name) return name
      }
      throw invalidFile(fileName, `${where} must be one of ${Object.keys(values).join(', ')}`)
    }
  }
}

function invalid(message: string): SchemaError {
  return new SchemaError('SLUICE_SCHEMA_INVALID', `Schema object: ${message}.`)
}

function invalidFile(fileName: string, message: string): SchemaError {
  return new SchemaError('SLUICE_SCHEMA_INVALID', `${fileName}: ${message}.`, { fix: 'Fix the file, or regenerate it with SchemaGen / ImportSchemaGen.' })
}
