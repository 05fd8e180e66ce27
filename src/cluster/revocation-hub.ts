import cluster, { type Worker } from 'node:cluster'
import { createJtiMemory, createRevocationList, type RevocationEntry } from '../session/revocation-list.js'

/** The `type` of every revocation message between the primary and its workers. */
export const REVOCATION_MESSAGE = 'gatehouse:revocations'

/** What a worker asks the primary. */
export type HubAsk = { op: 'add'; entry: RevocationEntry } | { op: 'seen'; key: string } | { op: 'remember'; key: string; ttlMs: number } | { op: 'snapshot' }

/** A worker's question as sent, with the id its reply carries. */
export type HubRequest = { type: typeof REVOCATION_MESSAGE; id: number } & HubAsk

/** What the primary sends a worker: the reply to one of its requests, or an entry another worker added. */
export type HubMessage = { type: typeof REVOCATION_MESSAGE } & ({ op: 'reply'; id: number; result: unknown } | { op: 'added'; entry: RevocationEntry })

function isRequest(message: unknown): message is HubRequest {
  const m = message as Partial<HubRequest> | null
  return typeof m === 'object' && m !== null && m.type === REVOCATION_MESSAGE && typeof m.id === 'number'
}

/**
 * `--workers` with cookie sessions and no Redis: the primary keeps the revocation list and the used logout tokens for
 * every worker. A worker's revocation is kept here and passed on to every other worker; a new worker (a replacement
 * too) starts from the whole list; a `jti` is remembered once for all, so a replayed logout token is refused by every
 * worker. Returns the function that stops listening.
 */
export function startRevocationHub(clock: () => number = Date.now): () => void {
  const list = createRevocationList()
  const jtis = createJtiMemory(clock)

  function answer(from: Worker, request: HubRequest): unknown {
    switch (request.op) {
      case 'add': {
        list.add(request.entry)
        const added: HubMessage = { type: REVOCATION_MESSAGE, op: 'added', entry: request.entry }
        for (const w of Object.values(cluster.workers ?? {})) if (w !== undefined && w !== from && w.isConnected()) w.send(added)
        return true
      }
      case 'seen':
        return jtis.seen(request.key)
      case 'remember':
        return jtis.remember(request.key, request.ttlMs)
      case 'snapshot':
        return list.entries(clock())
    }
  }

  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isRequest(message)) return
    const reply: HubMessage = { type: REVOCATION_MESSAGE, op: 'reply', id: message.id, result: answer(worker, message) }
    if (worker.isConnected()) worker.send(reply)
  }
  cluster.on('message', onMessage)
  return () => cluster.off('message', onMessage)
}
