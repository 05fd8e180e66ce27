import type { IncomingMessage, ServerResponse } from 'node:http'

/** The gRPC status codes gatehouse answers with itself (grpc/doc/statuscodes.md). */
export const GrpcStatus = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const

/** True for a gRPC or gRPC-Web call (`content-type: application/grpc`, `application/grpc+proto`, `application/grpc-web`...). */
export function isGrpcRequest(req: IncomingMessage): boolean {
  const type = req.headers['content-type']
  return type !== undefined && type.length >= 16 && type.slice(0, 16).toLowerCase() === 'application/grpc'
}

/**
 * The gRPC status for an HTTP status gatehouse itself produced: the mapping of grpc/doc/http-grpc-status-mapping.md
 * (401 → UNAUTHENTICATED, 403 → PERMISSION_DENIED, 404 → UNIMPLEMENTED, 429/502/503 → UNAVAILABLE), except that a
 * 504 (the upstream sent no headers in time) is DEADLINE_EXCEEDED, as the caller's deadline semantics read it.
 */
export function grpcStatusOf(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INVALID_ARGUMENT
    case 401:
      return GrpcStatus.UNAUTHENTICATED
    case 403:
      return GrpcStatus.PERMISSION_DENIED
    case 404:
      return GrpcStatus.UNIMPLEMENTED
    case 408:
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED
    case 413:
    case 431:
      return GrpcStatus.RESOURCE_EXHAUSTED
    case 429:
    case 502:
    case 503:
      return GrpcStatus.UNAVAILABLE
    default:
      return httpStatus >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN
  }
}

/**
 * Answers a gRPC call the way a gRPC server refuses one: HTTP 200, the status in `grpc-status` and a percent-encoded
 * `grpc-message`, no message (grpc/doc/PROTOCOL-HTTP2.md). Over HTTP/2 they travel as trailers after the headers
 * (the compatibility API cannot end a stream on its first HEADERS frame, and gRPC clients read the status only from
 * a block that ends the stream); gRPC-Web over HTTP/1.1 reads them from the headers. Never an HTML page.
 */
export function sendGrpcStatus(res: ServerResponse, code: number, message: string, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const type = res.req.headers['content-type']
  const status = { 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) }
  const contentType = typeof type === 'string' && type.toLowerCase().startsWith('application/grpc-web') ? type : 'application/grpc'
  if (res.req.httpVersionMajor === 2) {
    res.writeHead(200, { ...headers, 'content-type': contentType })
    res.addTrailers(status)
  } else {
    res.writeHead(200, { ...headers, 'content-type': contentType, ...status, 'content-length': '0' })
  }
  res.end()
}

/** grpc-message is percent-encoded UTF-8: every byte outside printable ASCII, and `%` itself (PROTOCOL-HTTP2.md). */
export function encodeGrpcMessage(message: string): string {
  let out = ''
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
