import { describe, expect, test } from 'vitest'
import {
  ComponentDefinitionError,
  ExecutorError,
  ParameterError,
  PipelineError,
  RegistryError,
  SluiceError,
  WiringError,
  findNonJson,
  hasKind,
  isSluiceError,
  kind,
  stableStringify,
} from '../src/index.js'

describe('SluiceError', () => {
  test('appends the fix to the message and keeps code, retryable and cause', () => {
    const cause = new Error('disk full')
    const error = new SluiceError('SLUICE_EXAMPLE', 'Node "Trainer": writing failed.', { fix: 'Free some space.', retryable: true, cause })
    expect(error.message).toBe('Node "Trainer": writing failed. Free some space.')
    expect(error.fix).toBe('Free some space.')
    expect(error.code).toBe('SLUICE_EXAMPLE')
    expect(error.retryable).toBe(true)
    expect(error.cause).toBe(cause)
    expect(error.name).toBe('SluiceError')
    expect(error).toBeInstanceOf(Error)
  })

  test('without a fix the message is unchanged and nothing is retryable by default', () => {
    const error = new SluiceError('SLUICE_EXAMPLE', 'Plain.')
    expect(error.message).toBe('Plain.')
    expect(error.fix).toBeUndefined()
    expect(error.retryable).toBe(false)
    expect('cause' in error).toBe(false)
  })

  test.each([
    [new ComponentDefinitionError('m'), 'ComponentDefinitionError', 'SLUICE_COMPONENT_INVALID'],
    [new WiringError('m'), 'WiringError', 'SLUICE_WIRING_INVALID'],
    [new ParameterError('m'), 'ParameterError', 'SLUICE_PARAMETER_INVALID'],
    [new PipelineError('m'), 'PipelineError', 'SLUICE_PIPELINE_INVALID'],
    [new RegistryError('m'), 'RegistryError', 'SLUICE_NOT_REGISTERED'],
    [new RegistryError('m', { packageName: '@sluice/component-trainer' }), 'RegistryError', 'SLUICE_PACKAGE_MISSING'],
    [new ExecutorError('m'), 'ExecutorError', 'SLUICE_EXECUTOR_FAILED'],
    [new ExecutorError('m', { code: 'SLUICE_OUTPUT_MISSING' }), 'ExecutorError', 'SLUICE_OUTPUT_MISSING'],
  ])('%o has name %s and code %s', (error, name, code) => {
    expect(error.name).toBe(name)
    expect(error.code).toBe(code)
    expect(error).toBeInstanceOf(SluiceError)
    expect(isSluiceError(error)).toBe(true)
  })

  test('RegistryError keeps the package name', () => {
    expect(new RegistryError('m', { packageName: 'acme' }).packageName).toBe('acme')
    expect(new RegistryError('m').packageName).toBeUndefined()
  })
})

describe('isSluiceError', () => {
  test('recognises an error from another copy of @sluice/core by its brand', () => {
    // What a second copy's SluiceError looks like to this copy: another class, the same Symbol.for brand.
    const foreignBrand: unique symbol = Symbol.for('@sluice/core:kind')
    class ForeignSluiceError extends Error {
      readonly code = 'SLUICE_FOREIGN'
      readonly [foreignBrand] = 'SluiceError'
    }
    const foreign = new ForeignSluiceError('from elsewhere')
    expect(foreign).not.toBeInstanceOf(SluiceError)
    expect(isSluiceError(foreign)).toBe(true)
  })

  test('rejects ordinary errors and values with another brand', () => {
    expect(isSluiceError(new Error('x'))).toBe(false)
    expect(isSluiceError(Object.assign(new Error('x'), { code: 'SLUICE_X' }))).toBe(false)
    expect(isSluiceError({ [kind]: 'Node' })).toBe(false)
    expect(isSluiceError(null)).toBe(false)
    expect(isSluiceError('SluiceError')).toBe(false)
  })

  test('the brand key is the shared Symbol.for key', () => {
    expect(kind).toBe(Symbol.for('@sluice/core:kind'))
    expect(hasKind({ [Symbol.for('@sluice/core:kind')]: 'Channel' }, 'Channel')).toBe(true)
    expect(hasKind(Object.assign(() => {}, { [kind]: 'Component' }), 'Component')).toBe(true)
    expect(hasKind(undefined, 'Channel')).toBe(false)
  })
})

describe('stableStringify', () => {
  test('does not depend on key insertion order, at any depth', () => {
    const a = { b: 1, a: { d: [{ y: 1, x: 2 }], c: 'x' } }
    const b = { a: { c: 'x', d: [{ x: 2, y: 1 }] }, b: 1 }
    expect(stableStringify(a)).toBe(stableStringify(b))
    expect(stableStringify(a)).toBe('{"a":{"c":"x","d":[{"x":2,"y":1}]},"b":1}')
  })

  test('keeps array order and drops undefined properties like JSON.stringify', () => {
    expect(stableStringify([3, 1, 2])).toBe('[3,1,2]')
    expect(stableStringify([2, 1])).not.toBe(stableStringify([1, 2]))
    expect(stableStringify({ a: undefined, b: null })).toBe('{"b":null}')
    expect(stableStringify('x')).toBe('"x"')
  })
})

describe('findNonJson', () => {
  test('plain JSON has no bad path', () => {
    expect(findNonJson({ a: [1, 'x', null, true, { b: -0.5 }], c: {} })).toBeUndefined()
    expect(findNonJson(Object.assign(Object.create(null) as object, { a: 1 }))).toBeUndefined()
    expect(findNonJson({ skipped: undefined })).toBeUndefined()
  })

  test.each([
    [{ a: { b: [1, Number.NaN] } }, 'a.b[1]'],
    [{ f: () => 1 }, 'f'],
    [{ when: new Date(0) }, 'when'],
    [{ m: new Map() }, 'm'],
    [{ n: 10n }, 'n'],
    [{ x: Number.POSITIVE_INFINITY }, 'x'],
    [[1, undefined], '[1]'],
    [() => 1, '(root)'],
    [undefined, '(root)'],
    [new (class Point {})(), '(root)'],
  ])('finds the first non-JSON part of %o at %s', (value, path) => {
    expect(findNonJson(value)).toBe(path)
  })
})
