// The interaction endpoints of the development OpenID provider: a password login form and an
// automatic consent (no consent page). Development and tests only.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { InteractionDetails, Provider } from 'oidc-provider'
import { errorPage, loginPage } from './idp-pages.js'
import type { DevIdpStats, DevUser } from './idp-types.js'
import { findUserByLogin } from './idp-users.js'

const MAX_FORM_BYTES = 64 * 1024

/** What the interaction handler needs from the IdP. */
export interface InteractionDeps {
  /** The provider in service now (it changes on key rotation). */
  provider(): Provider
  users(): readonly DevUser[]
  showUsers: boolean
  stats: DevIdpStats
  /** Path prefix of the interaction URLs, e.g. `/interaction/` or `/realms/demo/interaction/`. */
  prefix: string
}

/** Handles GET (show the form or grant consent) and POST (check the password) on `<prefix><uid>`. */
export function createInteractionHandler(
  deps: InteractionDeps,
): (req: IncomingMessage, res: ServerResponse, uid: string) => Promise<void> {
  return async (req, res, uid) => {
    try {
      const provider = deps.provider()
      const details = await provider.interactionDetails(req, res)
      if (details.uid !== uid) {
        sendHtml(res, 400, errorPage('invalid_request', 'This sign-in request is not the one in progress; start again.'))
        return
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (details.prompt.name === 'consent') {
          await finishConsent(provider, details, req, res)
          return
        }
        sendHtml(res, 200, renderLogin(deps, details, uid, undefined, undefined))
        return
      }
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'GET, POST')
        sendHtml(res, 405, errorPage('method_not_allowed', undefined))
        return
      }
      const form = await readForm(req)
      const login = form.get('login') ?? ''
      const user = findUserByLogin(deps.users(), login)
      if (user === undefined || user.password !== (form.get('password') ?? '')) {
        deps.stats.failedLogins += 1
        sendHtml(res, 200, renderLogin(deps, details, uid, login, 'Invalid username or password.'))
        return
      }
      deps.stats.logins += 1
      await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false })
    } catch (error) {
      const { name, description } = describe(error)
      sendHtml(res, 400, errorPage(name, description))
    }
  }
}

function renderLogin(
  deps: InteractionDeps,
  details: InteractionDetails,
  uid: string,
  login: string | undefined,
  error: string | undefined,
): string {
  const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined
  return loginPage({
    action: `${deps.prefix}${uid}`,
    clientId: String(details.params.client_id ?? ''),
    scope: String(details.params.scope ?? ''),
    login: login ?? hint,
    ...(error === undefined ? {} : { error }),
    ...(deps.showUsers ? { users: deps.users() } : {}),
  })
}

/** Grants whatever the consent prompt says is missing, then resumes the authorization. */
async function finishConsent(
  provider: Provider,
  details: InteractionDetails,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const accountId = details.session?.accountId ?? ''
  const clientId = String(details.params.client_id ?? '')
  const found = details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)
  const grant = found ?? new provider.Grant({ accountId, clientId })
  const missing = details.prompt.details
  if (Array.isArray(missing.missingOIDCScope)) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
  if (Array.isArray(missing.missingOIDCClaims)) grant.addOIDCClaims(missing.missingOIDCClaims.map(String))
  const resources = missing.missingResourceScopes
  if (resources !== null && typeof resources === 'object') {
    for (const [indicator, scopes] of Object.entries(resources)) {
      if (Array.isArray(scopes)) grant.addResourceScope(indicator, scopes.join(' '))
    }
  }
  const grantId = await grant.save()
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > MAX_FORM_BYTES) throw new Error('form too large')
    chunks.push(buf)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function describe(error: unknown): { name: string; description: string | undefined } {
  if (error !== null && typeof error === 'object') {
    const e = error as { error?: unknown; error_description?: unknown; message?: unknown }
    if (typeof e.error === 'string') {
      return { name: e.error, description: typeof e.error_description === 'string' ? e.error_description : undefined }
    }
    if (typeof e.message === 'string') return { name: 'invalid_request', description: e.message }
  }
  return { name: 'server_error', description: undefined }
}

/** Writes a complete HTML response that nothing caches. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  const body = Buffer.from(html, 'utf8')
  res.statusCode = status
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('Content-Length', body.length)
  res.setHeader('Cache-Control', 'no-store')
  res.end(body)
}
