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

/** A full-pass analyzer over an expression of the raw inputs. */
export type AnalyzerDef =
  | { readonly kind: ScalarAnalyzerKind; readonly input: Expr }
  | { readonly kind: 'quantiles'; readonly input: Expr; readonly numBuckets: number }
  | { readonly kind: 'vocabulary'; readonly input: Expr; readonly topK: number | null; readonly frequencyThreshold: number }

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
    default:
      return [e.x]
  }
}

/** The analyzers a node refers to directly (not those nested in their inputs). */
export function analyzersOf(e: Expr): AnalyzerDef[] {
  const out: AnalyzerDef[] = []
  const visit = (n: Expr): void => {
    if (n.op === 'analyzer') out.push(n.analyzer)
    else if (n.op === 'applyVocabulary' && !isLiteralList(n.vocabulary)) out.push(n.vocabulary)
    else if (n.op === 'applyBuckets' && !isLiteralList(n.boundaries)) out.push(n.boundaries)
    for (const c of childrenOf(n)) visit(c)
  }
  visit(e)
  return out
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
    for (const a of analyzersOfNode(n)) visit(a.input)
  }
  visit(e)
  return names
}

function analyzersOfNode(n: Expr): AnalyzerDef[] {
  if (n.op === 'analyzer') return [n.analyzer]
  if (n.op === 'applyVocabulary' && !isLiteralList(n.vocabulary)) return [n.vocabulary]
  if (n.op === 'applyBuckets' && !isLiteralList(n.boundaries)) return [n.boundaries]
  return []
}

/** A canonical key of an analyzer: equal definitions share one computation. */
export function analyzerKey(a: AnalyzerDef): string {
  return JSON.stringify(a)
}
