// A stack whose sessions live in Redis (or in cookies, with the revocation list in Redis), and extra gatehouse
// replicas sharing its IdP, upstream, secret and Redis.
import type { HttpClient, HttpResponse } from './http.js'
import { startGatehouse, type Gatehouse } from './process.js'
import { peerArgs, startStack, type Stack } from './stack.js'

export interface RedisStack extends Stack {
  /** The flags that point gatehouse at Redis (also given to every replica). */
  redisArgs: string[]
  /** Starts one more gatehouse process with the same settings (and `extraArgs` after them) on its own port. */
  startReplica(extraArgs?: string[]): Promise<Gatehouse>
}

/**
 * `startStack` with `--session-store-type=redis` (or `sessions: 'cookie'`) and `redisArgs`; replicas are stopped by
 * `close`.
 */
export async function startRedisStack(redisArgs: string[], extraArgs: string[] = [], options: { sessions?: 'redis' | 'cookie' } = {}): Promise<RedisStack> {
  const args = [`--session-store-type=${options.sessions ?? 'redis'}`, ...redisArgs, ...extraArgs]
  const stack = await startStack({ args })
  const replicas: Gatehouse[] = []
  const close = stack.close.bind(stack)
  return Object.assign(stack, {
    redisArgs,
    async startReplica(more: string[] = []) {
      const replica = await startGatehouse({
        args: [...peerArgs(stack), '--cookie-secure=false', '--email-domain=*', `--redirect-url=${stack.proxy.url}/oauth2/callback`, ...args, ...more],
      })
      replicas.push(replica)
      return replica
    },
    async close() {
      await Promise.allSettled(replicas.map((r) => r.stop()))
      await close()
    },
  })
}

/** Requests `path` from `proxy` with the session cookies `client` holds for the stack's main proxy. */
export function getWith(client: HttpClient, stack: Stack, proxy: Gatehouse, path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  const cookie = client.jar.header(stack.proxy.url) ?? ''
  return client.get(`${proxy.url}${path}`, { cookies: false, headers: { cookie, accept: 'application/json', ...headers } })
}
