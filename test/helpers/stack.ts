// The whole system under test in one call: the development IdP, the echo upstream and the real
// gatehouse process signing users in against that IdP. Each test file starts its own stack.
import { randomBytes } from 'node:crypto'
import { startEchoApp, type EchoApp } from '../../src/dev/echo-app.js'
import { startDevIdp, type DevIdp, type DevIdpOptions } from '../../src/dev/idp.js'
import { createClient, type HttpClient } from './http.js'
import { loginViaHttp, type LoginResult } from './login.js'
import { freePort, startGatehouse, type Gatehouse } from './process.js'

export interface Stack {
  idp: DevIdp
  echo: EchoApp
  proxy: Gatehouse
  cookieSecret: string
  /** A fresh client with its own cookie jar. */
  client(): HttpClient
  /** Signs `login` in from `path` (default `/`) with a new client and returns it with the outcome. */
  signIn(login?: string, path?: string): Promise<{ client: HttpClient; result: LoginResult }>
  /** Restarts only the proxy with other extra flags (same IdP, echo, secret and port). */
  restartProxy(extraArgs: string[]): Promise<void>
  close(): Promise<void>
}

export interface StackOptions {
  /** Flags added after the defaults (a later flag of the same name wins for scalars). */
  args?: string[]
  /** Replaces the default flags entirely, except --http-address. */
  replaceArgs?: (defaults: string[]) => string[]
  idp?: DevIdpOptions
  env?: Record<string, string>
}

export const DEV_PASSWORDS: Record<string, string> = { alice: 'alice-password', bob: 'bob-password', carol: 'carol-password' }

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const [idp, echo, port] = await Promise.all([startDevIdp(options.idp), startEchoApp(), freePort()])
  const cookieSecret = randomBytes(32).toString('base64url')
  const url = `http://127.0.0.1:${port}`
  const defaults = [
    '--provider=oidc',
    `--oidc-issuer-url=${idp.issuer}`,
    '--client-id=gatehouse',
    '--client-secret=gatehouse-secret',
    `--cookie-secret=${cookieSecret}`,
    '--cookie-secure=false',
    '--email-domain=*',
    `--upstream=${echo.url}/`,
    `--redirect-url=${url}/oauth2/callback`,
  ]
  const build = (extra: string[]): string[] => {
    const base = options.replaceArgs ? options.replaceArgs(defaults) : defaults
    return [...base, ...(options.args ?? []), ...extra, `--http-address=127.0.0.1:${port}`]
  }
  let proxy = await startOrCleanUp(build([]), options.env, [idp, echo])

  const stack: Stack = {
    idp,
    echo,
    get proxy() {
      return proxy
    },
    cookieSecret,
    client: () => createClient(),
    async signIn(login = 'alice', path = '/') {
      const client = createClient()
      const result = await loginViaHttp(client, `${url}${path}`, { login, password: DEV_PASSWORDS[login] ?? `${login}-password` })
      return { client, result }
    },
    async restartProxy(extraArgs) {
      await proxy.stop()
      proxy = await startGatehouse({ args: build(extraArgs), env: options.env })
    },
    async close() {
      await Promise.allSettled([proxy.stop(), idp.close(), echo.close()])
    },
  }
  return stack
}

/** Flags for another gatehouse on the stack's IdP, upstream and cookie secret; the caller adds the email rule and the rest. */
export function peerArgs(stack: Pick<Stack, 'idp' | 'echo' | 'cookieSecret'>): string[] {
  return [
    '--provider=oidc',
    `--oidc-issuer-url=${stack.idp.issuer}`,
    '--client-id=gatehouse',
    '--client-secret=gatehouse-secret',
    `--cookie-secret=${stack.cookieSecret}`,
    `--upstream=${stack.echo.url}/`,
  ]
}

async function startOrCleanUp(args: string[], env: Record<string, string> | undefined, others: { close(): Promise<void> }[]): Promise<Gatehouse> {
  try {
    return await startGatehouse({ args, env })
  } catch (err) {
    await Promise.allSettled(others.map((o) => o.close()))
    throw err
  }
}
