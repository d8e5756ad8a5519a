// A small builder of ONNX graphs as onnx-proto message objects (protobufjs static code). The exporter
// adds nodes through it and never touches protobuf field names; onnx-proto itself is imported only
// when the model is encoded, so nothing loads protobufjs until a model is exported.
import type { onnx } from 'onnx-proto'

/** The opset the exporter targets: every op it emits has its current semantics there, and ORT 1.30 runs it. */
export const ONNX_OPSET = 13
/** ONNX IR version 8 (ONNX 1.10), the newest onnx-proto 8 knows; ORT 1.30 reads it. */
export const ONNX_IR_VERSION = 8

/** Element types the exporter uses (onnx.TensorProto.DataType values). */
export const ElemType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const
export type ElemType = (typeof ElemType)[keyof typeof ElemType]

/** A dimension: a size, or a symbolic name (the batch dimension). */
export type Dim = number | string

type AttributeValue = number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] }

/** Attribute helpers: plain numbers are INT attributes, so floats are spelled out. */
export const float = (value: number) => ({ float: value })
export const floats = (values: readonly number[]) => ({ floats: values })

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  // onnx.AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7.
  if (typeof value === 'number') return { name, type: 2, i: value }
  if (typeof value === 'string') return { name, type: 3, s: new TextEncoder().encode(value) }
  if (Array.isArray(value)) return { name, type: 7, ints: [...(value as number[])] }
  if ('float' in (value as object)) return { name, type: 1, f: (value as { float: number }).float }
  return { name, type: 6, floats: [...(value as { floats: number[] }).floats] }
}

function valueInfo(name: string, elemType: ElemType, shape: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  }
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  // Copied: raw_data is little-endian, as typed arrays are on every platform Node runs on.
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength))
}

/** Builds one ONNX graph: inputs, initializers (weights as raw_data), nodes and outputs. */
export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = []
  private readonly initializers: onnx.ITensorProto[] = []
  private readonly inputs: onnx.IValueInfoProto[] = []
  private readonly outputs: onnx.IValueInfoProto[] = []
  private readonly names = new Set<string>()
  private counter = 0

  /** A name not used yet in the graph, derived from `hint`. */
  unique(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, '_') || 't'
    let name = base
    while (this.names.has(name)) name = `${base}_${++this.counter}`
    this.names.add(name)
    return name
  }

  /** Keeps `names` (the graph's output names) from being given to intermediate tensors. */
  reserve(names: readonly string[]): void {
    for (const name of names) this.names.add(name)
  }

  /** Declares a graph input; `name` is used as is (it is the model input's public name). */
  input(name: string, elemType: ElemType, shape: readonly Dim[]): string {
    this.names.add(name)
    this.inputs.push(valueInfo(name, elemType, shape))
    return name
  }

  /** Declares a graph output named `name` (reserved beforehand), fed from `from` through an Identity (or a Cast to float). */
  output(name: string, from: string, elemType: ElemType, shape: readonly Dim[]): void {
    if (elemType === ElemType.FLOAT) this.nodes.push({ opType: 'Identity', input: [from], output: [name], name: this.unique(`${name}/Identity`) })
    else this.nodes.push({ opType: 'Cast', input: [from], output: [name], name: this.unique(`${name}/Cast`), attribute: [attribute('to', ElemType.FLOAT)] })
    this.outputs.push(valueInfo(name, ElemType.FLOAT, shape))
  }

  /** Adds a float32 constant. */
  floatConstant(hint: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    return this.constant(hint, ElemType.FLOAT, data instanceof Float32Array ? data : Float32Array.from(data), dims)
  }

  /** Adds an int32 constant. */
  int32Constant(hint: string, data: Int32Array | readonly number[], dims: readonly number[]): string {
    return this.constant(hint, ElemType.INT32, data instanceof Int32Array ? data : Int32Array.from(data), dims)
  }

  /** Adds an int64 constant (shapes, axes). */
  int64Constant(hint: string, data: readonly number[], dims: readonly number[] = [data.length]): string {
    return this.constant(hint, ElemType.INT64, BigInt64Array.from(data.map((v) => BigInt(v))), dims)
  }

  private constant(hint: string, dataType: ElemType, data: ArrayBufferView, dims: readonly number[]): string {
    const name = this.unique(hint)
    this.initializers.push({ name, dataType, dims: [...dims], rawData: bytesOf(data) })
    return name
  }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: readonly string[], hint: string, attributes: Readonly<Record<string, AttributeValue>> = {}): string {
    const output = this.unique(hint)
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [output],
      name: this.unique(`${hint}/${opType}`),
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    })
    return output
  }

  /**
   * The ModelProto, serialised, and its node count. Nodes and initializers no output depends on are
   * left out, so converters may emit alternatives eagerly and let the graph keep the one used.
   */
  async encode(options: { readonly graphName: string; readonly producerVersion: string; readonly docString?: string }): Promise<{ bytes: Uint8Array; nodes: number }> {
    const needed = new Set(this.outputs.map((o) => o.name!))
    const kept: onnx.INodeProto[] = []
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]!
      if (!node.output!.some((o) => needed.has(o))) continue
      kept.push(node)
      for (const input of node.input ?? []) needed.add(input)
    }
    kept.reverse()
    // onnx-proto is CommonJS (protobufjs static code); Node gives its exports as the default export.
    const { onnx: proto } = (await import('onnx-proto')).default
    const model: onnx.IModelProto = {
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'sluice',
      producerVersion: options.producerVersion,
      ...(options.docString !== undefined ? { docString: options.docString } : {}),
      graph: {
        name: options.graphName,
        node: kept,
        initializer: this.initializers.filter((t) => needed.has(t.name!)),
        input: this.inputs,
        output: this.outputs,
      },
    }
    return { bytes: proto.ModelProto.encode(model).finish(), nodes: kept.length }
  }
}
