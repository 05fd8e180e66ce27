import { ProxyError } from '../errors.js'
import { createRevocationList, type RevocationEntry } from '../session/revocation-list.js'
import { entryOf, type Revocations } from '../session/revocation.js'
import { REVOCATION_MESSAGE, type HubAsk, type HubMessage, type HubRequest } from './revocation-hub.js'

/** How long a worker waits for the primary's answer before the request fails with 503. */
const REPLY_TIMEOUT_MS = 3_000

function isHubMessage(message: unknown): message is HubMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === REVOCATION_MESSAGE
}

/**
 * A `--workers` worker's revocation list with cookie sessions and no Redis: a copy of the primary's (src/cluster/
 * revocation-hub.ts), fetched before the worker serves and kept in step by the primary's messages, so the hot path
 * still checks two Maps. A revocation is kept here at once and is done once the primary holds it; a used logout
 * token is asked about and remembered at the primary, for every worker at once.
 */
export async function connectRevocationRelay(options: { expireMs: number; clock: () => number }): Promise<Revocations> {
  const list = createRevocationList()
  const waiting = new Map<number, { resolve: (result: unknown) => void; timer: NodeJS.Timeout }>()
  let nextId = 0

  const onMessage = (message: unknown): void => {
    if (!isHubMessage(message)) return
    if (message.op === 'added') {
      list.add(message.entry)
      return
    }
    const pending = waiting.get(message.id)
    if (pending === undefined) return
    waiting.delete(message.id)
    clearTimeout(pending.timer)
    pending.resolve(message.result)
  }
  process.on('message', onMessage)

  function ask(request: HubAsk): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = ++nextId
      const fail = (why: string) => {
        waiting.delete(id)
        reject(new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, `revocation list: the primary ${why}`))
      }
      const timer = setTimeout(() => fail(`did not answer within ${REPLY_TIMEOUT_MS} ms`), REPLY_TIMEOUT_MS)
      timer.unref()
      waiting.set(id, { resolve, timer })
      const message: HubRequest = { type: REVOCATION_MESSAGE, id, ...request }
      if (process.send === undefined || !process.connected) {
        clearTimeout(timer)
        return fail('cannot be reached')
      }
      process.send(message, undefined, {}, (err: Error | null) => {
        if (err === null) return
        clearTimeout(timer)
        fail(`cannot be reached: ${err.message}`)
      })
    })
  }

  // Every revocation made before this worker started (a replacement after a crash included).
  for (const entry of (await ask({ op: 'snapshot' })) as RevocationEntry[]) list.add(entry)

  return {
    shared: false,
    index: undefined,
    async revoke(target, now) {
      const entry = entryOf(target, now, options.expireMs)
      list.add(entry)
      await ask({ op: 'add', entry })
      return 0
    },
    async revokeId() {
      return undefined
    },
    isRevoked: (session) => list.covers(session, options.clock()),
    seen: async (key) => (await ask({ op: 'seen', key })) === true,
    remember: async (key, ttlMs) => (await ask({ op: 'remember', key, ttlMs })) === true,
    async ready() {},
    close() {
      process.off('message', onMessage)
    },
  }
}
