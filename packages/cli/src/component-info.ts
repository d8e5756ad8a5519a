import { describeInput, isFileParameter, z } from '@sluice/core'
import type { AnyComponent, JsonValue, ParametersSchema } from '@sluice/core'

/** One input of a component, as `sluice components` lists it. */
export interface InputInfo {
  readonly key: string
  /** The artifact type name. */
  readonly type: string
  readonly optional: boolean
  readonly list: boolean
}

/** One output of a component. */
export interface OutputInfo {
  readonly key: string
  readonly type: string
}

/** One parameter, read from the component's zod schema through its JSON Schema. */
export interface ParameterInfo {
  readonly name: string
  /** A TypeScript-like rendering of the JSON Schema type: `string`, `integer`, `"a" | "b"`, `string[]`, `object`… */
  readonly type: string
  /** False when it has a default or may be left out. */
  readonly required: boolean
  /** The default value; absent when there is none. */
  readonly default?: JsonValue
  readonly description: string | null
  /** A file parameter: a path whose contents are part of the cache key. */
  readonly file: boolean
}

/** A registered component as `sluice components --json` prints it. */
export interface ComponentInfo {
  readonly name: string
  readonly description: string | null
  /** The component's own version (part of its cache key). */
  readonly version: string | null
  readonly executionType: string | null
  /** The plugin (npm package) that registered it; null for components registered by local code. */
  readonly package: string | null
  readonly packageVersion: string | null
  readonly inputs: readonly InputInfo[]
  readonly outputs: readonly OutputInfo[]
  readonly parameters: readonly ParameterInfo[]
}

/** Describes a component's inputs, outputs and parameters for listing. */
export function describeComponent(component: AnyComponent, pkg: { name?: string | undefined; version?: string | undefined } = {}): ComponentInfo {
  return {
    name: component.name,
    description: component.description ?? null,
    version: component.version ?? null,
    executionType: component.executionType ?? null,
    package: pkg.name ?? null,
    packageVersion: pkg.version ?? null,
    inputs: Object.entries(component.inputs).map(([key, entry]) => {
      const spec = describeInput(entry)
      return { key, type: spec?.type.name ?? '?', optional: spec?.optional ?? false, list: spec?.list ?? false }
    }),
    outputs: Object.entries(component.outputs).map(([key, type]) => ({ key, type: type.name })),
    parameters: describeParameters(component.parameters),
  }
}

type JsonSchema = {
  type?: string | string[]
  enum?: JsonValue[]
  const?: JsonValue
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  required?: string[]
  default?: JsonValue
  description?: string
}

/**
 * Names, types, defaults and descriptions of a zod object schema's keys, through zod's JSON Schema
 * conversion (input side, so keys with defaults are not required). Keys that JSON Schema cannot
 * express (transforms, dates) are typed `unknown` rather than failing the listing.
 */
export function describeParameters(schema: ParametersSchema): ParameterInfo[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape ?? {}
  let object: JsonSchema | undefined
  try {
    object = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  } catch {
    object = undefined
  }
  return Object.keys(shape).map((name) => {
    let property = object?.properties?.[name]
    let required = object?.required?.includes(name) ?? true
    if (!object) {
      // One key JSON Schema cannot take (a cycle, a custom type) should not hide the others.
      try {
        const single = z.toJSONSchema(z.object({ [name]: shape[name] as z.ZodType }), { io: 'input', unrepresentable: 'any' }) as JsonSchema
        property = single.properties?.[name]
        required = single.required?.includes(name) ?? false
      } catch {
        property = undefined
      }
    }
    return {
      name,
      type: property ? typeName(property) : 'unknown',
      required: required && property?.default === undefined,
      ...(property?.default === undefined ? {} : { default: property.default }),
      description: property?.description ?? null,
      file: isFileParameter(shape[name]),
    }
  })
}

/** A JSON Schema type as TypeScript-like text. */
export function typeName(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ')
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives) return [...new Set(alternatives.map(typeName))].join(' | ')
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  if (types.length === 0) return 'unknown'
  return types
    .map((type) => {
      if (type === 'array') {
        const item = schema.items ? typeName(schema.items) : 'unknown'
        return item.includes(' | ') ? `(${item})[]` : `${item}[]`
      }
      if (type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') {
        return `Record<string, ${typeName(schema.additionalProperties)}>`
      }
      return type
    })
    .join(' | ')
}
