import path from 'node:path'
import type { Pipeline } from '@sluice/core'

/** Absolute locations of a pipeline's artifacts and metadata store. */
export interface PipelineLocations {
  readonly root: string
  readonly metadataPath: string
}

/** Resolves the pipeline root and metadata path against `cwd` (relative paths are relative to where you run). */
export function resolvePipelineLocations(pipeline: Pipeline, cwd: string = process.cwd()): PipelineLocations {
  return { root: path.resolve(cwd, pipeline.root), metadataPath: path.resolve(cwd, pipeline.metadataPath) }
}
