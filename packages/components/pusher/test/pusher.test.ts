import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { JsonValue } from '@sluice/core'
import { createTempDirectory, rejectionOf, runComponent } from '@sluice/testing'
import type { InputArtifactSource, TempDirectory } from '@sluice/testing'
import { NOT_PUSHED_FILE, Pusher, PusherError, pushToFilesystem } from '../src/index.js'

let tmp: TempDirectory
let counter = 0
const fresh = (name: string) => path.join(tmp.path, `${name}-${++counter}`)

beforeAll(async () => {
  tmp = await createTempDirectory('sluice-pusher-test-')
})
afterAll(async () => {
  await tmp?.remove()
})

/** A Model artifact directory: `Format-Serving/` with `files` files (one nested), like a serving bundle. */
function modelDir(files = 3): string {
  const uri = fresh('model')
  const serving = path.join(uri, 'Format-Serving')
  fs.mkdirSync(path.join(serving, 'transform'), { recursive: true })
  fs.writeFileSync(path.join(serving, 'signature.json'), '{"format":"sluice.serving_signature"}\n')
  fs.writeFileSync(path.join(serving, 'transform', 'fitted_transform.json'), '{}\n')
  for (let i = 0; i < files - 2; i++) fs.writeFileSync(path.join(serving, `weights-${String(i).padStart(4, '0')}.bin`), Buffer.alloc(2048, i))
  return uri
}

/** A blessing artifact directory as the Evaluator or InfraValidator writes it. */
function blessing(blessed: 0 | 1 | undefined, marker: string): { uri: string; customProperties: Record<string, JsonValue> } {
  const uri = fresh('blessing')
  fs.mkdirSync(uri, { recursive: true })
  fs.writeFileSync(path.join(uri, marker), '')
  return { uri, customProperties: blessed === undefined ? {} : { blessed } }
}
const blessedModel = () => blessing(1, 'BLESSED')
const notBlessedModel = () => blessing(0, 'NOT_BLESSED')
const blessedInfra = () => blessing(1, 'INFRA_BLESSED')
const notBlessedInfra = () => blessing(0, 'INFRA_NOT_BLESSED')

/** Every file under `dir` with its content, relative paths sorted. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name)
      if (entry.isDirectory()) walk(child)
      else out[child] = fs.readFileSync(path.join(dir, child)).toString('base64')
    }
  }
  walk('')
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

type PusherInputs = { model: InputArtifactSource; modelBlessing?: InputArtifactSource; infraBlessing?: InputArtifactSource }

/** Runs the Pusher through the real runner, collecting its warnings. */
function push(inputs: PusherInputs, baseDirectory: string, warnings: string[] = []) {
  return runComponent(Pusher, {
    inputs,
    parameters: { pushDestination: { filesystem: { baseDirectory } } },
    onEvent: (event) => {
      if (event.type === 'node-log' && event.level === 'warn') warnings.push(event.message)
    },
  })
}

describe('Pusher', () => {
  test('both blessings blessed: pushes {base}/{unix seconds}/ and copies the model into the artifact', async () => {
    const model = modelDir()
    const base = fresh('serving')
    const before = Math.floor(Date.now() / 1000)
    const { outputs } = await push({ model: { uri: model }, modelBlessing: blessedModel(), infraBlessing: blessedInfra() }, base)
    const after = Math.floor(Date.now() / 1000)
    const props = outputs.pushedModel.customProperties
    expect(props.pushed).toBe(1)
    const version = Number(props.pushed_version)
    expect(version).toBeGreaterThanOrEqual(before)
    expect(version).toBeLessThanOrEqual(after)
    expect(props.pushed_destination).toBe(path.join(base, String(version)))
    expect(fs.readdirSync(base)).toEqual([String(version)]) // no staging directory left behind
    const expected = tree(path.join(model, 'Format-Serving'))
    expect(tree(path.join(base, String(version)))).toEqual(expected)
    expect(tree(outputs.pushedModel.uri)).toEqual(expected)
  })

  test('a NOT_BLESSED model blessing: pushed=0, a NOT_PUSHED marker with the reason, destination untouched', async () => {
    const base = fresh('serving')
    fs.mkdirSync(path.join(base, '1700000000'), { recursive: true })
    fs.writeFileSync(path.join(base, '1700000000', 'signature.json'), 'old model')
    const snapshot = { entries: fs.readdirSync(base), mtime: fs.statSync(base).mtimeMs, files: tree(base) }
    const modelBlessing = notBlessedModel()
    const { outputs } = await push({ model: { uri: modelDir() }, modelBlessing, infraBlessing: blessedInfra() }, base)
    expect(outputs.pushedModel.customProperties).toMatchObject({ pushed: 0, pushed_destination: '', pushed_version: '' })
    expect(fs.readdirSync(outputs.pushedModel.uri)).toEqual([NOT_PUSHED_FILE])
    const reason = fs.readFileSync(path.join(outputs.pushedModel.uri, NOT_PUSHED_FILE), 'utf8')
    expect(reason).toMatch(/^Not pushed: input "modelBlessing" \(artifact #\d+\) is not blessed \(blessed=0; see NOT_BLESSED in /)
    expect(reason).toContain(modelBlessing.uri)
    expect({ entries: fs.readdirSync(base), mtime: fs.statSync(base).mtimeMs, files: tree(base) }).toEqual(snapshot)
  })

  test('a blessed model but a NOT_BLESSED infra blessing is not pushed; a blessing without "blessed" neither', async () => {
    const base = fresh('serving')
    const infra = await push({ model: { uri: modelDir() }, modelBlessing: blessedModel(), infraBlessing: notBlessedInfra() }, base)
    expect(infra.outputs.pushedModel.customProperties.pushed).toBe(0)
    expect(fs.readFileSync(path.join(infra.outputs.pushedModel.uri, NOT_PUSHED_FILE), 'utf8')).toContain('input "infraBlessing"')
    const undecided = await push({ model: { uri: modelDir() }, modelBlessing: blessing(undefined, 'BLESSED') }, base)
    expect(undecided.outputs.pushedModel.customProperties.pushed).toBe(0)
    expect(fs.readFileSync(path.join(undecided.outputs.pushedModel.uri, NOT_PUSHED_FILE), 'utf8')).toContain('has no "blessed" property')
    expect(fs.existsSync(base)).toBe(false)
  })

  test('no blessing given: pushes, with a warning', async () => {
    const base = fresh('serving')
    const warnings: string[] = []
    const { outputs } = await push({ model: { uri: modelDir() } }, base, warnings)
    expect(outputs.pushedModel.customProperties.pushed).toBe(1)
    expect(fs.readdirSync(base)).toEqual([outputs.pushedModel.customProperties.pushed_version])
    expect(warnings.join('\n')).toMatch(/no modelBlessing or infraBlessing was given/)
  })

  test('a second push gets a newer version, even within the same second or behind a version from the future', async () => {
    const base = fresh('serving')
    const model = modelDir()
    const first = await push({ model: { uri: model }, modelBlessing: blessedModel() }, base)
    const second = await push({ model: { uri: model }, modelBlessing: blessedModel() }, base)
    const v1 = Number(first.outputs.pushedModel.customProperties.pushed_version)
    const v2 = Number(second.outputs.pushedModel.customProperties.pushed_version)
    expect(v2).toBeGreaterThan(v1)
    expect(tree(path.join(base, String(v1)))).toEqual(tree(path.join(base, String(v2))))

    // Pinned clock: the same second three times.
    const pinned = fresh('serving')
    const now = () => 1_800_000_000_500
    const versions = []
    for (let i = 0; i < 3; i++) versions.push((await pushToFilesystem(path.join(model, 'Format-Serving'), pinned, { now })).version)
    expect(versions).toEqual(['1800000000', '1800000001', '1800000002'])
    // A version ahead of the clock (another machine's clock, a manual copy): the push still comes out on top.
    fs.mkdirSync(path.join(pinned, '9999999999'))
    expect((await pushToFilesystem(path.join(model, 'Format-Serving'), pinned, { now })).version).toBe('10000000000')
    expect(fs.readdirSync(pinned).sort()).toEqual(['10000000000', '1800000000', '1800000001', '1800000002', '9999999999'])
  })

  test('a baseDirectory that cannot be created: a clear error naming it, nothing written', async () => {
    const file = fresh('a-file')
    fs.writeFileSync(file, 'not a directory')
    const base = path.join(file, 'serving')
    const error = await rejectionOf(push({ model: { uri: modelDir() }, modelBlessing: blessedModel() }, base))
    expect(error.code).toBe('SLUICE_PUSHER_DESTINATION_UNWRITABLE')
    expect(error.message).toContain(`baseDirectory ${base} cannot be created or written (a file is in the way)`)
    expect(error.message).toContain('Set pushDestination.filesystem.baseDirectory')
    expect(fs.readFileSync(file, 'utf8')).toBe('not a directory')
  })

  test('a model without Format-Serving: SLUICE_PUSHER_MODEL_MISSING', async () => {
    const empty = fresh('model')
    fs.mkdirSync(path.join(empty, 'Format-Serving'), { recursive: true })
    const error = await rejectionOf(push({ model: { uri: empty } }, fresh('serving')))
    expect(error.code).toBe('SLUICE_PUSHER_MODEL_MISSING')
    expect(error.message).toContain(empty)
  })
})

describe('pushToFilesystem: a server never sees a partial version', () => {
  test('the version directory appears complete or not at all; the copy is staged under a hidden name', async () => {
    const model = modelDir(400)
    const source = path.join(model, 'Format-Serving')
    const expected = Object.keys(tree(source))
    const base = fresh('serving')
    fs.mkdirSync(base)
    const seen = { staging: new Set<string>(), partial: [] as string[], complete: 0 }
    let done = false
    // A reader polling between the copy's I/O callbacks, as a server scanning the directory would.
    const poll = () => {
      for (const name of fs.readdirSync(base)) {
        if (name.startsWith('.')) seen.staging.add(name)
        else if (/^\d+$/.test(name)) {
          const files = Object.keys(tree(path.join(base, name)))
          if (files.length === expected.length) seen.complete++
          else seen.partial.push(`${name}: ${files.length} of ${expected.length} files`)
        }
      }
      if (!done) setImmediate(poll)
    }
    setImmediate(poll)
    const result = await pushToFilesystem(source, base)
    done = true
    expect(seen.partial).toEqual([])
    expect([...seen.staging].every((name) => /^\.\d+\.tmp-\w{6}$/.test(name))).toBe(true)
    expect(seen.staging.size).toBe(1) // the copy was observed in flight, under the staging name
    expect(result).toMatchObject({ files: 400, destination: path.join(base, result.version) })
    expect(Object.keys(tree(result.destination))).toEqual(expected)
    expect(fs.readdirSync(base)).toEqual([result.version])
  })

  test('a failed copy leaves no version directory and no staging directory; existing versions are untouched', async () => {
    const model = modelDir(20)
    const source = path.join(model, 'Format-Serving')
    fs.symlinkSync(path.join(model, 'does-not-exist'), path.join(source, 'weights-9999.bin')) // read fails mid-copy
    const base = fresh('serving')
    fs.mkdirSync(path.join(base, '1700000000'), { recursive: true })
    fs.writeFileSync(path.join(base, '1700000000', 'model.json'), 'old')
    const error = await pushToFilesystem(source, base).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PusherError)
    expect((error as PusherError).code).toBe('SLUICE_PUSHER_COPY_FAILED')
    expect((error as PusherError).message).toMatch(/No version was published/)
    expect(fs.readdirSync(base)).toEqual(['1700000000'])
    expect(fs.readFileSync(path.join(base, '1700000000', 'model.json'), 'utf8')).toBe('old')
  })

  test('an aborted push publishes nothing', async () => {
    const model = modelDir(50)
    const base = fresh('serving')
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    await expect(pushToFilesystem(path.join(model, 'Format-Serving'), base, { signal: controller.signal })).rejects.toThrow('cancelled')
    expect(fs.readdirSync(base)).toEqual([])
  })
})
