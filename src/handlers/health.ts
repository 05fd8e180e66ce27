import { describe, type Handler } from '../http/server.js'
import { sendText } from '../http/reply.js'
import type { RequestContext } from '../http/context.js'
import type { Services } from './services.js'

/** True for a liveness probe: the ping path (or GCP's paths), never a User-Agent alone (GHSA-5hvv-m4w4-gf6v). */
export function isPing(ctx: RequestContext, s: Services): boolean {
  if (ctx.pathname === s.settings.pingPath) return true
  return s.settings.gcpHealthChecks && (ctx.pathname === '/liveness_check' || ctx.pathname === '/readiness_check')
}

/** `/ping`: 200 `OK` while the process serves. */
export const pingHandler: Handler = (ctx) => sendText(ctx.res, 200, 'OK')

/** `/ready`: 200 `OK` when the session store answers and the revocation list is in step, else 500 with the reason. */
export function createReadyHandler(s: Services): Handler {
  return async (ctx) => {
    try {
      await s.store.ping()
      await s.revocations.ready()
      sendText(ctx.res, 200, 'OK')
    } catch (err) {
      ctx.log.error({ event: 'health.ready.failed', error: describe(err) }, 'session store not ready')
      sendText(ctx.res, 500, 'error: session store unavailable')
    }
  }
}

/** `/robots.txt`: keep crawlers out of everything behind the proxy, or the `robots.txt` of `--custom-templates-dir`. */
export function createRobotsHandler(text = 'User-agent: *\nDisallow: /\n'): Handler {
  return (ctx) => sendText(ctx.res, 200, text)
}
