// The expression graph a preprocessing function builds. Nodes are plain JSON objects, so a graph
// (and, with analyzer results in place of analyzer definitions, a fitted transform) serialises as is.
// `A` is how a node refers to an analyzer: its definition while tracing, its id once fitted.

/** A value of one feature of one row. `null` is a missing value. */
export type Value = number | string | boolean | null

/** Binary operators on columns. Arithmetic and comparisons follow SQL: a missing operand gives a missing result. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'and' | 'or'

/** Target types of `cast`: `float` (double), `int` (truncated toward zero), `string`, `bool`. */
export type CastType = 'float' | 'int' | 'string' | 'bool'

/** Scalar analyzers: one number over the whole analysed split. */
export type ScalarAnalyzerKind = 'mean' | 'var' | 'min' | 'max' | 'sum' | 'size'

/** The statistics a per-key analyzer computes for every key: TFT's `_mean_and_var_per_key`, `_min_and_max_per_key`, `count_per_key`. */
export type PerKeyStatistic = 'mean' | 'var' | 'min' | 'max' | 'count'

/** A full-pass analyzer over an expression of the raw inputs. */
export type AnalyzerDef =
  | { readonly kind: ScalarAnalyzerKind; readonly input: Expr }
  | { readonly kind: 'quantiles'; readonly input: Expr; readonly numBuckets: number }
  | { readonly kind: 'vocabulary'; readonly input: Expr; readonly topK: number | null; readonly frequencyThreshold: number }
  /** Mean, population variance, min, max and count of `input` for every value of `key`: one GROUP BY. */
  | { readonly kind: 'perKey'; readonly input: Expr; readonly key: Expr }
  /** `numBuckets - 1` quantile boundaries of `input` for every value of `key`. */
  | { readonly kind: 'quantilesPerKey'; readonly input: Expr; readonly key: Expr; readonly numBuckets: number }

/** Kinds of analyzer that group by a key. */
export type PerKeyAnalyzerKind = 'perKey' | 'quantilesPerKey'

/** Unary numeric functions. */
export type UnaryFn = 'sqrt' | 'sigmoid'

/** An analyzer reference of a fitted transform: the id of its value in {@link FittedAnalyzers}. */
export interface AnalyzerRef {
  readonly id: string
}

/** One node of a preprocessing graph. */
export type Expr<A = AnalyzerDef> =
  | { readonly op: 'input'; readonly name: string }
  | { readonly op: 'const'; readonly value: Value }
  | { readonly op: 'binary'; readonly fn: BinaryOp; readonly a: Expr<A>; readonly b: Expr<A> }
  | { readonly op: 'not'; readonly x: Expr<A> }
  | { readonly op: 'sqrt'; readonly x: Expr<A> }
  /** `1 / (1 + e^-x)`: what TFT's min-max scalers fall back to when min == max. */
  | { readonly op: 'sigmoid'; readonly x: Expr<A> }
  /** Whether `x` is missing: null, or NaN (what `fillMissing` replaces). Never missing itself. */
  | { readonly op: 'isMissing'; readonly x: Expr<A> }
  | { readonly op: 'cast'; readonly x: Expr<A>; readonly to: CastType }
  | { readonly op: 'fillMissing'; readonly x: Expr<A>; readonly value: Value }
  | { readonly op: 'where'; readonly cond: Expr<A>; readonly then: Expr<A>; readonly else: Expr<A> }
  /** The value of a scalar analyzer. */
  | { readonly op: 'analyzer'; readonly analyzer: A }
  | {
      readonly op: 'applyVocabulary'
      readonly x: Expr<A>
      /** A vocabulary analyzer, or a literal vocabulary. */
      readonly vocabulary: A | readonly string[]
      readonly numOovBuckets: number
      readonly defaultValue: number
    }
  /** Boundaries: a quantiles analyzer, or literal sorted boundaries. */
  | { readonly op: 'applyBuckets'; readonly x: Expr<A>; readonly boundaries: A | readonly number[] }
  | { readonly op: 'hashStrings'; readonly x: Expr<A>; readonly hashBuckets: number }
  /**
   * The `statistic` a per-key analyzer computed for the row's key; 0 for a key value the analysis
   * did not see, as TFT's per-key lookups; missing for a missing key.
   */
  | { readonly op: 'perKey'; readonly analyzer: A; readonly key: Expr<A>; readonly statistic: PerKeyStatistic }
  /** The bucket of `x` among the boundaries of the row's key; -1 for an unseen key value, as TFT's `bucketize_per_key`; missing for a missing key. */
  | { readonly op: 'applyBucketsPerKey'; readonly x: Expr<A>; readonly key: Expr<A>; readonly boundaries: A }

/** A traced preprocessing function: the raw inputs it reads and its named outputs. */
export interface TransformGraph {
  readonly inputs: readonly string[]
  readonly outputs: Readonly<Record<string, Expr>>
}

/** Children of a node, analyzer inputs excluded. */
export function childrenOf<A>(e: Expr<A>): Expr<A>[] {
  switch (e.op) {
    case 'input':
    case 'const':
    case 'analyzer':
      return []
    case 'binary':
      return [e.a, e.b]
    case 'where':
      return [e.cond, e.then, e.else]
    case 'perKey':
      return [e.key]
    case 'applyBucketsPerKey':
      return [e.x, e.key]
    default:
      return [e.x]
  }
}

/** The analyzers a node refers to directly (not those nested in their inputs). */
export function analyzersOf(e: Expr): AnalyzerDef[] {
  const out: AnalyzerDef[] = []
  const visit = (n: Expr): void => {
    out.push(...analyzersOfNode(n))
    for (const c of childrenOf(n)) visit(c)
  }
  visit(e)
  return out
}

/** The expressions an analyzer reads: its input and, per key, its key. */
export function analyzerInputs(a: AnalyzerDef): Expr[] {
  return a.kind === 'perKey' || a.kind === 'quantilesPerKey' ? [a.input, a.key] : [a.input]
}

/** Whether a vocabulary or boundaries field is a literal list rather than an analyzer. */
export function isLiteralList<A, T>(v: A | readonly T[]): v is readonly T[] {
  return Array.isArray(v)
}

/** The raw input names a node reads (analyzer inputs included). */
export function inputsOf(e: Expr): Set<string> {
  const names = new Set<string>()
  const visit = (n: Expr): void => {
    if (n.op === 'input') names.add(n.name)
    for (const c of childrenOf(n)) visit(c)
    for (const a of analyzersOfNode(n)) for (const input of analyzerInputs(a)) visit(input)
  }
  visit(e)
  return names
}

/** The analyzers one node refers to itself (not through its children). */
export function analyzersOfNode<A>(n: Expr<A>): A[] {
  if (n.op === 'analyzer' || n.op === 'perKey') return [n.analyzer]
  if (n.op === 'applyBucketsPerKey') return [n.boundaries]
  if (n.op === 'applyVocabulary' && !isLiteralList(n.vocabulary)) return [n.vocabulary]
  if (n.op === 'applyBuckets' && !isLiteralList(n.boundaries)) return [n.boundaries]
  return []
}

/** A canonical key of an analyzer: equal definitions share one computation. */
export function analyzerKey(a: AnalyzerDef): string {
  return JSON.stringify(a)
}
