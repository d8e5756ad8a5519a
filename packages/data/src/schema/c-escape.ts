// C-style string escaping as protobuf text format and absl's CEscape use it.

const SIMPLE: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', "'": "\\'", '\\': '\\\\' }

/**
 * Escapes a string for a double-quoted text-format literal: quotes, backslashes and control
 * characters are escaped; other characters (including non-ASCII) are kept as they are, which every
 * protobuf text parser reads as UTF-8.
 */
export function cEscape(text: string): string {
  let out = ''
  for (const ch of text) {
    const simple = SIMPLE[ch]
    if (simple !== undefined) out += simple
    else {
      const code = ch.codePointAt(0)!
      out += code < 0x20 || code === 0x7f ? `\\${code.toString(8).padStart(3, '0')}` : ch
    }
  }
  return out
}
