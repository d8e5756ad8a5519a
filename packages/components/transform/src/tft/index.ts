export { tft, traceTransform, Column, Vocabulary, Boundaries } from './tft.js'
export type { Tft, Operand, VocabularyOptions, ApplyVocabularyOptions, TransformInputs, PreprocessingFn, CustomConfig, TraceOptions } from './tft.js'
export type { Expr, AnalyzerDef, AnalyzerRef, BinaryOp, CastType, PerKeyStatistic, ScalarAnalyzerKind, TransformGraph, Value } from './expr.js'
export { fnv1a32, hashBucket } from './hash.js'
