// In-memory storage for oidc-provider models (sessions, grants, codes, tokens, interactions).
// One store per development IdP, shared by every Provider instance it builds, so sessions and
// refresh tokens survive a key rotation. No size cap: the store lives as long as the IdP.

type Payload = Record<string, unknown>

interface Entry {
  payload: Payload
  expiresAt: number
}

/** The adapter interface oidc-provider calls for each model. */
export interface ModelAdapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>
  find(id: string): Promise<Payload | undefined>
  findByUid(uid: string): Promise<Payload | undefined>
  findByUserCode(userCode: string): Promise<Payload | undefined>
  consume(id: string): Promise<void>
  destroy(id: string): Promise<void>
  revokeByGrantId(grantId: string): Promise<void>
}

/** Returns the adapter factory oidc-provider takes as `adapter` (called once per model name). */
export function createMemoryAdapterFactory(): (model: string) => ModelAdapter {
  const entries = new Map<string, Entry>()
  const byGrant = new Map<string, Set<string>>()
  const sessionByUid = new Map<string, string>()
  const byUserCode = new Map<string, string>()

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }

  return (model: string): ModelAdapter => {
    const keyOf = (id: string): string => `${model}:${id}`
    const find = async (id: string): Promise<Payload | undefined> => {
      const entry = live(keyOf(id))
      return entry === undefined ? undefined : { ...entry.payload }
    }
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id)
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY
        entries.set(key, { payload: { ...payload }, expiresAt })
        const { grantId, uid, userCode } = payload
        if (typeof grantId === 'string') {
          const members = byGrant.get(grantId) ?? new Set<string>()
          members.add(key)
          byGrant.set(grantId, members)
        }
        if (model === 'Session' && typeof uid === 'string') sessionByUid.set(uid, id)
        if (typeof userCode === 'string') byUserCode.set(userCode, id)
      },
      find,
      async findByUid(uid) {
        const id = sessionByUid.get(uid)
        return id === undefined ? undefined : find(id)
      },
      async findByUserCode(userCode) {
        const id = byUserCode.get(userCode)
        return id === undefined ? undefined : find(id)
      },
      async consume(id) {
        const entry = live(keyOf(id))
        if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000)
      },
      async destroy(id) {
        entries.delete(keyOf(id))
      },
      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) entries.delete(key)
        byGrant.delete(grantId)
      },
    }
  }
}
