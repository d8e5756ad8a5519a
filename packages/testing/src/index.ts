// The public API of @sluice/testing: helpers for testing components and pipelines.
export { runComponent } from './run-component.js'
export type { RunComponentOptions, RunComponentResult, InputArtifactSource } from './run-component.js'
export { createTempDirectory } from './temp-directory.js'
export type { TempDirectory } from './temp-directory.js'
export { rejectionOf } from './rejection.js'
export type { RejectionError } from './rejection.js'
