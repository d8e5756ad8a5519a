// A strict protobuf text-format parser and printer for the Schema message (see descriptors.ts for
// the supported fields). It reads what TFX, TFDV and people write: `#` comments, `field: value`,
// `field { … }` / `field: { … }` / `field < … >`, `[a, b]` lists, `,` or `;` separators, single or
// double quoted strings with C escapes (octal bytes included) and adjacent-string concatenation,
// enum names or numbers, `inf`/`nan`. Anything else is an error naming the line and column.

import { cEscape } from './c-escape.js'
import * as descriptors from './descriptors.js'
import type { FieldDescriptor, MessageDescriptor } from './descriptors.js'
import { SchemaError, SchemaParseError, type TextPosition } from './errors.js'
import { protoDouble } from './format-number.js'
import type { Feature, Schema } from './types.js'

type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof'

interface Token extends TextPosition {
  readonly kind: TokenKind
  readonly text: string
  /** The decoded value of a string token. */
  readonly value?: string
}

const PUNCTUATION = new Set(['{', '}', '<', '>', '[', ']', ':', ',', ';', '-'])
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)[fF]?/y
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y

function tokenize(text: string, fileName: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  let lineStart = 0
  const fail = (at: number, message: string): never => {
    throw new SchemaParseError(fileName, { line, column: at - lineStart + 1 }, message)
  }
  while (i < text.length) {
    const ch = text[i]!
    if (ch === '\n') {
      i++
      line++
      lineStart = i
      continue
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\ufeff') {
      i++
      continue
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++
      continue
    }
    const position = { line, column: i - lineStart + 1 }
    if (ch === '"' || ch === "'") {
      const { value, end } = readString(text, i, (at, message) => fail(at, message))
      tokens.push({ kind: 'string', text: text.slice(i, end), value, ...position })
      i = end
      continue
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      NUMBER.lastIndex = i
      const match = NUMBER.exec(text)
      if (!match) fail(i, `malformed number`)
      const end = i + match![0].length
      if (/[A-Za-z0-9_.]/.test(text[end] ?? '')) fail(i, `malformed number "${text.slice(i, end + 1)}"`)
      tokens.push({ kind: 'number', text: match![0], ...position })
      i = end
      continue
    }
    if (/[A-Za-z_]/.test(ch)) {
      IDENT.lastIndex = i
      const word = IDENT.exec(text)![0]
      tokens.push({ kind: 'ident', text: word, ...position })
      i += word.length
      continue
    }
    if (PUNCTUATION.has(ch)) {
      tokens.push({ kind: 'punct', text: ch, ...position })
      i++
      continue
    }
    fail(i, `unexpected character ${JSON.stringify(ch)}`)
  }
  tokens.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 })
  return tokens
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, a: 7, b: 8, '\\': 92, "'": 39, '"': 34, '?': 63 }
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Reads a quoted string starting at `start`; escapes are decoded to bytes, then read as UTF-8. */
function readString(text: string, start: number, fail: (at: number, message: string) => never): { value: string; end: number } {
  const quote = text[start]!
  const bytes: number[] = []
  const pushText = (s: string) => bytes.push(...Buffer.from(s, 'utf8'))
  let i = start + 1
  for (;;) {
    if (i >= text.length || text[i] === '\n') fail(start, 'string literal is not closed on this line')
    const ch = text[i]!
    if (ch === quote) break
    if (ch !== '\\') {
      const code = text.codePointAt(i)!
      const char = String.fromCodePoint(code)
      pushText(char)
      i += char.length
      continue
    }
    const next = text[i + 1] ?? ''
    if (next in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[next]!)
      i += 2
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0]
      const byte = parseInt(digits, 8)
      if (byte > 255) fail(i, `octal escape \\${digits} is larger than a byte`)
      bytes.push(byte)
      i += 1 + digits.length
    } else if (next === 'x' || next === 'X') {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2, i + 4))?.[0]
      if (!digits) fail(i, 'hex escape \\x needs one or two hex digits')
      bytes.push(parseInt(digits!, 16))
      i += 2 + digits!.length
    } else if (next === 'u' || next === 'U') {
      const length = next === 'u' ? 4 : 8
      const digits = text.slice(i + 2, i + 2 + length)
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits)) fail(i, `unicode escape \\${next} needs ${length} hex digits`)
      const code = parseInt(digits, 16)
      if (code > 0x10ffff) fail(i, `unicode escape \\${next}${digits} is not a code point`)
      pushText(String.fromCodePoint(code))
      i += 2 + length
    } else {
      fail(i, `unknown escape sequence "\\${next}"`)
    }
  }
  let value: string
  try {
    value = utf8.decode(new Uint8Array(bytes))
  } catch {
    fail(start, 'string is not valid UTF-8 (check its octal or hex escapes)')
  }
  return { value: value!, end: i + 1 }
}

/** Positions of the fields of parsed messages, for checks that run after parsing. */
type Positions = WeakMap<object, { self: TextPosition; fields: Map<string, TextPosition> }>

class Parser {
  private index = 0
  readonly positions: Positions = new WeakMap()

  constructor(
    private readonly tokens: Token[],
    private readonly fileName: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.index]!
  }

  private next(): Token {
    const token = this.tokens[this.index]!
    if (token.kind !== 'eof') this.index++
    return token
  }

  fail(at: TextPosition, message: string, fix?: string): never {
    throw new SchemaParseError(this.fileName, at, message, fix ? { fix } : undefined)
  }

  private isPunct(token: Token, text: string): boolean {
    return token.kind === 'punct' && token.text === text
  }

  private describe(token: Token): string {
    if (token.kind === 'eof') return 'the end of the file'
    if (token.kind === 'string') return `the string ${token.text}`
    return `"${token.text}"`
  }

  parseMessage(descriptor: MessageDescriptor, open: Token | undefined): Record<string, unknown> {
    const result: Record<string, unknown> = {}
    const fieldPositions = new Map<string, TextPosition>()
    this.positions.set(result, { self: open ?? { line: 1, column: 1 }, fields: fieldPositions })
    const oneofs = new Map<string, FieldDescriptor>()
    const closing = open ? (open.text === '<' ? '>' : '}') : undefined
    for (;;) {
      const token = this.peek()
      if (closing && this.isPunct(token, closing)) {
        this.next()
        return result
      }
      if (token.kind === 'eof') {
        if (closing) this.fail(token, `expected "${closing}" to close the ${shortName(descriptor)} opened at line ${open!.line}, found the end of the file`)
        return result
      }
      if (this.isPunct(token, '[')) {
        this.fail(token, 'extension and Any fields ("[...]") are not supported in a Schema')
      }
      if (token.kind !== 'ident') this.fail(token, `expected a field name of ${shortName(descriptor)}, found ${this.describe(token)}`)
      this.next()
      const field = descriptor.byName.get(token.text)
      if (!field) this.unknownField(descriptor, token)
      this.parseField(descriptor, field!, token, result, fieldPositions, oneofs)
      const separator = this.peek()
      if (this.isPunct(separator, ',') || this.isPunct(separator, ';')) this.next()
    }
  }

  private unknownField(descriptor: MessageDescriptor, token: Token): never {
    const unsupported = descriptors.UNSUPPORTED_FIELDS[token.text]
    if (unsupported) this.fail(token, `field "${token.text}" of ${shortName(descriptor)}: ${unsupported}`, 'Remove it from the schema file.')
    const names = [...descriptor.byName.keys()]
    const suggestion = closest(token.text, names)
    this.fail(
      token,
      `unknown field "${token.text}" in ${shortName(descriptor)}`,
      suggestion ? `Did you mean "${suggestion}"?` : `${shortName(descriptor)} has the fields ${names.join(', ') || '(none)'}.`,
    )
  }

  private parseField(
    descriptor: MessageDescriptor,
    field: FieldDescriptor,
    nameToken: Token,
    result: Record<string, unknown>,
    fieldPositions: Map<string, TextPosition>,
    oneofs: Map<string, FieldDescriptor>,
  ): void {
    if (!field.repeated && result[field.json] !== undefined) {
      const first = fieldPositions.get(field.json)!
      this.fail(nameToken, `field "${field.name}" of ${shortName(descriptor)} is set twice (first at line ${first.line}); it is not a repeated field`)
    }
    if (field.oneof) {
      const other = oneofs.get(field.oneof)
      if (other && other !== field) {
        this.fail(nameToken, `fields "${other.name}" and "${field.name}" of ${shortName(descriptor)} are both set, but only one member of the oneof "${field.oneof}" may be`)
      }
      oneofs.set(field.oneof, field)
    }
    if (!fieldPositions.has(field.json)) fieldPositions.set(field.json, nameToken)
    const values: unknown[] = []
    if (field.kind === 'message') {
      if (this.isPunct(this.peek(), ':')) this.next()
      if (this.isPunct(this.peek(), '[')) values.push(...this.parseList(field, nameToken))
      else values.push(this.parseSubMessage(field))
    } else {
      const colon = this.next()
      if (!this.isPunct(colon, ':')) this.fail(colon, `expected ":" after the field name "${field.name}", found ${this.describe(colon)}`)
      if (this.isPunct(this.peek(), '[')) values.push(...this.parseList(field, nameToken))
      else values.push(this.parseScalar(field))
    }
    if (field.repeated) {
      const list = (result[field.json] as unknown[] | undefined) ?? []
      list.push(...values)
      result[field.json] = list
    } else {
      result[field.json] = values[0]
    }
  }

  private parseSubMessage(field: FieldDescriptor): Record<string, unknown> {
    const open = this.next()
    if (!this.isPunct(open, '{') && !this.isPunct(open, '<')) {
      this.fail(open, `expected "{" to start the ${shortName(field.message!())} of field "${field.name}", found ${this.describe(open)}`)
    }
    return this.parseMessage(field.message!(), open)
  }

  private parseList(field: FieldDescriptor, nameToken: Token): unknown[] {
    const open = this.next()
    if (!field.repeated) this.fail(open, `field "${field.name}" is not repeated, so it cannot take a list "[...]"`)
    const values: unknown[] = []
    if (this.isPunct(this.peek(), ']')) {
      this.next()
      return values
    }
    for (;;) {
      values.push(field.kind === 'message' ? this.parseSubMessage(field) : this.parseScalar(field))
      const separator = this.next()
      if (this.isPunct(separator, ']')) return values
      if (!this.isPunct(separator, ',')) this.fail(separator, `expected "," or "]" in the list of "${field.name}" opened at line ${nameToken.line}, found ${this.describe(separator)}`)
    }
  }

  private parseScalar(field: FieldDescriptor): unknown {
    const first = this.peek()
    switch (field.kind) {
      case 'string': {
        if (first.kind !== 'string') this.fail(first, `field "${field.name}" takes a quoted string, found ${this.describe(first)}`)
        let value = ''
        while (this.peek().kind === 'string') value += this.next().value!
        return value
      }
      case 'bool': {
        const token = this.next()
        if (token.kind === 'ident' && ['true', 'True', 't'].includes(token.text)) return true
        if (token.kind === 'ident' && ['false', 'False', 'f'].includes(token.text)) return false
        if (token.kind === 'number' && (token.text === '1' || token.text === '0')) return token.text === '1'
        return this.fail(token, `field "${field.name}" takes true or false, found ${this.describe(token)}`)
      }
      case 'int64': {
        const negative = this.isPunct(first, '-')
        if (negative) this.next()
        const token = this.next()
        const value = token.kind === 'number' ? parseInteger(token.text) : undefined
        if (value === undefined) this.fail(token, `field "${field.name}" takes an integer, found ${this.describe(token)}`)
        const signed = negative ? -value! : value!
        if (!Number.isSafeInteger(signed)) this.fail(token, `the integer ${negative ? '-' : ''}${token.text} of field "${field.name}" is outside the range Sluice supports (±2^53)`)
        return signed
      }
      case 'double':
      case 'float': {
        const negative = this.isPunct(first, '-')
        if (negative) this.next()
        const token = this.next()
        let value: number | undefined
        if (token.kind === 'number') value = parseFloatLiteral(token.text)
        else if (token.kind === 'ident') {
          const word = token.text.toLowerCase()
          if (word === 'inf' || word === 'infinity') value = Infinity
          else if (word === 'nan') value = NaN
        }
        if (value === undefined) this.fail(token, `field "${field.name}" takes a number, found ${this.describe(token)}`)
        return negative ? -value! : value!
      }
      case 'enum': {
        const values = field.values!
        const token = this.next()
        if (token.kind === 'ident' && Object.hasOwn(values, token.text)) return token.text
        if (token.kind === 'number') {
          const number = parseInteger(token.text)
          const name = Object.keys(values).find((k) => values[k] === number)
          if (name) return name
        }
        return this.fail(token, `unknown value ${this.describe(token)} for the enum field "${field.name}"`, `Use one of ${Object.keys(values).join(', ')}.`)
      }
      default:
        return this.fail(first, `field "${field.name}" is a message; write ${field.name} { ... }`)
    }
  }
}

function parseInteger(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16)
  if (/^0[0-7]+$/.test(text)) return parseInt(text.slice(1), 8)
  if (/^(0|[1-9]\d*)$/.test(text)) return Number(text)
  return undefined
}

function parseFloatLiteral(text: string): number | undefined {
  if (/^0[xX]/.test(text)) return parseInt(text.slice(2), 16)
  const body = text.replace(/[fF]$/, '')
  const value = Number(body)
  return Number.isNaN(value) ? undefined : value
}

function shortName(descriptor: MessageDescriptor): string {
  return descriptor.name.replace(/^tensorflow\.metadata\.v0\./, '')
}

/** The candidate within edit distance 2 of `word`, if there is one. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of candidates) {
    const d = editDistance(word, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * Parses a Schema in protobuf text format (`schema.pbtxt`), strictly: unknown fields, a field set
 * twice, two members of one oneof, malformed values, a feature without a name, two features or
 * string domains with the same name, and a `domain` naming no string domain are all a
 * {@link SchemaParseError} whose message starts with `fileName:line:column`.
 *
 * @example
 * const schema = parseSchemaText(await fs.readFile('schema.pbtxt', 'utf8'), 'schema.pbtxt')
 */
export function parseSchemaText(text: string, fileName = 'schema.pbtxt'): Schema {
  const parser = new Parser(tokenize(text, fileName), fileName)
  const raw = parser.parseMessage(descriptors.Schema, undefined)
  const schema = raw as unknown as Schema
  schema.feature ??= []
  checkSchema(schema, parser)
  return reorderSchema(schema)
}

/** Puts `feature` first, as every other reader of a Schema (and `formatSchemaText`) does. */
function reorderSchema(schema: Schema): Schema {
  const { feature, ...rest } = schema
  return { feature, ...rest }
}

function checkSchema(schema: Schema, parser: Parser): void {
  const where = (object: object, field?: string): TextPosition => {
    const positions = parser.positions.get(object)
    return (field && positions?.fields.get(field)) || positions?.self || { line: 1, column: 1 }
  }
  const domains = new Map<string, object>()
  for (const domain of schema.stringDomain ?? []) {
    if (domain.name === undefined || domain.name === '') {
      parser.fail(where(domain), 'a top-level string_domain has no name', 'Give it a name: features refer to it with domain: "<name>".')
    }
    if (domains.has(domain.name!)) parser.fail(where(domain, 'name'), `two string_domain entries are named "${domain.name}" (the first at line ${where(domains.get(domain.name!)!).line})`)
    domains.set(domain.name!, domain)
  }
  const checkFeatures = (features: Feature[], parent: string | undefined) => {
    const names = new Map<string, Feature>()
    for (const feature of features) {
      const label = parent ? `a feature of the struct "${parent}"` : 'a feature'
      if (feature.name === undefined) parser.fail(where(feature), `${label} has no name`, 'Add name: "<feature>".')
      const first = names.get(feature.name)
      if (first) parser.fail(where(feature, 'name'), `two features are named "${feature.name}" (the first at line ${where(first, 'name').line})`)
      names.set(feature.name, feature)
      if (feature.domain !== undefined && !domains.has(feature.domain)) {
        parser.fail(
          where(feature, 'domain'),
          `feature "${feature.name}" refers to domain "${feature.domain}", but the schema has no string_domain of that name`,
          domains.size > 0 ? `The string domains are ${[...domains.keys()].map((d) => `"${d}"`).join(', ')}.` : 'Add string_domain { name: "…" value: "…" } at the top level.',
        )
      }
      if (feature.structDomain?.feature) checkFeatures(feature.structDomain.feature, feature.name)
    }
  }
  checkFeatures(schema.feature, undefined)
}

/**
 * Prints a Schema in protobuf text format, as TFX writes `schema.pbtxt`: fields in field-number
 * order, two-space indentation, one field per line. `parseSchemaText(formatSchemaText(s))` equals
 * `s` for every schema built from supported fields.
 */
export function formatSchemaText(schema: Schema): string {
  const lines: string[] = []
  printMessage(descriptors.Schema, schema as unknown as Record<string, unknown>, '', lines, 'schema')
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

function printMessage(descriptor: MessageDescriptor, message: Record<string, unknown>, indent: string, lines: string[], where: string): void {
  checkKeys(descriptor, message, where)
  for (const field of descriptor.fields) {
    const value = message[field.json]
    if (value === undefined) continue
    const values = field.repeated ? asArray(value, field, where) : [value]
    for (const [i, item] of values.entries()) {
      const at = field.repeated ? `${where}.${field.json}[${i}]` : `${where}.${field.json}`
      if (field.kind === 'message') {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) invalid(`${at} must be an object`)
        lines.push(`${indent}${field.name} {`)
        printMessage(field.message!(), item as Record<string, unknown>, `${indent}  `, lines, at)
        lines.push(`${indent}}`)
      } else {
        lines.push(`${indent}${field.name}: ${formatScalar(field, item, at)}`)
      }
    }
  }
}

function formatScalar(field: FieldDescriptor, value: unknown, at: string): string {
  switch (field.kind) {
    case 'string':
      if (typeof value !== 'string') invalid(`${at} must be a string`)
      return `"${cEscape(value as string)}"`
    case 'bool':
      if (typeof value !== 'boolean') invalid(`${at} must be true or false`)
      return String(value)
    case 'int64':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid(`${at} must be an integer`)
      return String(value)
    case 'double':
    case 'float':
      if (typeof value !== 'number') invalid(`${at} must be a number`)
      return protoDouble(value as number)
    case 'enum':
      if (typeof value !== 'string' || !Object.hasOwn(field.values!, value)) invalid(`${at} must be one of ${Object.keys(field.values!).join(', ')}`)
      return value as string
    default:
      return invalid(`${at} must be an object`)
  }
}

function asArray(value: unknown, field: FieldDescriptor, where: string): unknown[] {
  if (!Array.isArray(value)) invalid(`${where}.${field.json} must be an array`)
  return value as unknown[]
}

/** Throws on keys a message does not have: a typo in a hand-built schema should not vanish silently. */
export function checkKeys(descriptor: MessageDescriptor, message: Record<string, unknown>, where: string): void {
  for (const key of Object.keys(message)) {
    if (!descriptor.byJson.has(key) && message[key] !== undefined) {
      invalid(`${where} has the unknown field "${key}" (${shortName(descriptor)} has ${descriptor.fields.map((f) => f.json).join(', ') || 'no fields'})`)
    }
  }
}

function invalid(message: string): never {
  throw new SchemaError('SLUICE_SCHEMA_INVALID', `Schema object: ${message}.`)
}
