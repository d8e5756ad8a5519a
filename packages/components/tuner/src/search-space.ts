// The search space of a tuning run: KerasTuner's Int, Float, Choice, Fixed and Boolean as plain,
// branded values. Constructors never throw: the executor validates the whole space so that every
// error can name the module file and the key, which a constructor does not know.

/** What a hyperparameter takes: TFX writes the chosen values as JSON, so only JSON scalars. */
export type HyperParameterValue = number | string | boolean

/** @internal Brand of hyperparameter definitions; `Symbol.for` so that every copy of this package agrees. */
export const hyperParameterBrand: unique symbol = Symbol.for('@sluice/component-tuner:hyperparameter') as never

interface Branded {
  /** @internal */
  readonly [hyperParameterBrand]: true
}

/** An integer in `[min, max]` (both included), as KerasTuner's `hp.Int`. */
export interface IntHyperParameter extends Branded {
  readonly type: 'int'
  readonly min: number
  readonly max: number
  /** Distance between values; with `log`, the factor between them (KerasTuner's semantics). */
  readonly step: number | undefined
  /** Sample uniformly in log space (KerasTuner's `sampling="log"`). */
  readonly log: boolean
}

/** A float in `[min, max]`, as KerasTuner's `hp.Float`. */
export interface FloatHyperParameter extends Branded {
  readonly type: 'float'
  readonly min: number
  readonly max: number
  /** Distance between values; with `log`, the factor between them. */
  readonly step: number | undefined
  readonly log: boolean
}

/** One of a list of values, as KerasTuner's `hp.Choice`. */
export interface ChoiceHyperParameter<T extends HyperParameterValue = HyperParameterValue> extends Branded {
  readonly type: 'choice'
  readonly values: readonly T[]
}

/** A value that is not tuned but is still passed to the trial and written to the best hyperparameters. */
export interface FixedHyperParameter<T extends HyperParameterValue = HyperParameterValue> extends Branded {
  readonly type: 'fixed'
  readonly value: T
}

/** `true` or `false`, as KerasTuner's `hp.Boolean`. */
export interface BooleanHyperParameter extends Branded {
  readonly type: 'boolean'
}

/** Any hyperparameter definition. */
export type HyperParameter = IntHyperParameter | FloatHyperParameter | ChoiceHyperParameter | FixedHyperParameter | BooleanHyperParameter

/** A search space: hyperparameter name to definition. */
export type SearchSpace = { readonly [name: string]: HyperParameter }

/** The value type a hyperparameter definition yields. */
export type ValueOfHyperParameter<H> =
  H extends ChoiceHyperParameter<infer T> ? T : H extends FixedHyperParameter<infer T> ? T : H extends BooleanHyperParameter ? boolean : number

/** The values a trial receives for a search space: `{ units: number, activation: 'relu' | 'tanh' }`. */
export type HyperParameterValues<S extends SearchSpace> = { -readonly [K in keyof S]: ValueOfHyperParameter<S[K]> }

/** Options of {@link hp.int}. */
export interface IntOptions {
  /** Distance between values (default 1); with `log`, the factor between them (`step: 2` gives 2, 4, 8…). */
  step?: number
  /** Sample uniformly in log space; needs `min > 0`. */
  log?: boolean
}

/** Options of {@link hp.float}. */
export interface FloatOptions {
  /** Restrict to `min + k * step`; with `log`, to `min * step^k`. */
  step?: number
  /** Sample uniformly in log space (learning rates); needs `min > 0`. */
  log?: boolean
}

const brand = { [hyperParameterBrand]: true } as const

/**
 * Search-space helpers with KerasTuner's semantics: both bounds are included, `log` samples uniformly
 * in log space, and with `log` a `step` is a factor.
 *
 * @example
 * const searchSpace = defineSearchSpace({
 *   units: hp.int(8, 64, { step: 2, log: true }),      // 8, 16, 32, 64
 *   learningRate: hp.float(1e-4, 1e-1, { log: true }),
 *   activation: hp.choice(['relu', 'tanh']),
 *   epochs: hp.fixed(5),
 * })
 */
export const hp = {
  /** An integer in `[min, max]`. */
  int(min: number, max: number, options: IntOptions = {}): IntHyperParameter {
    return Object.freeze({ ...brand, type: 'int', min, max, step: options.step, log: options.log ?? false })
  },
  /** A float in `[min, max]`. */
  float(min: number, max: number, options: FloatOptions = {}): FloatHyperParameter {
    return Object.freeze({ ...brand, type: 'float', min, max, step: options.step, log: options.log ?? false })
  },
  /** One of `values`, each equally likely. */
  choice<const T extends HyperParameterValue>(values: readonly T[]): ChoiceHyperParameter<T> {
    return Object.freeze({ ...brand, type: 'choice', values: Object.freeze([...(Array.isArray(values) ? values : [])]) })
  },
  /** Always `value`. */
  fixed<const T extends HyperParameterValue>(value: T): FixedHyperParameter<T> {
    return Object.freeze({ ...brand, type: 'fixed', value })
  },
  /** `true` or `false`, each equally likely. */
  boolean(): BooleanHyperParameter {
    return Object.freeze({ ...brand, type: 'boolean' })
  },
}

/**
 * Returns the search space unchanged, typed so that the values a trial receives are inferred from it.
 *
 * @example
 * const space = defineSearchSpace({ units: hp.int(8, 64), activation: hp.choice(['relu', 'tanh']) })
 * type Values = HyperParameterValues<typeof space>  // { units: number; activation: 'relu' | 'tanh' }
 */
export function defineSearchSpace<const S extends SearchSpace>(space: S): S {
  return space
}

/** Whether `value` was made by one of the {@link hp} helpers (of any copy of this package). */
export function isHyperParameter(value: unknown): value is HyperParameter {
  return typeof value === 'object' && value !== null && (value as Partial<Branded>)[hyperParameterBrand] === true
}

/**
 * What is wrong with one search-space entry, or undefined when it is valid. The caller adds the
 * module file and the key.
 */
export function hyperParameterProblem(value: unknown): string | undefined {
  if (!isHyperParameter(value)) return `it is ${describe(value)}, not a hyperparameter made with hp.int, hp.float, hp.choice, hp.fixed or hp.boolean`
  switch (value.type) {
    case 'int':
    case 'float': {
      const { min, max, step, log } = value
      const name = `hp.${value.type}(${min}, ${max}${step === undefined && !log ? '' : `, { ${[step === undefined ? '' : `step: ${step}`, log ? 'log: true' : ''].filter(Boolean).join(', ')} }`})`
      if (typeof min !== 'number' || !Number.isFinite(min) || typeof max !== 'number' || !Number.isFinite(max)) return `${name}: min and max must be finite numbers`
      if (value.type === 'int' && (!Number.isInteger(min) || !Number.isInteger(max))) return `${name}: min and max must be integers`
      if (min > max) return `${name}: min is greater than max`
      if (log && min <= 0) return `${name}: log sampling needs min > 0`
      if (step !== undefined) {
        if (typeof step !== 'number' || !Number.isFinite(step) || step <= 0) return `${name}: step must be a positive number`
        if (value.type === 'int' && !Number.isInteger(step)) return `${name}: step must be an integer`
        if (log && step <= 1) return `${name}: with log sampling, step is a factor and must be greater than 1`
      }
      return undefined
    }
    case 'choice': {
      if (value.values.length === 0) return 'hp.choice([]) has no values'
      const bad = value.values.findIndex((v) => !isScalar(v))
      if (bad >= 0) return `hp.choice: value ${bad} is ${describe(value.values[bad])}; values must be finite numbers, strings or booleans`
      return undefined
    }
    case 'fixed':
      return isScalar(value.value) ? undefined : `hp.fixed: the value is ${describe(value.value)}; it must be a finite number, a string or a boolean`
    case 'boolean':
      return undefined
    default:
      return `it has the unknown hyperparameter type ${JSON.stringify((value as { type?: unknown }).type)}`
  }
}

/**
 * The value of `parameter` at cumulative probability `u` in `[0, 1)`, as KerasTuner's `prob_to_value`:
 * uniform over the range (or over the steps), in log space with `log`.
 */
export function valueAt(parameter: HyperParameter, u: number): HyperParameterValue {
  switch (parameter.type) {
    case 'choice':
      return parameter.values[indexAt(u, parameter.values.length)]!
    case 'fixed':
      return parameter.value
    case 'boolean':
      return u >= 0.5
    case 'int':
    case 'float': {
      const { min, max, step, log } = parameter
      const isInt = parameter.type === 'int'
      if (step !== undefined) {
        // The +1 includes max when the range is a whole number of steps; the epsilon absorbs
        // floating-point error in the division (0.3 / 0.1 = 2.9999999999999996).
        const count = log ? Math.floor(Math.log(max / min) / Math.log(step) + 1e-9) + 1 : Math.floor((max - min) / step + 1e-9) + 1
        const index = indexAt(u, count)
        const raw = log ? min * step ** index : min + index * step
        return isInt ? Math.round(raw) : tidy(raw)
      }
      if (isInt) {
        // max + 1 so that max itself can be drawn, as KerasTuner; the min() guards rounding at u → 1.
        const raw = log ? min * ((max + 1) / min) ** u : min + u * (max + 1 - min)
        return Math.min(max, Math.max(min, Math.floor(raw)))
      }
      const raw = log ? min * (max / min) ** u : min + u * (max - min)
      return Math.min(max, Math.max(min, raw))
    }
  }
}

/** Draws one value for every key of the space, in key order, from `random` (uniform in `[0, 1)`). */
export function sampleValues(space: SearchSpace, random: () => number): Record<string, HyperParameterValue> {
  const values: Record<string, HyperParameterValue> = {}
  for (const [name, parameter] of Object.entries(space)) values[name] = valueAt(parameter, random())
  return values
}

function indexAt(u: number, count: number): number {
  return Math.min(count - 1, Math.floor(u * count))
}

// Step arithmetic gives 0.30000000000000004; 15 significant digits keep the value the user meant.
function tidy(x: number): number {
  return Number(x.toPrecision(15))
}

function isScalar(v: unknown): v is HyperParameterValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
}

/** @internal A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${value}`
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'function') return 'a function'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
