import type { IncomingMessage } from 'node:http'
import { ProxyError } from '../errors.js'

/** Largest urlencoded form we read (callback form_post, sign-out). */
const MAX_FORM_BYTES = 64 * 1024

/** Reads an `application/x-www-form-urlencoded` body; other bodies give an empty form. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? ''
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    req.resume()
    return new URLSearchParams()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_FORM_BYTES) throw new ProxyError('ERR_PAYLOAD_TOO_LARGE', 413, 'form body too large')
    chunks.push(chunk as Buffer)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}
