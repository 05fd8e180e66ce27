import { Pool, type Dispatcher } from 'undici'

/** What the forwarder asks of an upstream origin: one request, its response streamed back, trailers included. */
export interface UpstreamRequester {
  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>
}

type LegacyHandler = Dispatcher.DispatchHandler & { onComplete?: (trailers: unknown) => void }

/**
 * undici 7 hands an HTTP/2 response's trailers to `request()`'s handler as a header object, which its raw-list parser
 * reads as empty, so `grpc-status` would be lost. Flattening them to the raw `[name, value, ...]` list HTTP/1.1 uses
 * keeps them; every other handler call passes through untouched.
 */
function keepH2Trailers(handler: LegacyHandler): LegacyHandler {
  return new Proxy(handler, {
    get(target, prop) {
      if (prop === 'onComplete') return (trailers: unknown) => target.onComplete?.(flattenTrailers(trailers))
      const value: unknown = Reflect.get(target, prop)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

function flattenTrailers(trailers: unknown): unknown {
  if (trailers === null || typeof trailers !== 'object' || Array.isArray(trailers)) return trailers
  const raw: string[] = []
  for (const [name, value] of Object.entries(trailers as Record<string, unknown>)) {
    if (Array.isArray(value)) for (const one of value) raw.push(name, String(one))
    else if (value !== undefined) raw.push(name, String(value))
  }
  return raw
}

/** `request()` on a pool that may speak HTTP/2, with the upstream's trailers relayed. */
export function h2Requester(pool: Pool): UpstreamRequester {
  const facade = { dispatch: (options: Dispatcher.DispatchOptions, handler: LegacyHandler) => pool.dispatch(options, keepH2Trailers(handler)) }
  const request = Pool.prototype.request as (this: unknown, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>
  return { request: (options) => request.call(facade, options) }
}
