import { codeOf, PROPERTY_TYPES, valueOf } from './enum-codes.js'
import { MetadataError } from './errors.js'
import type { PropertyType, PropertyValue } from './types.js'

/** One row of a property table, in column order after the node id. */
export interface PropertyRow {
  name: string
  isCustom: 0 | 1
  dataType: number
  intValue: number | null
  doubleValue: number | null
  stringValue: string | null
  boolValue: 0 | 1 | null
  structValue: string | null
}

/** What the encoder needs to know about the node's type, and how to name it in errors. */
export interface PropertyOwner {
  /** E.g. `artifact type "Examples"`. */
  subject: string
  /** The declared type of a typed property, undefined when not declared. */
  declared(name: string): PropertyType | undefined
  declaredNames(): string[]
}

/** The type a custom property gets from its JS value: integers are INT, other numbers DOUBLE, objects STRUCT. */
export function inferPropertyType(value: unknown): PropertyType | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isSafeInteger(value) ? 'INT' : 'DOUBLE'
    case 'string':
      return 'STRING'
    case 'boolean':
      return 'BOOLEAN'
    case 'object':
      return 'STRUCT' // null, arrays and plain objects are JSON
    default:
      return undefined
  }
}

function fits(type: PropertyType, value: unknown): boolean {
  switch (type) {
    case 'INT':
      return Number.isSafeInteger(value)
    case 'DOUBLE':
      return typeof value === 'number'
    case 'STRING':
      return typeof value === 'string'
    case 'BOOLEAN':
      return typeof value === 'boolean'
    case 'STRUCT':
      return inferPropertyType(value) !== undefined
  }
}

const EXPECTED: Record<PropertyType, string> = {
  INT: 'an integer number (a safe integer)',
  DOUBLE: 'a number',
  STRING: 'a string',
  BOOLEAN: 'true or false',
  STRUCT: 'a JSON value',
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`
  return value === null ? 'null' : typeof value
}

function toJson(name: string, value: PropertyValue): string {
  try {
    return JSON.stringify(value)
  } catch (cause) {
    throw new MetadataError(
      'SLUICE_METADATA_INVALID_ARGUMENT',
      `Property "${name}" holds a value JSON.stringify cannot encode (${String(cause)}); pass plain JSON data.`,
      { cause },
    )
  }
}

/** Encodes one value of a known type into table columns; NaN is a NULL double, as SQLite stores NaN anyway. */
function toRow(name: string, isCustom: 0 | 1, type: PropertyType, value: PropertyValue): PropertyRow {
  const row: PropertyRow = {
    name,
    isCustom,
    dataType: codeOf(PROPERTY_TYPES, type) ?? 0,
    intValue: null,
    doubleValue: null,
    stringValue: null,
    boolValue: null,
    structValue: null,
  }
  if (type === 'INT') row.intValue = value as number
  else if (type === 'DOUBLE') row.doubleValue = Number.isNaN(value) ? null : (value as number)
  else if (type === 'STRING') row.stringValue = value as string
  else if (type === 'BOOLEAN') row.boolValue = value ? 1 : 0
  else row.structValue = toJson(name, value)
  return row
}

/**
 * Validates and encodes a node's properties: typed ones against the type's declarations, custom ones by inference.
 *
 * Rows come out sorted so that two encodings of the same properties compare equal.
 */
export function encodeProperties(
  owner: PropertyOwner,
  properties: Record<string, PropertyValue> | undefined,
  customProperties: Record<string, PropertyValue> | undefined,
): PropertyRow[] {
  const rows: PropertyRow[] = []
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (value === undefined) continue
    const type = owner.declared(name)
    if (type === undefined) {
      const declared = owner.declaredNames()
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `Property "${name}" is not declared on ${owner.subject} (declared: ${declared.length > 0 ? declared.join(', ') : 'none'}). ` +
          `Add it to the type's properties and put the type again, or pass it in customProperties.`,
      )
    }
    if (!fits(type, value)) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `Property "${name}" of ${owner.subject} is ${type} but got ${describe(value)}; pass ${EXPECTED[type]}.`,
      )
    }
    rows.push(toRow(name, 0, type, value))
  }
  for (const [name, value] of Object.entries(customProperties ?? {})) {
    if (value === undefined) continue
    const type = inferPropertyType(value)
    if (type === undefined) {
      throw new MetadataError(
        'SLUICE_METADATA_INVALID_ARGUMENT',
        `Custom property "${name}" of a node of ${owner.subject} is a ${typeof value}, which cannot be stored; ` +
          `pass a number, string, boolean or JSON value.`,
      )
    }
    rows.push(toRow(name, 1, type, value))
  }
  return rows.sort((a, b) => a.isCustom - b.isCustom || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** The JS value of a stored property row. */
export function decodeProperty(row: PropertyRow): PropertyValue {
  switch (valueOf(PROPERTY_TYPES, row.dataType, 'STRUCT')) {
    case 'INT':
      return row.intValue ?? 0
    case 'DOUBLE':
      return row.doubleValue ?? Number.NaN
    case 'STRING':
      return row.stringValue ?? ''
    case 'BOOLEAN':
      return row.boolValue === 1
    case 'STRUCT':
      return row.structValue === null ? null : (JSON.parse(row.structValue) as PropertyValue)
  }
}

/** Whether two sorted encodings hold the same properties. */
export function sameRows(a: readonly PropertyRow[], b: readonly PropertyRow[]): boolean {
  if (a.length !== b.length) return false
  return a.every((row, i) => {
    const other = b[i]
    return (
      other !== undefined &&
      row.name === other.name &&
      row.isCustom === other.isCustom &&
      row.dataType === other.dataType &&
      row.intValue === other.intValue &&
      row.doubleValue === other.doubleValue &&
      row.stringValue === other.stringValue &&
      row.boolValue === other.boolValue &&
      row.structValue === other.structValue
    )
  })
}
