// Glewlwyd (Debian's `glewlwyd`, an OpenID provider written in C) as a second, independent IdP for tests: its own
// config and SQLite database (from the SQL the package ships) in a temp dir, 127.0.0.1 on a free port, provisioned
// through its admin API (the OIDC plugin with an RS256 key, users, clients), stopped and removed after.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import type { HttpClient } from './http.js'
import { freePort } from './process.js'

const run = promisify(execFile)

/** The database scripts of the package: dbconfig's copy, or the one under /usr/share/doc (often left out of images). */
const INIT_SQL = ['/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3', '/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz']
/** The account the package's init script creates (docs/database/README.md of Glewlwyd). */
const ADMIN = { username: 'admin', password: 'password' }
/** The OIDC plugin instance's name: its endpoints live under /api/<name>/. */
const PLUGIN = 'oidc'

export interface GlewlwydUser {
  username: string
  password: string
  email: string
  name?: string
}

export interface GlewlwydClient {
  clientId: string
  secret: string
  redirectUris: string[]
  /** Token endpoint authentication Glewlwyd accepts from this client (default: HTTP Basic only). */
  authMethods?: Array<'client_secret_basic' | 'client_secret_post'>
}

export interface Glewlwyd {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** The OIDC issuer (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string
  addUser(user: GlewlwydUser): Promise<void>
  addClient(client: GlewlwydClient): Promise<void>
  /**
   * Does what Glewlwyd's login page does from the authorization request's login redirect: signs `user` in
   * (`POST /api/auth/`), grants the `openid` scope to the client, and continues the authorization request. Returns
   * Glewlwyd's answer: the redirect back to the relying party with a code.
   */
  login(client: HttpClient, loginRedirect: string, user: GlewlwydUser): Promise<string>
  /** Glewlwyd's own log so far. */
  logs(): string
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** Starts Glewlwyd with a fresh database and the OIDC plugin; refuses to run without the Debian package. */
export async function startGlewlwyd(options: { accessTokenSeconds?: number } = {}): Promise<Glewlwyd> {
  if (!existsSync('/usr/bin/glewlwyd')) throw new Error('glewlwyd is not installed (scripts/install-system-deps.sh installs it)')
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-glewlwyd-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const issuer = `${url}/api/${PLUGIN}`
  await initDatabase(join(dir, 'glewlwyd.db'))
  writeFileSync(join(dir, 'glewlwyd.conf'), config(port, url, dir))

  const proc = spawn('/usr/bin/glewlwyd', ['--config-file', join(dir, 'glewlwyd.conf')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(proc)
  let output = ''
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d))
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d))
  const exited = new Promise<void>((resolve) => proc.once('close', () => (live.delete(proc), resolve())))

  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await waitUntilUp(`${url}/api/`, () => proc.exitCode !== null, () => output)
    const admin = await adminSession(url)
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    await adminCall(url, admin, 'POST', '/api/mod/plugin/', {
      module: 'oidc', name: PLUGIN, display_name: 'OpenID Connect', enabled: true,
      parameters: {
        iss: issuer, 'jwt-type': 'rsa', 'jwt-key-size': '256',
        key: privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: publicKey.export({ type: 'spki', format: 'pem' }),
        'jwks-show': true, 'access-token-duration': options.accessTokenSeconds ?? 3600, 'refresh-token-duration': 1_209_600,
        'code-duration': 600, 'refresh-token-rolling': true, 'allow-non-oidc': false,
        'auth-type-code-enabled': true, 'auth-type-token-enabled': false, 'auth-type-id-token-enabled': true,
        'auth-type-password-enabled': false, 'auth-type-client-enabled': false, 'auth-type-refresh-enabled': true,
        'subject-type': 'public', 'email-claim': 'mandatory', 'name-claim': 'on-demand', 'pkce-allowed': true,
        'pkce-method-plain-allowed': false,
      },
    })
    return {
      url,
      issuer,
      async addUser(user) {
        await adminCall(url, admin, 'POST', '/api/user/', {
          username: user.username, name: user.name ?? user.username, email: user.email, enabled: true, scope: ['openid'], password: user.password,
        })
      },
      async addClient(client) {
        await adminCall(url, admin, 'POST', '/api/client/', {
          client_id: client.clientId, name: client.clientId, enabled: true, confidential: true, client_secret: client.secret,
          redirect_uri: client.redirectUris, authorization_type: ['code', 'refresh_token'],
          token_endpoint_auth_method: client.authMethods ?? ['client_secret_basic'], scope: [],
        })
      },
      async login(client, loginRedirect, user) {
        const target = new URL(loginRedirect)
        const authorization = target.searchParams.get('callback_url')
        const clientId = target.searchParams.get('client_id')
        if (target.origin !== url || authorization === null || clientId === null) throw new Error(`glewlwyd: not its login page: ${loginRedirect}`)
        const json = { 'content-type': 'application/json' }
        const auth = await client.request('POST', `${url}/api/auth/`, { headers: json, body: JSON.stringify({ username: user.username, password: user.password }) })
        if (auth.status !== 200) throw new Error(`glewlwyd: sign-in of ${user.username} answered ${auth.status}: ${auth.body}`)
        const grant = await client.request('PUT', `${url}/api/auth/grant/${encodeURIComponent(clientId)}`, { headers: json, body: JSON.stringify({ scope: 'openid' }) })
        if (grant.status !== 200) throw new Error(`glewlwyd: granting openid to ${clientId} answered ${grant.status}: ${grant.body}`)
        // The login page goes back to the authorization request with `g_continue` once the user is signed in.
        const answer = await client.get(`${authorization}&g_continue`)
        if (answer.status !== 302 || answer.location === undefined) throw new Error(`glewlwyd: the authorization request answered ${answer.status}: ${answer.body}`)
        return answer.location
      },
      logs: () => output,
      stop,
    }
  } catch (err) {
    await stop()
    throw new Error(`${(err as Error).message}\n--- glewlwyd log ---\n${output}`, { cause: err })
  }
}

async function initDatabase(path: string): Promise<void> {
  const source = INIT_SQL.find((p) => existsSync(p))
  if (source === undefined) throw new Error(`glewlwyd: none of ${INIT_SQL.join(', ')} exists`)
  const raw = readFileSync(source)
  const sql = source.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8')
  const child = run('sqlite3', [path], { timeout: 20_000 })
  child.child.stdin?.end(sql)
  await child
}

/** Glewlwyd's config: loopback only, plain HTTP, cookies without Secure, the package's module paths. */
function config(port: number, url: string, dir: string): string {
  return `port=${port}
bind_address="127.0.0.1"
external_url="${url}"
login_url="login.html"
api_prefix="api"
log_mode="console"
log_level="INFO"
cookie_secure=0
session_expiration=3600
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "${join(dir, 'glewlwyd.db')}"; };
`
}

async function waitUntilUp(url: string, exited: () => boolean, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (exited()) throw new Error(`glewlwyd exited at start:\n${output()}`)
    const up = await fetch(url).then((r) => (void r.body?.cancel(), true), () => false)
    if (up) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('glewlwyd did not answer within 10 s')
}

/** The admin's session cookie (`POST /api/auth/` with the package's default admin). */
async function adminSession(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('GLEWLWYD2_SESSION_ID='))
  await res.body?.cancel()
  if (res.status !== 200 || cookie === undefined) throw new Error(`glewlwyd: admin sign-in answered ${res.status}`)
  return cookie.split(';')[0] ?? ''
}

async function adminCall(url: string, cookie: string, method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`glewlwyd: ${method} ${path} answered ${res.status}: ${text}`)
}
