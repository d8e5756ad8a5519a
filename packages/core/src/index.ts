// The public API of @sluice/core: contracts only, no heavy dependencies.
export { kind, hasKind } from './brand.js'
export type { Kind } from './brand.js'
export type { JsonValue, JsonObject } from './json.js'
export { stableStringify, findNonJson } from './json.js'
export {
  SluiceError,
  isSluiceError,
  ComponentDefinitionError,
  WiringError,
  ParameterError,
  PipelineError,
  RegistryError,
  ExecutorError,
} from './errors.js'
export type { SluiceErrorOptions } from './errors.js'
export { defineArtifactType, defineValueArtifactType, isArtifactType, metadataPropertyName } from './artifact-type.js'
export type {
  ArtifactType,
  AnyArtifactType,
  ArtifactBaseType,
  PropertyKind,
  PropertySpec,
  PropertyValueOf,
  PropertyValues,
  ValueKind,
  ValueOf,
} from './artifact-type.js'
export {
  Examples,
  ExampleStatistics,
  Schema,
  ExampleAnomalies,
  TransformGraph,
  TransformCache,
  Model,
  ModelRun,
  ModelBlessing,
  ModelEvaluation,
  HyperParameters,
  TunerResults,
  InfraBlessing,
  PushedModel,
  InferenceResult,
  StringArtifact,
  IntegerArtifact,
  FloatArtifact,
  BooleanArtifact,
  JsonValueArtifact,
  standardArtifactTypes,
} from './standard-artifacts.js'
export { encodeValue, decodeValue } from './value-encoding.js'
export type { Artifact, ArtifactRecord, ArtifactState } from './artifact.js'
export { optional, list, describeInput } from './io-spec.js'
export type { OptionalInput, ListInput, InputSpec, InputSpecEntry, OutputSpec, InputDescription } from './io-spec.js'
export { Channel, isChannel, describeChannel } from './channel.js'
export { loadExecutor } from './executor.js'
export type {
  ParametersSchema,
  NoParameters,
  ResolvedInputs,
  ResolvedOutputs,
  ValueOutputKeys,
  OutputValues,
  Logger,
  ExecutionContext,
  ExecutorArgs,
  ExecutorResult,
  ExecutorFunction,
  ExecutorInstance,
  ExecutorClass,
  ExecutorModule,
  ExecutorLoader,
  ExecutorSource,
} from './executor.js'
export { fileParameter, isFileParameter, isFingerprintedFileParameter } from './file-parameter.js'
export { importModuleFile, loadModuleFunction } from './module-file.js'
export { seededRandom } from './seeded-random.js'
export type { ModuleFunctionSpec } from './module-file.js'
export type { FileParameterOptions } from './file-parameter.js'
export { defineComponent, isComponent } from './component.js'
export type {
  ComponentDefinition,
  ComponentSpec,
  ComponentArgs,
  AnyComponent,
  InputArg,
  InputArgs,
  InferInputs,
  InferOutputs,
  InferParameters,
  ExecutionTypeAnnotation,
} from './component.js'
export { component } from './function-component.js'
export type { FunctionInputs, FunctionOutputs, FunctionComponentArgs } from './function-component.js'
export { isNode } from './node.js'
export type { Node, AnyNode, NodeOptions, SystemNodeSpec } from './node.js'
export { Importer, Resolver } from './system-nodes.js'
export type { ImporterArgs } from './system-nodes.js'
export { latestArtifacts, latestBlessedModel } from './resolver-strategies.js'
export type { ResolverStrategy } from './resolver-strategies.js'
export { Pipeline, isPipeline } from './pipeline.js'
export type { PipelineOptions } from './pipeline.js'
export { pipelineFromSpec } from './pipeline-spec.js'
export type { PipelineSpecJson } from './pipeline-spec.js'
export { definePlugin, isPlugin } from './plugin.js'
export type { Plugin } from './plugin.js'
export { createRegistry, registry, loadPlugin, standardComponentPackages } from './registry.js'
export type { Registry, RegisteredComponent, LoadPluginOptions } from './registry.js'
export { toRuntimeArtifact, fromRuntimeArtifact } from './executor-io.js'
export type { ExecutorInput, ExecutorOutput, RuntimeArtifact } from './executor-io.js'
export type { ExecutionBackend, ExecutionBackendRequest } from './execution-backend.js'
export { z } from 'zod'
