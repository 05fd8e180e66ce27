// The peers of the bench, each a real Debian server in front of the same upstream: Caddy's reverse_proxy (Go's
// net/http, the floor under oauth2-proxy's cost per request) and Apache httpd with mod_auth_openidc signed in to the
// development IdP (the C peer that authenticates). Nothing here is measured; run.ts measures them.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCaddy } from '../test/helpers/caddy.js'
import { createClient } from '../test/helpers/http.js'
import { loginViaHttp } from '../test/helpers/login.js'
import { childServer } from './child-server.js'

/** A peer server under test. */
export interface Peer {
  pid: number
  url: string
  version: string
  stop(): Promise<void>
}

/** Caddy `reverse_proxy` with GOMAXPROCS=1 and no access log, adding `X-Forwarded-User: caddy`. */
export async function startCaddyProxy(port: number, upstreamPort: number): Promise<Peer> {
  const caddy = await startCaddy({
    sites: `http://127.0.0.1:${port} {\n\treverse_proxy 127.0.0.1:${upstreamPort} {\n\t\theader_up X-Forwarded-User caddy\n\t}\n}`,
    ports: [port],
    env: { GOMAXPROCS: '1' },
  })
  const version = spawnSync('caddy', ['version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0] ?? 'caddy'
  return { pid: caddy.pid, url: `http://127.0.0.1:${port}`, version: `caddy ${version}`, stop: () => caddy.stop() }
}

const MODULES = '/usr/lib/apache2/modules'

/** httpd.conf: one event-MPM process, no access log, every path behind mod_auth_openidc with a shared-memory session cache. */
function apacheConf(dir: string, port: number, upstreamPort: number, issuer: string): string {
  const load = ['mpm_event', 'authz_core', 'authn_core', 'authz_user', 'headers', 'proxy', 'proxy_http', 'socache_shmcb', 'auth_openidc']
    .map((m) => `LoadModule ${m === 'auth_openidc' ? 'auth_openidc_module' : `${m}_module`} ${MODULES}/mod_${m}.so`)
    .join('\n')
  return `${load}
ServerRoot ${dir}
ServerName 127.0.0.1
PidFile ${dir}/httpd.pid
Mutex file:${dir}
DefaultRuntimeDir ${dir}
Listen 127.0.0.1:${port}
ErrorLog ${dir}/error.log
LogLevel warn
StartServers 1
ServerLimit 1
MinSpareThreads 1
MaxSpareThreads 64
ThreadsPerChild 64
MaxRequestWorkers 64
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
OIDCProviderMetadataURL ${issuer}/.well-known/openid-configuration
OIDCClientID gatehouse
OIDCClientSecret gatehouse-secret
OIDCProviderTokenEndpointAuth client_secret_basic
OIDCRedirectURI http://127.0.0.1:${port}/redirect_uri
OIDCCryptoPassphrase bench-passphrase-bench-passphrase
OIDCScope "openid email profile"
OIDCRemoteUserClaim sub
OIDCSessionType server-cache
OIDCCacheType shm
OIDCSSLValidateServer Off
OIDCPassClaimsAs environment
OIDCUnAuthAction auth true
<Location />
  AuthType openid-connect
  Require valid-user
  RequestHeader set X-Forwarded-User "%{OIDC_CLAIM_sub}e"
  RequestHeader set X-Forwarded-Email "%{OIDC_CLAIM_email}e"
</Location>
ProxyPass /redirect_uri !
ProxyPass / http://127.0.0.1:${upstreamPort}/ keepalive=On
`
}

/** Apache httpd + mod_auth_openidc against the development IdP at `issuer`; `signIn()` gives the session cookie. */
export async function startApacheOidc(port: number, upstreamPort: number, issuer: string): Promise<Peer & { signIn(login?: string): Promise<string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-apache-'))
  const conf = join(dir, 'httpd.conf')
  writeFileSync(conf, apacheConf(dir, port, upstreamPort, issuer))
  // -X would serialise everything into one thread; -DFOREGROUND keeps the event MPM with its threads.
  const proc = spawn('/usr/sbin/apache2', ['-f', conf, '-DFOREGROUND'], { stdio: 'ignore', env: { ...process.env, APACHE_RUN_USER: 'root', APACHE_RUN_GROUP: 'root' } })
  const started = await childServer(proc, port, 'apache2').catch((err: Error) => {
    let log = ''
    try {
      log = readFileSync(join(dir, 'error.log'), 'utf8')
    } catch {
      // no log written yet
    }
    throw new Error(`${err.message}\n${log}`)
  })
  const url = started.url
  const version = /Apache\/[\d.]+/.exec(spawnSync('/usr/sbin/apache2', ['-v'], { encoding: 'utf8' }).stdout)?.[0] ?? 'Apache'
  return {
    pid: started.pid,
    url,
    version: `${version} + mod_auth_openidc`,
    async signIn(login = 'alice') {
      const client = createClient()
      const res = await loginViaHttp(client, `${url}/`, { login, password: `${login}-password` })
      if (res.status !== 302) throw new Error(`sign-in at Apache failed with ${res.status}`)
      const cookie = client.jar.header(url)
      if (cookie === undefined) throw new Error('no session cookie after sign-in at Apache')
      return cookie
    },
    async stop() {
      await started.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
