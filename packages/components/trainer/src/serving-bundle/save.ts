import { randomUUID } from 'node:crypto'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { LayersModel } from '@tensorflow/tfjs'
import type { Logger } from '@sluice/core'
import { serializeFittedTransform } from '@sluice/component-transform'
import { loadTfjs } from '../backend.js'
import { BUNDLE_TRANSFORM_FILE, ONNX_MODEL_FILE, SIGNATURE_FILE } from './bundle-files.js'
import { fileSystemHandler } from './file-system-handler.js'
import { exportOnnx } from './onnx-export.js'
import { checkOnnxParity } from './onnx-parity.js'
import type { ServingSignature, ServingSignatureOptions, SignatureOnnx } from './signature.js'
import { buildServingSignature } from './signature.js'

export { BUNDLE_TRANSFORM_FILE, ONNX_MODEL_FILE, SIGNATURE_FILE }

/** How {@link saveServingBundle} exports and checks `model.onnx`. */
export interface OnnxBundleOptions {
  /**
   * Rows to compare ONNX and tfjs on (at most 4,096 are used), or a function reading them: rows with
   * the model's transformed features, or raw rows the bundle's transform applies to. Without rows
   * (or when none is usable), inputs are generated. See checkOnnxParity.
   */
  readonly parityRows?: readonly object[] | (() => Promise<readonly object[] | undefined>)
  /** What the rows are, recorded in the signature and logged (`eval`). @default 'rows' */
  readonly paritySource?: string
  /** Every output value must satisfy |ONNX − tfjs| ≤ tolerance · max(1, |tfjs|). @default 1e-5 */
  readonly tolerance?: number
}

/** Options of {@link saveServingBundle}: the serving signature's (see {@link ServingSignatureOptions}) and the ONNX export's. */
export interface SaveServingBundleOptions extends ServingSignatureOptions {
  /**
   * Also write `model.onnx` when every layer of the model can be exported and the ONNX model's
   * outputs match the tfjs model's. `false` skips the export. @default true
   */
  readonly onnx?: boolean | OnnxBundleOptions
  /** Where the ONNX export's outcome is logged (written, skipped and why). */
  readonly logger?: Pick<Logger, 'info' | 'warn'>
}

/**
 * Writes a serving bundle to `dir` (a Model artifact's `Format-Serving/`): the LayersModel
 * (`model.json`, `weights.bin`), the model exported to ONNX (`model.onnx`, when its layers allow and
 * its outputs match tfjs's), the fitted transform (`transform/fitted_transform.json`) and
 * `signature.json`. The bundle is assembled beside `dir` and renamed into place, so `dir` is either
 * the previous bundle or the complete new one. The ONNX export never fails the save: a model that
 * cannot be exported is saved without `model.onnx`, and the signature says why. Returns the signature.
 *
 * @example
 * await saveServingBundle(model, path.join(modelUri, 'Format-Serving'), { inputs: ['fare_xf', 'trip_miles_xf'], labelKey: 'tips_xf', transformOutput })
 */
export async function saveServingBundle(model: LayersModel, dir: string, options: SaveServingBundleOptions): Promise<ServingSignature> {
  const base = buildServingSignature(model, options)
  const target = path.resolve(dir)
  await mkdir(path.dirname(target), { recursive: true })
  const staging = `${target}.staging-${randomUUID()}`
  try {
    await model.save(fileSystemHandler(staging), { includeOptimizer: false })
    if (options.transformOutput) {
      await mkdir(path.join(staging, path.dirname(BUNDLE_TRANSFORM_FILE)), { recursive: true })
      await writeFile(path.join(staging, BUNDLE_TRANSFORM_FILE), serializeFittedTransform(options.transformOutput.fitted))
    }
    const onnx = options.onnx === false ? { skipped: 'the export was turned off (onnx: false)' } : await writeOnnx(model, staging, base, options, options.onnx === true ? {} : (options.onnx ?? {}))
    const signature: ServingSignature = { ...base, runtimes: onnx.file ? ['onnx', 'tfjs'] : ['tfjs'], onnx }
    await writeFile(path.join(staging, SIGNATURE_FILE), `${JSON.stringify(signature, null, 2)}\n`)
    const previous = (await stat(target).catch(() => undefined)) ? `${target}.previous-${randomUUID()}` : undefined
    if (previous) await rename(target, previous)
    await rename(staging, target)
    if (previous) await rm(previous, { recursive: true, force: true })
    return signature
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

/**
 * Exports the model to `staging/model.onnx` if it can be exported and passes the parity check.
 * Returns what the signature records; logs the outcome. Never throws: tfjs serves when this fails.
 */
async function writeOnnx(model: LayersModel, staging: string, signature: ServingSignature, options: SaveServingBundleOptions, onnxOptions: OnnxBundleOptions): Promise<SignatureOnnx> {
  const logger = options.logger
  try {
    const exported = await exportOnnx(model, {
      inputDtypes: Object.fromEntries(signature.modelInputs.map((m) => [m.name, m.dtype])),
      inputWidths: Object.fromEntries(signature.modelInputs.map((m) => [m.name, m.features.length])),
      outputNames: signature.outputs.map((o) => o.name),
      packInputs: true,
    })
    if ('unsupported' in exported) {
      logger?.info(`ONNX export skipped: ${exported.unsupported}; serving will use tfjs.`)
      return { skipped: exported.unsupported }
    }
    const given = onnxOptions.parityRows
    const rows = typeof given === 'function' ? await given() : given
    // The graph's inputs as the runtime must feed them, and which of them index tables.
    const layout = { inputs: exported.inputs, ...(Object.keys(exported.inputLimits).length > 0 ? { inputBounds: exported.inputLimits } : {}) }
    const parity = await checkOnnxParity({
      tf: await loadTfjs(),
      model,
      onnx: exported.onnx,
      signature: { ...signature, onnx: layout },
      ...(options.transformOutput ? { transform: options.transformOutput.fitted } : {}),
      ...(rows ? { rows } : {}),
      ...(onnxOptions.paritySource !== undefined ? { source: onnxOptions.paritySource } : {}),
      inputLimits: exported.inputLimits,
      ...(onnxOptions.tolerance !== undefined ? { tolerance: onnxOptions.tolerance } : {}),
    })
    const { ok, problem, ...record } = parity
    if (!ok) {
      const why = `ONNX and tfjs outputs differ by more than ${parity.tolerance} on ${parity.rows} ${parity.source} rows (max abs diff ${parity.maxAbsDiff.toPrecision(3)}; ${problem})`
      logger?.warn(`ONNX export dropped: ${why}; serving will use tfjs.`)
      return { skipped: why, parity: record }
    }
    await writeFile(path.join(staging, ONNX_MODEL_FILE), exported.onnx)
    logger?.info(
      `ONNX export: wrote ${ONNX_MODEL_FILE} (${exported.nodes} nodes, opset ${exported.opset}); it matches tfjs on ${parity.rows} ${parity.source} rows (max abs diff ${parity.maxAbsDiff.toPrecision(3)}).`,
    )
    return { file: ONNX_MODEL_FILE, opset: exported.opset, nodes: exported.nodes, ...layout, parity: record }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    logger?.warn(`ONNX export failed: ${message}; serving will use tfjs.`)
    return { skipped: `the export failed: ${message}` }
  }
}
