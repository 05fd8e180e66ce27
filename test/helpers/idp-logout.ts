// Ending sessions from the IdP side in tests: a browser's sign-out at the dev IdP (which then calls every registered
// back-channel logout URL) and a logout token posted straight to a proxy.
import { strict as assert } from 'node:assert'
import { parseForms, submitForm } from './html-form.js'
import type { HttpClient, HttpResponse } from './http.js'

/** Ends the client's session at the dev IdP the way a browser does: the end_session page and its confirmation form. */
export async function signOutAtIdp(client: HttpClient, issuer: string): Promise<void> {
  const page = await client.get(`${issuer}/session/end`)
  assert.equal(page.status, 200)
  const form = parseForms(page.body, page.url)[0]
  assert.ok(form, 'the IdP shows its logout confirmation form')
  const done = await submitForm(client, form, { logout: 'yes' })
  assert.ok(done.status === 200 || done.status === 303 || done.status === 302, `IdP logout answered ${done.status}`)
}

/** Posts a logout token to a proxy's back-channel endpoint. */
export function postLogout(client: HttpClient, proxy: { url: string }, token: string): Promise<HttpResponse> {
  return client.post(`${proxy.url}/oauth2/backchannel_logout`, { logout_token: token })
}
