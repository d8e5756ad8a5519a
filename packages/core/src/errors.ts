import { kind } from './brand.js'

/** Options shared by every {@link SluiceError}. */
export interface SluiceErrorOptions {
  /** The underlying error, kept for `--verbose` output and debugging. */
  cause?: unknown
  /** Whether running the same step again may succeed (the runner retries these with backoff). */
  retryable?: boolean
  /** How to fix it, when we know; appended to the message. */
  fix?: string
}

/**
 * The one base class of every error Sluice raises on purpose. Messages name the subject (component,
 * node, input, parameter, file, row), say what went wrong and end with the fix when one is known.
 *
 * @example
 * throw new SluiceError('SLUICE_EXAMPLE', 'Node "Trainer": the module file "model.ts" does not exist.', { fix: 'Check moduleFile.' })
 */
export class SluiceError extends Error {
  override name = 'SluiceError'
  /** A stable `SLUICE_*` code scripts can match on. */
  readonly code: string
  /** Whether running the same step again may succeed. */
  readonly retryable: boolean
  /** The suggested fix, also part of `message`. */
  readonly fix: string | undefined
  /** @internal */
  readonly [kind] = 'SluiceError'

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(options.fix ? `${message} ${options.fix}` : message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.retryable = options.retryable ?? false
    this.fix = options.fix
  }
}

/** Whether `error` is a {@link SluiceError}, from this or any other copy of `@sluice/core`. */
export function isSluiceError(error: unknown): error is SluiceError {
  return typeof error === 'object' && error !== null && (error as { [kind]?: unknown })[kind] === 'SluiceError'
}

/** A component definition is malformed (bad name, clashing keys, unknown artifact type). */
export class ComponentDefinitionError extends SluiceError {
  override name = 'ComponentDefinitionError'
  constructor(message: string, options?: SluiceErrorOptions) {
    super('SLUICE_COMPONENT_INVALID', message, options)
  }
}

/** A component was called with missing, unknown or wrongly typed inputs. */
export class WiringError extends SluiceError {
  override name = 'WiringError'
  constructor(message: string, options?: SluiceErrorOptions) {
    super('SLUICE_WIRING_INVALID', message, options)
  }
}

/** A parameter value failed its schema. */
export class ParameterError extends SluiceError {
  override name = 'ParameterError'
  constructor(message: string, options?: SluiceErrorOptions) {
    super('SLUICE_PARAMETER_INVALID', message, options)
  }
}

/** The pipeline graph is invalid (cycle, duplicate id, dangling channel, type mismatch). */
export class PipelineError extends SluiceError {
  override name = 'PipelineError'
  constructor(message: string, options?: SluiceErrorOptions) {
    super('SLUICE_PIPELINE_INVALID', message, options)
  }
}

/** A component, artifact type or plugin is not registered, or its package is not installed. */
export class RegistryError extends SluiceError {
  override name = 'RegistryError'
  /** The npm package that provides the missing piece, when known. */
  readonly packageName: string | undefined
  constructor(message: string, options: SluiceErrorOptions & { packageName?: string } = {}) {
    super(options.packageName ? 'SLUICE_PACKAGE_MISSING' : 'SLUICE_NOT_REGISTERED', message, options)
    this.packageName = options.packageName
  }
}

/** An executor failed, or broke the executor contract (for example wrote nothing to a declared output). */
export class ExecutorError extends SluiceError {
  override name = 'ExecutorError'
  constructor(message: string, options?: SluiceErrorOptions & { code?: string }) {
    super(options?.code ?? 'SLUICE_EXECUTOR_FAILED', message, options)
  }
}
