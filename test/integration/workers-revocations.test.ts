// Sessions ended under --workers, through the real process: every worker serves the admin listener (the admin API
// lists and revokes Redis sessions from any worker), and with cookie sessions and no Redis the primary keeps the
// revocation list for every worker: a back-channel logout or sign-out everywhere served by one worker is refused by
// all, a replayed logout token is refused by the other worker too, and a replacement worker starts with the list.
import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import { signOutAtIdp } from '../helpers/idp-logout.js'
import { freePort } from '../helpers/process.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { startRedisStack } from '../helpers/redis-stack.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { lines, liveWorkers, waitFor } from '../helpers/workers.js'

const TOKEN = 'admin-token-0123456789abcdef'
const EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} }
/** Requests per check, each on its own connection: the primary hands connections to the workers in turn. */
const SPREAD = 8

/** A request on a connection of its own; its status and body. */
async function fresh(url: string, options: { method?: 'GET' | 'POST' | 'DELETE'; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const res = await request(url, { method: options.method ?? 'GET', headers: options.headers, body: options.body, reset: true })
  return { status: res.statusCode, body: await res.body.text() }
}

/**
 * Sends SPREAD requests for `path` with `cookie`, each on a fresh connection, and returns their statuses and the pids
 * of the workers whose access log lines show them.
 */
async function spread(stack: Stack, cookie: string, path: string): Promise<{ statuses: Set<number>; pids: Set<number> }> {
  const statuses = new Set<number>()
  for (let i = 0; i < SPREAD; i++) statuses.add((await fresh(`${stack.proxy.url}${path}-${i}`, { headers: { cookie, accept: 'application/json' } })).status)
  const served = () => lines(stack).filter((l) => l.event === 'http.request' && l.uri?.startsWith(`${path}-`))
  await waitFor(`${SPREAD} access lines for ${path}`, () => served().length === SPREAD)
  return { statuses, pids: new Set(served().map((l) => l.pid ?? 0)) }
}

describe('--workers 2 with --admin-address and Redis sessions', () => {
  let redis: RedisServer
  let stack: Stack
  let admin: string
  before(async () => {
    redis = await startRedis()
    const port = await freePort()
    admin = `http://127.0.0.1:${port}`
    stack = await startRedisStack([`--redis-connection-url=${redis.url}`], ['--workers=2', `--admin-address=127.0.0.1:${port}`, `--admin-token=${TOKEN}`])
    await waitFor('two workers listening', () => liveWorkers(stack).size === 2)
  })
  after(async () => {
    await stack?.close()
    await redis?.stop()
  })

  it('serves the admin API from every worker: lists and revokes a session, which every worker then refuses', async () => {
    const first = await stack.signIn('bob')
    const second = await stack.signIn('bob')
    const cookieOf = (c: typeof first.client) => c.jar.header(stack.proxy.url) ?? ''
    // Every worker listens on the admin address: requests without rights are refused (and logged) by both.
    for (let i = 0; i < SPREAD; i++) assert.equal((await fresh(`${admin}/sessions`)).status, 403)
    await waitFor('admin.forbidden lines', () => lines(stack).filter((l) => l.event === 'admin.forbidden').length >= SPREAD)
    assert.equal(new Set(lines(stack).filter((l) => l.event === 'admin.forbidden').map((l) => l.pid)).size, 2, 'both workers serve the admin listener')

    const listings = new Set<string>()
    for (let i = 0; i < 4; i++) {
      const res = await fresh(`${admin}/sessions?user=bob`, { headers: { authorization: `Bearer ${TOKEN}` } })
      assert.equal(res.status, 200)
      listings.add(JSON.stringify((JSON.parse(res.body) as { sessions: Array<{ id: string }> }).sessions.map((s) => s.id).sort()))
    }
    assert.equal(listings.size, 1, 'every worker lists the same sessions')
    const ids = JSON.parse([...listings][0] as string) as string[]
    assert.equal(ids.length, 2)

    assert.deepEqual([...(await spread(stack, cookieOf(first.client), '/before')).statuses], [200])
    const revoked = await fresh(`${admin}/sessions/${ids[0]}?reason=test`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })
    assert.equal(revoked.status, 200)
    const a = await spread(stack, cookieOf(first.client), '/after-a')
    const b = await spread(stack, cookieOf(second.client), '/after-b')
    assert.equal(a.pids.size, 2)
    assert.equal(b.pids.size, 2)
    assert.deepEqual([...a.statuses, ...b.statuses].sort(), [200, 401], 'one session refused by every worker, the other served by every worker')
  })
})

describe('--workers 2 with cookie sessions and no Redis', () => {
  let stack: Stack
  let admin: string
  before(async () => {
    const port = await freePort()
    admin = `http://127.0.0.1:${port}`
    stack = await startStack({ args: ['--workers=2', `--admin-address=127.0.0.1:${port}`, `--admin-token=${TOKEN}`] })
    stack.idp.setBackchannelLogout('gatehouse', `${stack.proxy.url}/oauth2/backchannel_logout`)
    await waitFor('two workers listening', () => liveWorkers(stack).size === 2)
  })
  after(async () => {
    stack?.idp.setBackchannelLogout('gatehouse', undefined)
    await stack?.close()
  })

  it('refuses an IdP session ended through one worker on every worker, and a replacement worker too', async () => {
    const { client } = await stack.signIn('alice')
    const other = await stack.signIn('alice')
    const cookie = client.jar.header(stack.proxy.url) ?? ''
    const otherCookie = other.client.jar.header(stack.proxy.url) ?? ''
    await signOutAtIdp(client, stack.idp.issuer)
    const ended = await spread(stack, cookie, '/ended')
    assert.deepEqual([...ended.statuses], [401])
    assert.equal(ended.pids.size, 2, `served by ${[...ended.pids].join(', ')}`)
    assert.deepEqual([...(await spread(stack, otherCookie, '/kept')).statuses], [200], 'another IdP session of the user')

    const [victim] = [...liveWorkers(stack)]
    assert.ok(victim !== undefined)
    process.kill(victim, 'SIGKILL')
    await waitFor('the replacement worker', () => liveWorkers(stack).size === 2 && !liveWorkers(stack).has(victim))
    const replaced = await spread(stack, cookie, '/replaced')
    assert.deepEqual([...replaced.statuses], [401])
    assert.equal(replaced.pids.size, 2)
  })

  it('ends a user\'s sessions on every worker for a sub logout token, and refuses its replay on every worker', async () => {
    const bob = await stack.signIn('bob')
    const cookie = bob.client.jar.header(stack.proxy.url) ?? ''
    const token = await stack.idp.signJwt({ aud: 'gatehouse', sub: 'bob', events: EVENT, jti: randomUUID() })
    const post = () => fresh(`${stack.proxy.url}/oauth2/backchannel_logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `logout_token=${token}` })
    assert.equal((await post()).status, 200)
    assert.deepEqual([...(await spread(stack, cookie, '/bob-ended')).statuses], [401])
    // Bob signs in again (in a later second: sign-in times are kept to the second, and a sign-in in the second of
    // the logout counts as before it); the same token, sent to either worker, must not end the new session.
    await new Promise((r) => setTimeout(r, 1010 - (Date.now() % 1000)))
    const again = await stack.signIn('bob')
    const posted = () => lines(stack).filter((l) => l.event === 'http.request' && l.uri === '/oauth2/backchannel_logout')
    const before = posted().length
    const replays = new Set<number>()
    for (let i = 0; i < 4; i++) replays.add((await post()).status)
    assert.deepEqual([...replays], [400])
    await waitFor('four access lines for the replays', () => posted().length === before + 4)
    assert.equal(new Set(posted().slice(-4).map((l) => l.pid)).size, 2, 'the replays reached both workers')
    assert.deepEqual([...(await spread(stack, again.client.jar.header(stack.proxy.url) ?? '', '/bob-again')).statuses], [200])
  })

  it('signs a user out everywhere through one worker, refused by every worker', async () => {
    const phone = await stack.signIn('alice')
    const laptop = await stack.signIn('alice')
    const out = await fresh(`${stack.proxy.url}/oauth2/sign_out?scope=all`, { headers: { cookie: laptop.client.jar.header(stack.proxy.url) ?? '' } })
    assert.equal(out.status, 302)
    const ended = await spread(stack, phone.client.jar.header(stack.proxy.url) ?? '', '/everywhere')
    assert.deepEqual([...ended.statuses], [401])
    assert.equal(ended.pids.size, 2)
  })

  it('ends every session of a user through the admin API on every worker; listing answers 501', async () => {
    // A later second than bob's logout above (sign-in times are kept to the second).
    await new Promise((r) => setTimeout(r, 1010 - (Date.now() % 1000)))
    const bob = await stack.signIn('bob')
    const cookie = bob.client.jar.header(stack.proxy.url) ?? ''
    assert.deepEqual([...(await spread(stack, cookie, '/admin-before')).statuses], [200])
    assert.equal((await fresh(`${admin}/sessions?user=bob`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 501)
    const revoked = await fresh(`${admin}/sessions?user=bob&reason=test`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })
    assert.equal(revoked.status, 200)
    assert.deepEqual(JSON.parse(revoked.body), { revoked: null })
    const ended = await spread(stack, cookie, '/admin-after')
    assert.deepEqual([...ended.statuses], [401])
    assert.equal(ended.pids.size, 2)
    await waitFor('the audit line', () => lines(stack).some((l) => l.event === 'session.revoked' && l.user === 'bob'))
  })
})
