import type { Artifact } from '@sluice/core'

/**
 * Why a blessing input stops a push, or undefined when it allows it (or is not given). Blessed means
 * the custom property `blessed` is 1, as TFX reads it; the marker files are for people and scripts.
 *
 * @param notBlessedMarker the file the producer writes when it does not bless (`NOT_BLESSED`, `INFRA_NOT_BLESSED`)
 */
export function blessingVeto(input: string, blessing: Artifact | undefined, notBlessedMarker: string): string | undefined {
  if (!blessing) return undefined
  const value = blessing.customProperties.blessed
  if (value === 1 || value === '1') return undefined
  const which = blessing.id === undefined ? `input "${input}"` : `input "${input}" (artifact #${blessing.id})`
  // An absent property reads as 0, as in TFX, whose Evaluator leaves it unset without thresholds
  // (issue #5148); Sluice's Evaluator always sets it and says why in `reason`, which is passed on.
  if (value === undefined) return `${which} has no "blessed" property, which counts as not blessed (TFX's Evaluator leaves it unset when no thresholds are configured).`
  const reason = typeof blessing.customProperties.reason === 'string' ? `: ${blessing.customProperties.reason}` : ''
  return `${which} is not blessed (blessed=${JSON.stringify(value)}; see ${notBlessedMarker} in ${blessing.uri})${reason}.`
}
