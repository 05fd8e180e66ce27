import { ProxyError } from '../errors.js'
import { cleanProviderText } from './provider-error.js'

/** An answer from a provider's REST API, read in full (the provider fetch bounds the time to the last byte). */
export interface ApiAnswer {
  status: number
  headers: Headers
  text: string
}

export interface ApiRequest {
  fetch: typeof fetch
  url: string
  /** Names the call in errors and logs, e.g. "GitHub GET /user/orgs"; never holds a token. */
  call: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

/** Bound on the bytes read from one API answer, so a misbehaving server cannot fill memory. */
const MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * One call to a provider's REST API. Redirects are not followed (the access token only goes where it was configured
 * to go); a transport failure or timeout is a 502 naming the call, never a hang.
 */
export async function callApi(request: ApiRequest): Promise<ApiAnswer> {
  let response: Response
  try {
    response = await request.fetch(request.url, {
      method: request.method ?? 'GET',
      headers: request.headers ?? {},
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
    })
  } catch (err) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${request.call} failed: ${reason(err)}`, { cause: err })
  }
  let text: string
  try {
    text = await readBounded(response)
  } catch (err) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${request.call} failed while reading the answer: ${reason(err)}`, { cause: err })
  }
  return { status: response.status, headers: response.headers, text }
}

/** The JSON body of a 2xx answer; anything else is a 502 that names the call, the status and the API's own message. */
export function expectJson(answer: ApiAnswer, call: string): unknown {
  if (answer.status < 200 || answer.status > 299) throw apiStatusError(answer, call)
  try {
    return JSON.parse(answer.text) as unknown
  } catch {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call} answered ${answer.status} with a body that is not JSON`)
  }
}

/** A 502 for an API answer with an unexpected status, quoting the API's `message`/`error` text when it has one. */
export function apiStatusError(answer: ApiAnswer, call: string): ProxyError {
  return new ProxyError('ERR_OIDC_CLAIMS', 502, `${call} answered ${answer.status}${apiMessage(answer.text)}`)
}

/** `: <message>` from the common error bodies (`{"message":…}`, `{"error":…}`, `{"error":{"message":…}}`), else empty. */
function apiMessage(text: string): string {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return ''
  }
  if (body === null || typeof body !== 'object') return ''
  const b = body as { message?: unknown; error?: unknown; error_description?: unknown; errors?: unknown }
  const nested = b.error !== null && typeof b.error === 'object' ? (b.error as { message?: unknown }).message : undefined
  // GraphQL (SourceHut): { errors: [{ message }] }
  const graphql = Array.isArray(b.errors) ? (b.errors[0] as { message?: unknown } | undefined)?.message : undefined
  // An OAuth error body (RFC 6749 §5.2) gives both its code and its description.
  const oauth = typeof b.error === 'string' && typeof b.error_description === 'string' ? `${b.error}: ${b.error_description}` : undefined
  const message = cleanProviderText([oauth, b.message, b.error_description, nested, graphql, b.error].find((v) => typeof v === 'string' && v !== ''), 200)
  return message === undefined ? '' : `: ${message}`
}

async function readBounded(response: Response): Promise<string> {
  if (response.body === null) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > MAX_BODY_BYTES) throw new Error(`answer larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function reason(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown; cause?: { message?: unknown } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out'
  const cause = typeof e?.cause?.message === 'string' ? ` (${e.cause.message})` : ''
  return `${typeof e?.message === 'string' ? e.message : String(err)}${cause}`
}
