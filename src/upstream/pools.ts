import { isIP } from 'node:net'
import { buildConnector, Pool, type Dispatcher } from 'undici'

/** An origin the proxy keeps warm connections to: a TCP/TLS origin or a unix socket. */
export type PoolKey = { kind: 'http'; url: URL } | { kind: 'unix'; socketPath: string }

export interface PoolOptions {
  insecureSkipVerify: boolean
  timeoutMs: number
}

/**
 * One undici Pool per origin and connection settings, created on first use. It outlives a config reload: a reload
 * that keeps an upstream keeps its warm connections, and `prune` closes the pools no configuration uses any more.
 */
export interface Pools {
  /** The origin's pool (HTTP/1.1, or HTTP/2 for h2c and HTTPS origins that choose it). */
  get(key: PoolKey, options: PoolOptions): Dispatcher
  /** The name a pool is kept under: the origin (or socket) and the settings its connections were made with. */
  idOf(key: PoolKey, options: PoolOptions): string
  /** The TLS server name requests to this origin must carry (the target host, not the client's Host). */
  servername(key: PoolKey): string | undefined
  /** Closes every pool whose id is not in `keep`, letting the requests already sent on it finish first. */
  prune(keep: ReadonlySet<string>): Promise<void>
  close(): Promise<void>
}

/** Go's dialer waits 30 s for a connection; undici's default is 10 s. */
const CONNECT_TIMEOUT_MS = 30_000
/** Go's transport accepts up to 10 MB of response headers; Node's default of 16 KiB is too small for cookie-heavy apps. */
const MAX_RESPONSE_HEADER_BYTES = 1024 * 1024
/** Concurrent streams undici opens on one h2c connection (Node's and Go's servers allow 100 to 250). */
const H2C_STREAMS_PER_CONNECTION = 100
/** How long `close()` waits for in-flight upstream requests before cutting them. */
const CLOSE_GRACE_MS = 5_000

/** Lets in-flight requests finish for a few seconds (a stream may never end), then cuts them. */
async function closeWithin(pool: Pool): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)
    timer.unref()
  })
  const outcome = await Promise.race([pool.close().then(() => 'closed' as const, () => 'late' as const), deadline])
  clearTimeout(timer)
  if (outcome === 'late') await pool.destroy().catch(() => undefined)
}

/** Creates the pool registry; `close()` drains every pool. */
export function createPools(): Pools {
  const pools = new Map<string, Pool>()

  // protocol//host, not URL.origin: an h2c:// URL has no origin (it is not a special scheme).
  const idOf = (key: PoolKey, options: PoolOptions): string =>
    `${key.kind === 'unix' ? `unix:${key.socketPath}` : `${key.url.protocol}//${key.url.host}`} ${options.insecureSkipVerify ? 'insecure' : 'verify'} ${options.timeoutMs}`

  function create(key: PoolKey, options: PoolOptions): Pool {
    const common = {
      pipelining: 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: 0,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
    }
    if (key.kind === 'unix') {
      return new Pool('http://localhost', { ...common, connect: buildConnector({ socketPath: key.socketPath, timeout: CONNECT_TIMEOUT_MS }) })
    }
    if (key.url.protocol === 'h2c:') {
      // Cleartext HTTP/2 with prior knowledge (RFC 9113 §3.3): every connection is h2, so streams share it.
      // undici's connector takes `useH2c` though its BuildOptions type does not list it yet.
      const h2cOptions = { useH2c: true, timeout: CONNECT_TIMEOUT_MS }
      const h2c = buildConnector(h2cOptions)
      return new Pool(`http://${key.url.host}`, { ...common, pipelining: H2C_STREAMS_PER_CONNECTION, allowH2: true, connect: h2c })
    }
    if (key.url.protocol !== 'https:') {
      return new Pool(key.url.origin, { ...common, connect: buildConnector({ rejectUnauthorized: !options.insecureSkipVerify, timeout: CONNECT_TIMEOUT_MS }) })
    }
    // ALPN offers h2 and http/1.1; the upstream chooses. One request per connection at a time either way (pipelining 1
    // keeps HTTP/1.1 safe), so a long gRPC stream holds its own connection.
    const base = buildConnector({ rejectUnauthorized: !options.insecureSkipVerify, timeout: CONNECT_TIMEOUT_MS, allowH2: true })
    // SNI and certificate checks use the upstream's host even when the client's Host header is passed on (Go's behaviour);
    // an IP target gets no SNI (RFC 6066 §3).
    const sni = isIP(key.url.hostname.replace(/^\[|\]$/g, '')) === 0 ? key.url.hostname : ''
    return new Pool(key.url.origin, { ...common, allowH2: true, connect: (opts, callback) => base({ ...opts, servername: sni }, callback) })
  }

  return {
    get(key, options) {
      const id = idOf(key, options)
      let pool = pools.get(id)
      if (pool === undefined) {
        pool = create(key, options)
        pools.set(id, pool)
      }
      return pool
    },
    idOf,
    servername(key) {
      return key.kind === 'http' && key.url.protocol === 'https:' ? key.url.hostname : undefined
    },
    async prune(keep) {
      const unused = [...pools].filter(([id]) => !keep.has(id))
      for (const [id] of unused) pools.delete(id)
      await Promise.all(unused.map(([, pool]) => closeWithin(pool)))
    },
    async close() {
      const all = [...pools.values()]
      pools.clear()
      await Promise.all(all.map(closeWithin))
    },
  }
}
