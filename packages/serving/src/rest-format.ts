// TF Serving's REST JSON: request bodies to rows of raw features, predictions to response bodies,
// and the signature as a SignatureDef. Responses are built as strings directly: on a small model the
// JSON is a large share of a request's cost.
import type { ServingSignature, SignatureOutput } from '@sluice/component-trainer/bundle'
import type { Outputs } from './batcher.js'
import { ServingError } from './errors.js'

/** The only signature a bundle has (TF Serving's default signature key). */
export const DEFAULT_SIGNATURE = 'serving_default'
/** Signature names accepted besides {@link DEFAULT_SIGNATURE}: TF Serving clients name the method's own. */
const METHOD_SIGNATURES: Record<string, string> = {
  predict: 'tensorflow/serving/predict',
  classify: 'tensorflow/serving/classify',
  regress: 'tensorflow/serving/regress',
}

const bad = (message: string, fix?: string): never => {
  throw new ServingError('SLUICE_SERVING_BAD_REQUEST', message, fix ? { fix } : undefined)
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Parses a request body as a JSON object (400 otherwise). */
export function parseJsonObject(body: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (error) {
    return bad(`The request body is not valid JSON: ${(error as Error).message}.`, body.includes('NaN') || body.includes('Infinity') ? 'Send null for a missing value; NaN and Infinity are not JSON.' : undefined)
  }
  if (!isPlainObject(parsed)) return bad('The request body must be a JSON object.')
  return parsed
}

function checkSignatureName(body: Record<string, unknown>, method: 'predict' | 'classify' | 'regress'): void {
  const name = body.signature_name
  if (name === undefined || name === '' || name === DEFAULT_SIGNATURE || name === METHOD_SIGNATURES[method]) return
  bad(`Serving signature name: ${JSON.stringify(name)} not found in signature def. This model has one signature, "${DEFAULT_SIGNATURE}".`, 'Leave signature_name out.')
}

/**
 * One feature value as the bundle takes it: a one-element list is its element (tf.Example features
 * are lists), an empty list is missing, `{ "b64": … }` is the decoded string. `where(…)` names the
 * row in errors (built only for an error: this runs for every value of every request).
 */
function featureValue(value: unknown, feature: string, where: () => string): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0) return null
    if (value.length === 1) return featureValue(value[0], feature, where)
    return bad(`${where()}: feature "${feature}" has ${value.length} values; the model takes one value per feature.`)
  }
  if (isPlainObject(value)) {
    if (typeof value.b64 === 'string' && Object.keys(value).length === 1) return Buffer.from(value.b64, 'base64').toString('utf8')
    return bad(`${where()}: feature "${feature}" is an object; a feature value is a number, string, boolean, null, a one-element list, or { "b64": "…" }.`)
  }
  return value
}

/**
 * Makes the signature's features of `row` bundle-ready, in place (request bodies are ours to change;
 * other fields are ignored by the model and left alone). Looping over the signature's names, not the
 * row's keys, keeps property access fast on rows of any shape.
 */
function normalizeRow(row: Record<string, unknown>, features: readonly string[], section: string, index: number): Record<string, unknown> {
  for (let j = 0; j < features.length; j++) {
    const name = features[j]!
    const v = row[name]
    if (typeof v === 'object' && v !== null) row[name] = featureValue(v, name, () => (section === 'context' ? section : `${section}[${index}]`))
  }
  return row
}

/** The raw feature names of a signature, computed once per signature. */
const featureNames = new WeakMap<ServingSignature, readonly string[]>()
function featuresOf(signature: ServingSignature): readonly string[] {
  let names = featureNames.get(signature)
  if (!names) featureNames.set(signature, (names = signature.inputs.map((i) => i.name)))
  return names
}

/** A predict request's rows and which format it came in. */
export interface PredictRequest {
  readonly rows: Record<string, unknown>[]
  /** `inputs` (columnar; answered with `outputs`) rather than `instances` (answered with `predictions`). */
  readonly columnar: boolean
}

/**
 * The rows of a predict body: `instances` (a list of objects of raw features; for a model with a
 * single raw input, the values themselves) or `inputs` (an object of equally long lists).
 */
export function predictRows(body: Record<string, unknown>, signature: ServingSignature): PredictRequest {
  checkSignatureName(body, 'predict')
  const { instances, inputs } = body
  if (instances !== undefined && inputs !== undefined) bad('The request has both "instances" and "inputs"; send one of them.')
  const features = featuresOf(signature)
  if (instances !== undefined) {
    if (!Array.isArray(instances)) return bad('"instances" must be a list of objects, one per row, of raw feature name to value.')
    const rows = instances as Record<string, unknown>[]
    for (let i = 0; i < rows.length; i++) {
      const instance: unknown = rows[i]
      if (isPlainObject(instance)) normalizeRow(instance, features, 'instances', i)
      else if (features.length === 1) rows[i] = { [features[0]!]: featureValue(instance, features[0]!, () => `instances[${i}]`) }
      else bad(`instances[${i}] is ${describe(instance)}; each instance is an object of the model's raw features: ${features.join(', ')}.`)
    }
    return { rows, columnar: false }
  }
  if (inputs !== undefined) {
    const columns: Record<string, unknown> = isPlainObject(inputs) ? inputs : features.length === 1 ? { [features[0]!]: inputs } : bad(`"inputs" must be an object of raw feature name to a list of values (features: ${features.join(', ')}).`)
    let length: number | undefined
    for (const [name, column] of Object.entries(columns)) {
      const n = Array.isArray(column) ? column.length : 1
      if (length !== undefined && n !== length) bad(`"inputs": feature "${name}" has ${n} value(s), others have ${length}; every feature needs one value per row.`)
      length = n
    }
    const rows: Record<string, unknown>[] = []
    for (let i = 0; i < (length ?? 0); i++) {
      const row: Record<string, unknown> = {}
      for (const name in columns) {
        const column = columns[name]
        row[name] = featureValue(Array.isArray(column) ? column[i] : column, name, () => `inputs row ${i}`)
      }
      rows.push(row)
    }
    return { rows, columnar: true }
  }
  return bad('The request needs "instances" (a list of rows) or "inputs" (an object of columns).', 'Send { "instances": [{ "<feature>": <value>, … }] }.')
}

/** The rows of a classify or regress body: `examples`, each merged with the shared `context`. */
export function exampleRows(body: Record<string, unknown>, signature: ServingSignature, method: 'classify' | 'regress'): Record<string, unknown>[] {
  checkSignatureName(body, method)
  const { examples, context } = body
  if (!Array.isArray(examples)) return bad('"examples" must be a list of objects of feature name to value.')
  if (context !== undefined && !isPlainObject(context)) bad('"context" must be an object of feature name to value.')
  const features = featuresOf(signature)
  const shared = context ? normalizeRow({ ...context }, features, 'context', 0) : undefined
  return examples.map((example: unknown, i) => {
    if (!isPlainObject(example)) return bad(`examples[${i}] is ${describe(example)}, not an object of feature name to value.`)
    const row = normalizeRow(example, features, 'examples', i)
    if (shared) {
      for (const key in shared) {
        if (key in row) bad(`examples[${i}] has feature "${key}", which is also in "context"; a feature in the context must not appear in examples.`)
        row[key] = shared[key]
      }
    }
    return row
  })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`
}

/**
 * A float32 in decimal as TF Serving writes it (absl's SimpleFtoa): 6 significant digits when they
 * read back as the same float32 (0.3, not 0.30000001192092896), 9 otherwise. Non-finite values become
 * null: JSON has no NaN.
 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return 'null'
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v)
  const short = Number(v.toPrecision(6))
  return String(Math.fround(short) === v ? short : Number(v.toPrecision(9)))
}

/** Values per row of an output: its shape without the batch dimension, or what the values say. */
function widthOf(output: SignatureOutput, values: Float32Array, rows: number): number {
  const dims = output.shape?.slice(1)
  if (dims && dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1)
  return rows === 0 ? 1 : values.length / rows
}

/** Row `i` of an output: a scalar for one value per row, a list otherwise. */
function rowValue(values: Float32Array, width: number, i: number): string {
  if (width === 1) return formatFloat32(values[i]!)
  let s = '['
  for (let j = 0; j < width; j++) s += (j > 0 ? ',' : '') + formatFloat32(values[i * width + j]!)
  return `${s}]`
}

/**
 * The predict response: `{ "predictions": [...] }` for `instances` (a value per row for one output,
 * an object per row for several), `{ "outputs": ... }` for `inputs` (a list for one output, an
 * object of lists for several). `outputs` may be those of a whole batch (`batchRows` rows) of which
 * the request's `rows` start at `offset`.
 */
export function predictResponse(outputs: Outputs, rows: number, signature: ServingSignature, columnar: boolean, offset = 0, batchRows = rows): string {
  const list = signature.outputs.map((o) => {
    const values = outputs[o.name] ?? new Float32Array(0)
    return { name: JSON.stringify(o.name), values, width: widthOf(o, values, batchRows) }
  })
  const end = offset + rows
  if (list.length === 1) {
    const { values, width } = list[0]!
    let s = columnar ? '{"outputs":[' : '{"predictions":['
    for (let i = offset; i < end; i++) s += (i > offset ? ',' : '') + rowValue(values, width, i)
    return `${s}]}`
  }
  if (columnar) {
    return `{"outputs":{${list
      .map(({ name, values, width }) => {
        let s = `${name}:[`
        for (let i = offset; i < end; i++) s += (i > offset ? ',' : '') + rowValue(values, width, i)
        return `${s}]`
      })
      .join(',')}}}`
  }
  let s = '{"predictions":['
  for (let i = offset; i < end; i++) s += `${i > offset ? ',' : ''}{${list.map(({ name, values, width }) => `${name}:${rowValue(values, width, i)}`).join(',')}}`
  return `${s}]}`
}

/** The output classify and regress use: the first output, which a Trainer's single-head model has. */
function headOf(signature: ServingSignature, outputs: Outputs, rows: number): { output: SignatureOutput; values: Float32Array; width: number } {
  const output = signature.outputs[0]!
  const values = outputs[output.name] ?? new Float32Array(0)
  return { output, values, width: widthOf(output, values, rows) }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

/**
 * The classify response: per example, `[label, score]` pairs for every class. A one-unit
 * probability (sigmoid) output is the binary classes "0" and "1"; a k-unit softmax output is classes
 * "0".."k-1". Logits outputs are turned into probabilities first.
 */
export function classifyResponse(outputs: Outputs, rows: number, signature: ServingSignature): string {
  const { output, values, width } = headOf(signature, outputs, rows)
  if (output.kind !== 'probability' && output.kind !== 'logits') {
    bad(`Model output "${output.name}" is ${output.kind === undefined ? 'not marked as a probability or logits' : `a ${output.kind} output`}, so it has no classes.`, 'Use :regress or :predict.')
  }
  const parts: string[] = []
  for (let i = 0; i < rows; i++) {
    if (width === 1) {
      const v = values[i]!
      const p = output.kind === 'logits' ? sigmoid(v) : v
      parts.push(`[["0",${formatFloat32(Math.fround(1 - p))}],["1",${formatFloat32(Math.fround(p))}]]`)
      continue
    }
    let scores = Array.from(values.subarray(i * width, (i + 1) * width))
    if (output.kind === 'logits') {
      const max = Math.max(...scores)
      const exp = scores.map((x) => Math.exp(x - max))
      const sum = exp.reduce((a, b) => a + b, 0)
      scores = exp.map((x) => x / sum)
    }
    parts.push(`[${scores.map((p, k) => `["${k}",${formatFloat32(Math.fround(p))}]`).join(',')}]`)
  }
  return `{"results":[${parts.join(',')}]}`
}

/** The regress response: one value per example from a one-unit output (a logits output as its probability). */
export function regressResponse(outputs: Outputs, rows: number, signature: ServingSignature): string {
  const { output, values, width } = headOf(signature, outputs, rows)
  if (width !== 1) bad(`Model output "${output.name}" has ${width} values per row; regress needs one.`, 'Use :classify or :predict.')
  const parts = new Array<string>(rows)
  for (let i = 0; i < rows; i++) parts[i] = formatFloat32(output.kind === 'logits' ? Math.fround(sigmoid(values[i]!)) : values[i]!)
  return `{"results":[${parts.join(',')}]}`
}

const DTYPES = { INT: 'DT_INT64', FLOAT: 'DT_FLOAT', STRING: 'DT_STRING', BOOL: 'DT_BOOL' } as const

function tensorInfo(name: string, dtype: string, dims: readonly (number | null)[]) {
  return {
    dtype,
    tensor_shape: { dim: dims.map((d) => ({ size: String(d ?? -1), name: '' })), unknown_rank: false },
    name,
  }
}

/**
 * TF Serving's GetModelMetadataResponse for a bundle: `serving_default` with one input per raw
 * feature (shape [-1], the dtype of its type) and the model's outputs.
 */
export function metadataResponse(model: string, version: number, signature: ServingSignature): unknown {
  return {
    model_spec: { name: model, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          [DEFAULT_SIGNATURE]: {
            inputs: Object.fromEntries(signature.inputs.map((i) => [i.name, tensorInfo(i.name, DTYPES[i.type], [null])])),
            outputs: Object.fromEntries(signature.outputs.map((o) => [o.name, tensorInfo(o.name, 'DT_FLOAT', o.shape ?? [null])])),
            method_name: METHOD_SIGNATURES.predict,
          },
        },
      },
    },
  }
}
