// `@sluice/plugin-docker/engine`: the container engine, for components that run a container of their
// own (InfraValidator's model server). A subpath of its own because it loads dockerode, which defining
// or compiling a pipeline must not.
export { connect as connectToDocker, ensureImage, runContainer } from './engine.js'
export type { ContainerExit, ContainerRun, Mount } from './engine.js'
