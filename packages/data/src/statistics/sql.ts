// Small helpers to build DuckDB SQL text safely.

/** A quoted identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** A string literal. */
export function str(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** A DOUBLE literal that round-trips exactly (also for ±Infinity and NaN). */
export function dbl(value: number): string {
  const text = Number.isNaN(value) ? 'nan' : value === Number.POSITIVE_INFINITY ? 'inf' : value === Number.NEGATIVE_INFINITY ? '-inf' : String(value)
  return `'${text}'::DOUBLE`
}

/**
 * A fraction literal: k/n written as an exact decimal when it has one (so DuckDB's quantile_disc
 * applies its exact rank arithmetic), else as a DOUBLE.
 */
export function fraction(k: number, n: number): string {
  let m = n
  while (m % 2 === 0) m /= 2
  while (m % 5 === 0) m /= 5
  const text = String(k / n)
  // k/n terminates in decimal exactly when n has no prime factors but 2 and 5; its shortest
  // round-trip text is then that exact decimal (e.g. 7/10 -> "0.7").
  return m === 1 && /^\d+(\.\d+)?$/.test(text) ? text : dbl(k / n)
}

/** `read_parquet([...])` over the given files. */
export function readParquet(files: readonly string[]): string {
  return `read_parquet([${files.map(str).join(', ')}])`
}
