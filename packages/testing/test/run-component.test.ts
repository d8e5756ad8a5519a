import fs from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { Examples, IntegerArtifact, Schema, component, list, optional, z } from '@sluice/core'
import { createTempDirectory, rejectionOf, runComponent } from '../src/index.js'

const CountLines = component(
  {
    name: 'CountLines',
    inputs: { examples: list(Examples), schema: optional(Schema) },
    outputs: { lines: IntegerArtifact, copy: Examples },
    parameters: z.object({ file: z.string().default('data.txt') }),
  },
  async ({ inputs, outputs, parameters }) => {
    let lines = 0
    for (const examples of inputs.examples) lines += (await fs.readFile(path.join(examples.uri, parameters.file), 'utf8')).trim().split('\n').length
    await fs.writeFile(path.join(outputs.copy.uri, 'count.txt'), String(lines))
    outputs.copy.properties.splitNames = inputs.examples.flatMap((e) => e.properties.splitNames ?? [])
    return { lines }
  },
)

describe('runComponent', () => {
  test('runs one component on existing files and returns its outputs and values', async () => {
    await using dir = await createTempDirectory()
    for (const name of ['a', 'b']) {
      await fs.mkdir(path.join(dir.path, name))
      await fs.writeFile(path.join(dir.path, name, 'data.txt'), 'x\ny\n')
    }
    const { outputs, values, result } = await runComponent(CountLines, {
      inputs: { examples: [{ uri: path.join(dir.path, 'a'), properties: { splitNames: ['train'] } }, { uri: path.join(dir.path, 'b') }] },
      root: path.join(dir.path, 'root'),
    })
    expect(result.status).toBe('COMPLETE')
    expect(values.lines).toBe(4)
    expect(await fs.readFile(outputs.lines.uri, 'utf8')).toBe('4')
    expect(await fs.readFile(path.join(outputs.copy.uri, 'count.txt'), 'utf8')).toBe('4')
    expect(outputs.copy.properties.splitNames).toEqual(['train'])
  })

  test('throws the executor failure with its message', async () => {
    await using dir = await createTempDirectory()
    await expect(runComponent(CountLines, { inputs: { examples: { uri: path.join(dir.path, 'nope') } } })).rejects.toThrow(/does not exist/)
  })
})

describe('rejectionOf', () => {
  test('returns what a promise rejected with, and fails when it resolves', async () => {
    const error = await rejectionOf(Promise.reject(Object.assign(new Error('no'), { code: 'SLUICE_X' })))
    expect(error).toMatchObject({ message: 'no', code: 'SLUICE_X' })
    await expect(rejectionOf(Promise.resolve(1))).rejects.toThrow('expected the promise to reject, but it resolved')
  })
})
