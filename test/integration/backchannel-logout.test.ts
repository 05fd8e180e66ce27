// OpenID Connect Back-Channel Logout through real processes: the dev IdP (oidc-provider's backchannelLogout feature)
// calls gatehouse when a user signs out there; with Redis, two replicas refuse the ended session at once. Logout
// tokens that are replayed, unsigned, for another audience, expired or otherwise malformed change nothing, and a
// logout that cannot reach Redis is answered 503 so that the IdP retries.
import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue } from '../../src/crypto/signed-value.js'
import { decodeTicket } from '../../src/session/ticket.js'
import type { HttpClient } from '../helpers/http.js'
import { postLogout, signOutAtIdp } from '../helpers/idp-logout.js'
import type { Gatehouse } from '../helpers/process.js'
import { redisCli, startRedis, type RedisServer } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'
import { startStack, type Stack } from '../helpers/stack.js'

const EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} }

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

describe('back-channel logout with Redis sessions and two replicas', () => {
  let redis: RedisServer
  let stack: RedisStack
  let replica: Gatehouse
  before(async () => {
    redis = await startRedis()
    stack = await startRedisStack([`--redis-connection-url=${redis.url}`])
    stack.idp.setBackchannelLogout('gatehouse', `${stack.proxy.url}/oauth2/backchannel_logout`)
    replica = await stack.startReplica()
  })
  after(async () => {
    stack?.idp.setBackchannelLogout('gatehouse', undefined)
    await stack?.close()
    await redis?.stop()
  })

  /** Status of a request with the client's session cookie on the main proxy and on the replica. */
  async function statuses(client: HttpClient): Promise<[number, number]> {
    const a = await getWith(client, stack, stack.proxy, '/oauth2/auth')
    const b = await getWith(client, stack, replica, '/oauth2/auth')
    return [a.status, b.status]
  }

  /** The sid and sub gatehouse recorded for the client's session (the session index in Redis). */
  async function sessionIds(client: HttpClient): Promise<{ sid: string; sub: string }> {
    const cookie = client.jar.get(stack.proxy.url, '_oauth2_proxy')
    assert.ok(cookie)
    const opened = openSignedValue('_oauth2_proxy', cookie, cookieSecretKeys(stack.cookieSecret).hmacKey, 0, Date.now())
    const ticket = opened === undefined ? undefined : decodeTicket(opened.payload.toString(), '_oauth2_proxy')
    assert.ok(ticket)
    const info = JSON.parse(await redisCli(redis.port, 'hget', '_oauth2_proxy-gh-meta', ticket.id)) as { sid?: string; user: string }
    assert.ok(info.sid, 'the session carries the IdP session id')
    return { sid: info.sid, sub: info.user }
  }

  it('ends the session on both replicas when the user signs out at the IdP, and only that IdP session', async () => {
    const { client } = await stack.signIn('alice')
    const other = await stack.signIn('alice')
    // Both replicas serve both sessions, once from Redis and once from their in-memory copy.
    assert.deepEqual(await statuses(client), [202, 202])
    assert.deepEqual(await statuses(client), [202, 202])
    assert.deepEqual(await statuses(other.client), [202, 202])
    await signOutAtIdp(client, stack.idp.issuer)
    // oidc-provider answers the end_session request only after our endpoint answered its back-channel call.
    assert.deepEqual(await statuses(client), [401, 401])
    assert.deepEqual(await statuses(other.client), [202, 202], 'the other browser has another IdP session (sid)')
    await stack.proxy.waitForLog(/"event":"session\.backchannel_logout\.done"/)
  })

  it('ends every session of the user for a logout token with only a sub; a replay of it is refused', async () => {
    const first = await stack.signIn('bob')
    const second = await stack.signIn('bob')
    const aliceToo = await stack.signIn('alice')
    const { sub } = await sessionIds(second.client)
    const token = await stack.idp.signJwt({ aud: 'gatehouse', sub, events: EVENT, jti: randomUUID() })
    assert.equal((await postLogout(stack.client(), replica, token)).status, 200)
    assert.deepEqual(await statuses(first.client), [401, 401])
    assert.deepEqual(await statuses(second.client), [401, 401])
    assert.deepEqual(await statuses(aliceToo.client), [202, 202])
    // Bob signs in again; the same token sent again must not end the new session.
    const again = await stack.signIn('bob')
    const replay = await postLogout(stack.client(), stack.proxy, token)
    assert.equal(replay.status, 400)
    assert.equal(replay.json<{ error: string }>().error, 'invalid_request')
    assert.deepEqual(await statuses(again.client), [202, 202])
  })

  it('refuses unsigned, wrong-audience, expired, nonce-carrying and malformed logout tokens and keeps the session', async () => {
    const { client } = await stack.signIn('alice')
    const { sid, sub } = await sessionIds(client)
    const now = Math.floor(Date.now() / 1000)
    const good = { iss: stack.idp.issuer, aud: 'gatehouse', sub, sid, events: EVENT, iat: now, exp: now + 120 }
    const bad: Record<string, string> = {
      unsigned: `${base64url({ alg: 'none', typ: 'logout+jwt' })}.${base64url({ ...good, jti: randomUUID() })}.`,
      'wrong audience': await stack.idp.signJwt({ ...good, aud: 'someone-else', jti: randomUUID() }),
      expired: await stack.idp.signJwt({ ...good, iat: now - 600, exp: now - 300, jti: randomUUID() }),
      'issued long ago': await stack.idp.signJwt({ ...good, iat: now - 3600, exp: now + 600, jti: randomUUID() }),
      'wrong issuer': await stack.idp.signJwt({ ...good, iss: 'http://127.0.0.1:1/other', jti: randomUUID() }),
      'with a nonce': await stack.idp.signJwt({ ...good, nonce: 'n', jti: randomUUID() }),
      'without events': await stack.idp.signJwt({ ...good, events: undefined, jti: randomUUID() }),
      'without sid or sub': await stack.idp.signJwt({ ...good, sid: undefined, sub: undefined, jti: randomUUID() }),
      'without jti': await stack.idp.signJwt({ ...good }),
      'not a JWT': 'not-a-jwt',
      'tampered signature': `${(await stack.idp.signJwt({ ...good, jti: randomUUID() })).slice(0, -4)}AAAA`,
    }
    for (const [name, token] of Object.entries(bad)) {
      const res = await postLogout(stack.client(), stack.proxy, token)
      assert.equal(res.status, 400, `${name}: ${res.body}`)
      assert.equal(res.json<{ error: string }>().error, 'invalid_request', name)
    }
    assert.equal((await stack.client().post(`${stack.proxy.url}/oauth2/backchannel_logout`, {})).status, 400, 'no logout_token')
    assert.equal((await stack.client().get(`${stack.proxy.url}/oauth2/backchannel_logout`)).status, 405)
    assert.deepEqual(await statuses(client), [202, 202], 'nothing changed')
    const metrics = await stack.proxy.waitForLog(/session\.backchannel_logout\.invalid/)
    assert.doesNotMatch(metrics, new RegExp(sid), 'the log does not carry tokens')
  })

  it('signs a user out of every session, on every device and replica, with /oauth2/sign_out?scope=all', async () => {
    const phone = await stack.signIn('bob')
    const laptop = await stack.signIn('bob')
    const alice = await stack.signIn('alice')
    assert.equal((await getWith(laptop.client, stack, replica, '/oauth2/sign_out?scope=all')).status, 302)
    assert.deepEqual(await statuses(phone.client), [401, 401])
    assert.deepEqual(await statuses(laptop.client), [401, 401])
    assert.deepEqual(await statuses(alice.client), [202, 202])
  })

  it('answers 503 while Redis is down, so the IdP retries, and never reports the logout as done', async () => {
    const { client } = await stack.signIn('alice')
    const { sid } = await sessionIds(client)
    const token = await stack.idp.signJwt({ aud: 'gatehouse', sid, events: EVENT, jti: randomUUID() })
    await redis.stop()
    try {
      const res = await postLogout(stack.client(), stack.proxy, token)
      assert.equal(res.status, 503)
      assert.equal(res.json<{ error: string }>().error, 'temporarily_unavailable')
    } finally {
      await redis.start()
    }
    // Redis is back (empty, as it did not persist): the IdP's retry of the same token is accepted, not a replay.
    let status = 0
    for (let i = 0; i < 50 && status !== 200; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100))
      status = (await postLogout(stack.client(), stack.proxy, token)).status
    }
    assert.equal(status, 200)
  })
})

describe('back-channel logout with cookie sessions', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
    stack.idp.setBackchannelLogout('gatehouse', `${stack.proxy.url}/oauth2/backchannel_logout`)
  })
  after(async () => {
    await stack?.close()
  })

  it('refuses the cookie of an IdP session that ended, through the in-process revocation list', async () => {
    const { client } = await stack.signIn('alice')
    const other = await stack.signIn('alice')
    const url = `${stack.proxy.url}/oauth2/auth`
    assert.equal((await client.get(url)).status, 202)
    await signOutAtIdp(client, stack.idp.issuer)
    assert.equal((await client.get(url)).status, 401)
    assert.equal((await other.client.get(url)).status, 202)
  })
})

describe('--oidc-rp-initiated-logout', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack({ args: ['--oidc-rp-initiated-logout'] })
  })
  after(async () => {
    await stack?.close()
  })

  it('sends the browser to the IdP end_session_endpoint with id_token_hint and the validated rd, and the IdP accepts it', async () => {
    const { client } = await stack.signIn('alice')
    const res = await client.get(`${stack.proxy.url}/oauth2/sign_out?rd=${encodeURIComponent('/bye')}`)
    assert.equal(res.status, 302)
    const location = new URL(res.headers['location'] as string)
    assert.equal(`${location.origin}${location.pathname}`, `${stack.idp.issuer}/session/end`)
    assert.ok((location.searchParams.get('id_token_hint') ?? '').split('.').length === 3)
    assert.equal(location.searchParams.get('post_logout_redirect_uri'), `${stack.proxy.url}/bye`)
    assert.equal(location.searchParams.get('client_id'), 'gatehouse')
    const page = await client.get(location)
    assert.equal(page.status, 200, 'the IdP shows its logout confirmation, not an error')
    assert.match(page.body, /logoutForm/)
    const evil = await client.get(`${stack.proxy.url}/oauth2/sign_out?rd=${encodeURIComponent('https://evil.example/')}`)
    assert.doesNotMatch(String(evil.headers['location']), /evil\.example/, 'an unvalidated rd never reaches the IdP')
  })
})
