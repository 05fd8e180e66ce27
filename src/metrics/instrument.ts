import type { SessionStore } from '../session/store.js'
import type { IdpOperation, Metrics } from './registry.js'

/** Wraps a session store so every failed call is counted by operation; results and errors pass through unchanged. */
export function instrumentStore(store: SessionStore, metrics: Metrics): SessionStore {
  const counted = <T>(operation: Parameters<Metrics['storeError']>[0], call: () => Promise<T>): Promise<T> =>
    call().catch((err: unknown) => {
      metrics.storeError(operation)
      throw err
    })
  const onLoadError = (err: unknown): never => {
    metrics.storeError('load')
    throw err
  }
  const wrapped: SessionStore = {
    // Every request loads: no closure per call, and a session read at once stays at once.
    load: (cookies, now) => {
      try {
        const loaded = store.load(cookies, now)
        return loaded instanceof Promise ? loaded.catch(onLoadError) : loaded
      } catch (err) {
        return onLoadError(err)
      }
    },
    save: (cookies, session, host, now, origin) => counted('save', () => store.save(cookies, session, host, now, origin)),
    clear: (cookies, host) => counted('clear', () => store.clear(cookies, host)),
    ping: () => counted('ping', () => store.ping()),
    close: () => store.close(),
  }
  const lock = store.lock?.bind(store)
  if (lock !== undefined) wrapped.lock = (key, ttlMs) => counted('lock', () => lock(key, ttlMs))
  return wrapped
}

/** Which kind of IdP call a request is, from its method and path only (no URL in the labels). */
function idpOperation(input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): IdpOperation {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
  if (method === 'POST') return 'token'
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  return url.includes('/.well-known/') ? 'discovery' : 'other'
}

/** Wraps the IdP fetch to time every call by operation and outcome (status class, or `error`). */
export function instrumentFetch(fetchFn: typeof fetch, metrics: Metrics): typeof fetch {
  const timed = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const operation = idpOperation(input, init)
    const started = performance.now()
    try {
      const response = await fetchFn(input, init)
      metrics.idpCall(operation, `${Math.floor(response.status / 100)}xx`, (performance.now() - started) / 1000)
      return response
    } catch (err) {
      metrics.idpCall(operation, 'error', (performance.now() - started) / 1000)
      throw err
    }
  }
  return timed as typeof fetch
}
