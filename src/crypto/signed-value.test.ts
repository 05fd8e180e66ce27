import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { openSignedValue, signValue } from './signed-value.js'

const key = Buffer.from('OQINaROshtE9TcZkNAm-5Zs2Pv3xaWytBmc5W7sPX7w=')
const now = 1_700_000_000_000
const nowSec = now / 1000
const week = 7 * 24 * 3600 * 1000

/** The signature built by hand from reference §4.2, independent of the module. */
function handSigned(name: string, payload: Buffer, ts: number): string {
  const b64 = payload.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
  const sig = createHmac('sha256', key).update(name + b64 + String(ts)).digest('base64').replace(/\+/g, '-').replace(/\//g, '_')
  return `${b64}|${ts}|${sig}`
}

describe('signValue', () => {
  it('writes padded URL base64, the seconds and the HMAC over name, value and time', () => {
    const payload = Buffer.from([0xfb, 0xff, 0xbf, 1])
    const value = signValue('_oauth2_proxy', payload, key, nowSec)
    assert.equal(value, handSigned('_oauth2_proxy', payload, nowSec))
    assert.match(value, /^-_-_AQ==\|1700000000\|[A-Za-z0-9_-]{43}=$/)
  })
})

describe('openSignedValue', () => {
  const payload = Buffer.from('hello session')
  const value = signValue('_oauth2_proxy', payload, key, nowSec)

  it('returns the payload and the signing time', () => {
    assert.deepEqual(openSignedValue('_oauth2_proxy', value, key, week, now), { payload, issuedAt: nowSec })
  })

  it('reads values signed by hand', () => {
    const p = Buffer.from([1, 2, 3, 4, 5])
    assert.deepEqual(openSignedValue('c', handSigned('c', p, nowSec - 10), key, week, now)?.payload, p)
  })

  it('accepts a payload without its padding', () => {
    const p = Buffer.from([1, 2, 3, 4])
    const [b64, ts] = handSigned('c', p, nowSec).split('|') as [string, string]
    const unpadded = b64.replace(/=+$/, '')
    assert.notEqual(unpadded, b64)
    const resigned = createHmac('sha256', key).update(`c${unpadded}${ts}`).digest('base64url')
    assert.deepEqual(openSignedValue('c', `${unpadded}|${ts}|${resigned}=`, key, week, now)?.payload, p)
  })

  it('requires the signature in padded form, as Go decodes it', () => {
    assert.equal(openSignedValue('_oauth2_proxy', value.replace(/=$/, ''), key, week, now), undefined)
    assert.equal(openSignedValue('_oauth2_proxy', `${value}=`, key, week, now), undefined)
  })

  it('rejects a wrong name, a wrong key and a tampered byte in any part', () => {
    assert.equal(openSignedValue('_oauth2_proxy_csrf', value, key, week, now), undefined)
    assert.equal(openSignedValue('_oauth2_proxy', value, Buffer.from('another secret'), week, now), undefined)
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '|') continue
      const flipped = value[i] === 'A' ? 'B' : 'A'
      const tampered = value.slice(0, i) + flipped + value.slice(i + 1)
      assert.equal(openSignedValue('_oauth2_proxy', tampered, key, week, now), undefined, `byte ${i}`)
    }
  })

  it('rejects truncated values and the wrong number of parts', () => {
    for (let n = 0; n < value.length; n++) assert.equal(openSignedValue('_oauth2_proxy', value.slice(0, n), key, week, now), undefined)
    assert.equal(openSignedValue('_oauth2_proxy', `${value}|x`, key, week, now), undefined)
  })

  it('enforces now − expire < timestamp < now + 5 minutes when expire is set', () => {
    const at = (sec: number) => signValue('n', payload, key, sec)
    assert.equal(openSignedValue('n', at(nowSec - week / 1000), key, week, now), undefined)
    assert.ok(openSignedValue('n', at(nowSec - week / 1000 + 1), key, week, now))
    assert.ok(openSignedValue('n', at(nowSec + 299), key, week, now))
    assert.equal(openSignedValue('n', at(nowSec + 300), key, week, now), undefined)
    assert.equal(openSignedValue('n', at(nowSec + 86400), key, week, now), undefined)
  })

  it('skips the time check when expire is 0', () => {
    assert.equal(openSignedValue('n', signValue('n', payload, key, 1), key, 0, now)?.issuedAt, 1)
    assert.equal(openSignedValue('n', signValue('n', payload, key, nowSec + 86400), key, 0, now)?.issuedAt, nowSec + 86400)
  })

  it('rejects a signed but non-numeric timestamp', () => {
    const b64 = payload.toString('base64url')
    for (const ts of ['12a', '', ' 12', '99999999999999999999']) {
      const sig = createHmac('sha256', key).update(`n${b64}${ts}`).digest('base64url')
      assert.equal(openSignedValue('n', `${b64}|${ts}|${sig}`, key, 0, now), undefined, ts)
    }
  })

  it('rejects a signed payload that is not URL base64', () => {
    for (const b64 of ['ab+c', 'ab/c', 'abc$', 'a', 'ab=c', 'abc==']) {
      const sig = createHmac('sha256', key).update(`n${b64}${nowSec}`).digest('base64url')
      assert.equal(openSignedValue('n', `${b64}|${nowSec}|${sig}`, key, week, now), undefined, b64)
    }
  })

  it('never throws and never opens random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 20 }), fc.integer(), (text, name, expire) => {
        assert.equal(openSignedValue(name, text, key, expire, now), undefined)
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { minLength: 3, maxLength: 3 }), (parts) => {
        assert.equal(openSignedValue('n', parts.join('|'), key, 0, now), undefined)
      }),
      { numRuns: 2000 },
    )
  })
})
