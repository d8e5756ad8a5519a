import { Examples, InfraBlessing, Model, optional, z } from '@sluice/core'
import type { ExecutorArgs } from '@sluice/core'

/** The model name InfraValidator serves the candidate under, TFX's default. */
export const DEFAULT_MODEL_NAME = 'infra-validation-model'
/** The image the Docker serving spec runs unless told otherwise: the one containers/runner/build-local-image.sh builds. */
export const DEFAULT_SERVING_IMAGE = 'sluice-runner:local'

export const infraValidatorInputs = {
  /** The candidate model; its `Format-Serving/` bundle is what gets served. */
  model: Model,
  /** Raw examples to build requests from (LOAD_AND_QUERY); needs `requestSpec` too. */
  examples: optional(Examples),
}
export const infraValidatorOutputs = { blessing: InfraBlessing }

const dockerServingSpec = z
  .object({
    /** An image holding the Sluice workspace under /opt/sluice (the runner image). */
    image: z.string().min(1).default(DEFAULT_SERVING_IMAGE),
    /** When to pull the image: `if-missing`, `never` or `always` (as @sluice/plugin-docker). */
    pullPolicy: z.enum(['never', 'if-missing', 'always']).default('if-missing'),
    /** Memory limit of the container: bytes or `'512m'`, `'2g'` (Docker's `--memory`). */
    memory: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
    /** CPU limit of the container, in CPUs (Docker's `--cpus`). */
    cpus: z.union([z.number().positive(), z.string().min(1)]).optional(),
    /**
     * The server command inside the image, before its flags. @default
     * `['node', '/opt/sluice/packages/serving/bin/sluice-model-server.js']`, where the runner images put it
     */
    command: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()

export const infraValidatorParameters = z.object({
  /** Where the model is served: the Sluice model server in a child process (default) or in a Docker container. */
  servingSpec: z
    .object({
      /** Run `sluice-model-server` (@sluice/serving) in a child process of this one. The default. */
      sluiceServer: z.object({}).strict().optional(),
      /** Run the server in a container through @sluice/plugin-docker, with no network; it is reached through a unix socket. */
      docker: dockerServingSpec.optional(),
      /** The name the model is served under (`/v1/models/{modelName}`). */
      modelName: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a model name is letters, digits, "_", "." and "-", starting with a letter or digit')
        .default(DEFAULT_MODEL_NAME),
    })
    .strict()
    .refine((spec) => !(spec.sluiceServer && spec.docker), { message: 'give either sluiceServer or docker, not both' })
    .prefault({}),
  validationSpec: z
    .object({
      /** How long the model may take to become AVAILABLE, from the server's start. */
      maxLoadingTimeSeconds: z.number().positive().default(300),
      /** How many times to start a server and validate before the model is not blessed. */
      numTries: z.number().int().min(1).default(5),
    })
    .strict()
    .prefault({}),
  /**
   * Query the loaded model too (LOAD_AND_QUERY) with rows of the `examples` input: present and
   * with `examples` wired, the model must answer a predict request; otherwise it is only loaded (LOAD_ONLY).
   */
  requestSpec: z
    .object({
      /** The split of `examples` to take the rows from. */
      splitName: z.string().min(1).default('eval'),
      /** How many rows to send, in one predict request. */
      numExamples: z.number().int().min(1).max(10_000).default(1),
    })
    .strict()
    .optional(),
})

/** InfraValidator's parameters as you write them (defaults filled in by validation). */
export type InfraValidatorParameters = z.input<typeof infraValidatorParameters>

/** What InfraValidator's executor receives. */
export type InfraValidatorArgs = ExecutorArgs<typeof infraValidatorInputs, typeof infraValidatorOutputs, typeof infraValidatorParameters>
