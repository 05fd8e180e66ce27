import type { IncomingMessage } from 'node:http'

/** What the echo app answers for an ordinary request. */
export interface EchoReply {
  method: string
  /** The path of the request target exactly as received (still percent-encoded). */
  path: string
  query: Record<string, string | string[]>
  rawQuery: string
  headers: IncomingMessage['headers']
  rawHeaders: [string, string][]
  remoteAddress: string
  /** The body as UTF-8, first 64 KiB only. */
  body: string
  bodyBytes: number
  bodySha256: string
}
