import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import { ExampleStatistics, Examples, IntegerArtifact } from '@sluice/core'
import type { Artifact, ExecutorInput } from '@sluice/core'
import { encodeExecutorInput } from '../src/index.js'
import { Summarize } from './fixtures/pipeline.js'
import { readTree, tempDir } from './helpers.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../../..')
const componentModule = path.join(here, 'fixtures', 'pipeline.ts')
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
const CHILD_TEST_TIMEOUT = 60_000

/** Runs `sluice-exec` from source the way a container entrypoint would, from the repository root. */
function sluiceExec(inputFile: string) {
  return spawnSync(process.execPath, ['--conditions=@sluice/source', '--import', tsx, 'packages/runner/src/sluice-exec.ts', inputFile], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 50_000,
  })
}

/** A hand-made executor input for the fixture's Summarize component, with inputs already on disk. */
function summarizeInput(dir: string): { input: ExecutorInput; file: string } {
  const examplesUri = path.join(dir, 'inputs', 'examples')
  fs.mkdirSync(path.join(examplesUri, 'Split-train'), { recursive: true })
  fs.writeFileSync(path.join(examplesUri, 'Split-train', 'data.csv'), 'a\nb\n')
  const rowsUri = path.join(dir, 'inputs', 'rows', 'value')
  fs.mkdirSync(path.dirname(rowsUri), { recursive: true })
  fs.writeFileSync(rowsUri, '2')
  const examples: Artifact = { id: 11, type: Examples, uri: examplesUri, properties: { splitNames: ['train', 'eval'], span: 1 }, customProperties: { file_format: 'csv' } }
  const rows = { id: 12, type: IntegerArtifact, uri: rowsUri, properties: {}, customProperties: {}, value: 2 } as Artifact
  const statisticsUri = path.join(dir, 'root', 'Summarize', 'statistics', '42')
  const totalUri = path.join(dir, 'root', 'Summarize', 'total', '42', 'value')
  fs.mkdirSync(statisticsUri, { recursive: true })
  fs.mkdirSync(path.dirname(totalUri), { recursive: true })
  const system = path.join(dir, 'root', 'Summarize', '.system', 'executor_execution', '42')
  const input = encodeExecutorInput(
    {
      component: Summarize,
      nodeId: 'Summarize',
      inputs: { examples, rows },
      outputs: {
        statistics: { id: undefined, type: ExampleStatistics, uri: statisticsUri, properties: {}, customProperties: {} },
        total: { id: undefined, type: IntegerArtifact, uri: totalUri, properties: {}, customProperties: {} },
      },
      parameters: { scale: 5 },
    },
    {
      component: 'Summarize',
      componentModule,
      nodeId: 'Summarize',
      pipelineName: 'standalone',
      pipelineRoot: path.join(dir, 'root'),
      runId: 'by-hand',
      executionId: 42,
      tmpDir: path.join(system, '.temp'),
      outputFile: path.join(system, 'executor_output.json'),
    },
  )
  const file = path.join(dir, 'executor_input.json')
  fs.writeFileSync(file, JSON.stringify(input, null, 2))
  return { input, file }
}

describe('sluice-exec', () => {
  test(
    'runs a component from a componentModule and writes a KFP-shaped executor output and the output files',
    () => {
      const dir = tempDir()
      const { input, file } = summarizeInput(dir)
      // The encoded input is KFP's ExecutorInput.
      expect(input.inputs.parameterValues).toEqual({ scale: 5 })
      expect(input.inputs.artifacts.examples!.artifacts[0]).toEqual({
        name: 'sluice/artifacts/11',
        type: { schemaTitle: 'sluice.Examples' },
        uri: path.join(dir, 'inputs', 'examples'),
        metadata: { file_format: 'csv', split_names: ['train', 'eval'], span: 1 },
      })
      expect(input.inputs.artifacts.rows!.artifacts[0]!.metadata).toEqual({ value: 2 })
      expect(input.outputs.parameters).toEqual({ total: { outputFile: path.join(dir, 'root', 'Summarize', 'total', '42', 'value') } })

      const child = sluiceExec(file)
      expect(child.stderr).toBe('')
      expect(child.status).toBe(0)
      const output = JSON.parse(fs.readFileSync(input.outputs.outputFile, 'utf8'))
      expect(output).toEqual({
        parameterValues: { total: 20 },
        artifacts: {
          statistics: {
            artifacts: [{ name: 'statistics', uri: input.outputs.artifacts.statistics!.artifacts[0]!.uri, metadata: { generator: 'fixture', split_names: ['train', 'eval'] } }],
          },
          total: { artifacts: [{ name: 'total', uri: input.outputs.parameters.total!.outputFile, metadata: {} }] },
        },
      })
      expect(fs.readFileSync(input.outputs.parameters.total!.outputFile, 'utf8')).toBe('20')
      expect(readTree(input.outputs.artifacts.statistics!.artifacts[0]!.uri)).toEqual({
        'Split-eval/FeatureStats.json': Buffer.from('{"split":"eval","rows":2}').toString('base64'),
        'Split-train/FeatureStats.json': Buffer.from('{"split":"train","rows":2}').toString('base64'),
      })
      expect(fs.existsSync(path.join(path.dirname(input.outputs.outputFile), 'executor_error.json'))).toBe(false)
    },
    CHILD_TEST_TIMEOUT,
  )

  test(
    'an input naming an unknown component exits 1 with executor_error.json beside the output file',
    () => {
      const dir = tempDir()
      const { input, file } = summarizeInput(dir)
      fs.writeFileSync(file, JSON.stringify({ ...input, sluice: { ...input.sluice, component: 'NoSuchComponent' } }))
      const child = sluiceExec(file)
      expect(child.status).toBe(1)
      const report = JSON.parse(fs.readFileSync(path.join(path.dirname(input.outputs.outputFile), 'executor_error.json'), 'utf8'))
      expect(report).toMatchObject({ code: 'SLUICE_COMPONENT_NOT_FOUND', retryable: false })
      expect(report.message).toContain('NoSuchComponent')
      expect(child.stderr).toContain('NoSuchComponent')
      expect(fs.existsSync(input.outputs.outputFile)).toBe(false)
    },
    CHILD_TEST_TIMEOUT,
  )

  test(
    'an input file that is not JSON exits 1 with executor_error.json beside the input file',
    () => {
      const dir = tempDir()
      const file = path.join(dir, 'executor_input.json')
      fs.writeFileSync(file, '{ not json')
      const child = sluiceExec(file)
      expect(child.status).toBe(1)
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'executor_error.json'), 'utf8'))
      expect(report.code).toBe('SLUICE_EXECUTOR_INPUT_INVALID')
      expect(report.message).toContain(file)
    },
    CHILD_TEST_TIMEOUT,
  )
})
