import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { optionByCfg } from './schema.js'
import { fromText, fromToml, parseCsvRecord, parseGoBool, type Converted } from './values.js'

function meta(cfg: string) {
  const m = optionByCfg.get(cfg)
  assert.ok(m, cfg)
  return m
}

function value(c: Converted): unknown {
  assert.ok(c.ok, c.ok ? '' : c.problem)
  return c.value
}

function problem(c: Converted): string {
  assert.ok(!c.ok, `expected a problem, got ${JSON.stringify(c)}`)
  return c.problem
}

describe('parseGoBool', () => {
  it("accepts exactly Go's strconv.ParseBool words", () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(t), true, t)
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(f), false, f)
    for (const bad of ['yes', 'no', 'tRUE', 'on', '', ' true']) assert.equal(parseGoBool(bad), undefined, bad)
  })
})

describe('parseCsvRecord (pflag StringSlice)', () => {
  it('splits on commas without trimming', () => {
    assert.deepEqual(parseCsvRecord('a.com,b.com'), { ok: true, fields: ['a.com', 'b.com'] })
    assert.deepEqual(parseCsvRecord('a, b'), { ok: true, fields: ['a', ' b'] })
    assert.deepEqual(parseCsvRecord('a,'), { ok: true, fields: ['a', ''] })
    assert.deepEqual(parseCsvRecord(''), { ok: true, fields: [] })
  })

  it('keeps commas inside double quotes and reads doubled quotes', () => {
    assert.deepEqual(parseCsvRecord('"^/api/v{1,2}/",x'), { ok: true, fields: ['^/api/v{1,2}/', 'x'] })
    assert.deepEqual(parseCsvRecord('"say ""hi"""'), { ok: true, fields: ['say "hi"'] })
  })

  it('refuses stray quotes like encoding/csv', () => {
    assert.equal(parseCsvRecord('a"b').ok, false)
    assert.equal(parseCsvRecord('"open').ok, false)
    assert.equal(parseCsvRecord('"a"b').ok, false)
  })
})

describe('fromText', () => {
  it('reads flag lists as CSV and env lists on every comma', () => {
    assert.deepEqual(value(fromText(meta('email_domains'), '"a,b",c', 'flag')), ['a,b', 'c'])
    assert.deepEqual(value(fromText(meta('email_domains'), '"a,b",c', 'env')), ['"a', 'b"', 'c'])
  })

  it('reads bools, ints and durations, and explains bad text', () => {
    assert.equal(value(fromText(meta('cookie_secure'), 'F', 'env')), false)
    assert.match(problem(fromText(meta('cookie_secure'), 'yes', 'env')), /true or false/)
    assert.equal(value(fromText(meta('cookie_csrf_per_request_limit'), '12', 'flag')), 12)
    assert.match(problem(fromText(meta('cookie_csrf_per_request_limit'), '1.5', 'flag')), /whole number/)
    assert.equal(value(fromText(meta('cookie_expire'), '1h', 'flag')), 3_600_000)
    assert.match(problem(fromText(meta('cookie_refresh'), '300', 'env')), /has no unit: write 300s or 5m/)
  })
})

describe('fromToml (viper weak typing)', () => {
  it('accepts quoted bools, numbers and 0/1 for bools', () => {
    assert.equal(value(fromToml(meta('cookie_secure'), 'false')), false)
    assert.equal(value(fromToml(meta('cookie_secure'), true)), true)
    assert.equal(value(fromToml(meta('cookie_secure'), 0)), false)
    assert.match(problem(fromToml(meta('cookie_secure'), 'nope')), /true or false/)
  })

  it('takes a string for a list, split on commas', () => {
    assert.deepEqual(value(fromToml(meta('upstreams'), 'http://a')), ['http://a'])
    assert.deepEqual(value(fromToml(meta('email_domains'), 'a.com,b.com')), ['a.com', 'b.com'])
    assert.deepEqual(value(fromToml(meta('email_domains'), ['a.com', 'b.com'])), ['a.com', 'b.com'])
    assert.match(problem(fromToml(meta('email_domains'), [{ x: 1 }])), /an item is a table/)
  })

  it('takes a number or numeric string for an int, and a number for a string', () => {
    assert.equal(value(fromToml(meta('cookie_csrf_per_request_limit'), 5)), 5)
    assert.equal(value(fromToml(meta('cookie_csrf_per_request_limit'), '5')), 5)
    assert.match(problem(fromToml(meta('cookie_csrf_per_request_limit'), 1.5)), /whole number/)
    assert.equal(value(fromToml(meta('client_id'), 12345)), '12345')
    assert.match(problem(fromToml(meta('client_id'), ['a'])), /expected a string, got an array/)
  })

  it('takes a duration string, or 0, and refuses a bare number', () => {
    assert.equal(value(fromToml(meta('cookie_expire'), '168h')), 604_800_000)
    assert.equal(value(fromToml(meta('cookie_refresh'), 0)), 0)
    assert.match(problem(fromToml(meta('cookie_refresh'), 300)), /^"300" has no unit: write 300s or 5m/)
    assert.match(problem(fromToml(meta('cookie_refresh'), true)), /expected a duration/)
  })
})
