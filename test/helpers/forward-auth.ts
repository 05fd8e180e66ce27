// The pieces every reverse-proxy integration test needs: the dev IdP, the echo app, free ports, and gatehouse
// started from one of the docs/examples cfg files (with the IdP's URL, the secret and the ports substituted).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEchoApp, type EchoApp } from '../../src/dev/echo-app.js'
import { startDevIdp, type DevIdp, type DevIdpOptions } from '../../src/dev/idp.js'
import { loadExample } from './examples.js'
import { startGatehouse, type Gatehouse } from './process.js'

/** The IdP and the app shared by one test file, plus a temp dir for cfg files. */
export interface Backends {
  idp: DevIdp
  echo: EchoApp
  /** `127.0.0.1:<port>` of the echo app. */
  echoAddress: string
  dir: string
  close(): Promise<void>
}

/** Starts the dev IdP and the echo app. */
export async function startBackends(idpOptions?: DevIdpOptions): Promise<Backends> {
  const [idp, echo, dir] = await Promise.all([startDevIdp(idpOptions), startEchoApp(), mkdtemp(join(tmpdir(), 'gatehouse-fa-'))])
  return {
    idp,
    echo,
    echoAddress: `127.0.0.1:${echo.port}`,
    dir,
    async close() {
      await Promise.allSettled([idp.close(), echo.close(), rm(dir, { recursive: true, force: true })])
    },
  }
}

/** A fresh cookie secret (32 random bytes, base64url). */
export function newCookieSecret(): string {
  return randomBytes(32).toString('base64url')
}

/** What to put in place of an example cfg's placeholders. */
export interface CfgSubstitution {
  example: string
  file: string
  /** Placeholder → value; see `loadExample`. */
  replace: Record<string, string>
  /** `127.0.0.1:<port>` gatehouse listens on (also passed as --http-address). */
  address: string
  /** Extra flags for the test only (e.g. --cookie-secure=false on plain http). */
  args?: string[]
  /** Extra environment variables for the test only (e.g. a stand-in's URL). */
  env?: Record<string, string>
}

/** Writes the substituted cfg to the backends' temp dir and starts gatehouse with `--config` on it. */
export async function startFromExample(backends: Backends, s: CfgSubstitution): Promise<Gatehouse> {
  const text = await loadExample(s.example, s.file, s.replace)
  const path = join(backends.dir, `${s.example}-${s.file}-${randomBytes(4).toString('hex')}`)
  await writeFile(path, text)
  return startGatehouse({ args: [`--config=${path}`, ...(s.args ?? []), `--http-address=${s.address}`], ...(s.env === undefined ? {} : { env: s.env }) })
}
