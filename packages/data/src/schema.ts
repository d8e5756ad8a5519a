// @sluice/data/schema: tensorflow_metadata's Schema message (types, protobuf text format, proto3
// JSON), schema inference and update from statistics with TFDV's rules, and the files of a Schema
// artifact.
export type * from './schema/types.js'
export { SchemaError, SchemaParseError } from './schema/errors.js'
export type { SchemaErrorCode, TextPosition } from './schema/errors.js'
export { parseSchemaText, formatSchemaText } from './schema/text-format.js'
export { schemaToJson, schemaFromJson } from './schema/json.js'
export { inferSchema, updateSchema } from './schema/infer.js'
export type { InferSchemaOptions } from './schema/infer.js'
export { readSchema, writeSchema, SCHEMA_TEXT_FILE, SCHEMA_JSON_FILE } from './schema/io.js'
export type { WriteSchemaOptions } from './schema/io.js'
export type { StatisticsInput } from './schema/stats-view.js'
export { isDeprecated as isFeatureDeprecated, isInEnvironment as isFeatureInEnvironment } from './schema/updater.js'
