// A small reader of protobuf text format without a descriptor, enough for TF Serving's model config
// file (`model_config_list { config { name: "taxi" … } }`). Every field becomes a list of its
// values (text format repeats a field to make a list), nested messages become objects of the same
// kind. Scalars stay as written: numbers as numbers, strings as strings, enum names and
// true/false as identifiers (strings).

/** A parsed text-format message: field name → every value given for it. */
export interface TextMessage {
  readonly [field: string]: readonly TextValue[]
}

/** One value of a field. */
export type TextValue = string | number | boolean | TextMessage

interface Token {
  readonly kind: 'ident' | 'number' | 'string' | 'punct'
  readonly text: string
  readonly value?: string | number
  readonly line: number
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' }

function tokenize(text: string, fileName: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  let i = 0
  const fail = (problem: string): never => {
    throw new SyntaxError(`${fileName}:${line}: ${problem}`)
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === '\n') {
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++
    } else if ('{}<>:[],;'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line })
      i++
    } else if (c === '"' || c === "'") {
      let value = ''
      let j = i + 1
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\n') fail('a string is not closed before the end of the line')
        if (text[j] === '\\') {
          const e = text[j + 1] ?? ''
          value += ESCAPES[e] ?? e
          j += 2
        } else value += text[j++]
      }
      if (j >= text.length) fail('a string is not closed')
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), value, line })
      i = j + 1
    } else {
      const rest = text.slice(i, i + 256)
      const number = /^-?(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?f?|inf(?:inity)?|nan)(?![\w.])/i.exec(rest)
      if (number) {
        const word = number[0]
        const unsigned = word.replace(/^-/, '').replace(/f$/i, '').toLowerCase()
        const magnitude = unsigned.startsWith('inf') ? Infinity : unsigned === 'nan' ? NaN : Number(unsigned)
        tokens.push({ kind: 'number', text: word, value: word.startsWith('-') ? -magnitude : magnitude, line })
        i += word.length
        continue
      }
      const ident = /^[A-Za-z_][\w.]*/.exec(rest) ?? fail(`unexpected character ${JSON.stringify(c)}`)
      tokens.push({ kind: 'ident', text: ident[0], line })
      i += ident[0].length
    }
  }
  return tokens
}

/**
 * Parses protobuf text format into {@link TextMessage}s. Throws a SyntaxError naming the file and
 * line on malformed input.
 *
 * @example
 * parseTextProto('config { name: "taxi" base_path: "/m/taxi" }').config[0] // { name: ['taxi'], base_path: ['/m/taxi'] }
 */
export function parseTextProto(text: string, fileName = 'config'): TextMessage {
  const tokens = tokenize(text, fileName)
  let pos = 0
  const peek = () => tokens[pos]
  const fail = (problem: string): never => {
    throw new SyntaxError(`${fileName}:${peek()?.line ?? tokens.at(-1)?.line ?? 1}: ${problem}`)
  }
  const message = (close: string | undefined): TextMessage => {
    const fields: Record<string, TextValue[]> = {}
    for (;;) {
      const token = peek()
      if (token === undefined) {
        if (close !== undefined) fail(`expected "${close}" before the end of the file`)
        return fields
      }
      if (token.kind === 'punct' && token.text === close) {
        pos++
        return fields
      }
      if (token.kind !== 'ident') fail(`expected a field name, found ${JSON.stringify(token.text)}`)
      pos++
      const name = token.text
      let colon = false
      if (peek()?.text === ':') {
        colon = true
        pos++
      }
      const values = (fields[name] ??= [])
      if (peek()?.text === '[') {
        pos++
        while (peek()?.text !== ']') {
          values.push(value(colon))
          if (peek()?.text === ',') pos++
          else if (peek()?.text !== ']') fail('expected "," or "]" in a list')
        }
        pos++
      } else values.push(value(colon))
      if (peek()?.text === ',' || peek()?.text === ';') pos++
    }
  }
  const value = (colon: boolean): TextValue => {
    const token = peek() ?? fail('expected a value before the end of the file')
    if (token.kind === 'punct' && (token.text === '{' || token.text === '<')) {
      pos++
      return message(token.text === '{' ? '}' : '>')
    }
    if (!colon) fail(`expected ":" or "{" after a field name, found ${JSON.stringify(token.text)}`)
    pos++
    if (token.kind === 'string') {
      // Adjacent strings concatenate, as in C.
      let s = token.value as string
      while (peek()?.kind === 'string') s += tokens[pos++]!.value as string
      return s
    }
    if (token.kind === 'number') return token.value as number
    if (token.kind === 'ident') return token.text === 'true' || token.text === 'True' ? true : token.text === 'false' || token.text === 'False' ? false : token.text
    return fail(`expected a value, found ${JSON.stringify(token.text)}`)
  }
  return message(undefined)
}
