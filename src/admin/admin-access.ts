import { createHmac } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { safeEqual } from '../crypto/equal.js'
import type { Revocations } from '../session/revocation.js'
import type { SessionStore } from '../session/store.js'

/** Who is calling the admin listener: a bearer-token client, or a signed-in member of `--admin-group`. */
export type AdminCaller = { kind: 'token'; who: 'admin-token' } | { kind: 'session'; who: string; csrf: string }

export interface AdminAccessOptions {
  token: string | undefined
  group: string | undefined
  store: Pick<SessionStore, 'load'>
  revocations: Revocations
  hmacKey: Buffer
  clock: () => number
}

/** Decides who may use the admin API: a constant-time bearer token compare, or a session whose groups hold the admin group. */
export function createAdminAccess(options: AdminAccessOptions) {
  const csrfFor = (key: string) => createHmac('sha256', options.hmacKey).update(`gatehouse-admin-csrf\0${key}`).digest('base64url')
  return {
    async caller(req: IncomingMessage, cookies: Readonly<Record<string, string>>): Promise<AdminCaller | undefined> {
      const auth = req.headers.authorization
      if (auth !== undefined && options.token !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(auth)
        if (match?.[1] !== undefined && safeEqual(match[1], options.token)) return { kind: 'token', who: 'admin-token' }
        return undefined
      }
      if (options.group === undefined) return undefined
      const loaded = await options.store.load(cookies, options.clock())
      if (loaded.kind !== 'ok' || options.revocations.isRevoked(loaded.session)) return undefined
      if (!(loaded.session.groups ?? []).includes(options.group)) return undefined
      return { kind: 'session', who: loaded.session.email ?? loaded.session.user ?? 'unknown', csrf: csrfFor(loaded.key) }
    },
    /** Cookie-authenticated changes need the page's CSRF token; bearer clients send no cookies a browser could replay. */
    csrfOk(caller: AdminCaller, sent: string | null): boolean {
      return caller.kind === 'token' || (sent !== null && safeEqual(sent, caller.csrf))
    },
  }
}

export type AdminAccess = ReturnType<typeof createAdminAccess>
