// The serving signature of a bundle (TF Serving's `serving_default`, as JSON): which raw features a
// client sends and of which type, how the transformed features are packed into the model's inputs,
// and what the outputs are called. A server needs nothing else to turn request rows into tensors.
import type { LayersModel } from '@tensorflow/tfjs'
import type { FittedTransform, TransformOutput } from '@sluice/component-transform'
import type { Schema } from '@sluice/data/schema'
import type { FeatureInputs, InputDType } from '../data-accessor/data-accessor.js'
import { TrainerError } from '../errors.js'

/** The `format` field of `signature.json`. */
export const SERVING_SIGNATURE_FORMAT = 'sluice.serving_signature'
/** The version of `signature.json` this code writes and reads. */
export const SERVING_SIGNATURE_VERSION = 1

/** The type of a raw feature a client sends. */
export type SignatureValueType = 'INT' | 'FLOAT' | 'STRING' | 'BOOL'

/** What kind of numbers an output holds. */
export type OutputKind = 'probability' | 'logits' | 'regression'

/** One raw feature of a request row. */
export interface SignatureInput {
  readonly name: string
  readonly type: SignatureValueType
}

/** One input tensor of the model: `[batch, features.length]` of the transformed features, in order. */
export interface SignatureModelInput {
  /** The model input's name: its input layer's name (see modelInputNames). */
  readonly name: string
  readonly features: readonly string[]
  readonly dtype: InputDType
}

/** One output of the model. */
export interface SignatureOutput {
  readonly name: string
  /** The output's shape, `null` for the batch dimension. */
  readonly shape?: readonly (number | null)[]
  readonly kind?: OutputKind
}

/** The runtimes a serving bundle can run its model with. */
export type BundleRuntime = 'onnx' | 'tfjs'

/** How `model.onnx` was checked against the tfjs model before it was kept. */
export interface SignatureOnnxParity {
  /** Rows both runtimes predicted. */
  readonly rows: number
  /** Where the rows came from: `eval` (the Trainer's eval split), `rows` (given), `generated`. */
  readonly source: string
  /** The largest |ONNX − tfjs| over every output value. */
  readonly maxAbsDiff: number
  /** The bound each value had to meet: `tolerance × max(1, |tfjs|)`. */
  readonly tolerance: number
}

/** One input of `model.onnx`: the model inputs it holds side by side along the feature axis. */
export interface SignatureOnnxInput {
  readonly name: string
  readonly dtype: InputDType
  readonly modelInputs: readonly string[]
}

/** What `signature.json` says about `model.onnx`. */
export interface SignatureOnnx {
  /** The ONNX model's file in the bundle, when there is one. */
  readonly file?: string
  readonly opset?: number
  readonly nodes?: number
  /** The graph's inputs, when they are not the model inputs one by one (the exporter packs them by dtype). */
  readonly inputs?: readonly SignatureOnnxInput[]
  /**
   * Model inputs whose values index a table (one-hot, embedding): the exclusive upper bound of their
   * values. Checked before the ONNX model runs, where an index out of range would otherwise read
   * another feature's rows of a packed table rather than fail as tfjs does.
   */
  readonly inputBounds?: Readonly<Record<string, number>>
  readonly parity?: SignatureOnnxParity
  /** Why the bundle has no `model.onnx` (an unsupported layer, failed parity, an export error). */
  readonly skipped?: string
}

/** `signature.json` of a serving bundle. */
export interface ServingSignature {
  readonly format: typeof SERVING_SIGNATURE_FORMAT
  readonly version: typeof SERVING_SIGNATURE_VERSION
  /** The raw features a request row carries (the label excluded). */
  readonly inputs: readonly SignatureInput[]
  readonly modelInputs: readonly SignatureModelInput[]
  readonly outputs: readonly SignatureOutput[]
  /** The label the model was trained on (transformed name), for evaluators. */
  readonly labelKey?: string
  /** The tfjs backend the model was trained with. */
  readonly backend?: string
  /**
   * The runtimes the bundle's model files serve, preferred first: `['onnx', 'tfjs']` with a
   * `model.onnx`, `['tfjs']` without. Bundles written before ONNX export have no `runtimes` (tfjs).
   */
  readonly runtimes?: readonly BundleRuntime[]
  /** The ONNX export: its file, opset, node count and parity check, or why it was skipped. */
  readonly onnx?: SignatureOnnx
}

/** What {@link buildServingSignature} (and `saveServingBundle`) need beyond the model. */
export interface ServingSignatureOptions {
  /**
   * The transformed features fed to the model, as given to `tfDatasetFactory`: a list for a model with
   * one input, or model input name to features.
   */
  readonly inputs: FeatureInputs
  /** The dtype of each model input. @default the model input's dtype */
  readonly dtype?: InputDType | { readonly [inputName: string]: InputDType }
  /**
   * The label feature (transformed name), recorded for evaluators. Raw inputs are only those the model
   * inputs' features read, so the label's own raw columns are not requested unless a feature needs them.
   */
  readonly labelKey?: string
  /** Raw features never to request from clients (e.g. the raw label columns). */
  readonly rawLabelKeys?: readonly string[]
  /** The name of the only output. @default 'output_0' */
  readonly outputName?: string
  /** Names (and kinds) of the outputs, one per model output. @default output_0, output_1, … */
  readonly outputs?: readonly { readonly name: string; readonly kind?: OutputKind }[]
  /** The kind of the only output. @default 'probability' after a sigmoid or softmax, else unset */
  readonly kind?: OutputKind
  /** The fitted transform the model's features come from. */
  readonly transformOutput?: TransformOutput
  /** Types of raw features, overriding the raw schema (required for features the schema lacks). */
  readonly rawFeatureTypes?: { readonly [feature: string]: SignatureValueType }
  /** Recorded in the signature. */
  readonly backend?: string
}

/** The raw features an expression of a fitted transform reads (any node `{ op: 'input', name }`). */
export function rawInputsOf(expression: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(expression)) {
    for (const item of expression) rawInputsOf(item, into)
  } else if (typeof expression === 'object' && expression !== null) {
    const node = expression as { op?: unknown; name?: unknown }
    if (node.op === 'input' && typeof node.name === 'string') into.add(node.name)
    else for (const value of Object.values(expression)) rawInputsOf(value, into)
  }
  return into
}

/** The fitted transform reduced to the outputs `features` needs, so serving computes nothing else. */
export function pruneFittedTransform(fitted: FittedTransform, features: Iterable<string>): FittedTransform {
  const outputs: FittedTransform['outputs'] = {}
  for (const feature of features) {
    const e = fitted.outputs[feature]
    if (e !== undefined) (outputs as Record<string, unknown>)[feature] = e
  }
  return { ...fitted, inputs: [...rawInputsOf(Object.values(outputs))], outputs }
}

/** The signature types of a tensorflow_metadata schema's features (`BYTES` → `STRING`; untyped features left out). */
export function signatureTypesOfSchema(schema: Schema | undefined): Record<string, SignatureValueType> {
  const types: Record<string, SignatureValueType> = {}
  for (const feature of schema?.feature ?? []) {
    const type = feature.type === 'INT' ? 'INT' : feature.type === 'FLOAT' ? 'FLOAT' : feature.type === 'BYTES' ? 'STRING' : undefined
    if (feature.name && type) types[feature.name] = type
  }
  return types
}

function outputKindOf(model: LayersModel, index: number): OutputKind | undefined {
  const config = model.outputs[index]?.sourceLayer?.getConfig() as { activation?: unknown } | undefined
  return config?.activation === 'sigmoid' || config?.activation === 'softmax' ? 'probability' : undefined
}

/**
 * The names of a model's inputs: its input layers' names. (`LayersModel.inputNames` is empty for a
 * Sequential model, whose input layer is created inside it.)
 */
export function modelInputNames(model: LayersModel): string[] {
  return model.inputs.map((input) => input.sourceLayer.name)
}

/**
 * Builds the serving signature of `model` trained on `options.inputs`, checking that the inputs match
 * the model's inputs (names and widths) and that every raw feature has a known type.
 */
export function buildServingSignature(model: LayersModel, options: ServingSignatureOptions): ServingSignature {
  const inputNames = modelInputNames(model)
  const groups: [string, readonly string[]][] = Array.isArray(options.inputs)
    ? [[inputNames[0] ?? 'input', options.inputs as readonly string[]]]
    : Object.entries(options.inputs as Readonly<Record<string, readonly string[]>>)
  if (Array.isArray(options.inputs) && inputNames.length !== 1) {
    throw new TrainerError('SLUICE_TRAINER_BAD_BUNDLE', `The model has ${inputNames.length} inputs (${inputNames.join(', ')}), but the serving inputs are one feature list.`, {
      fix: 'Pass inputs as { inputName: [features] } with one entry per model input.',
    })
  }
  const given = groups.map(([name]) => name)
  const missing = inputNames.filter((n) => !given.includes(n))
  const unknown = given.filter((n) => !inputNames.includes(n))
  if (missing.length > 0 || unknown.length > 0) {
    throw new TrainerError('SLUICE_TRAINER_BAD_BUNDLE', `The serving inputs name ${given.join(', ')}, but the model's inputs are ${inputNames.join(', ')}.`, {
      fix: 'Key inputs by the model input names (tf.input({ name })).',
    })
  }
  const modelInputs = groups.map(([name, features]): SignatureModelInput => {
    const symbolic = model.inputs[inputNames.indexOf(name)]!
    const width = symbolic.shape[symbolic.shape.length - 1]
    if (symbolic.shape.length === 2 && typeof width === 'number' && width !== features.length) {
      throw new TrainerError('SLUICE_TRAINER_BAD_BUNDLE', `Model input "${name}" takes ${width} feature(s), but ${features.length} are named for it (${features.join(', ')}).`)
    }
    const dtype = typeof options.dtype === 'string' ? options.dtype : (options.dtype?.[name] ?? (symbolic.dtype === 'int32' ? 'int32' : 'float32'))
    return { name, features: [...features], dtype }
  })

  const transform = options.transformOutput
  const rawSchemaTypes = signatureTypesOfSchema(transform?.rawSchema)
  const excluded = new Set(options.rawLabelKeys ?? [])
  const raw = new Set<string>()
  for (const feature of modelInputs.flatMap((m) => m.features)) {
    const e = transform?.fitted.outputs[feature]
    if (e !== undefined) rawInputsOf(e, raw)
    else raw.add(feature)
  }
  const inputs = [...raw]
    .filter((name) => !excluded.has(name))
    .map((name): SignatureInput => {
      const type = options.rawFeatureTypes?.[name] ?? rawSchemaTypes[name]
      if (type === undefined) {
        throw new TrainerError('SLUICE_TRAINER_BAD_BUNDLE', `The type of raw feature "${name}" is unknown: ${transform ? "the transform's raw schema does not describe it" : 'there is no schema'}.`, {
          fix: `Pass rawFeatureTypes: { ${JSON.stringify(name)}: 'INT' | 'FLOAT' | 'STRING' | 'BOOL' } to saveModel.`,
        })
      }
      return { name, type }
    })

  const count = model.outputs.length
  const named: readonly { readonly name: string; readonly kind?: OutputKind }[] = options.outputs ?? (count === 1 ? [{ name: options.outputName ?? 'output_0', ...(options.kind ? { kind: options.kind } : {}) }] : model.outputs.map((_, i) => ({ name: `output_${i}` })))
  if (named.length !== count) {
    throw new TrainerError('SLUICE_TRAINER_BAD_BUNDLE', `The model has ${count} output(s), but ${named.length} output name(s) were given.`)
  }
  const outputs = named.map((o, i): SignatureOutput => {
    const kind = o.kind ?? outputKindOf(model, i)
    return { name: o.name, shape: [...model.outputs[i]!.shape], ...(kind ? { kind } : {}) }
  })
  return {
    format: SERVING_SIGNATURE_FORMAT,
    version: SERVING_SIGNATURE_VERSION,
    inputs,
    modelInputs,
    outputs,
    ...(options.labelKey !== undefined ? { labelKey: options.labelKey } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
  }
}

const VALUE_TYPES: readonly string[] = ['INT', 'FLOAT', 'STRING', 'BOOL']

/** Checks parsed `signature.json` content; `file` names it in errors. */
export function parseServingSignature(value: unknown, file: string): ServingSignature {
  const bad = (problem: string): never => {
    throw new TrainerError('SLUICE_SERVING_BUNDLE_INVALID', `${file}: ${problem}.`, { fix: 'Re-save the model with saveServingBundle (fnArgs.saveModel).' })
  }
  if (typeof value !== 'object' || value === null) return bad('not a JSON object')
  const s = value as Partial<ServingSignature>
  if (s.format !== SERVING_SIGNATURE_FORMAT) bad(`format is ${JSON.stringify(s.format)}, expected "${SERVING_SIGNATURE_FORMAT}"`)
  if (s.version !== SERVING_SIGNATURE_VERSION) bad(`version ${String(s.version)} is not supported (this code reads version ${SERVING_SIGNATURE_VERSION})`)
  if (!Array.isArray(s.inputs) || s.inputs.some((i) => typeof i?.name !== 'string' || !VALUE_TYPES.includes(i.type))) bad('"inputs" must be a list of { name, type: INT | FLOAT | STRING | BOOL }')
  if (!Array.isArray(s.modelInputs) || s.modelInputs.length === 0 || s.modelInputs.some((m) => typeof m?.name !== 'string' || !Array.isArray(m.features) || (m.dtype !== 'float32' && m.dtype !== 'int32'))) {
    bad('"modelInputs" must be a non-empty list of { name, features, dtype }')
  }
  if (!Array.isArray(s.outputs) || s.outputs.length === 0 || s.outputs.some((o) => typeof o?.name !== 'string')) bad('"outputs" must be a non-empty list of { name }')
  if (s.runtimes !== undefined && (!Array.isArray(s.runtimes) || s.runtimes.some((r) => r !== 'onnx' && r !== 'tfjs'))) bad('"runtimes" must be a list of "onnx" and "tfjs"')
  if (s.onnx !== undefined && (typeof s.onnx !== 'object' || s.onnx === null || Array.isArray(s.onnx))) bad('"onnx" must be an object')
  const onnxInputs = s.onnx?.inputs
  if (onnxInputs !== undefined) {
    const names = s.modelInputs!.map((m) => m.name)
    const listed = Array.isArray(onnxInputs) ? onnxInputs.flatMap((i) => (Array.isArray(i?.modelInputs) ? i.modelInputs : [])) : []
    if (
      !Array.isArray(onnxInputs) ||
      onnxInputs.some((i) => typeof i?.name !== 'string' || !Array.isArray(i.modelInputs) || i.modelInputs.some((m: unknown) => s.modelInputs!.find((x) => x.name === m)?.dtype !== i.dtype)) ||
      listed.length !== names.length ||
      names.some((n) => !listed.includes(n))
    ) {
      bad('"onnx.inputs" must be a list of { name, dtype, modelInputs } holding every model input once, each of that dtype')
    }
  }
  return s as ServingSignature
}

/** How one input tensor of a runtime is fed: `[N, features.length]` values of `dtype`, one column per feature. */
export interface FeedSpec {
  readonly name: string
  readonly dtype: InputDType
  /** The transformed features of its columns, in order. */
  readonly features: readonly string[]
  /** The model inputs whose columns it holds, side by side, in order. */
  readonly modelInputs: readonly string[]
  /** Exclusive upper bounds of integer columns that index a table (undefined for the others). */
  readonly bounds?: readonly (number | undefined)[]
}

/** The input tensors of the tfjs model: the model inputs. */
export function modelFeedSpecs(signature: ServingSignature): FeedSpec[] {
  return signature.modelInputs.map((m) => ({ name: m.name, dtype: m.dtype, features: m.features, modelInputs: [m.name] }))
}

/** The input tensors of `model.onnx`: packed as `onnx.inputs` says (bundles without it: the model inputs), with their bounds. */
export function onnxFeedSpecs(signature: ServingSignature): FeedSpec[] {
  const bounds = signature.onnx?.inputBounds ?? {}
  const layout = signature.onnx?.inputs ?? signature.modelInputs.map((m) => ({ name: m.name, dtype: m.dtype, modelInputs: [m.name] }))
  return layout.map((input) => {
    const members = input.modelInputs.map((name) => signature.modelInputs.find((m) => m.name === name)!)
    const columnBounds = members.flatMap((m) => m.features.map(() => bounds[m.name]))
    return {
      name: input.name,
      dtype: input.dtype,
      features: members.flatMap((m) => m.features),
      modelInputs: input.modelInputs,
      ...(columnBounds.some((b) => b !== undefined) ? { bounds: columnBounds } : {}),
    }
  })
}
