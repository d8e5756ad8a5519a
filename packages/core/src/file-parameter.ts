import * as z from 'zod'

// Schemas made by fileParameter() and whether the runner fingerprints what they name, recognised
// through wrappers such as .default() and .optional(). Kept on globalThis so that every copy of
// @sluice/core in the process agrees.
const fileSchemas: WeakMap<object, { fingerprint: boolean }> = ((globalThis as Record<symbol, WeakMap<object, { fingerprint: boolean }> | undefined>)[
  Symbol.for('@sluice/core:file-parameters')
] ??= new WeakMap())

/** Options of {@link fileParameter}. */
export interface FileParameterOptions {
  /**
   * Set false when the component's own `fingerprint` hook covers the path's contents (ExampleGen
   * fingerprints only the files its patterns match, as TFX does): the runner then still resolves
   * the path but does not stat or hash it. @default true
   */
  fingerprint?: boolean
}

/**
 * A string parameter naming a file or directory whose contents are part of the cache key (a user
 * module such as `moduleFile`, an input data file): editing the file re-executes the node, as TFX
 * does for `module_file`. Files are hashed by content; directories by each file's path, size and
 * modification time.
 *
 * @example
 * parameters: z.object({ moduleFile: fileParameter(), dataPath: fileParameter().default('./data.csv') })
 */
export function fileParameter(options: FileParameterOptions = {}): z.ZodString {
  const schema = z.string().min(1)
  fileSchemas.set(schema, { fingerprint: options.fingerprint ?? true })
  return schema
}

function fileOptionsOf(schema: unknown): { fingerprint: boolean } | undefined {
  let current: unknown = schema
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const options = fileSchemas.get(current)
    if (options) return options
    current = (current as { _zod?: { def?: { innerType?: unknown } } })._zod?.def?.innerType
  }
  return undefined
}

/** Whether a parameter schema (possibly wrapped in default/optional/nullable) was made by {@link fileParameter}. */
export function isFileParameter(schema: unknown): boolean {
  return fileOptionsOf(schema) !== undefined
}

/** Whether the runner fingerprints the path a file parameter names (see {@link FileParameterOptions.fingerprint}). */
export function isFingerprintedFileParameter(schema: unknown): boolean {
  return fileOptionsOf(schema)?.fingerprint === true
}
