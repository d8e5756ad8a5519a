// The pieces of the REST protocol InfraValidator relies on, without a server.
import { describe, expect, test } from 'vitest'
import { parseStartLine } from '../src/server/server.js'
import { checkPredictions, versionStatus } from '../src/validate.js'

const answer = (status: number, json: unknown) => ({ status, json, text: JSON.stringify(json) })

describe('parseStartLine', () => {
  test('reads TCP and unix socket endpoints, ignores other lines', () => {
    expect(parseStartLine('Serving models taxi at http://127.0.0.1:40123')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 40123 })
    expect(parseStartLine('Serving models a,b at http://0.0.0.0:8501')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8501 })
    expect(parseStartLine('Serving models a at http://[::1]:8501')).toEqual({ kind: 'tcp', host: '::1', port: 8501 })
    expect(parseStartLine('Serving models a at unix:/run/sluice-serving/server.sock')).toEqual({ kind: 'unix', socketPath: '/run/sluice-serving/server.sock' })
    expect(parseStartLine('Loading model a version 1')).toBeUndefined()
  })
})

describe('versionStatus', () => {
  test('AVAILABLE, LOADING, END with its error, and errors', () => {
    expect(versionStatus(answer(200, { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] }))).toEqual({ state: 'AVAILABLE', describe: 'AVAILABLE' })
    expect(versionStatus(answer(200, { model_version_status: [{ version: '1', state: 'LOADING', status: { error_code: 'OK', error_message: '' } }] })).state).toBe('LOADING')
    expect(versionStatus(answer(200, { model_version_status: [{ version: '1', state: 'END', status: { error_code: 'UNKNOWN', error_message: 'weights.bin is too short' } }] }))).toEqual({
      state: 'END',
      message: 'weights.bin is too short (UNKNOWN)',
      describe: 'END',
    })
    expect(versionStatus(answer(404, { error: 'Servable not found for request: Latest(m)' }))).toEqual({ describe: 'HTTP 404 Servable not found for request: Latest(m)' })
  })
})

describe('checkPredictions', () => {
  test('one prediction of finite numbers per instance', () => {
    expect(checkPredictions(answer(200, { predictions: [[0.2], [0.7]] }), 2)).toBeUndefined()
    expect(checkPredictions(answer(200, { predictions: [0.2, 0.7] }), 2)).toBeUndefined()
    expect(checkPredictions(answer(200, { predictions: [{ a: [0.1], b: 2 }] }), 1)).toBeUndefined()
    expect(checkPredictions(answer(200, { predictions: [[0.2]] }), 2)).toBe('the predict answer has 1 prediction(s) for 2 instance(s).')
    expect(checkPredictions(answer(200, { predictions: [[0.2], [null]] }), 2)).toBe('prediction 1 is not made of finite numbers: [null]')
    expect(checkPredictions(answer(400, { error: 'Row 0 has no feature "x1" (FLOAT).' }), 1)).toBe('the predict request was answered with HTTP 400: Row 0 has no feature "x1" (FLOAT).')
    expect(checkPredictions(answer(200, { outputs: [] }), 1)).toMatch(/no "predictions" list/)
  })
})
