import type { ArtifactRecord } from './artifact.js'
import { PipelineError } from './errors.js'
import type { JsonValue } from './json.js'

/**
 * How a Resolver picks artifacts. The runner hands it every LIVE candidate of each channel, newest
 * (highest id) first; it returns the chosen artifacts per channel, or undefined to say the
 * downstream nodes cannot run yet (TFX skips them).
 */
export interface ResolverStrategy {
  readonly name: string
  /** Recorded on the execution and part of the cache key. */
  readonly config: JsonValue
  /** @throws PipelineError when the channels do not suit the strategy. */
  checkChannels(channels: Readonly<Record<string, string>>): void
  resolve(candidates: Readonly<Record<string, readonly ArtifactRecord[]>>): Record<string, ArtifactRecord[]> | undefined
}

/**
 * Keeps the newest `n` artifacts of every channel (TFX's LatestArtifactStrategy); nothing resolves
 * unless every channel has at least `n`.
 */
export function latestArtifacts(n = 1): ResolverStrategy {
  if (!Number.isInteger(n) || n < 1) throw new PipelineError(`latestArtifacts(${n}): the count must be a whole number of at least 1.`)
  return {
    name: 'latestArtifacts',
    config: { n },
    checkChannels() {},
    resolve(candidates) {
      const out: Record<string, ArtifactRecord[]> = {}
      for (const [key, list] of Object.entries(candidates)) {
        if (list.length < n) return undefined
        out[key] = [...list].sort((a, b) => b.id - a.id).slice(0, n)
      }
      return out
    },
  }
}

/**
 * The newest Model that has a ModelBlessing with `blessed == 1` for it, and that blessing (TFX's
 * LatestBlessedModelStrategy). With no blessed model both lists are empty: an Evaluator then runs
 * without a baseline.
 */
export function latestBlessedModel(): ResolverStrategy {
  return {
    name: 'latestBlessedModel',
    config: {},
    checkChannels(channels) {
      const entries = Object.entries(channels)
      const model = entries.find(([, type]) => type === 'Model')
      const blessing = entries.find(([, type]) => type === 'ModelBlessing')
      if (entries.length !== 2 || !model || !blessing) {
        throw new PipelineError(
          `latestBlessedModel() needs exactly two channels, one of type "Model" and one of type "ModelBlessing"; got ${entries.map(([k, t]) => `${k}: ${t}`).join(', ') || 'none'}.`,
        )
      }
    },
    // Stateless: one strategy value may serve several Resolvers with different keys. The keys are
    // told apart by the candidates' type names; with either list empty, nothing resolves anyway.
    resolve(candidates) {
      const keys = Object.keys(candidates)
      const none = Object.fromEntries(keys.map((k) => [k, [] as ArtifactRecord[]]))
      const modelKey = keys.find((k) => candidates[k]!.some((a) => a.typeName === 'Model'))
      const blessingKey = keys.find((k) => candidates[k]!.some((a) => a.typeName === 'ModelBlessing'))
      if (modelKey === undefined || blessingKey === undefined) return none
      const blessedByModel = new Map<number, ArtifactRecord>()
      for (const blessing of candidates[blessingKey] ?? []) {
        if (Number(blessing.customProperties.blessed) !== 1) continue
        const modelId = Number(blessing.customProperties.current_model_id)
        const seen = blessedByModel.get(modelId)
        if (!seen || seen.id < blessing.id) blessedByModel.set(modelId, blessing)
      }
      const model = [...(candidates[modelKey] ?? [])].sort((a, b) => b.id - a.id).find((m) => blessedByModel.has(m.id))
      if (!model) return none
      return { [modelKey]: [model], [blessingKey]: [blessedByModel.get(model.id)!] }
    },
  }
}
