import { createHmac } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { ProxyError } from '../errors.js'

/**
 * The request headers oauth2-proxy's hmacauth signs, in order (pkg/upstream/http.go `SignatureHeaders`); note
 * `X-Forwarded-Preferred-User`, which is not a header oauth2-proxy sets, is signed as oauth2-proxy signs it.
 */
const SIGNED_HEADERS = [
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'authorization',
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-preferred-user',
  'x-forwarded-access-token',
  'cookie',
  'gap-auth',
] as const

/** The upstream request as the signature covers it. */
export interface SignedRequest {
  method: string
  /** The request target as received: path (still percent-encoded) and query. */
  target: string
  /** The upstream request headers as a flat `[name, value, ...]` list (header strings hold bytes as latin1). */
  headers: readonly string[]
  body: Buffer
}

/** Computes `GAP-Signature` values for `--signature-key`. */
export type GapSigner = (request: SignedRequest) => string

/** Percent-decodes a path into its bytes, as Go's `URL.Path` holds it (a malformed escape is kept as it is). */
function decodedPath(path: string): Buffer {
  if (!path.includes('%')) return Buffer.from(path, 'latin1')
  const bytes: number[] = []
  for (let i = 0; i < path.length; i++) {
    const hex = path.slice(i + 1, i + 3)
    if (path[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(path.charCodeAt(i) & 0xff)
    }
  }
  return Buffer.from(bytes)
}

/**
 * hmacauth's string to sign: the method, each signed header's values joined by `,` (an absent one is empty), the
 * decoded path with `?query`, each on its own line; the signature is HMAC(key, that string + body), base64.
 */
export function createGapSigner(signatureKey: string): GapSigner {
  const at = signatureKey.indexOf(':')
  const algorithm = signatureKey.slice(0, at)
  const secret = signatureKey.slice(at + 1)
  return ({ method, target, headers, body }) => {
    const values = new Map<string, string[]>()
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = (headers[i] as string).toLowerCase()
      if (!(SIGNED_HEADERS as readonly string[]).includes(name)) continue
      const list = values.get(name)
      if (list === undefined) values.set(name, [headers[i + 1] as string])
      else list.push(headers[i + 1] as string)
    }
    const q = target.indexOf('?')
    const path = q === -1 ? target : target.slice(0, q)
    const query = q === -1 ? '' : target.slice(q + 1)
    const hmac = createHmac(algorithm, secret)
    hmac.update(`${method}\n`)
    for (const name of SIGNED_HEADERS) hmac.update(`${(values.get(name) ?? []).join(',')}\n`, 'latin1')
    hmac.update(decodedPath(path))
    hmac.update(query === '' ? '\n' : `?${query}\n`, 'latin1')
    hmac.update(body)
    return `${algorithm} ${hmac.digest('base64')}`
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer)
  } catch (err) {
    throw new ProxyError('ERR_BAD_REQUEST', 400, 'the request body ended early', { cause: err })
  }
  return Buffer.concat(chunks)
}

/**
 * Signs an upstream request as oauth2-proxy does: the whole body is read first (hmacauth covers it), then
 * `GAP-Signature` is added to `headers`. Returns the body to send with the client's framing: a Content-Length
 * body as one buffer, a chunked one still chunked, so the upstream verifies the headers that were signed.
 */
export async function signUpstreamRequest(sign: GapSigner, req: IncomingMessage, headers: string[], body: IncomingMessage | null): Promise<Buffer | Readable | null> {
  const bytes = body === null ? Buffer.alloc(0) : await readAll(body)
  headers.push('GAP-Signature', sign({ method: req.method ?? 'GET', target: req.url ?? '/', headers, body: bytes }))
  if (body === null) return null
  return req.headers['content-length'] !== undefined ? bytes : Readable.from([bytes])
}
