import * as z from 'zod'

// Schemas made by fileParameter(), recognised through wrappers such as .default() and .optional().
// Kept on globalThis so that every copy of @sluice/core in the process agrees.
const fileSchemas: WeakSet<object> = ((globalThis as Record<symbol, WeakSet<object> | undefined>)[Symbol.for('@sluice/core:file-parameters')] ??= new WeakSet())

/**
 * A string parameter naming a file or directory whose contents are part of the cache key (a user
 * module such as `moduleFile`, an input data file): editing the file re-executes the node, as TFX
 * does for `module_file`. Files are hashed by content; directories by each file's path, size and
 * modification time.
 *
 * @example
 * parameters: z.object({ moduleFile: fileParameter(), dataPath: fileParameter().default('./data.csv') })
 */
export function fileParameter(): z.ZodString {
  const schema = z.string().min(1)
  fileSchemas.add(schema)
  return schema
}

/** Whether a parameter schema (possibly wrapped in default/optional/nullable) was made by {@link fileParameter}. */
export function isFileParameter(schema: unknown): boolean {
  let current: unknown = schema
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (fileSchemas.has(current)) return true
    current = (current as { _zod?: { def?: { innerType?: unknown } } })._zod?.def?.innerType
  }
  return false
}
