// Two development IdPs as two providers of one gatehouse, configured by a cookbook file of docs/examples/policy/
// (the file's example addresses replaced by the running IdPs and echo app): staff (alice, bob, carol) and partners
// (dana in the group "partners", erin in none).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEchoApp, type EchoApp } from '../../src/dev/echo-app.js'
import { startDevIdp, type DevIdp, type DevUser } from '../../src/dev/idp.js'
import { loadExample } from './examples.js'
import { freePort, startGatehouse, type Gatehouse } from './process.js'

const partnerUser = (sub: string, groups: string[]): DevUser => ({
  sub,
  email: `${sub}@partner.example.net`,
  emailVerified: true,
  name: `${sub} Partner`,
  preferredUsername: sub,
  groups,
  password: `${sub}-password`,
})

export interface TwoIdps {
  staff: DevIdp
  partners: DevIdp
  echo: EchoApp
  proxy: Gatehouse
  close(): Promise<void>
}

/** The example file's stand-in addresses, and what a test puts in their place. */
async function replacements(staff: DevIdp, partners: DevIdp, echo: EchoApp, text: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const logout = 'https://login.partner.example.net/session/end'
  if (text.includes(logout)) {
    const discovery = (await (await fetch(`${partners.issuer}/.well-known/openid-configuration`)).json()) as { end_session_endpoint: string }
    out[logout] = discovery.end_session_endpoint
  }
  return { ...out, 'https://sso.example.com': staff.issuer, 'https://login.partner.example.net': partners.issuer, 'http://127.0.0.1:8080': echo.url }
}

/** Starts both IdPs, the echo app and gatehouse on `docs/examples/policy/<file>` with `args` added. */
export async function startTwoIdps(file: string, args: string[] = []): Promise<TwoIdps> {
  const [staff, partners, echo, port, dir] = await Promise.all([
    startDevIdp(),
    startDevIdp({ users: [partnerUser('dana', ['partners']), partnerUser('erin', [])] }),
    startEchoApp(),
    freePort(),
    mkdtemp(join(tmpdir(), 'gatehouse-two-idps-')),
  ])
  const cleanUp = async (): Promise<void> => {
    await Promise.allSettled([staff.close(), partners.close(), echo.close()])
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const raw = await loadExample('policy', file)
    const text = await loadExample('policy', file, await replacements(staff, partners, echo, raw))
    await writeFile(join(dir, file), `${text}\nserver:\n  bindAddress: 127.0.0.1:${port}\n`)
    const proxy = await startGatehouse({
      args: [
        `--alpha-config=${join(dir, file)}`,
        `--cookie-secret=${randomBytes(32).toString('base64url')}`,
        '--cookie-secure=false',
        '--email-domain=*',
        `--redirect-url=http://127.0.0.1:${port}/oauth2/callback`,
        ...args,
      ],
      env: { STAFF_CLIENT_SECRET: 'gatehouse-secret', PARTNERS_CLIENT_SECRET: 'gatehouse-secret', OAUTH2_PROXY_HTTP_ADDRESS: `127.0.0.1:${port}` },
    })
    return { staff, partners, echo, proxy, close: async () => { await proxy.stop(); await cleanUp() } }
  } catch (err) {
    await cleanUp()
    throw err
  }
}
