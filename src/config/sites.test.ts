import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createSiteTable } from '../http/site-table.js'
import { parseSites } from './sites.js'

const known = new Set(['staff', 'partners'])

describe('parseSites', () => {
  it('accepts sites and normalizes hosts and cookie domains', () => {
    const { sites, issues } = parseSites([{ hosts: ['A.Example.com.', '*.a.example.com'], cookieDomain: '.Example.com', redirectUrl: 'https://a.example.com/oauth2/callback', providers: ['staff'] }], known)
    assert.deepEqual(issues, [])
    assert.deepEqual(sites, [{ hosts: ['a.example.com', '*.a.example.com'], cookieDomain: 'example.com', redirectUrl: 'https://a.example.com/oauth2/callback', providers: ['staff'] }])
  })

  it('reports every problem of every site with its path', () => {
    const { issues } = parseSites(
      [
        { hosts: ['a.example.com'], cookieDomain: 'b.example.org', providers: ['nope'] },
        { hosts: ['a.example.com'], redirectUrl: '//evil.example/cb' },
        { hosts: [], extra: 1 },
        'not a site',
      ],
      known,
    )
    assert.deepEqual(issues.map((i) => i.path).sort(), ['sites[0].cookieDomain', 'sites[0].providers[0]', 'sites[1].redirectUrl', 'sites[2].extra', 'sites[2].hosts', 'sites[3]'].sort())
    assert.deepEqual(parseSites({ hosts: [] }, known).issues.map((i) => i.path), ['sites'])
    const dup = parseSites([{ hosts: ['a.example.com'] }, { hosts: ['x.example.com', 'a.example.com'] }], known).issues
    assert.deepEqual(dup.map((i) => [i.path, i.value]), [['sites[1].hosts[1]', 'a.example.com']])
  })
})

describe('createSiteTable', () => {
  const table = createSiteTable([
    { hosts: ['a.example.com', '*.a.example.com'], cookieDomain: 'a.example.com' },
    { hosts: ['*.example.com'], cookieDomain: 'example.com' },
    { hosts: ['b.example.org'], redirectUrl: 'https://b.example.org/oauth2/callback' },
  ])

  it('picks exact names first, then the longest wildcard; ignores case, port and a trailing dot', () => {
    assert.equal(table.find('a.example.com')?.cookieDomain, 'a.example.com')
    assert.equal(table.find('x.a.example.com:8443')?.cookieDomain, 'a.example.com')
    assert.equal(table.find('other.Example.com.')?.cookieDomain, 'example.com')
    assert.equal(table.find('B.EXAMPLE.ORG')?.redirectUrl, 'https://b.example.org/oauth2/callback')
  })

  it('finds no site for other hosts, for the bare domain of a wildcard, or for a bad host', () => {
    assert.equal(table.find('example.com'), undefined)
    assert.equal(table.find('c.example.org'), undefined)
    assert.equal(table.find('bad host'), undefined)
  })
})
