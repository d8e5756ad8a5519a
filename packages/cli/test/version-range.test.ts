import { describe, expect, test } from 'vitest'
import { satisfiesRange } from '../src/index.js'
import { compareVersions, parseVersion } from '../src/plugins/version-range.js'

describe('satisfiesRange', () => {
  const cases: [version: string, range: string, expected: boolean][] = [
    ['0.1.0', '^0.1.0', true],
    ['0.1.9', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['0.0.9', '^0.1.0', false],
    ['1.4.2', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['0.1.0', '^2.0.0', false],
    ['1.9.0', '^1', true],
    ['0.9.0', '^0.x', true],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '~1', true],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '=1.2.3', false],
    ['1.2.3', 'v1.2.3', true],
    ['1.2.7', '1.2', true],
    ['1.3.0', '1.2.x', false],
    ['3.0.0', '>=2.1.0', true],
    ['2.0.9', '>= 2.1.0', false],
    ['2.0.0', '>1', true],
    ['1.9.9', '>1', false],
    ['1.2.0', '<1.2', false],
    ['1.2.9', '<=1.2', true],
    ['1.3.0', '<=1.2', false],
    ['1.5.0', '>=1.2.0 <2', true],
    ['2.0.0', '>=1.2.0 <2', false],
    ['3.1.0', '^1.0.0 || ^3.0.0', true],
    ['2.1.0', '^1.0.0 || ^3.0.0', false],
    ['1.5.0', '1.2.3 - 2.0.0', true],
    ['2.0.1', '1.2.3 - 2.0.0', false],
    ['1.9.9', '1.2 - 1', true],
    ['5.0.0', '*', true],
    ['5.0.0', '', true],
    ['5.0.0', 'x', true],
    // Prereleases satisfy only ranges that name a prerelease of the same version.
    ['1.0.0-beta.2', '^1.0.0-beta.1', true],
    ['1.0.0-alpha', '^1.0.0-beta.1', false],
    ['1.2.0-rc.1', '^1.0.0', false],
    ['1.0.0', '^1.0.0-beta.1', true],
  ]
  test.each(cases)('%s in %j: %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected)
  })

  test('ranges and versions it cannot read are undefined, never a false alarm', () => {
    for (const range of ['workspace:^', 'latest', 'github:acme/x', 'file:../core', '^1.2.3.4']) expect(satisfiesRange('0.1.0', range)).toBeUndefined()
    expect(satisfiesRange('next', '^0.1.0')).toBeUndefined()
  })
})

describe('compareVersions', () => {
  test('orders prereleases as semver does', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0']
    const parsed = order.map((v) => parseVersion(v)!)
    for (let i = 1; i < parsed.length; i++) expect(compareVersions(parsed[i - 1]!, parsed[i]!), `${order[i - 1]} < ${order[i]}`).toBeLessThan(0)
    expect(compareVersions(parseVersion('1.0.0+build.5')!, parseVersion('1.0.0')!)).toBe(0)
  })
})
