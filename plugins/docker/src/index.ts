// The public API of @sluice/plugin-docker. Nothing here loads dockerode: executors and backends
// import it when a node runs.
export { containerComponent, containerSpecOf, isContainerComponent, toKfpContainer } from './container-component.js'
export type { ContainerComponentSpec, ContainerSpec, CommandFunction } from './container-component.js'
export { concat, ifPresent, isPlaceholder, resolveCommand, formatValue, toKfpCommand } from './placeholders.js'
export type {
  Placeholder,
  PlaceholderJson,
  CommandArg,
  CommandPartJson,
  CommandPlaceholders,
  InputPlaceholder,
  ValueInputPlaceholder,
  OutputPlaceholder,
  InputPlaceholders,
  OutputPlaceholders,
  ParameterPlaceholders,
  ResolutionContext,
} from './placeholders.js'
export { dockerBackend, findProjectRoot } from './docker-backend.js'
export type { DockerBackendOptions } from './docker-backend.js'
export { parseMemory, parseCpus } from './options.js'
export type { ContainerRunOptions, PullPolicy, DockerConnection, ExtraMount } from './options.js'
export { DockerError } from './errors.js'
export type { DockerErrorCode } from './errors.js'
