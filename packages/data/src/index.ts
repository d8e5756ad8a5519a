// The public API of @sluice/data.
export * from './statistics.js'
export * from './schema.js'
export * from './anomalies.js'
export * from './examples.js'
