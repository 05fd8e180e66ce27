// Checks shared by the provider tests (test/integration/provider-*.test.ts): what /oauth2/userinfo says about a signed-in
// client, and how a failing or hanging IdP/API call surfaces (a 5xx page with the request id, one log line naming it).
import { strict as assert } from 'node:assert'
import type { HttpClient } from './http.js'
import type { Stack } from './stack.js'

export interface Identity {
  user: string
  email: string
  groups?: string[]
}

/** The proxy's `/oauth2/userinfo` answer for `client` (asserted 200). */
export async function identityOf(client: HttpClient, proxyUrl: string): Promise<Identity> {
  const r = await client.get(`${proxyUrl}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
  assert.equal(r.status, 200, r.body)
  return JSON.parse(r.body) as Identity
}

export interface FailureCase {
  /** Turns the fault on (e.g. `graph.broken = true`, `idp.faults.userinfo = 'hang'`). */
  on(): void
  off(): void
  /** What the one `http.error` line of that sign-in must say. */
  logged: RegExp
}

/**
 * Signs `login` in once per case with its fault on, from a freshly restarted proxy: each sign-in must end in a 5xx
 * (`status` when given) whose page shows the request id of exactly one `http.error` log line matching `logged`.
 */
export async function expectFailuresLogged(stack: Stack, login: string, cases: readonly FailureCase[], status?: number): Promise<void> {
  await stack.restartProxy([])
  const bodies: string[] = []
  for (const c of cases) {
    c.on()
    try {
      const { result } = await stack.signIn(login)
      if (status === undefined) assert.ok(result.status >= 500, `status ${result.status}`)
      else assert.equal(result.status, status)
      bodies.push(result.response.body)
    } finally {
      c.off()
    }
  }
  const errorLines = (): string[] => stack.proxy.logs().split('\n').filter((l) => l.includes('"http.error"'))
  // The child's log lines may trail its answers a little: wait for them, a bounded number of times.
  for (let i = 0; i < 50 && errorLines().length < cases.length; i++) await new Promise((r) => setTimeout(r, 100))
  const lines = errorLines()
  assert.equal(lines.length, cases.length, lines.join('\n'))
  lines.forEach((line, i) => {
    assert.match(line, cases[i]?.logged ?? /$^/)
    assert.ok(bodies[i]?.includes((JSON.parse(line) as { requestId: string }).requestId), 'the page shows the logged request id')
  })
  assert.ok(!stack.proxy.logs().includes('Bearer '), 'no token in the logs')
}
