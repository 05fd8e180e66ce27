// Claims are not always ASCII: non-Latin names and groups reach the app as UTF-8 bytes (as oauth2-proxy sends them),
// and a claim no header can carry (a newline in a group name) is left out instead of failing the user's requests.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { startStack, type Stack } from '../helpers/stack.js'

/** A header value as the bytes it arrived in, read as UTF-8 (Node hands header bytes over as latin1). */
const utf8 = (value: unknown): string => Buffer.from(String(value ?? ''), 'latin1').toString('utf8')

describe('identity headers with non-ASCII and unsendable claims', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack({ args: ['--scope=openid email profile groups', '--set-xauthrequest'] })
    stack.idp.users.push(
      { sub: 'lukasz', email: 'lukasz@example.com', emailVerified: true, name: 'Łukasz', preferredUsername: 'Łukasz', groups: ['佐藤', 'ops'], password: 'lukasz-password' },
      { sub: 'nina', email: 'nina@example.com', emailVerified: true, name: 'Nina', preferredUsername: 'nina', groups: ['good', 'bad\ngroup'], password: 'nina-password' },
    )
  })
  after(() => stack.close())

  it('passes non-ASCII names and groups to the app as UTF-8', async () => {
    const { client } = await stack.signIn('lukasz')
    const res = await client.get(`${stack.proxy.url}/who`)
    assert.equal(res.status, 200)
    const echo = res.json<EchoReply>()
    assert.equal(utf8(echo.headers['x-forwarded-preferred-username']), 'Łukasz')
    assert.equal(utf8(echo.headers['x-forwarded-groups']), '佐藤,ops')
    const auth = await client.get(`${stack.proxy.url}/oauth2/auth`)
    assert.equal(auth.status, 202)
    assert.equal(utf8(auth.header('x-auth-request-groups')), '佐藤,ops')
  })

  it('serves a user whose group name holds a newline, without that group', async () => {
    const { client } = await stack.signIn('nina')
    const res = await client.get(`${stack.proxy.url}/who`)
    assert.equal(res.status, 200)
    assert.equal(res.json<EchoReply>().headers['x-forwarded-groups'], 'good')
  })
})
