// --allow-query-semicolons through the real process. Go's net/http (golang.org/issue/25192) no longer splits queries
// on ";": without the option, url.ParseQuery drops every pair holding one and ParseForm fails, so the endpoints that
// read the redirect (sign-in page, start, callback, sign-out) answer with an error page; with it
// (http.AllowQuerySemicolons) ";" separates pairs like "&". Either way the upstream receives the request target as
// the client sent it: oauth2-proxy forwards the original RequestURI.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

describe('--allow-query-semicolons', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack()
    url = stack.proxy.url
  })
  after(async () => {
    await stack?.close()
  })

  async function echo(client: HttpClient, path: string): Promise<EchoReply> {
    const r = await client.get(`${url}${path}`)
    assert.equal(r.status, 200, r.body)
    return JSON.parse(r.body) as EchoReply
  }

  describe('off (the default)', () => {
    it('passes the query to the upstream untouched', async () => {
      const { client } = await stack.signIn('alice')
      assert.equal((await echo(client, '/q?a=1;b=2&c=3')).rawQuery, 'a=1;b=2&c=3')
    })

    it('answers the sign-in page with 500 and /oauth2/start with 400, as Go\'s ParseForm error does', async () => {
      const page = await stack.client().get(`${url}/app?a=1;b=2`)
      assert.equal(page.status, 500)
      const start = await stack.client().get(`${url}/oauth2/start?rd=/x;y`)
      assert.equal(start.status, 400)
      assert.match(start.body, /invalid semicolon separator in query/)
      assert.equal((await stack.client().get(`${url}/oauth2/callback?code=x;y&state=z`)).status, 500)
    })

    it('drops the pairs holding a ";" from what it reads itself (/oauth2/auth allow-lists)', async () => {
      const { client } = await stack.signIn('alice')
      assert.equal((await client.get(`${url}/oauth2/auth?allowed_emails=bob@example.com;x=1`)).status, 202, 'the only allow-list pair was dropped')
      assert.equal((await client.get(`${url}/oauth2/auth?x=1;y=2&allowed_emails=bob@example.com`)).status, 403)
    })
  })

  describe('on', () => {
    before(async () => {
      await stack.restartProxy(['--allow-query-semicolons'])
    })

    it('reads ";" as "&" for rd and allow-lists, and still forwards the query as sent', async () => {
      const { client } = await stack.signIn('alice')
      assert.equal((await echo(client, '/q?a=1;b=2&c=3')).rawQuery, 'a=1;b=2&c=3')
      assert.equal((await client.get(`${url}/oauth2/auth?x=1;allowed_emails=bob@example.com`)).status, 403)
      assert.equal((await client.get(`${url}/oauth2/auth?x=1;allowed_emails=alice@example.com`)).status, 202)
      const start = await stack.client().get(`${url}/oauth2/start?rd=/after;x=1`)
      assert.equal(start.status, 302)
    })

    it('signs in from a URL with ";" and comes back to it with "&", as oauth2-proxy rebuilds it', async () => {
      const { result } = await stack.signIn('alice', '/deep?a=1;b=2')
      assert.equal(result.status, 302, result.response.body)
      assert.equal(result.finalUrl, `${url}/deep?a=1&b=2`)
    })
  })
})
