// The search coordinator: decides which trials run with which values and budgets (random search or
// Hyperband), judges each result, applies the early-stopping rule to intermediate reports, and picks
// the best trial. It always runs on the executor's thread; only trials go to workers.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Logger } from '@sluice/core'
import { stableStringify } from '@sluice/core'
import { hyperbandSchedule } from './hyperband.js'
import { seededRandom, trialSeed } from './random.js'
import type { HyperParameterValue, SearchSpace } from './search-space.js'
import { sampleValues } from './search-space.js'
import type { TrialRequest, TrialRunner } from './trial-runner.js'
import type { ResolvedTunerConfig } from './tuner-fn.js'
import { readTrialReturn } from './tuner-fn.js'

/** How a trial ended. */
export type TrialStatus = 'COMPLETED' | 'STOPPED_EARLY' | 'FAILED'

/** One intermediate objective value a trial reported. */
export interface IntermediateValue {
  readonly step: number
  readonly value: number
}

/** One trial as recorded in `tuner_results.json`. */
export interface TrialRecord {
  readonly trialId: string
  readonly values: Record<string, HyperParameterValue>
  readonly status: TrialStatus
  /** The objective; null for a failed trial. */
  readonly score: number | null
  /** The epochs it was given (`context.budget`); null when random search has no `maxEpochs`. */
  readonly budget: number | null
  /** Hyperband: where it started (the previous round's epochs), its bracket and round, the trial it continued. */
  readonly initialEpoch?: number
  readonly bracket?: number
  readonly round?: number
  readonly resumedFrom?: string
  readonly metrics?: Record<string, number>
  /** What went wrong, for a failed trial. */
  readonly error?: string
  /** What it reported through `context.report`. */
  readonly intermediateValues?: readonly IntermediateValue[]
  readonly durationMs: number
}

/** What {@link runSearch} needs. */
export interface SearchOptions {
  readonly searchSpace: SearchSpace
  readonly config: ResolvedTunerConfig
  /** Random values are reproducible given this seed. */
  readonly seed: number
  readonly runner: TrialRunner
  /** Named in messages about bad trial results. */
  readonly moduleFile: string
  /** Trial scratch directories go under it. */
  readonly workDirectory: string
  readonly signal: AbortSignal
  readonly logger: Logger
  /** Called after each trial with trials done and the planned total. */
  readonly onTrialEnd?: (done: number, planned: number, record: TrialRecord) => void
}

/** What {@link runSearch} returns. */
export interface SearchOutcome {
  /** Every trial, in trial id order. */
  readonly trials: TrialRecord[]
  /** The best completed trial (or, if none completed, the best stopped one); undefined when all failed. */
  readonly best: TrialRecord | undefined
}

// KerasTuner gives up drawing new random values after this many draws in a row that were tried before.
const MAX_COLLISIONS = 20

/**
 * Runs the search: random search draws `maxTrials` distinct points up front (so the set of values
 * depends only on the seed, not on how trials interleave in workers); Hyperband runs KerasTuner's
 * brackets, each round waiting for the previous one and promoting its best completed trials.
 */
export async function runSearch(options: SearchOptions): Promise<SearchOutcome> {
  const search = new Search(options)
  if (options.config.algorithm === 'random') await search.random()
  else await search.hyperband()
  const trials = [...search.records.values()].sort((a, b) => Number(a.trialId) - Number(b.trialId))
  return { trials, best: bestTrial(trials, options.config.direction) }
}

/**
 * The best trial for `direction`: among completed trials, or among stopped ones when none
 * completed; ties go to the earlier trial.
 */
export function bestTrial(trials: readonly TrialRecord[], direction: 'max' | 'min'): TrialRecord | undefined {
  const completed = trials.filter((t) => t.status === 'COMPLETED')
  const pool = completed.length > 0 ? completed : trials.filter((t) => t.status === 'STOPPED_EARLY')
  let best: TrialRecord | undefined
  for (const t of pool) if (best === undefined || isBetter(t.score!, best.score!, direction)) best = t
  return best
}

function isBetter(a: number, b: number, direction: 'max' | 'min'): boolean {
  return direction === 'max' ? a > b : a < b
}

/**
 * The median stopping rule (Optuna's MedianPruner, Vizier's median stopping): at `step ≥ minSteps`,
 * stop when the trial's best value so far is worse than the median of the completed trials' values
 * at that step (each one's latest report at or before it), once `minTrials` of them have one.
 */
export function violatesMedianRule(
  history: readonly IntermediateValue[],
  completed: readonly (readonly IntermediateValue[])[],
  step: number,
  direction: 'max' | 'min',
  rule: { readonly minSteps: number; readonly minTrials: number },
): boolean {
  if (step < rule.minSteps || history.length === 0) return false
  const references: number[] = []
  for (const other of completed) {
    let latest: IntermediateValue | undefined
    for (const point of other) if (point.step <= step && (latest === undefined || point.step >= latest.step)) latest = point
    if (latest !== undefined) references.push(latest.value)
  }
  if (references.length < rule.minTrials) return false
  references.sort((a, b) => a - b)
  const mid = references.length >> 1
  const median = references.length % 2 === 1 ? references[mid]! : (references[mid - 1]! + references[mid]!) / 2
  let best = history[0]!.value
  for (const point of history) if (isBetter(point.value, best, direction)) best = point.value
  return isBetter(median, best, direction)
}

class Search {
  readonly records = new Map<string, TrialRecord>()
  private readonly options: SearchOptions
  private readonly draw: () => number
  private readonly tried = new Set<string>()
  private readonly completedHistories: IntermediateValue[][] = []
  private readonly states = new Map<string, unknown>()
  private nextId = 0
  private planned = 0

  constructor(options: SearchOptions) {
    this.options = options
    this.draw = seededRandom(options.seed)
  }

  async random(): Promise<void> {
    const { maxTrials, maxEpochs } = this.options.config
    const requests: TrialRequest[] = []
    for (let i = 0; i < (maxTrials ?? 10); i++) {
      const values = this.drawValues()
      if (values === undefined) {
        this.options.logger.info(`Random search: the search space has no untried point left after ${requests.length} trial(s); stopping early.`)
        break
      }
      requests.push(this.request(values, { budget: maxEpochs, initialEpoch: 0 }))
    }
    this.planned = requests.length
    await this.runBatch(requests)
  }

  async hyperband(): Promise<void> {
    const { maxEpochs, factor, hyperbandIterations, maxTrials } = this.options.config
    const schedule = hyperbandSchedule(maxEpochs!, factor)
    const perIteration = schedule.reduce((n, b) => n + b.rounds.reduce((m, r) => m + r.size, 0), 0)
    this.planned = Math.min(perIteration * hyperbandIterations, maxTrials ?? Number.POSITIVE_INFINITY)
    this.options.logger.info(
      `Hyperband: ${schedule.length} bracket(s) × ${hyperbandIterations} iteration(s), up to ${this.planned} trial(s); ` +
        schedule.map((b) => `bracket ${b.bracket}: ${b.rounds.map((r) => `${r.size}×${r.epochs}`).join(' → ')}`).join('; '),
    )
    const remaining = () => (maxTrials ?? Number.POSITIVE_INFINITY) - this.nextId
    for (let iteration = 0; iteration < hyperbandIterations; iteration++) {
      for (const { bracket, rounds } of schedule) {
        let previous: TrialRecord[] = []
        for (const round of rounds) {
          const count = Math.min(round.size, remaining())
          const requests: TrialRequest[] = []
          const shape = { budget: round.epochs, initialEpoch: round.initialEpoch, bracket, round: round.round }
          if (round.round === 0) {
            for (let i = 0; i < count; i++) {
              const values = this.drawValues()
              if (values === undefined) break
              requests.push(this.request(values, shape))
            }
          } else {
            const promoted = previous
              .filter((t) => t.status === 'COMPLETED')
              .sort((a, b) => (a.score === b.score ? Number(a.trialId) - Number(b.trialId) : isBetter(a.score!, b.score!, this.options.config.direction) ? -1 : 1))
              .slice(0, count)
            for (const parent of promoted) {
              requests.push(this.request(parent.values, { ...shape, resumeFrom: { trialId: parent.trialId, trialDir: this.trialDir(parent.trialId), state: this.states.get(parent.trialId) } }))
            }
          }
          // States are only handed to the next round: drop the previous round's to free memory.
          for (const t of previous) this.states.delete(t.trialId)
          if (requests.length === 0) break
          previous = await this.runBatch(requests)
        }
        for (const t of previous) this.states.delete(t.trialId)
        if (remaining() <= 0) return
      }
    }
  }

  /** New random values not tried before, or undefined after {@link MAX_COLLISIONS} repeats in a row. */
  private drawValues(): Record<string, HyperParameterValue> | undefined {
    for (let attempt = 0; attempt < MAX_COLLISIONS; attempt++) {
      const values = sampleValues(this.options.searchSpace, this.draw)
      const key = stableStringify(values)
      if (!this.tried.has(key)) {
        this.tried.add(key)
        return values
      }
    }
    return undefined
  }

  private request(
    values: Record<string, HyperParameterValue>,
    shape: { budget: number | undefined; initialEpoch: number; bracket?: number; round?: number; resumeFrom?: TrialRequest['resumeFrom'] },
  ): TrialRequest {
    const trialId = String(this.nextId++).padStart(4, '0')
    return {
      trialId,
      values,
      budget: shape.budget,
      initialEpoch: shape.initialEpoch,
      seed: trialSeed(this.options.seed, trialId),
      trialDir: this.trialDir(trialId),
      bracket: shape.bracket,
      round: shape.round,
      resumeFrom: shape.resumeFrom,
    }
  }

  private trialDir(trialId: string): string {
    return path.join(this.options.workDirectory, 'trials', trialId)
  }

  /** Runs `requests` at most `runner.concurrency` at a time; returns their records in request order. */
  private async runBatch(requests: readonly TrialRequest[]): Promise<TrialRecord[]> {
    const results: TrialRecord[] = new Array(requests.length)
    let next = 0
    const lane = async () => {
      while (next < requests.length && !this.options.signal.aborted) {
        const i = next++
        results[i] = await this.runTrial(requests[i]!)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.options.runner.concurrency, requests.length) }, lane))
    this.options.signal.throwIfAborted()
    return results
  }

  private async runTrial(request: TrialRequest): Promise<TrialRecord> {
    const { config, logger, moduleFile } = this.options
    const history: IntermediateValue[] = []
    let stoppedEarly = false
    const report = (step: number, value: number): boolean => {
      history.push({ step, value })
      if (stoppedEarly) return true
      if (config.earlyStopping && violatesMedianRule(history, this.completedHistories, step, config.direction, config.earlyStopping)) {
        stoppedEarly = true
        logger.info(`Trial ${request.trialId}: stopped early at step ${step} (objective ${value} is worse than the median of completed trials).`)
        return true
      }
      return request.budget !== undefined && step >= request.budget
    }
    await mkdir(request.trialDir, { recursive: true })
    const started = performance.now()
    const outcome = await this.options.runner.run(request, report)
    const durationMs = Math.round(performance.now() - started)
    const base = {
      trialId: request.trialId,
      values: request.values,
      budget: request.budget ?? null,
      ...(request.bracket === undefined ? {} : { initialEpoch: request.initialEpoch, bracket: request.bracket, round: request.round! }),
      ...(request.resumeFrom ? { resumedFrom: request.resumeFrom.trialId } : {}),
      ...(history.length > 0 ? { intermediateValues: history } : {}),
      durationMs,
    }
    let record: TrialRecord
    if (!outcome.ok) {
      record = { ...base, status: 'FAILED', score: null, error: `${outcome.error.name}: ${outcome.error.message}` }
    } else {
      const reading = readTrialReturn(outcome.value, config.objective)
      if (!reading.ok) {
        record = { ...base, status: 'FAILED', score: null, error: `The trial of tunerFn in ${moduleFile} ${reading.problem}.` }
      } else {
        record = { ...base, status: stoppedEarly ? 'STOPPED_EARLY' : 'COMPLETED', score: reading.score, ...(reading.metrics ? { metrics: reading.metrics } : {}) }
        if (reading.state !== undefined) this.states.set(request.trialId, reading.state)
        if (!stoppedEarly) this.completedHistories.push(history)
      }
    }
    this.records.set(record.trialId, record)
    const values = Object.entries(request.values).map(([k, v]) => `${k}=${v}`).join(', ')
    const budget = request.budget === undefined ? '' : ` [budget ${request.budget}${request.resumeFrom ? `, continues ${request.resumeFrom.trialId}` : ''}]`
    if (record.status === 'FAILED') logger.warn(`Trial ${record.trialId} FAILED (${values})${budget}: ${record.error}`)
    else logger.info(`Trial ${record.trialId} ${record.status}: ${config.objective} = ${record.score} (${values})${budget} in ${durationMs} ms.`)
    this.options.onTrialEnd?.(this.records.size, Math.max(this.planned, this.records.size), record)
    return record
  }
}
