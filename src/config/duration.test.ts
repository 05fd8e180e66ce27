import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { formatDuration, parseGoDuration } from './duration.js'

function ms(text: string): number {
  const r = parseGoDuration(text)
  assert.ok(r.ok, `expected ${text} to parse: ${r.ok ? '' : r.problem}`)
  return r.ms
}

function problem(text: string): string {
  const r = parseGoDuration(text)
  assert.ok(!r.ok, `expected ${text} to be refused`)
  return r.problem
}

describe('parseGoDuration', () => {
  it('reads Go duration syntax into milliseconds', () => {
    assert.equal(ms('168h'), 604_800_000)
    assert.equal(ms('1h30m'), 5_400_000)
    assert.equal(ms('1.5h'), 5_400_000)
    assert.equal(ms('300ms'), 300)
    assert.equal(ms('15m'), 900_000)
    assert.equal(ms('1.1s'), 1_100)
    assert.equal(ms('.5s'), 500)
    assert.equal(ms('1500us'), 1.5)
    assert.equal(ms('1500µs'), 1.5)
    assert.equal(ms('2000000ns'), 2)
    assert.equal(ms('1h1m1s1ms'), 3_661_001)
    assert.equal(ms('-2s'), -2_000)
    assert.equal(ms('+2s'), 2_000)
  })

  it('accepts a bare 0, and only 0, without a unit', () => {
    assert.equal(ms('0'), 0)
    assert.equal(ms('-0'), 0)
    assert.equal(ms('0s'), 0)
    assert.match(problem('300'), /^"300" has no unit: write 300s or 5m/)
    assert.match(problem('45'), /^"45" has no unit: write 45s or 45ms/)
    assert.match(problem('1.5'), /no unit/)
  })

  it('refuses malformed text with a reason', () => {
    assert.match(problem(''), /not a duration/)
    assert.match(problem('h'), /number before each unit/)
    assert.match(problem('1h30'), /"30" needs a unit/)
    assert.match(problem('5d'), /unknown unit "d"/)
    assert.match(problem('1 h'), /unknown unit " h"/)
    assert.match(problem('3000000h'), /too long/)
  })
})

describe('formatDuration', () => {
  it('writes compact Go syntax that parses back to the same value', () => {
    for (const [value, text] of [
      [604_800_000, '168h'],
      [5_400_000, '1h30m'],
      [900_000, '15m'],
      [1_000, '1s'],
      [250, '250ms'],
      [0, '0'],
      [-2_000, '-2s'],
    ] as const) {
      assert.equal(formatDuration(value), text)
      assert.equal(ms(text), value)
    }
  })
})
