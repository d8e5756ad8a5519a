// User module files (TFX's `module_file`): Transform's `preprocessingFn`, Trainer's `runFn`, Tuner's
// `tunerFn`. TypeScript modules load through tsx so users need no build step; every failure names the
// component, the file and the export.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ExecutorError } from './errors.js'

const TYPESCRIPT = /\.[cm]?tsx?$/

/** What {@link loadModuleFunction} needs to know to load and check one export. */
export interface ModuleFunctionSpec {
  /** The component loading it, for messages (`Transform`). */
  readonly component: string
  /** The export to find (`preprocessingFn`); a default export object holding it also counts. */
  readonly exportName: string
  /** The signature shown in the fix (`preprocessingFn(inputs, tft)`). */
  readonly signature?: string
}

/**
 * Imports a module file (JavaScript, or TypeScript through tsx) and returns its module namespace.
 * A missing file or a module that throws while loading becomes an {@link ExecutorError} naming both.
 */
export async function importModuleFile(moduleFile: string, component: string): Promise<Record<string, unknown>> {
  const absolute = path.resolve(moduleFile)
  const url = pathToFileURL(absolute).href
  try {
    if (TYPESCRIPT.test(absolute)) {
      // tsx is an optional peer: the components that load TypeScript module files depend on it.
      const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (url: string, parent: string) => Promise<unknown> }
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>
    }
    return (await import(url)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(absolute)) {
      throw new ExecutorError(`${component}: module file ${moduleFile} does not exist (resolved to ${absolute}).`, {
        code: 'SLUICE_MODULE_FILE_NOT_FOUND',
        fix: 'Pass an existing file as moduleFile (relative paths resolve against the working directory).',
        cause: error,
      })
    }
    throw new ExecutorError(`${component}: module file ${moduleFile} failed to load: ${(error as Error).message ?? String(error)}`, {
      code: 'SLUICE_MODULE_FILE_LOAD_FAILED',
      fix: 'Fix the error in the module file; it is imported as an ES module.',
      cause: error,
    })
  }
}

/**
 * Loads `spec.exportName` from a module file and checks it is a function, so a typo or a missing
 * export fails the node with the module, the export and the expected signature.
 *
 * @example
 * const runFn = await loadModuleFunction<RunFn>(parameters.moduleFile, { component: 'Trainer', exportName: 'runFn', signature: 'runFn(fnArgs)' })
 */
export async function loadModuleFunction<F extends (...args: never[]) => unknown>(moduleFile: string, spec: ModuleFunctionSpec): Promise<F> {
  const module = await importModuleFile(moduleFile, spec.component)
  const fromDefault = (module.default as Record<string, unknown> | undefined)?.[spec.exportName]
  const fn = module[spec.exportName] ?? fromDefault
  if (typeof fn !== 'function') {
    const kind = fn === null ? 'null' : typeof fn === 'object' ? 'an object' : `a ${typeof fn}`
    const found = fn === undefined ? 'it has no such export' : `its "${spec.exportName}" export is ${kind}, not a function`
    const exports = Object.keys(module).filter((k) => k !== 'default')
    throw new ExecutorError(
      `${spec.component}: module file ${moduleFile} must export a function "${spec.exportName}", but ${found} (exports: ${exports.join(', ') || 'none'}).`,
      { code: 'SLUICE_MODULE_FILE_MISSING_EXPORT', fix: `Export \`${spec.signature ?? spec.exportName}\` from ${moduleFile}.` },
    )
  }
  return fn as F
}
