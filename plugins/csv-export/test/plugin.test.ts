import fs from 'node:fs'
import path from 'node:path'
import { Channel, Examples, Pipeline, isArtifactType, isComponent, isPlugin, loadExecutor } from '@sluice/core'
import { describe, expect, test, vi } from 'vitest'

// Records whether DuckDB was imported: the plugin must load it only when the executor runs.
const duckdb = vi.hoisted(() => ({ loaded: false }))
vi.mock('@duckdb/node-api', async (importOriginal) => {
  duckdb.loaded = true
  return importOriginal()
})

describe('the plugin', () => {
  test('importing it and defining a pipeline does not load DuckDB; running the executor does', async () => {
    const { ExportSplitToCsv } = await import('../src/index.js')
    const node = ExportSplitToCsv({ examples: Channel(Examples), split: 'train' })
    expect(node.parameters).toEqual({ split: 'train', header: true, delimiter: ',' })
    expect(duckdb.loaded).toBe(false)
    await loadExecutor(ExportSplitToCsv.executor, ExportSplitToCsv.name)
    expect(duckdb.loaded).toBe(true)
  })

  test('its default export is a plugin with the artifact type and the component', async () => {
    const { default: plugin, CsvExport, ExportSplitToCsv, version } = await import('../src/index.js')
    const manifest = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as Record<string, unknown>
    expect(isPlugin(plugin)).toBe(true)
    expect(plugin).toMatchObject({ name: manifest.name, version: manifest.version, coreVersion: '^0.1.0' })
    expect(version).toBe(manifest.version)
    expect(ExportSplitToCsv.version).toBe(manifest.version)
    expect(plugin.artifactTypes).toEqual([CsvExport])
    expect(plugin.components).toEqual([ExportSplitToCsv])
    expect(isArtifactType(CsvExport) && isComponent(ExportSplitToCsv)).toBe(true)
    expect(CsvExport.properties).toEqual({ split: 'string', rows: 'int' })
    expect(manifest.keywords).toContain('sluice-plugin')
    expect(manifest.peerDependencies).toEqual({ '@sluice/core': plugin.coreVersion })
  })

  test('a pipeline wires it after any Examples producer', async () => {
    const { ExportSplitToCsv } = await import('../src/index.js')
    const examples = Channel(Examples)
    const pipeline = new Pipeline({ name: 'export', components: [ExportSplitToCsv({ examples, id: 'export' })] })
    expect(pipeline.node('export').outputs.csv?.type.name).toBe('CsvExport')
  })
})
