// Converts a tfjs LayersModel to ONNX by walking its functional graph from the outputs back to the
// inputs, one layer call (inbound node) at a time. Only inference semantics are exported: Dropout
// and noise layers are identities and BatchNormalization uses its moving statistics. A layer the
// converter does not know makes the whole export return `{ unsupported }` rather than throw, so the
// Trainer can fall back to tfjs and say which layer stopped it.
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs'
import type { InputDType } from '../data-accessor/data-accessor.js'
import type { Dim } from './onnx-graph.js'
import { ElemType, float, ONNX_OPSET, OnnxGraphBuilder } from './onnx-graph.js'

type Layer = SymbolicTensor['sourceLayer']

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /**
   * The dtype fed to each model input (the serving signature's `modelInputs[].dtype`): the ONNX graph
   * input has that element type. @default the model input's own dtype
   */
  readonly inputDtypes?: Readonly<Record<string, InputDType>>
  /**
   * The width of each model input (the number of features the signature lists for it): the ONNX
   * input is `[N, width]`. @default the model input's symbolic width
   */
  readonly inputWidths?: Readonly<Record<string, number>>
  /** The ONNX output names, one per model output (the signature's `outputs[].name`). @default output_0, output_1, … */
  readonly outputNames?: readonly string[]
  /** Recorded as the model's `producer_version`. */
  readonly producerVersion?: string
  /**
   * Feed the model inputs of one dtype as one ONNX input (`float_inputs`, `int_inputs`: the inputs'
   * columns side by side, in model input order) when there are several. onnxruntime-node spends about
   * 1.4 µs per input tensor on every call, as much as a small layer: the taxi model's 16 one-hot inputs
   * cost more than its arithmetic at serving batch sizes. `OnnxExported.inputs` says how to feed it.
   * @default false (the ONNX inputs are the model inputs)
   */
  readonly packInputs?: boolean
}

/** One input of the exported graph: the model inputs it holds, side by side along the feature axis. */
export interface OnnxGraphInput {
  readonly name: string
  readonly dtype: InputDType
  readonly modelInputs: readonly string[]
}

/** An exported model. */
export interface OnnxExported {
  /** The serialised ONNX ModelProto (`model.onnx`). */
  readonly onnx: Uint8Array
  /** Nodes in the graph. */
  readonly nodes: number
  readonly opset: number
  /**
   * For integer inputs that feed only an Embedding or a CategoryEncoding (through reshapes): the
   * exclusive upper bound of valid values (`inputDim`, `numTokens`). Used to make up valid inputs
   * when there are no example rows to compare the runtimes on.
   */
  readonly inputLimits: Readonly<Record<string, number>>
  /** The graph's inputs, in order: each model input on its own, or packed by dtype (`packInputs`). */
  readonly inputs: readonly OnnxGraphInput[]
}

/** Why a model cannot be exported. */
export interface OnnxUnsupported {
  /** A sentence naming the layer, its class and what is unsupported. */
  readonly unsupported: string
  readonly layer?: string
  readonly className?: string
}

/** The result of {@link exportOnnx}. */
export type OnnxExport = OnnxExported | OnnxUnsupported

/** The layer classes {@link exportOnnx} converts. */
export const ONNX_SUPPORTED_LAYERS: readonly string[] = [
  'InputLayer',
  'Dense',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'PReLU',
  'ThresholdedReLU',
  'Softmax',
  'Dropout',
  'SpatialDropout1D',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
  'Concatenate',
  'Add',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
  'BatchNormalization',
  'Embedding',
  'CategoryEncoding',
  'Flatten',
  'Reshape',
  'Permute',
]

/** The activations {@link exportOnnx} converts (tfjs names). */
export const ONNX_SUPPORTED_ACTIVATIONS: readonly string[] = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softmax',
  'logSoftmax',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'gelu',
  'gelu_new',
]

/**
 * A tensor of the ONNX graph. `origin` is the model input it is a reshaped copy of, if any, and
 * `columns` where its values sit in a graph input (`width` columns from `start` of the `total`). A
 * one-hot encoding also carries its indices (`[N]`, and the `[N, 1]` column they came from), and a
 * last-axis concatenation its `parts`, so that a Dense layer over them can gather kernel rows instead
 * of multiplying by a wide one-hot matrix.
 */
interface Value {
  readonly name: string
  readonly type: 'float' | 'int32'
  readonly shape: readonly (number | null)[]
  readonly origin?: string
  readonly columns?: { readonly input: string; readonly start: number; readonly width: number; readonly total: number }
  readonly oneHot?: { readonly indices: string; readonly column: Value; readonly numTokens: number }
  readonly parts?: readonly Value[]
}

class Unsupported extends Error {
  constructor(
    readonly reason: string,
    readonly layer?: string,
    readonly className?: string,
  ) {
    super(reason)
  }
}

const DROPOUT_LIKE = new Set(['Dropout', 'SpatialDropout1D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise'])
const MERGE_OPS: Record<string, string> = { Add: 'Sum', Average: 'Mean', Maximum: 'Max', Minimum: 'Min', Multiply: 'Mul' }

/**
 * Converts `model` to an ONNX model (opset 13, IR version 8) with a dynamic batch dimension `N`. The
 * graph inputs are the model inputs, by name ({@link modelInputNames}), each `[N, width]`; the outputs
 * are `options.outputNames`, float32. Weights are stored as raw_data. Returns `{ unsupported }` naming
 * the first layer (or activation, or shape) the converter cannot express; see
 * {@link ONNX_SUPPORTED_LAYERS}.
 *
 * @example
 * const result = await exportOnnx(model, { outputNames: ['probabilities'] })
 * if ('unsupported' in result) logger.info(`ONNX export skipped: ${result.unsupported}`)
 * else await writeFile('model.onnx', result.onnx)
 */
export async function exportOnnx(model: LayersModel, options: ExportOnnxOptions = {}): Promise<OnnxExport> {
  const graph = new OnnxGraphBuilder()
  const limits = new Map<string, number>()
  const outputNames = options.outputNames ?? model.outputs.map((_, i) => `output_${i}`)
  if (outputNames.length !== model.outputs.length) {
    return { unsupported: `${outputNames.length} output name(s) were given for ${model.outputs.length} model output(s)` }
  }
  if (new Set(outputNames).size !== outputNames.length) return { unsupported: `the output names ${outputNames.join(', ')} repeat` }
  graph.reserve(outputNames)
  let converted: ReturnType<typeof convertModel>
  try {
    converted = convertModel(model, graph, options, limits)
  } catch (error) {
    if (error instanceof Unsupported) {
      return { unsupported: error.reason, ...(error.layer !== undefined ? { layer: error.layer } : {}), ...(error.className !== undefined ? { className: error.className } : {}) }
    }
    throw error
  }
  const clash = outputNames.find((name) => converted.inputs.some((input) => input.name === name))
  if (clash !== undefined) return { unsupported: `the output name "${clash}" is also an input name` }
  for (const [i, value] of converted.values.entries()) {
    graph.output(outputNames[i]!, value.name, value.type === 'float' ? ElemType.FLOAT : ElemType.INT32, onnxShape(value.shape))
  }
  const { bytes, nodes } = await graph.encode({
    graphName: model.name,
    producerVersion: options.producerVersion ?? '0.1.0',
    docString: 'Exported from a TensorFlow.js LayersModel by the Sluice Trainer.',
  })
  return { onnx: bytes, nodes, opset: ONNX_OPSET, inputLimits: Object.fromEntries(limits), inputs: converted.inputs }
}

function onnxShape(shape: readonly (number | null)[]): Dim[] {
  return shape.map((d, i) => (d === null || d === undefined ? (i === 0 ? 'N' : `d${i}`) : d))
}

function convertModel(model: LayersModel, graph: OnnxGraphBuilder, options: ExportOnnxOptions, limits: Map<string, number>) {
  const memo = new Map<number, Value>()
  const declared = model.inputs.map((input) => {
    const layer = input.sourceLayer
    const name = layer.name
    const width = options.inputWidths?.[name] ?? input.shape[1]
    if (input.shape.length !== 2 || typeof width !== 'number') {
      throw new Unsupported(`model input "${name}" has shape [${input.shape.map(String).join(', ')}]; ONNX export handles inputs of shape [batch, width]`, name, 'InputLayer')
    }
    const dtype = options.inputDtypes?.[name] ?? (input.dtype === 'int32' ? 'int32' : input.dtype === 'float32' ? 'float32' : undefined)
    if (dtype === undefined) throw new Unsupported(`model input "${name}" has dtype ${input.dtype}`, name, 'InputLayer')
    return { id: input.id, name, width, dtype }
  })
  // The graph inputs: each model input, or (packInputs) one per dtype shared by several, placed where
  // its first model input is.
  const inputs: OnnxGraphInput[] = []
  const taken = new Set(declared.map((d) => d.name))
  for (const d of declared) {
    if (inputs.some((input) => input.modelInputs.includes(d.name))) continue
    const group = declared.filter((other) => other.dtype === d.dtype)
    if (!options.packInputs || group.length === 1) {
      inputs.push({ name: d.name, dtype: d.dtype, modelInputs: [d.name] })
      continue
    }
    let packed = d.dtype === 'int32' ? 'int_inputs' : 'float_inputs'
    while (taken.has(packed)) packed = `${packed}_`
    taken.add(packed)
    inputs.push({ name: packed, dtype: d.dtype, modelInputs: group.map((member) => member.name) })
  }
  for (const input of inputs) {
    const members = input.modelInputs.map((name) => declared.find((d) => d.name === name)!)
    const total = members.reduce((sum, d) => sum + d.width, 0)
    graph.input(input.name, input.dtype === 'int32' ? ElemType.INT32 : ElemType.FLOAT, ['N', total])
  }
  for (const input of inputs) {
    const members = input.modelInputs.map((name) => declared.find((d) => d.name === name)!)
    const total = members.reduce((sum, d) => sum + d.width, 0)
    let start = 0
    for (const { id, name, width } of members) {
      const type = input.dtype === 'int32' ? 'int32' : 'float'
      const columns = { input: input.name, start, width, total }
      // A packed model input is a Slice of its graph input; encode() drops the Slices nothing reads
      // (one-hot indices read the packed columns directly).
      const tensor = members.length === 1 ? input.name : graph.node('Slice', [input.name, graph.int64Constant(`${name}/starts`, [start]), graph.int64Constant(`${name}/ends`, [start + width]), graph.int64Constant(`${name}/axes`, [1])], name)
      memo.set(id, { name: tensor, type, shape: [null, width], origin: name, columns })
      start += width
    }
  }
  const converter = new LayerConverter(graph, limits)

  // Depth-first from each output; iterative so that deep models cannot overflow the stack.
  const valueOf = (target: SymbolicTensor): Value => {
    const stack: SymbolicTensor[] = [target]
    while (stack.length > 0) {
      const tensor = stack[stack.length - 1]!
      if (memo.has(tensor.id)) {
        stack.pop()
        continue
      }
      const layer = tensor.sourceLayer
      const className = layer.getClassName()
      const node = layer.inboundNodes[tensor.nodeIndex]
      if (className === 'InputLayer' || node === undefined) {
        throw new Unsupported(`the graph reads ${layer.name}, which is not one of the model's inputs`, layer.name, className)
      }
      const pending = node.inputTensors.filter((t) => !memo.has(t.id))
      if (pending.length > 0) {
        stack.push(...pending)
        continue
      }
      stack.pop()
      if (node.outputTensors.length !== 1) throw new Unsupported(`layer ${layer.name} (class ${className}) has ${node.outputTensors.length} outputs`, layer.name, className)
      const inputs = node.inputTensors.map((t) => memo.get(t.id)!)
      const out = node.outputTensors[0]!
      memo.set(out.id, converter.convert(layer, className, inputs, out.shape))
    }
    return memo.get(target.id)!
  }
  return { values: model.outputs.map(valueOf), inputs }
}

/** One weight of a layer, by its last name segment (`kernel`, `bias`, `gamma`, …). */
function weight(layer: Layer, name: string): { data: Float32Array; shape: number[] } | undefined {
  const variable = layer.weights.find((w) => (w.originalName ?? w.name).split('/').pop()!.replace(/_\d+$/, '') === name)
  if (variable === undefined) return undefined
  const tensor = variable.read()
  const data = tensor.dataSync()
  return { data: data instanceof Float32Array ? Float32Array.from(data) : Float32Array.from(data as ArrayLike<number>), shape: [...tensor.shape] }
}

class LayerConverter {
  constructor(
    private readonly graph: OnnxGraphBuilder,
    private readonly limits: Map<string, number>,
  ) {}

  convert(layer: Layer, className: string, inputs: readonly Value[], shape: readonly (number | null)[]): Value {
    const config = layer.getConfig() as Record<string, unknown>
    const hint = layer.name
    const unsupported = (what: string): never => {
      throw new Unsupported(`layer ${layer.name} (class ${className}) ${what}`, layer.name, className)
    }
    const one = (): Value => {
      if (inputs.length !== 1) unsupported(`takes ${inputs.length} inputs, expected 1`)
      return inputs[0]!
    }
    const asFloat = (value: Value): Value => this.toFloat(value, hint)
    const out = (name: string, type: Value['type'] = 'float', origin?: string): Value => ({ name, type, shape, ...(origin !== undefined ? { origin } : {}) })

    if (DROPOUT_LIKE.has(className)) return { ...one(), shape }
    switch (className) {
      case 'Dense': {
        const kernel = weight(layer, 'kernel') ?? unsupported('has no kernel')
        const bias = config.useBias === false ? undefined : weight(layer, 'bias')
        const gathered = this.denseOverOneHots(one(), kernel, bias, hint)
        if (gathered !== undefined) return out(this.activation(String(config.activation ?? 'linear'), gathered, hint, unsupported))
        const x = asFloat(one())
        const w = this.graph.floatConstant(`${hint}/kernel`, kernel.data, kernel.shape)
        const b = bias ? this.graph.floatConstant(`${hint}/bias`, bias.data, bias.shape) : undefined
        // Gemm is the fused 2-D form; tfjs applies Dense to the last axis of higher-rank inputs too.
        let y: string
        if (x.shape.length === 2) y = this.graph.node('Gemm', b ? [x.name, w, b] : [x.name, w], hint)
        else {
          y = this.graph.node('MatMul', [x.name, w], hint)
          if (b) y = this.graph.node('Add', [y, b], hint)
        }
        return out(this.activation(String(config.activation ?? 'linear'), y, hint, unsupported))
      }
      case 'Activation':
        return out(this.activation(String(config.activation ?? 'linear'), asFloat(one()).name, hint, unsupported))
      case 'ReLU': {
        const x = asFloat(one()).name
        const max = config.maxValue
        if (max === null || max === undefined) return out(this.graph.node('Relu', [x], hint))
        return out(this.graph.node('Clip', [x, this.scalar(hint, 0), this.scalar(hint, Number(max))], hint))
      }
      case 'LeakyReLU':
        return out(this.graph.node('LeakyRelu', [asFloat(one()).name], hint, { alpha: float(Number(config.alpha ?? 0.3)) }))
      case 'ELU':
        return out(this.graph.node('Elu', [asFloat(one()).name], hint, { alpha: float(Number(config.alpha ?? 1)) }))
      case 'ThresholdedReLU':
        return out(this.graph.node('ThresholdedRelu', [asFloat(one()).name], hint, { alpha: float(Number(config.theta ?? 1)) }))
      case 'Softmax': {
        const axis = config.axis ?? -1
        if (typeof axis !== 'number') unsupported(`has a softmax over several axes (${JSON.stringify(axis)})`)
        return out(this.graph.node('Softmax', [asFloat(one()).name], hint, { axis: axis as number }))
      }
      case 'PReLU': {
        const alpha = weight(layer, 'alpha') ?? unsupported('has no alpha weight')
        return out(this.graph.node('PRelu', [asFloat(one()).name, this.graph.floatConstant(`${hint}/alpha`, alpha.data, alpha.shape)], hint))
      }
      case 'Concatenate': {
        const axis = Number(config.axis ?? -1)
        // Concat needs one element type; tfjs would have upcast int inputs the same way.
        const all = inputs.some((v) => v.type === 'float') ? inputs.map(asFloat) : inputs
        const concatenated = out(this.graph.node('Concat', all.map((v) => v.name), hint, { axis }), all[0]!.type)
        if (!((axis === -1 || axis === 1) && inputs.every((v) => v.shape.length === 2))) return concatenated
        return { ...concatenated, parts: inputs.flatMap((v) => v.parts ?? [v]) }
      }
      case 'Add':
      case 'Multiply':
      case 'Average':
      case 'Maximum':
      case 'Minimum': {
        // tfjs's merge layers expand lower-rank inputs at the end, not numpy-style at the front.
        if (inputs.some((v) => v.shape.length !== inputs[0]!.shape.length)) unsupported('merges inputs of different ranks')
        const names = inputs.map((v) => asFloat(v).name)
        const op = MERGE_OPS[className]!
        if (op !== 'Mul') return out(this.graph.node(op, names, hint))
        let y = names[0]!
        for (const next of names.slice(1)) y = this.graph.node('Mul', [y, next], hint)
        return out(y)
      }
      case 'BatchNormalization': {
        const x = asFloat(one())
        const rank = x.shape.length
        const rawAxis = Array.isArray(config.axis) ? (config.axis.length === 1 ? Number(config.axis[0]) : NaN) : Number(config.axis ?? -1)
        if (!Number.isInteger(rawAxis)) unsupported(`normalises over several axes (${JSON.stringify(config.axis)})`)
        const axis = rawAxis < 0 ? rawAxis + rank : rawAxis
        if (axis <= 0 || axis >= rank) unsupported(`normalises over axis ${rawAxis} of a rank-${rank} input`)
        const mean = weight(layer, 'moving_mean') ?? unsupported('has no moving_mean')
        const variance = weight(layer, 'moving_variance') ?? unsupported('has no moving_variance')
        const gamma = config.scale === false ? undefined : weight(layer, 'gamma')
        const beta = config.center === false ? undefined : weight(layer, 'beta')
        const epsilon = Number(config.epsilon ?? 1e-3)
        const channels = mean.data.length
        // (x − mean) · (γ / √(var + ε)) + β, the order tfjs computes in: folding the mean into the
        // offset would lose precision when x and the mean are large and close.
        const factor = new Float32Array(channels)
        for (let c = 0; c < channels; c++) factor[c] = (gamma ? gamma.data[c]! : 1) / Math.sqrt(variance.data[c]! + epsilon)
        const dims = [channels, ...Array.from({ length: rank - 1 - axis }, () => 1)]
        let y = this.graph.node('Sub', [x.name, this.graph.floatConstant(`${hint}/moving_mean`, mean.data, dims)], hint)
        y = this.graph.node('Mul', [y, this.graph.floatConstant(`${hint}/scale`, factor, dims)], hint)
        if (beta) y = this.graph.node('Add', [y, this.graph.floatConstant(`${hint}/beta`, beta.data, dims)], hint)
        return out(y)
      }
      case 'Embedding': {
        const x = this.toInt(one(), hint)
        const embeddings = weight(layer, 'embeddings') ?? unsupported('has no embeddings')
        this.limit(x, embeddings.shape[0]!)
        const table = this.graph.floatConstant(`${hint}/embeddings`, embeddings.data, embeddings.shape)
        return out(this.graph.node('Gather', [table, x.name], hint, { axis: 0 }))
      }
      case 'CategoryEncoding':
        return this.categoryEncoding(one(), config, hint, shape, unsupported)
      case 'Flatten': {
        const x = one()
        if (x.shape.length <= 2) return { ...x, shape }
        if (config.dataFormat === 'channelsFirst') unsupported('flattens channels-first data')
        return out(this.graph.node('Flatten', [x.name], hint, { axis: 1 }), x.type, x.origin)
      }
      case 'Reshape': {
        const x = one()
        const target = config.targetShape as number[] | undefined
        if (!Array.isArray(target)) unsupported('has no targetShape')
        // Reshaping to the shape it has (the taxi model's [1] → [1] guard) is no node at all. The value
        // keeps its own shape: tfjs's symbolic one may have been edited by a CategoryEncoding after it.
        if (target!.length === x.shape.length - 1 && target!.every((d, i) => typeof d === 'number' && d === x.shape[i + 1])) return x
        // 0 copies the batch dimension from the input; -1 in targetShape is inferred by both.
        const shapeConstant = this.graph.int64Constant(`${hint}/shape`, [0, ...target!.map((d) => (d === null ? -1 : d))])
        return out(this.graph.node('Reshape', [x.name, shapeConstant], hint), x.type, x.origin)
      }
      case 'Permute': {
        const x = one()
        const dims = config.dims as number[] | undefined
        if (!Array.isArray(dims)) unsupported('has no dims')
        return out(this.graph.node('Transpose', [x.name], hint, { perm: [0, ...dims!] }), x.type)
      }
      default:
        if (className === 'Sequential' || className === 'Functional' || className === 'Model' || className === 'LayersModel') {
          return unsupported('is a nested model; build the model from its layers to export it')
        }
        return unsupported('is not supported')
    }
  }

  private scalar(hint: string, value: number): string {
    return this.graph.floatConstant(`${hint}/const`, [value], [])
  }

  private toFloat(value: Value, hint: string): Value {
    if (value.type === 'float') return value
    return { name: this.graph.node('Cast', [value.name], `${hint}/to_float`, { to: ElemType.FLOAT }), type: 'float', shape: value.shape }
  }

  /** Indices as int32; tfjs casts float indices to int32 (truncating) the same way. */
  private toInt(value: Value, hint: string): Value {
    if (value.type === 'int32') return value
    return { name: this.graph.node('Cast', [value.name], `${hint}/to_int`, { to: ElemType.INT32 }), type: 'int32', shape: value.shape }
  }

  private limit(value: Value, bound: number): void {
    if (value.origin === undefined) return
    this.limits.set(value.origin, Math.min(bound, this.limits.get(value.origin) ?? Infinity))
  }

  /**
   * CategoryEncoding as Equal against the range [0, numTokens): [N, L] → [N, L, K] booleans → float,
   * then reduced over L (max for oneHot/multiHot, sum for count). Equal works for int32 inputs as
   * they come, where ONNX OneHot's type combinations vary between runtimes.
   */
  private categoryEncoding(input: Value, config: Record<string, unknown>, hint: string, shape: readonly (number | null)[], unsupported: (what: string) => never): Value {
    const mode = String(config.outputMode ?? 'multiHot')
    const numTokens = Number(config.numTokens)
    const x = this.toInt(input, hint)
    if (mode === 'int') return { ...x, shape }
    if (mode !== 'oneHot' && mode !== 'multiHot' && mode !== 'count') unsupported(`has outputMode "${mode}"`)
    if (!Number.isInteger(numTokens) || numTokens < 1) unsupported(`has numTokens ${String(config.numTokens)}`)
    this.limit(x, numTokens)
    // tfjs 4.22's CategoryEncoding overwrites its input's symbolic shape (computeOutputShape edits it in
    // place), so the shape is not trusted: [N] and [N, L] inputs, all tfjs accepts, become [N, L].
    const matrix = this.graph.node('Reshape', [x.name, this.graph.int64Constant(`${hint}/matrix`, [0, -1])], hint)
    const tokens = this.graph.int32Constant(`${hint}/tokens`, Int32Array.from({ length: numTokens }, (_, i) => i), [numTokens])
    const expanded = this.graph.node('Unsqueeze', [matrix, this.graph.int64Constant(`${hint}/axes`, [-1])], hint)
    const equal = this.graph.node('Equal', [expanded, tokens], hint)
    const hot = this.graph.node('Cast', [equal], hint, { to: ElemType.FLOAT })
    const reduced =
      mode === 'count'
        ? this.graph.node('ReduceSum', [hot, this.graph.int64Constant(`${hint}/reduce_axes`, [1])], hint, { keepdims: 0 })
        : this.graph.node('ReduceMax', [hot], hint, { axes: [1], keepdims: 0 })
    if (mode !== 'oneHot') return { name: reduced, type: 'float', shape }
    // A one-hot input has one index per row (tfjs rejects others): kept as [N] for denseOverOneHots.
    const indices = this.graph.node('Reshape', [x.name, this.graph.int64Constant(`${hint}/flat`, [-1])], `${hint}/indices`)
    const column: Value = x.shape.length === 2 && x.shape[1] === 1 ? x : { name: matrix, type: 'int32', shape: [null, 1] }
    return { name: reduced, type: 'float', shape, oneHot: { indices, column, numTokens } }
  }

  /**
   * Dense over a concatenation holding one-hot encodings, as a sum of per-part terms: one-hot parts
   * pick their kernel rows by index, any other part is multiplied by its rows. The taxi model's wide
   * layer reads 16 one-hots 1,406 wide in all: gathering 16 rows replaces a 1,406 × 32 product per
   * row. Several one-hots are one Gather: their indices side by side ([N, K], read straight from the
   * graph input when they sit there in order), shifted by each part's first row in their kernel rows
   * stacked, then summed over K — 4 nodes instead of 2 per one-hot, which at serving batch sizes cost
   * more than the arithmetic. The one-hot and Concat nodes are then unused and left out of the graph.
   * Undefined when the input is not such a concatenation or its part widths do not add up to the
   * kernel's rows.
   */
  private denseOverOneHots(x: Value, kernel: { data: Float32Array; shape: number[] }, bias: { data: Float32Array; shape: number[] } | undefined, hint: string): string | undefined {
    const parts = x.parts ?? (x.oneHot ? [x] : undefined)
    if (!parts || !parts.some((p) => p.oneHot) || x.shape.length !== 2 || kernel.shape.length !== 2) return undefined
    const widths = parts.map((p) => p.oneHot?.numTokens ?? p.shape[1])
    const [rows, units] = kernel.shape as [number, number]
    if (widths.some((w) => typeof w !== 'number') || (widths as number[]).reduce((a, b) => a + b, 0) !== rows) return undefined
    const terms: string[] = []
    const hots: { readonly part: Value; readonly firstRow: number }[] = []
    let row = 0
    for (const [i, part] of parts.entries()) {
      const width = widths[i] as number
      if (part.oneHot) hots.push({ part, firstRow: row })
      else terms.push(this.graph.node('MatMul', [this.toFloat(part, hint).name, this.graph.floatConstant(`${hint}/kernel_rows`, kernel.data.subarray(row * units, (row + width) * units), [width, units])], hint))
      row += width
    }
    if (hots.length === 1) {
      const { part, firstRow } = hots[0]!
      const slice = this.graph.floatConstant(`${hint}/kernel_rows`, kernel.data.subarray(firstRow * units, (firstRow + part.oneHot!.numTokens) * units), [part.oneHot!.numTokens, units])
      terms.unshift(this.graph.node('Gather', [slice, part.oneHot!.indices], hint, { axis: 0 }))
    } else {
      const stackedRows = hots.reduce((sum, h) => sum + h.part.oneHot!.numTokens, 0)
      const table = new Float32Array(stackedRows * units)
      const offsets = new Int32Array(hots.length)
      let at = 0
      hots.forEach(({ part, firstRow }, k) => {
        const n = part.oneHot!.numTokens
        table.set(kernel.data.subarray(firstRow * units, (firstRow + n) * units), at * units)
        offsets[k] = at
        at += n
      })
      const indices = this.indexColumns(hots.map((h) => h.part.oneHot!.column), hint)
      const shifted = this.graph.node('Add', [indices, this.graph.int32Constant(`${hint}/row_offsets`, offsets, [hots.length])], hint)
      const gathered = this.graph.node('Gather', [this.graph.floatConstant(`${hint}/kernel_rows`, table, [stackedRows, units]), shifted], hint, { axis: 0 })
      terms.unshift(this.graph.node('ReduceSum', [gathered, this.graph.int64Constant(`${hint}/reduce_axes`, [1])], hint, { keepdims: 0 }))
    }
    if (bias) terms.push(this.graph.floatConstant(`${hint}/bias`, bias.data, bias.shape))
    return terms.length === 1 ? terms[0]! : this.graph.node('Sum', terms, hint)
  }

  /** `[N, 1]` int columns side by side as `[N, K]`: a slice of a graph input when they are its consecutive columns, else a Concat. */
  private indexColumns(columns: readonly Value[], hint: string): string {
    const first = columns[0]!.columns
    const consecutive = first !== undefined && columns.every((c, k) => c.columns?.input === first.input && c.columns.width === 1 && c.columns.start === first.start + k)
    if (!consecutive) return this.graph.node('Concat', columns.map((c) => c.name), hint, { axis: 1 })
    if (first.start === 0 && columns.length === first.total) return first.input
    const g = this.graph
    return g.node('Slice', [first.input, g.int64Constant(`${hint}/starts`, [first.start]), g.int64Constant(`${hint}/ends`, [first.start + columns.length]), g.int64Constant(`${hint}/axes`, [1])], hint)
  }

  private activation(name: string, x: string, hint: string, unsupported: (what: string) => never): string {
    const g = this.graph
    switch (name) {
      case 'linear':
        return x
      case 'relu':
        return g.node('Relu', [x], hint)
      case 'relu6':
        return g.node('Clip', [x, this.scalar(hint, 0), this.scalar(hint, 6)], hint)
      case 'sigmoid':
        return g.node('Sigmoid', [x], hint)
      case 'hardSigmoid':
        return g.node('HardSigmoid', [x], hint, { alpha: float(0.2), beta: float(0.5) })
      case 'tanh':
        return g.node('Tanh', [x], hint)
      case 'softmax':
        return g.node('Softmax', [x], hint, { axis: -1 })
      case 'logSoftmax':
        return g.node('LogSoftmax', [x], hint, { axis: -1 })
      case 'elu':
        return g.node('Elu', [x], hint, { alpha: float(1) })
      case 'selu':
        return g.node('Selu', [x], hint)
      case 'softplus':
        return g.node('Softplus', [x], hint)
      case 'softsign':
        return g.node('Softsign', [x], hint)
      case 'swish':
        return g.node('Mul', [g.node('Sigmoid', [x], hint), x], hint)
      case 'mish':
        return g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x], hint)], hint)], hint)
      case 'gelu': {
        // x · ½(1 + erf(x / √2)), as tfjs computes it.
        const erf = g.node('Erf', [g.node('Div', [x, this.scalar(hint, Math.SQRT2)], hint)], hint)
        const cdf = g.node('Mul', [this.scalar(hint, 0.5), g.node('Add', [this.scalar(hint, 1), erf], hint)], hint)
        return g.node('Mul', [x, cdf], hint)
      }
      case 'gelu_new': {
        // ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
        const cube = g.node('Mul', [x, g.node('Mul', [x, x], hint)], hint)
        const inner = g.node('Add', [x, g.node('Mul', [this.scalar(hint, 0.044715), cube], hint)], hint)
        const t = g.node('Tanh', [g.node('Mul', [this.scalar(hint, Math.sqrt(2 / Math.PI)), inner], hint)], hint)
        return g.node('Mul', [this.scalar(hint, 0.5), g.node('Mul', [x, g.node('Add', [this.scalar(hint, 1), t], hint)], hint)], hint)
      }
      default:
        return unsupported(`has activation "${name}", which is not supported`)
    }
  }
}
