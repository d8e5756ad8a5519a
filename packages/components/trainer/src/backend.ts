// Which tfjs backend runs training and serving. DESIGN.md §5: `@tensorflow/tfjs-node` when installed
// (an optional peer: it downloads libtensorflow at install time, which not every machine can do), else
// the WebAssembly backend, else plain cpu. perf.md measured wasm 4x faster than cpu for training and
// 13–22x for batch inference, so falling to cpu is logged as a warning.
import type * as Tfjs from '@tensorflow/tfjs'
import type { Logger } from '@sluice/core'
import { TrainerError } from './errors.js'
import { registerMissingWasmKernels } from './wasm-kernels.js'

/** The `@tensorflow/tfjs` module namespace. */
export type TfModule = typeof Tfjs

/** A backend Sluice can select: tfjs-node's native `tensorflow`, `wasm` or `cpu`. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu'

/** What the Trainer's `backend` parameter accepts: a backend, or `auto` for the fastest one installed. */
export type BackendPreference = 'auto' | BackendName

/** The result of {@link selectBackend}. */
export interface SelectedBackend {
  /** `@tensorflow/tfjs`, with `backend` active. */
  readonly tf: TfModule
  readonly backend: BackendName
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Where to log the chosen backend (and why a faster one was skipped). */
  readonly logger?: Pick<Logger, 'info' | 'warn'>
}

// A variable specifier keeps TypeScript and bundlers from resolving the optional peer at build time.
const TFJS_NODE = '@tensorflow/tfjs-node'
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm'

let tfjs: Promise<TfModule> | undefined

/** Imports `@tensorflow/tfjs` once. Nothing in this package imports it statically, so defining a pipeline never loads it. */
export function loadTfjs(): Promise<TfModule> {
  tfjs ??= import('@tensorflow/tfjs')
  return tfjs
}

type Attempt = { ok: true } | { ok: false; reason: string; cause?: unknown }

async function tryTensorflow(tf: TfModule): Promise<Attempt> {
  try {
    await import(TFJS_NODE)
  } catch (cause) {
    // Node says ERR_MODULE_NOT_FOUND; bundlers and vite-node word it their own way.
    const message = String((cause as Error).message)
    const notInstalled = (cause as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)|Could not resolve|Failed to load url/i.test(message)
    return { ok: false, reason: notInstalled ? `${TFJS_NODE} is not installed` : `${TFJS_NODE} failed to load: ${(cause as Error).message}`, cause }
  }
  // tfjs-node registers its backend with the tfjs-core it resolves; a second copy of tfjs-core would
  // hold the backend where our tensors cannot reach it.
  if (tf.findBackendFactory('tensorflow') === null) {
    return { ok: false, reason: `${TFJS_NODE} registered its backend with another copy of @tensorflow/tfjs-core (install the same version as @tensorflow/tfjs, ${tf.version_core})` }
  }
  return (await tf.setBackend('tensorflow')) ? { ok: true } : { ok: false, reason: 'the tensorflow backend failed to initialise' }
}

async function tryWasm(tf: TfModule): Promise<Attempt> {
  try {
    await import(TFJS_WASM)
  } catch (cause) {
    return { ok: false, reason: `${TFJS_WASM} failed to load: ${(cause as Error).message}`, cause }
  }
  registerMissingWasmKernels(tf)
  return (await tf.setBackend('wasm').catch(() => false)) ? { ok: true } : { ok: false, reason: 'the wasm backend failed to initialise' }
}

async function tryCpu(tf: TfModule): Promise<Attempt> {
  return (await tf.setBackend('cpu')) ? { ok: true } : { ok: false, reason: 'the cpu backend failed to initialise' }
}

const ATTEMPTS: Record<BackendName, (tf: TfModule) => Promise<Attempt>> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu }

const INSTALL: Record<BackendName, string> = {
  tensorflow: `npm i ${TFJS_NODE}@4.22.0 (it downloads libtensorflow while installing)`,
  wasm: `npm i ${TFJS_WASM}@4.22.0`,
  cpu: 'npm i @tensorflow/tfjs@4.22.0',
}

/**
 * Activates a tfjs backend and returns tfjs with it. `auto` tries `tensorflow` (tfjs-node, when
 * installed), then `wasm`, then `cpu`; a named backend that is unavailable is an error naming it and
 * the `npm i` that fixes it. The choice is logged.
 *
 * @example
 * const { tf, backend } = await selectBackend('auto', { logger: context.logger })
 */
export async function selectBackend(preference: BackendPreference = 'auto', options: SelectBackendOptions = {}): Promise<SelectedBackend> {
  const tf = await loadTfjs()
  const order: BackendName[] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference]
  const skipped: string[] = []
  for (const backend of order) {
    const attempt = await ATTEMPTS[backend](tf)
    if (attempt.ok) {
      await tf.ready()
      const why = skipped.length > 0 ? ` (${skipped.join('; ')})` : ''
      if (backend === 'cpu' && preference === 'auto') options.logger?.warn(`tfjs backend: cpu${why}; training and inference run several times slower than on wasm.`)
      else options.logger?.info(`tfjs backend: ${backend}${why}.`)
      return { tf, backend }
    }
    if (preference !== 'auto') {
      throw new TrainerError('SLUICE_TRAINER_BACKEND_UNAVAILABLE', `The tfjs backend "${backend}" is not available: ${attempt.reason}.`, {
        fix: `Install it (${INSTALL[backend]}), or set backend: 'auto' to use the fastest backend installed.`,
        cause: attempt.cause,
      })
    }
    skipped.push(attempt.reason)
  }
  throw new TrainerError('SLUICE_TRAINER_BACKEND_UNAVAILABLE', `No tfjs backend could be initialised: ${skipped.join('; ')}.`, { fix: `Reinstall tfjs: ${INSTALL.cpu}.` })
}
