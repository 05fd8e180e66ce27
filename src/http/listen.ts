import type { Server } from 'node:net'
import { rmSync } from 'node:fs'
import { ProxyError } from '../errors.js'

/** A listen address in oauth2-proxy's forms: `[http(s)://]host:port`, `unix://path` or `unix:/path`. */
export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string }

/** Parses a listen address; undefined for `-` or empty (disabled). */
export function parseListenAddress(value: string): ListenAddress | undefined {
  if (value === '' || value === '-') return undefined
  if (value.startsWith('unix:')) return { kind: 'unix', path: value.replace(/^unix:(\/\/)?/, '') }
  const bare = value.replace(/^https?:\/\//, '')
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(bare)
  if (m === null) throw new ProxyError('ERR_CONFIG_INVALID', 500, `bad listen address ${value}`)
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '')
  return { kind: 'tcp', host: host === '' ? '0.0.0.0' : host, port: Number(m[2]) }
}

/**
 * Starts listening; resolves with the address a person can open (port 0 resolved). A stale unix socket file is removed
 * first unless `removeStale` is false (`--workers` processes share the socket the primary cleared once).
 */
export function listen(server: Server, address: ListenAddress, removeStale = true): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    const done = () => {
      server.off('error', reject)
      const a = server.address()
      resolve(typeof a === 'string' ? `unix:${a}` : a === null ? '' : `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`)
    }
    if (address.kind === 'unix') {
      if (removeStale) rmSync(address.path, { force: true })
      server.listen(address.path, done)
    } else {
      server.listen(address.port, address.host, done)
    }
  })
}
