/**
 * `npm start`: a demo that needs no outside identity provider. It starts the development IdP (never for
 * production), the echo app, and gatehouse in front of it with ordinary oauth2-proxy flags, then prints the URL.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { startEchoApp } from './echo-app.js'
import { DEFAULT_DEV_USERS, startDevIdp } from './idp.js'

const PROXY_PORT = Number(process.env['GATEHOUSE_DEMO_PORT'] ?? 4180)
// 4190 would be simpler, but the Fetch standard blocks it as a "bad port" (browsers and Node's fetch refuse it).
const IDP_PORT = Number(process.env['GATEHOUSE_DEMO_IDP_PORT'] ?? 4181)

async function demo(): Promise<void> {
  const proxyUrl = `http://127.0.0.1:${PROXY_PORT}`
  const clientSecret = randomBytes(24).toString('base64url')
  const idp = await startDevIdp({
    port: IDP_PORT,
    showUsers: true,
    clients: [{ clientId: 'gatehouse-demo', clientSecret, authMethod: 'client_secret_basic', redirectUris: [`${proxyUrl}/oauth2/callback`] }],
  })
  const echo = await startEchoApp()
  const args = [
    '--provider=oidc',
    `--oidc-issuer-url=${idp.issuer}`,
    '--client-id=gatehouse-demo',
    `--client-secret=${clientSecret}`,
    `--cookie-secret=${randomBytes(32).toString('base64url')}`,
    '--cookie-secure=false',
    '--email-domain=*',
    `--upstream=${echo.url}/`,
    `--http-address=127.0.0.1:${PROXY_PORT}`,
    `--redirect-url=${proxyUrl}/oauth2/callback`,
    '--scope=openid email profile groups offline_access',
    '--code-challenge-method=S256',
    '--set-xauthrequest',
    '--pass-access-token',
  ]
  const main = fileURLToPath(new URL('../main.js', import.meta.url))
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'inherit', 'inherit'] })
  const users = DEFAULT_DEV_USERS.map((u) => `    ${u.sub.padEnd(6)} password: ${u.password.padEnd(16)} ${u.email}${u.emailVerified ? '' : ' (email not verified: refused)'}${u.groups.length > 0 ? `  groups: ${u.groups.join(', ')}` : ''}`).join('\n')
  process.stdout.write(`
  gatehouse demo
  ──────────────
  Open ${proxyUrl}/ and sign in. The identity provider here is a development IdP: never use it for real users.
  Users:
${users}

  gatehouse runs with:  node dist/main.js ${args.map((a) => (a.startsWith('--client-secret') || a.startsWith('--cookie-secret') ? `${a.split('=')[0]}=…` : a)).join(' ')}
  Stop with Ctrl+C.

`)
  const stop = () => {
    child.kill('SIGTERM')
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 0)))
  await Promise.allSettled([idp.close(), echo.close()])
  process.exit(code)
}

demo().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
