/**
 * Cross-copy identity for Sluice definitions. Two copies of `@sluice/core` (a plugin that bundled
 * its own, a second install) must still recognise each other's values, so we brand them with a
 * `Symbol.for` key instead of relying on `instanceof`.
 */
export const kind: unique symbol = Symbol.for('@sluice/core:kind') as never

/** The kinds of value that carry the {@link kind} brand. */
export type Kind = 'ArtifactType' | 'InputModifier' | 'Channel' | 'Component' | 'Node' | 'Pipeline' | 'Plugin' | 'SluiceError'

/** Whether `value` carries the brand of the given kind. */
export function hasKind(value: unknown, k: Kind): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && (value as { [kind]?: unknown })[kind] === k
}
