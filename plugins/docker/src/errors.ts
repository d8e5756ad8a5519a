import { SluiceError } from '@sluice/core'
import type { SluiceErrorOptions } from '@sluice/core'

/** The `SLUICE_*` codes this plugin raises. */
export type DockerErrorCode =
  /** No Docker engine answers at the configured address. */
  | 'SLUICE_DOCKER_UNAVAILABLE'
  /** The image is not present locally and could not (or may not) be pulled. */
  | 'SLUICE_IMAGE_MISSING'
  /** The container exited with a non-zero code. */
  | 'SLUICE_CONTAINER_EXIT'
  /** The container ran longer than its `timeoutMs`. */
  | 'SLUICE_CONTAINER_TIMEOUT'
  /** A container component's command, env or options cannot be resolved or are invalid. */
  | 'SLUICE_CONTAINER_INVALID'
  /** A path the container must see does not exist on the host. */
  | 'SLUICE_CONTAINER_MOUNT'
  /** The Docker engine refused a request (create, start…). */
  | 'SLUICE_DOCKER_FAILED'

/** Every error of `@sluice/plugin-docker`: a {@link SluiceError} with one of the {@link DockerErrorCode}s. */
export class DockerError extends SluiceError {
  override name = 'DockerError'
  declare readonly code: DockerErrorCode
  constructor(code: DockerErrorCode, message: string, options?: SluiceErrorOptions) {
    super(code, message, options)
  }
}
