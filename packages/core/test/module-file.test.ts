import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ExecutorError, importModuleFile, loadModuleFunction } from '@sluice/core'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-module-file-'))
const write = (name: string, text: string) => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, text)
  return file
}
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const spec = { component: 'Trainer', exportName: 'runFn', signature: 'runFn(fnArgs)' }

async function failure(promise: Promise<unknown>): Promise<ExecutorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ExecutorError)
  return error as ExecutorError
}

describe('module files', () => {
  it('loads a TypeScript module file through tsx, and a function from its default export object', async () => {
    const ts = write('typed.ts', 'export function runFn(args: { n: number }): number { return args.n * 2 }\n')
    const fn = await loadModuleFunction<(args: { n: number }) => number>(ts, spec)
    expect(fn({ n: 21 })).toBe(42)
    const viaDefault = write('default.mjs', 'export default { runFn: () => "from default" }\n')
    expect((await loadModuleFunction<() => string>(viaDefault, spec))()).toBe('from default')
  })

  it('names the module, the missing export, what the module does export, and the fix', async () => {
    const file = write('wrong-name.mjs', 'export function run_fn() {}\nexport const other = 1\n')
    const error = await failure(loadModuleFunction(file, spec))
    expect(error.code).toBe('SLUICE_MODULE_FILE_MISSING_EXPORT')
    expect(error.message).toContain(file)
    expect(error.message).toContain('"runFn"')
    expect(error.message).toContain('run_fn, other')
    expect(error.fix).toContain('runFn(fnArgs)')
  })

  it('says when the export is not a function', async () => {
    const file = write('not-function.mjs', 'export const runFn = { epochs: 3 }\n')
    const error = await failure(loadModuleFunction(file, spec))
    expect(error.code).toBe('SLUICE_MODULE_FILE_MISSING_EXPORT')
    expect(error.message).toContain('is an object, not a function')
  })

  it('tells a missing file from a module that throws while loading', async () => {
    const missing = path.join(dir, 'nope.ts')
    const notFound = await failure(importModuleFile(missing, 'Transform'))
    expect(notFound.code).toBe('SLUICE_MODULE_FILE_NOT_FOUND')
    expect(notFound.message).toContain(missing)

    const throwing = write('throws.mjs', 'throw new Error("bad config at import")\n')
    const loadFailed = await failure(importModuleFile(throwing, 'Transform'))
    expect(loadFailed.code).toBe('SLUICE_MODULE_FILE_LOAD_FAILED')
    expect(loadFailed.message).toContain('Transform: module file')
    expect(loadFailed.message).toContain('bad config at import')
  })
})
