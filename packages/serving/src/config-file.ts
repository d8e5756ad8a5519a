// TF Serving's model config file (`--model_config_file`): a ModelServerConfig holding a
// model_config_list, in protobuf text format (what TF Serving reads) or its JSON mapping.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { ServingError } from './errors.js'
import type { ModelConfig, VersionPolicy } from './options.js'
import { parseTextProto } from './text-proto.js'
import type { TextMessage, TextValue } from './text-proto.js'

type Plain = Record<string, unknown>

const isObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A field by its proto name or its lowerCamelCase JSON name (proto3's JSON mapping accepts both). */
function field(message: Plain, name: string): unknown {
  if (name in message) return message[name]
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
  return message[camel]
}

/** Text-format messages (every field a list) as plain JSON-mapping objects, lists kept only where repeated. */
function fromText(message: TextMessage, repeated: ReadonlySet<string>): Plain {
  const out: Plain = {}
  for (const [name, values] of Object.entries(message)) {
    const convert = (v: TextValue): unknown => (typeof v === 'object' ? fromText(v, repeated) : v)
    out[name] = repeated.has(name) ? values.map(convert) : convert(values[values.length - 1]!)
  }
  return out
}

const REPEATED = new Set(['config', 'versions', 'version_labels'])

/**
 * Parses a model config file's content: TF Serving's `model_config_list` in protobuf text format or
 * as JSON (`{ "model_config_list": { "config": [{ "name", "base_path", "model_version_policy",
 * "version_labels" }] } }`). Relative base paths resolve against `cwd`.
 *
 * @example
 * parseModelConfig('model_config_list { config { name: "taxi" base_path: "/serving/taxi" } }', 'models.config')
 */
export function parseModelConfig(text: string, fileName: string, cwd = process.cwd()): ModelConfig[] {
  const bad = (problem: string, cause?: unknown): never => {
    throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', `Model config file ${fileName}: ${problem}.`, {
      fix: 'Write model_config_list { config { name: "…" base_path: "…" } } (text format) or its JSON form.',
      cause,
    })
  }
  let root: Plain
  // Text format cannot start with "{", JSON must.
  if (/^\s*\{/.test(text)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (cause) {
      return bad(`not valid JSON (${(cause as Error).message})`, cause)
    }
    if (!isObject(parsed)) return bad('the JSON is not an object')
    root = parsed
  } else {
    try {
      root = fromText(parseTextProto(text, fileName), REPEATED)
    } catch (cause) {
      return bad((cause as Error).message.replace(`${fileName}:`, 'line '), cause)
    }
  }
  const list = field(root, 'model_config_list')
  if (list === undefined && field(root, 'custom_model_config') !== undefined) bad('custom_model_config is not supported')
  if (!isObject(list)) return bad('it has no model_config_list')
  const configs = field(list, 'config') ?? []
  if (!Array.isArray(configs)) return bad('model_config_list.config is not a list')
  const names = new Set<string>()
  return configs.map((config: unknown, i): ModelConfig => {
    const where = `config ${i + 1}`
    if (!isObject(config)) return bad(`${where} is not a message`)
    const name = field(config, 'name')
    const basePath = field(config, 'base_path')
    if (typeof name !== 'string' || name === '') return bad(`${where} has no name`)
    if (names.has(name)) bad(`model "${name}" is configured twice`)
    names.add(name)
    if (typeof basePath !== 'string' || basePath === '') return bad(`model "${name}" has no base_path`)
    const platform = field(config, 'model_platform')
    if (platform !== undefined && !['tensorflow', 'sluice', 'tfjs', 'onnx'].includes(String(platform))) bad(`model "${name}": model_platform "${String(platform)}" is not served here (tensorflow, sluice, tfjs or onnx)`)
    const policy = versionPolicyOf(field(config, 'model_version_policy'), (problem) => bad(`model "${name}": ${problem}`))
    const labels = versionLabelsOf(field(config, 'version_labels'), (problem) => bad(`model "${name}": ${problem}`))
    return {
      name,
      basePath: path.resolve(cwd, basePath),
      ...(policy ? { versionPolicy: policy } : {}),
      ...(labels ? { versionLabels: labels } : {}),
    }
  })
}

function versionNumber(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

function versionPolicyOf(value: unknown, bad: (problem: string) => never): VersionPolicy | undefined {
  if (value === undefined) return undefined
  if (!isObject(value)) return bad('model_version_policy is not a message')
  const latest = field(value, 'latest')
  const all = field(value, 'all')
  const specific = field(value, 'specific')
  if ([latest, all, specific].filter((x) => x !== undefined).length !== 1) bad('model_version_policy needs exactly one of latest, all, specific')
  if (latest !== undefined) {
    const n = isObject(latest) ? (field(latest, 'num_versions') ?? 1) : undefined
    const num = versionNumber(n)
    if (num === undefined || num < 1) bad('model_version_policy.latest.num_versions must be a whole number of at least 1')
    return { latest: { numVersions: num! } }
  }
  if (all !== undefined) return { all: {} }
  const versions = isObject(specific) ? field(specific, 'versions') : undefined
  const list = Array.isArray(versions) ? versions : versions === undefined ? [] : [versions]
  const numbers = list.map(versionNumber)
  if (numbers.length === 0 || numbers.some((n) => n === undefined)) bad('model_version_policy.specific.versions must list version numbers')
  return { specific: { versions: numbers as number[] } }
}

function versionLabelsOf(value: unknown, bad: (problem: string) => never): Record<string, number> | undefined {
  if (value === undefined) return undefined
  const entries: [unknown, unknown][] = Array.isArray(value)
    ? value.map((e: unknown) => (isObject(e) ? [e.key, e.value] : [undefined, undefined]))
    : isObject(value)
      ? Object.entries(value)
      : bad('version_labels is not a map')
  const labels: Record<string, number> = {}
  for (const [key, v] of entries) {
    const version = versionNumber(v)
    if (typeof key !== 'string' || key === '' || version === undefined) bad('version_labels must map label names to version numbers')
    labels[key as string] = version!
  }
  return labels
}

/** Reads and parses a model config file (see {@link parseModelConfig}). */
export async function readModelConfigFile(file: string, cwd = process.cwd()): Promise<ModelConfig[]> {
  const resolved = path.resolve(cwd, file)
  let text: string
  try {
    text = await readFile(resolved, 'utf8')
  } catch (cause) {
    throw new ServingError('SLUICE_SERVING_CONFIG_INVALID', `Model config file ${resolved} cannot be read: ${(cause as Error).message}.`, { cause })
  }
  return parseModelConfig(text, resolved, cwd)
}
