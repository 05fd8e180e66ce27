import { strict as assert } from 'node:assert'
import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { encodeSessionMsgpack } from './session-codec.js'
import { decodeTicket, encodeTicket, newTicket, openTicketValue, sealTicketValue } from './ticket.js'

describe('Redis ticket codec (oauth2-proxy persistence format)', () => {
  it('makes ids of the cookie name and 32 hex chars, with a 16-byte secret', () => {
    const t = newTicket('_oauth2_proxy')
    assert.match(t.id, /^_oauth2_proxy-[0-9a-f]{32}$/)
    assert.equal(t.secret.length, 16)
  })

  it('writes v2.<base64url id>.<base64url secret> without padding and reads it back', () => {
    const t = { id: '_oauth2_proxy-00112233445566778899aabbccddeeff', secret: Buffer.alloc(16, 0xfb) }
    const text = encodeTicket(t)
    assert.equal(text, `v2.${Buffer.from(t.id).toString('base64url')}.-_v7-_v7-_v7-_v7-_v7-w`)
    assert.doesNotMatch(text, /=/)
    assert.deepEqual(decodeTicket(text, '_oauth2_proxy'), t)
  })

  it('reads the legacy <id>.<secret> form', () => {
    const secret = randomBytes(16)
    assert.deepEqual(decodeTicket(`_oauth2_proxy-abc.${secret.toString('base64url')}`, '_oauth2_proxy'), { id: '_oauth2_proxy-abc', secret })
  })

  it('refuses ids of another cookie, bad base64, bad key sizes and other shapes', () => {
    const secret = randomBytes(16).toString('base64url')
    assert.equal(decodeTicket(`v2.${Buffer.from('other-abc').toString('base64url')}.${secret}`, '_oauth2_proxy'), undefined)
    assert.equal(decodeTicket(`v2.${Buffer.from('_oauth2_proxy-a').toString('base64url')}.${secret}=`, '_oauth2_proxy'), undefined)
    assert.equal(decodeTicket(`v2.${Buffer.from('_oauth2_proxy-a').toString('base64url')}.${randomBytes(10).toString('base64url')}`, '_oauth2_proxy'), undefined)
    assert.equal(decodeTicket(`v3.a.b`, '_oauth2_proxy'), undefined)
    assert.equal(decodeTicket('nodots', '_oauth2_proxy'), undefined)
    assert.equal(decodeTicket('v2.a+b.c', '_oauth2_proxy'), undefined)
  })

  it('seals values as nonce(12) ‖ AES-GCM ciphertext ‖ tag(16) of the msgpack session, as Go gcm.Seal does', () => {
    const t = newTicket('_oauth2_proxy')
    const session = { email: 'alice@example.com', user: 'alice', accessToken: 'at' }
    const sealed = sealTicketValue(t, session)
    assert.equal(sealed.length, 12 + encodeSessionMsgpack(session).length + 16)
    assert.deepEqual(openTicketValue(t, sealed), session)
    // An independently built Go-style value opens too.
    const nonce = randomBytes(12)
    const cipher = createCipheriv('aes-128-gcm', t.secret, nonce)
    const body = Buffer.concat([cipher.update(encodeSessionMsgpack(session)), cipher.final()])
    assert.deepEqual(openTicketValue(t, Buffer.concat([nonce, body, cipher.getAuthTag()])), session)
  })

  it('returns undefined for a value under another ticket, a flipped bit or a short value', () => {
    const t = newTicket('_oauth2_proxy')
    const sealed = sealTicketValue(t, { user: 'alice' })
    assert.equal(openTicketValue(newTicket('_oauth2_proxy'), sealed), undefined)
    const flipped = Buffer.from(sealed)
    flipped[14] = (flipped[14] as number) ^ 1
    assert.equal(openTicketValue(t, flipped), undefined)
    assert.equal(openTicketValue(t, sealed.subarray(0, 20)), undefined)
  })
})
