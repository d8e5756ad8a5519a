// A small npm semver range check, enough for plugin `coreVersion` and peerDependencies ranges:
// `^1.2.3`, `~1.2.3`, `>=1.2.0 <2`, `>1`, `<=1.4`, `1.2.3`, `=1.2.3`, `1.x`, `1.2.*`, `*`,
// `1.2.3 - 2.0.0`, and alternatives joined by `||`. Prerelease versions satisfy a range only when
// one of its comparators names the same major.minor.patch with a prerelease, as in npm.

interface Version {
  readonly major: number
  readonly minor: number
  readonly patch: number
  readonly prerelease: readonly (string | number)[]
}

type Operator = '<' | '<=' | '>' | '>=' | '='

interface Comparator {
  readonly operator: Operator
  readonly version: Version
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/
const PARTIAL = /^(<=|>=|<|>|=|\^|~>?)?v?(\*|x|X|\d+)(?:\.(\*|x|X|\d+))?(?:\.(\*|x|X|\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/

/** Parses `1.2.3`, `v1.2.3-beta.1` or `1.2.3+build`; undefined for anything else. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim())
  if (!m) return undefined
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: prereleaseOf(m[4]) }
}

/** Negative when `a` is lower than `b`, 0 when equal, positive when higher (build metadata ignored). */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch
  if (core !== 0) return core
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i]
    const y = b.prerelease[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    if (typeof x === 'number') return -1
    if (typeof y === 'number') return 1
    return x < y ? -1 : 1
  }
  return 0
}

/**
 * Whether `version` lies in the npm semver `range`. Undefined when either cannot be parsed
 * (`workspace:^`, a git url, a tag such as `latest`): the caller should not warn about what it
 * cannot check.
 *
 * @example
 * satisfiesRange('0.1.0', '^0.1.0') // true
 * satisfiesRange('0.1.0', '^2.0.0') // false
 */
export function satisfiesRange(version: string, range: string): boolean | undefined {
  const parsed = parseVersion(version)
  const sets = parseRange(range)
  if (!parsed || !sets) return undefined
  return sets.some((set) => satisfiesSet(parsed, set))
}

function satisfiesSet(version: Version, set: readonly Comparator[]): boolean {
  if (!set.every((c) => test(version, c))) return false
  if (version.prerelease.length === 0) return true
  return set.some(
    (c) => c.version.prerelease.length > 0 && c.version.major === version.major && c.version.minor === version.minor && c.version.patch === version.patch,
  )
}

function test(version: Version, { operator, version: bound }: Comparator): boolean {
  const order = compareVersions(version, bound)
  switch (operator) {
    case '<':
      return order < 0
    case '<=':
      return order <= 0
    case '>':
      return order > 0
    case '>=':
      return order >= 0
    case '=':
      return order === 0
  }
}

/** Alternatives (`||`) of comparator sets; undefined when the range is not one we understand. */
function parseRange(range: string): Comparator[][] | undefined {
  const sets: Comparator[][] = []
  for (const alternative of range.split('||')) {
    const text = alternative.trim().replace(/(<=|>=|<|>|=|\^|~>?)\s+/g, '$1')
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text)
    const parts = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text === '' ? ['*'] : text.split(/\s+/)
    const set: Comparator[] = []
    for (const part of parts) {
      const comparators = parseComparator(part)
      if (!comparators) return undefined
      set.push(...comparators)
    }
    sets.push(set)
  }
  return sets
}

const ZERO: Version = { major: 0, minor: 0, patch: 0, prerelease: [] }

/** One range token as plain comparators; an empty list matches every version. */
function parseComparator(token: string): Comparator[] | undefined {
  const m = PARTIAL.exec(token)
  if (!m) return undefined
  const operator = m[1] ?? ''
  const [major, minor, patch] = [m[2], m[3], m[4]].map((p) => (p === undefined || /^[*xX]$/.test(p) ? undefined : Number(p)))
  const prerelease = prereleaseOf(m[5])
  if (major === undefined) return operator === '<' || operator === '>' ? [{ operator: '<', version: ZERO }] : []
  const v = (maj: number, min = 0, pat = 0, pre: readonly (string | number)[] = []): Version => ({ major: maj, minor: min, patch: pat, prerelease: pre })
  const from = v(major, minor ?? 0, patch ?? 0, minor !== undefined && patch !== undefined ? prerelease : [])
  // The first version above the range a partial version denotes: 1 → 2.0.0, 1.2 → 1.3.0.
  const next = minor === undefined ? v(major + 1) : patch === undefined ? v(major, minor + 1) : undefined
  const between = (upper: Version): Comparator[] => [
    { operator: '>=', version: from },
    { operator: '<', version: upper },
  ]
  switch (operator) {
    case '^':
      if (major > 0 || minor === undefined) return between(v(major + 1))
      if (minor > 0 || patch === undefined) return between(v(0, minor + 1))
      return between(v(0, 0, patch + 1))
    case '~':
    case '~>':
      return between(minor === undefined ? v(major + 1) : v(major, minor + 1))
    case '>':
      return next ? [{ operator: '>=', version: next }] : [{ operator: '>', version: from }]
    case '>=':
      return [{ operator: '>=', version: from }]
    case '<':
      return [{ operator: '<', version: from }]
    case '<=':
      return next ? [{ operator: '<', version: next }] : [{ operator: '<=', version: from }]
    default:
      return next ? between(next) : [{ operator: '=', version: from }]
  }
}

function prereleaseOf(text: string | undefined): (string | number)[] {
  if (!text) return []
  return text.split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id))
}
