import { formatLogTimestamp, quoteGo, type LogKind } from './go-template.js'

/** The request a per-request logger belongs to; attached by `bindRequest`, read only for text lines. */
export interface RequestInfo {
  requestId: string
  client: string
  host: string
  method: string
  protocol: string
  userAgent: string
}

/** Structured fields safe to show in a text line's Message (an allow-list: nothing else from the object is printed). */
const MESSAGE_EXTRAS = ['reason', 'rule', 'idpError', 'errorCode', 'status', 'error', 'address', 'signal'] as const

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '')
const orDash = (v: string): string => (v === '' ? '-' : v)

function message(msg: string, obj: Readonly<Record<string, unknown>>): string {
  let extras = ''
  for (const key of MESSAGE_EXTRAS) {
    const value = str(obj[key])
    if (value !== '') extras += `${extras === '' ? '' : ' '}${key}=${value.includes(' ') ? quoteGo(value) : value}`
  }
  return extras === '' ? msg : `${msg} (${extras})`
}

/** oauth2-proxy's auth statuses: AuthSuccess, AuthFailure, AuthError. */
export function authStatus(event: string, level: number): string {
  if (level >= 50 || event === 'session.refresh.failed') return 'AuthError'
  return event.endsWith('.success') || event === 'auth.logout' ? 'AuthSuccess' : 'AuthFailure'
}

/** Builds the template data of one line from a log call's object, message and request. */
export function createTextFields(localTime: boolean) {
  return (kind: LogKind, obj: Readonly<Record<string, unknown>>, msg: string, level: number, info: RequestInfo | undefined): Record<string, string> => {
    const timestamp = formatLogTimestamp(new Date(), localTime)
    switch (kind) {
      case 'standard':
        return { Timestamp: timestamp, File: str(obj.event) || 'gatehouse', Message: message(msg, obj) }
      case 'auth':
        return {
          Client: orDash(str(obj.client) || (info?.client ?? '')),
          Host: info?.host ?? '',
          Message: message(msg, obj),
          Protocol: info?.protocol ?? '',
          RequestID: orDash(str(obj.requestId) || (info?.requestId ?? '')),
          RequestMethod: info?.method ?? '',
          Timestamp: timestamp,
          UserAgent: quoteGo(info?.userAgent ?? ''),
          Username: orDash(str(obj.email) || str(obj.user)),
          Status: authStatus(str(obj.event), level),
        }
      case 'request':
        return {
          Client: orDash(str(obj.client)),
          Host: str(obj.host),
          Protocol: str(obj.protocol),
          RequestID: orDash(str(obj.requestId)),
          RequestMethod: str(obj.method),
          Timestamp: timestamp,
          UserAgent: quoteGo(str(obj.userAgent)),
          Username: orDash(str(obj.user)),
          RequestDuration: (Number(obj.durationMs ?? 0) / 1000).toFixed(3),
          RequestURI: quoteGo(str(obj.uri)),
          ResponseSize: String(Number(obj.size ?? 0)),
          StatusCode: str(obj.status),
          Upstream: str(obj.upstream),
        }
    }
  }
}
