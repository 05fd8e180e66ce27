// The open-redirect corpus (test/security/open-redirects.txt) through the real process: every payload sent as `rd`
// to /oauth2/start (the redirect carried in `state`, plain and with --encode-state), to /oauth2/sign_in (the form's
// hidden `rd`) and to /oauth2/sign_out (the Location), and as X-Auth-Request-Redirect, must come back as "/"; the
// legitimate redirects under the corpus whitelist must pass unchanged; and a few whole sign-ins with a malicious
// `rd` must land on "/". Classes: reference §3.10; GHSA-qqxw-m5fj-f7gv, GHSA-j7px-6hwj-hpjg, GHSA-5m6c-jp6f-2vcv, GHSA-4mf2-f3wh-gvf2.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { parseState } from '../../src/auth/login.js'
import { send } from '../helpers/echo.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { CORPUS_WHITELIST, LEGITIMATE_REDIRECTS, loadCorpus, type CorpusPayload } from './open-redirect-corpus.js'

const corpus = loadCorpus()
let stack: Stack
let url: string
let client: HttpClient

/** The redirect a /oauth2/start answer carries in its `state` (reference §3.6). */
function stateRedirect(location: string | undefined, encodeState: boolean): string | undefined {
  if (location === undefined) return undefined
  const state = new URL(location).searchParams.get('state')
  return state === null ? undefined : parseState(state, encodeState)?.redirect
}

/** Header values go on the wire as UTF-8 bytes (node:http writes strings as latin1, one byte per character). */
function headerBytes(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1')
}

/** What a Location carries for `rd`: non-ASCII characters as lower-case %xx UTF-8 bytes, as Go's http.Redirect writes them. */
function asLocation(rd: string): string {
  return rd.replace(/[^\u0000-\u007f]/gu, (c) => encodeURIComponent(c).toLowerCase())
}

/** Characters no client can put into a header value (the request would not parse): such payloads go by query only. */
const UNSENDABLE_IN_HEADER = /[\u0000-\u0008\u000a-\u001f\u007f]/

function label(p: CorpusPayload): string {
  return `line ${p.line} ${JSON.stringify(p.value)} (${p.section.slice(0, 50)})`
}

/** Sends each payload through `check`, one at a time, and returns the failures (all of them, not only the first). */
async function sweep(payloads: readonly CorpusPayload[], check: (p: CorpusPayload) => Promise<string | undefined>): Promise<string[]> {
  const failures: string[] = []
  for (const p of payloads) {
    const problem = await check(p)
    if (problem !== undefined) failures.push(`${label(p)}: ${problem}`)
  }
  return failures
}

before(async () => {
  assert.ok(corpus.length >= 100, `the corpus holds ${corpus.length} payloads`)
  stack = await startStack({ args: CORPUS_WHITELIST.map((d) => `--whitelist-domain=${d}`) })
  url = stack.proxy.url
  client = stack.client()
})

after(async () => {
  await stack?.close()
})

/** `/oauth2/start?rd=<payload>`: the state must carry "/" (checked for every payload by the caller's mode). */
async function startCarries(rd: string, encodeState: boolean, headers: Record<string, string> = {}): Promise<string | undefined> {
  const res = await client.get(`${url}/oauth2/start?rd=${encodeURIComponent(rd)}`, { headers, cookies: false })
  if (res.status !== 302) return `status ${res.status}`
  return stateRedirect(res.location, encodeState)
}

describe('every corpus payload as rd is replaced by "/"', () => {
  it(`/oauth2/start (${corpus.length} payloads): the state carries "/"`, async () => {
    const failures = await sweep(corpus, async (p) => {
      const carried = await startCarries(p.value, false)
      return carried === '/' ? undefined : `state carries ${JSON.stringify(carried)}`
    })
    assert.deepEqual(failures, [])
  })

  it('/oauth2/sign_out: the Location is "/"', async () => {
    const failures = await sweep(corpus, async (p) => {
      const res = await client.get(`${url}/oauth2/sign_out?rd=${encodeURIComponent(p.value)}`, { cookies: false })
      return res.status === 302 && res.header('location') === '/' ? undefined : `${res.status} Location ${JSON.stringify(res.header('location'))}`
    })
    assert.deepEqual(failures, [])
  })

  it('POST /oauth2/sign_out with rd in the form: the Location is "/"', async () => {
    const failures = await sweep(corpus, async (p) => {
      const res = await client.post(`${url}/oauth2/sign_out`, { rd: p.value }, { cookies: false })
      return res.status === 302 && res.header('location') === '/' ? undefined : `${res.status} Location ${JSON.stringify(res.header('location'))}`
    })
    assert.deepEqual(failures, [])
  })

  it('/oauth2/sign_in: the form carries rd "/"', async () => {
    const failures = await sweep(corpus, async (p) => {
      const res = await client.get(`${url}/oauth2/sign_in?rd=${encodeURIComponent(p.value)}`, { cookies: false })
      return res.status === 200 && res.body.includes('<input type="hidden" name="rd" value="/">') ? undefined : `status ${res.status}, form rd not "/"`
    })
    assert.deepEqual(failures, [])
  })

  it('X-Auth-Request-Redirect on /oauth2/sign_out and /oauth2/start is replaced by "/" too', async () => {
    const sendable = corpus.filter((p) => !UNSENDABLE_IN_HEADER.test(p.value))
    assert.ok(sendable.length >= 100, `${sendable.length} payloads fit in a header`)
    const failures = await sweep(sendable, async (p) => {
      const headers = { 'X-Auth-Request-Redirect': headerBytes(p.value) }
      const out = await send(url, '/oauth2/sign_out', { headers })
      if (out.status !== 302 || out.headers.location !== '/') return `sign_out: ${out.status} Location ${JSON.stringify(out.headers.location)}`
      const started = await send(url, '/oauth2/start', { headers })
      const carried = stateRedirect(started.headers.location, false)
      return carried === '/' ? undefined : `start: state carries ${JSON.stringify(carried)}`
    })
    assert.deepEqual(failures, [])
  })

  it('payloads of printable ASCII sent raw in the query (not percent-encoded) are refused as well', async () => {
    // Without `%` (the query parser would decode it into another value), `#`, `&` and `+`, the raw bytes are the payload.
    const raw = corpus.filter((p) => /^[\x21-\x7e]*$/.test(p.value) && !/[#&+%]/.test(p.value))
    assert.ok(raw.length >= 50, `${raw.length} payloads can be sent raw`)
    const failures = await sweep(raw, async (p) => {
      const res = await send(url, `/oauth2/sign_out?rd=${p.value}`)
      if (res.status === 302 && res.headers.location === '/') return undefined
      // A raw `;` makes the query unreadable to Go's parser: oauth2-proxy (and gatehouse without
      // --allow-query-semicolons) answers 500 and redirects nowhere.
      if (p.value.includes(';') && res.status === 500 && res.headers.location === undefined) return undefined
      return `${res.status} Location ${JSON.stringify(res.headers.location)}`
    })
    assert.deepEqual(failures, [])
  })
})

describe('legitimate redirects pass unchanged', () => {
  it(`${LEGITIMATE_REDIRECTS.length} redirects on /oauth2/start, /oauth2/sign_out and X-Auth-Request-Redirect`, async () => {
    const failures: string[] = []
    for (const rd of LEGITIMATE_REDIRECTS) {
      const carried = await startCarries(rd, false)
      if (carried !== rd) failures.push(`start ${JSON.stringify(rd)}: state carries ${JSON.stringify(carried)}`)
      const out = await client.get(`${url}/oauth2/sign_out?rd=${encodeURIComponent(rd)}`, { cookies: false })
      const location = out.header('location')
      if (out.status !== 302 || location !== asLocation(rd)) {
        failures.push(`sign_out ${JSON.stringify(rd)}: ${out.status} Location ${JSON.stringify(location)}`)
      }
      const viaHeader = await send(url, '/oauth2/sign_out', { headers: { 'X-Auth-Request-Redirect': headerBytes(rd) } })
      const headerLocation = viaHeader.headers.location
      if (headerLocation !== asLocation(rd)) {
        failures.push(`X-Auth-Request-Redirect ${JSON.stringify(rd)}: Location ${JSON.stringify(headerLocation)}`)
      }
    }
    assert.deepEqual(failures, [])
  })

  it('non-ASCII redirects reach the Location as %xx UTF-8 (no 500, no raw latin1 byte)', async () => {
    for (const rd of ['/\u2713', '/caf\u00e9?q=\u00fc#\u00e0', 'https://a.example.com/\u{1f600}']) {
      const out = await client.get(`${url}/oauth2/sign_out?rd=${encodeURIComponent(rd)}`, { cookies: false })
      assert.equal(out.status, 302, rd)
      assert.equal(out.header('location'), asLocation(rd), rd)
      const viaHeader = await send(url, '/oauth2/sign_out', { headers: { 'X-Auth-Request-Redirect': headerBytes(rd) } })
      assert.equal(viaHeader.headers.location, asLocation(rd), `${rd} via X-Auth-Request-Redirect`)
    }
    assert.equal(asLocation('/\u2713'), '/%e2%9c%93')
    const { result } = await stack.signIn('alice', `/oauth2/start?rd=${encodeURIComponent('/\u2713')}`)
    assert.equal(result.status, 302, 'the callback redirects instead of failing')
    assert.equal(result.response.header('location'), '/%e2%9c%93')
  })

  it('rd wins over X-Auth-Request-Redirect, and a refused rd falls back to a valid header', async () => {
    const headers = { 'X-Auth-Request-Redirect': '/from-header' }
    assert.equal((await send(url, `/oauth2/sign_out?rd=${encodeURIComponent('/from-rd')}`, { headers })).headers.location, '/from-rd')
    assert.equal((await send(url, `/oauth2/sign_out?rd=${encodeURIComponent('//evil.test')}`, { headers })).headers.location, '/from-header')
  })
})

describe('whole sign-ins with a malicious rd land on "/"', () => {
  const picks = ['//evil.test', '/\\evil.test', 'https://a.example.com@evil.test', '/%2F/evil.test', 'javascript:alert(1)', 'https://evil-example.com']

  it(`${picks.length} sign-ins`, async () => {
    const known = new Set(corpus.map((p) => p.value))
    for (const rd of picks) {
      assert.ok(known.has(rd), `${rd} is in the corpus`)
      const { result } = await stack.signIn('alice', `/oauth2/start?rd=${encodeURIComponent(rd)}`)
      assert.equal(result.status, 302, rd)
      assert.equal(result.response.header('location'), '/', `${rd}: the callback redirects to "/"`)
    }
  })

  it('a legitimate rd survives a whole sign-in', async () => {
    const { result } = await stack.signIn('alice', `/oauth2/start?rd=${encodeURIComponent('https://a.example.com/x?y=1')}`)
    assert.equal(result.response.header('location'), 'https://a.example.com/x?y=1')
  })
})

describe('with --encode-state', () => {
  before(async () => {
    await stack.restartProxy(['--encode-state'])
  })

  it('/oauth2/start (every payload): the base64url state carries "/"', async () => {
    const failures = await sweep(corpus, async (p) => {
      const carried = await startCarries(p.value, true)
      return carried === '/' ? undefined : `state carries ${JSON.stringify(carried)}`
    })
    assert.deepEqual(failures, [])
    assert.equal(await startCarries('/path?x=1#frag', true), '/path?x=1#frag', 'control: a legitimate rd is carried')
  })

  it('whole sign-ins with a malicious rd land on "/"', async () => {
    for (const rd of ['//evil.test', 'https://a.example.com@evil.test']) {
      const { result } = await stack.signIn('alice', `/oauth2/start?rd=${encodeURIComponent(rd)}`)
      assert.equal(result.status, 302, rd)
      assert.equal(result.response.header('location'), '/', rd)
    }
  })
})
