// Number formats TFDV's messages use, so Sluice's anomaly descriptions read the same.

/** printf's `%.6g` (absl's SixDigits, and StrCat of a double): `0.2`, `1e-05`, `1.23457e+07`. */
export function sixDigits(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa, exponentText] = value.toExponential(5).split('e') as [string, string]
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 6) {
    const digits = stripZeros(mantissa)
    const sign = exponent < 0 ? '-' : '+'
    return `${digits}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  return stripZeros(value.toFixed(Math.max(0, 5 - exponent)))
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text
}

/** printf's `%f`: six decimals. */
export function fixedSix(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  return value.toFixed(6)
}

/** A double as protobuf text format prints it: `1.0`, `0.9999`, `1e+21`, `inf`, `nan`. */
export function protoDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${Object.is(value, -0) ? '-0' : String(value)}.0`
  return String(value)
}
